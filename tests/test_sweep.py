"""Sweeps: grids, tornado and switching values, checked against answers known in advance."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from evidence_builders import erlang_c_wait, mmc
from scipy import stats

from sim.runs.executors import InProcessExecutor
from sim.scenario.levers import Lever
from sim.studies.sweep import SweepRequest, find_switching_value, run_sweep

pytestmark = pytest.mark.slow

ARRIVALS_PER_DAY = 4.8
MEAN_EFFORT_DAYS = 0.5  # offered load 2.4 erlangs


# --- the search on its own: per-replication thresholds known exactly ----------------------------


def threshold_evaluator(thresholds: np.ndarray):
    """Replication r outruns capability once the lever passes its own threshold t_r, so the
    share outrunning at x is the share of t_r below x, which crosses 50% at their median."""
    calls: list[float] = []

    def evaluate(x: float) -> np.ndarray:
        calls.append(x)
        return (thresholds < x).astype(float)

    return evaluate, calls


def test_bisection_finds_the_median_threshold_and_an_order_statistic_interval() -> None:
    thresholds = np.random.default_rng(7).permutation(np.arange(1, 42) / 10)  # 0.1 .. 4.1
    evaluate, calls = threshold_evaluator(thresholds)
    found = find_switching_value(evaluate, [0.0, 5.0], 0.5, steps=12, bootstrap=2000, seed=1)
    # The share passes 50% (21 of 41) just above the 21st smallest threshold, 2.1.
    assert found["status"] == "found" and found["direction"] == "increasing"
    assert found["value"] == pytest.approx(2.1, abs=5.0 / 2**12)
    assert found["bracket_low"] <= 2.1 <= found["bracket_high"]
    assert len(calls) == 2 + 12
    # The bootstrap interval of a median lies near the order statistics of a 95% binomial
    # interval for it: ranks 14 and 28 of 41, thresholds 1.4 and 2.8.
    low_rank, high_rank = stats.binom.ppf([0.025, 0.975], 41, 0.5)
    assert found["ci_low"] == pytest.approx(low_rank / 10, abs=0.35)
    assert found["ci_high"] == pytest.approx((high_rank + 1) / 10, abs=0.35)


def test_a_falling_criterion_and_an_integer_lever_stop_at_neighbours() -> None:
    # Service level falls as demand rises; on a whole-number lever the search ends when the
    # verdict's two sides are adjacent numbers.
    def evaluate(x: float) -> np.ndarray:
        return np.full(5, 1.0 - x / 20)  # crosses 0.8 at x = 4

    found = find_switching_value(evaluate, [0, 10], 0.8, integer=True, steps=10, bootstrap=0)
    assert found["direction"] == "decreasing"
    assert (found["bracket_low"], found["bracket_high"]) == (4, 5)  # 0-10, 5, 2, 3, 4: exact
    assert found["value"] == pytest.approx(4.0)
    assert found["evaluated"] == 6


def test_no_switch_in_range_is_reported_not_invented() -> None:
    found = find_switching_value(lambda x: np.zeros(10), [1, 2, 3], 0.5, bootstrap=100)
    assert found["status"] == "none_in_range"
    assert "value" not in found and found["range_low"] == 1 and found["range_high"] == 3


def test_an_interval_open_beyond_the_range_is_infinite() -> None:
    # Exactly half the replications outrun at the end of the range, so resamples with fewer
    # low thresholds never cross inside it: their crossing lies beyond its upper end.
    thresholds = np.array([0.5, 0.9, 1.2, 1.5, 1.97, 5, 6, 7, 8, 9])
    evaluate, _ = threshold_evaluator(thresholds)
    found = find_switching_value(evaluate, [0.0, 2.0], 0.5, steps=0, bootstrap=500, seed=3)
    assert found["status"] == "found" and found["value"] == 2.0
    assert found["ci_high"] == math.inf and 0 < found["ci_low"] < 2.0


# --- the model: an M/M/c sweep reproduces Erlang C ----------------------------------------------


@pytest.fixture(scope="module")
def staff_sweep(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("sweep")
    request = SweepRequest(
        scenario=mmc(3, ARRIVALS_PER_DAY, MEAN_EFFORT_DAYS, horizon_months=36),
        levers=[Lever("staff_pools.staff.initial_headcount", (3, 4, 5, 6))],
        seed=11,
        reps=10,
        out=root / "study",
        cache=root / "cache",
        switching=False,
    )
    return run_sweep(request, InProcessExecutor()), root


def test_sweep_of_staff_reproduces_the_erlang_c_curve(staff_sweep) -> None:
    result, _ = staff_sweep
    waits = result.points[
        (result.points["kpi"] == "mean_wait_days") & (result.points["roles"].str.contains("oat"))
    ].set_index("staff_pools.staff.initial_headcount")
    for servers in (3, 4, 5, 6):
        row = waits.loc[servers]
        theory = erlang_c_wait(servers, ARRIVALS_PER_DAY, MEAN_EFFORT_DAYS)
        half = (row["ci_high"] - row["ci_low"]) / 2
        # Erlang C lies inside the 99% interval (the 95% half-width scaled by t quantiles).
        wider = half * stats.t.ppf(0.995, 9) / stats.t.ppf(0.975, 9)
        assert abs(row["mean"] - theory) <= wider, (servers, row["mean"], theory)
        assert half < 0.25 * theory, "interval too wide to test anything"
    assert list(waits["mean"]) == sorted(waits["mean"], reverse=True)


def test_the_sweep_is_a_set_of_ordinary_cached_runs(staff_sweep) -> None:
    _result, root = staff_sweep
    study = json.loads((root / "study" / "study.json").read_text())
    assert study["kind"] == "sweep" and study["seed"] == 11 and study["reps"] == 10
    # The scenario as given has 3 staff: the base point and the lever at 3 share one run.
    by_label = {p["label"]: p for p in study["points"]}
    assert (
        by_label["as given"]["run_dir"]
        == by_label["staff_pools.staff.initial_headcount=3"]["run_dir"]
    )
    for point in study["points"]:
        run_dir = (root / "study" / point["run_dir"]).resolve()
        manifest = json.loads((run_dir / "manifest.json").read_text())
        assert manifest["status"] == "complete" and manifest["seed"] == 11
        assert manifest["scenario_sha256"] == point["scenario_sha256"]
    assert len({p["run_dir"] for p in study["points"]}) == 4


def test_tornado_ranks_levers_by_swing(staff_sweep, tmp_path: Path) -> None:
    _result, root = staff_sweep
    request = SweepRequest(
        scenario=mmc(3, ARRIVALS_PER_DAY, MEAN_EFFORT_DAYS, horizon_months=36),
        levers=[
            Lever("staff_pools.staff.initial_headcount", (3, 6)),
            Lever("demand_scale", (0.95, 1.05)),
        ],
        seed=11,
        reps=10,
        out=tmp_path / "study",
        cache=root / "cache",
        kpi="mean_wait_days",
        two_way=False,
        switching=False,
    )
    tornado = run_sweep(request, InProcessExecutor()).tornado
    assert list(tornado["lever"]) == ["staff_pools.staff.initial_headcount", "demand_scale"]
    staff = tornado.iloc[0]
    assert staff["low_mean"] > staff["base_mean"] * 0.99 > staff["high_mean"]


# --- a switching value on a monotone lever lands where the grid says ----------------------------


def test_switching_value_lands_where_a_fine_grid_says(tmp_path: Path) -> None:
    # Four staff, one-day service target: the service level falls as demand rises and crosses
    # the 80% target somewhere in the range; bisection from a coarse grid must find the crossing
    # a fine grid over the same values shows (common random numbers make the values identical).
    scenario = mmc(4, 4.0, MEAN_EFFORT_DAYS, horizon_months=12, sla_target_days=1.5)
    cache = tmp_path / "cache"

    def sweep(values: tuple[float, ...], steps: int, name: str):
        request = SweepRequest(
            scenario=scenario,
            levers=[Lever("demand_scale", values)],
            seed=5,
            reps=8,
            out=tmp_path / name,
            cache=cache,
            criteria=("sla",),
            bisect_steps=steps,
            bootstrap=500,
        )
        return run_sweep(request, InProcessExecutor())

    coarse = sweep((0.5, 1.0, 1.5, 2.0), 2, "coarse").switching[0]
    fine_values = tuple(0.5 + 0.125 * i for i in range(13))
    fine = sweep(fine_values, 0, "fine")
    assert coarse.status == "found" and coarse.direction == "decreasing"
    sla = fine.points[
        (fine.points["kpi"] == "sla_attainment") & (fine.points["label"] != "as given")
    ]
    grid = sla.assign(x=pd.to_numeric(sla["demand_scale"])).sort_values("x")
    g = grid["mean"].to_numpy() - 0.8
    i = int(np.flatnonzero(np.sign(g[:-1]) != np.sign(g[1:]))[0])
    x0, x1 = grid["x"].iloc[i], grid["x"].iloc[i + 1]
    expected = x0 + (x1 - x0) * (0 - g[i]) / (g[i + 1] - g[i])
    assert (coarse.bracket_low, coarse.bracket_high) == (x0, x1)
    assert coarse.value == pytest.approx(expected)
    assert fine.switching[0].value == pytest.approx(expected)
    assert coarse.ci_low <= coarse.value <= coarse.ci_high
