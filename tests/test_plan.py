"""Plans: safe target parsing, and a least-cost search that finds a minimum known in advance."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from evidence_builders import erlang_c_wait, mmc

from sim.cli import main
from sim.errors import ScenarioError
from sim.runs.executors import InProcessExecutor
from sim.scenario.files import scenario_to_yaml
from sim.scenario.levers import Lever
from sim.studies.plan import PlanRequest, Target, parse_cost, parse_target, run_plan

pytestmark = pytest.mark.slow

ARRIVALS_PER_DAY = 5.0
MEAN_EFFORT_DAYS = 0.5  # offered load 2.5 erlangs: at least 3 staff for a stable queue
STAFF = "staff_pools.staff.initial_headcount"


def test_targets_are_parsed_not_evaluated() -> None:
    assert parse_target("sla_attainment >= 0.9") == Target("sla_attainment", ">=", 0.9)
    assert parse_target("  mean_wait_days<3.5 ") == Target("mean_wait_days", "<", 3.5)
    assert parse_target("sla_attainment >= 90%") == Target("sla_attainment", ">=", 0.9)
    assert parse_target("backlog_end <= 1e3").threshold == 1000


@pytest.mark.parametrize(
    "text, expected",
    [
        ("__import__('os').system('true') >= 1", "KPI OP NUMBER"),
        ("sla_attainment >= 0.9 or True", "KPI OP NUMBER"),
        ("sla_attainment == 0.9", "KPI OP NUMBER"),
        ("sla_atainment >= 0.9", "did you mean 'sla_attainment'"),
        ("sla_attainment >= x", "KPI OP NUMBER"),
    ],
)
def test_anything_else_is_refused(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError, match=expected):
        parse_target(text)


def test_a_missing_value_never_meets_a_target() -> None:
    met = Target("sla_attainment", ">=", 0.5).met(pd.Series([0.4, 0.5, math.nan]).to_numpy())
    assert met.tolist() == [False, True, False]


def test_costs_are_sums_of_kpis() -> None:
    assert parse_cost("staff_cost_gbp + contractor_cost_gbp") == [
        (1, "staff_cost_gbp"),
        (1, "contractor_cost_gbp"),
    ]
    assert parse_cost("staff_cost_gbp-savings_delivered_gbp")[1] == (-1, "savings_delivered_gbp")
    for bad in ("staff_cost_gbp *2", "staff_cost_gbp contractor_cost_gbp", "", "nope"):
        with pytest.raises(ScenarioError):
            parse_cost(bad)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("plan-cache")


def plan(tmp_path: Path, cache: Path, **changes) -> object:
    wq = [erlang_c_wait(c, ARRIVALS_PER_DAY, MEAN_EFFORT_DAYS) for c in (3, 4)]
    request = PlanRequest(
        scenario=mmc(3, ARRIVALS_PER_DAY, MEAN_EFFORT_DAYS, horizon_months=24),
        levers=[Lever(STAFF, (2, 3, 4, 5, 6))],
        # Halfway (geometrically) between Erlang C's mean waits with 3 and with 4 staff.
        targets=[Target("mean_wait_days", "<=", math.sqrt(wq[0] * wq[1]))],
        confidence=0.9,
        seed=3,
        reps=10,
        out=tmp_path / "plan",
        cache=cache,
    )
    for key, value in changes.items():
        setattr(request, key, value)
    return run_plan(request, InProcessExecutor())


def test_plan_finds_the_erlang_c_minimum_number_of_staff(tmp_path: Path, cache: Path) -> None:
    result = plan(tmp_path, cache)
    threshold = math.sqrt(
        erlang_c_wait(3, ARRIVALS_PER_DAY, MEAN_EFFORT_DAYS)
        * erlang_c_wait(4, ARRIVALS_PER_DAY, MEAN_EFFORT_DAYS)
    )
    known = min(
        c for c in range(3, 10) if erlang_c_wait(c, ARRIVALS_PER_DAY, MEAN_EFFORT_DAYS) <= threshold
    )
    assert known == 4
    assert result.best is not None and result.best[STAFF] == known
    table = result.table.set_index(STAFF)
    assert list(table["feasible"]) == [False, False, True, True, True]
    # Staff cost is 100 GBP a day a head over the 24 months, so cost rises with staff.
    assert table["cost_mean_gbp"].is_monotonic_increasing
    assert "Least-cost setting that meets it: staff_pools.staff.initial_headcount=4" in " ".join(
        result.explanation
    )
    study = json.loads((tmp_path / "plan" / "study.json").read_text())
    assert study["kind"] == "plan" and study["best"][STAFF] == 4


def test_a_cost_per_lever_unit_is_added_relative_to_the_scenario(
    tmp_path: Path, cache: Path
) -> None:
    plain = plan(tmp_path / "a", cache).table.set_index(STAFF)
    priced = plan(tmp_path / "b", cache, lever_costs={STAFF: 1000.0}).table.set_index(STAFF)
    extra = priced["cost_mean_gbp"] - plain["cost_mean_gbp"]
    assert extra.to_dict() == pytest.approx({c: 1000.0 * (c - 3) for c in (2, 3, 4, 5, 6)})


def test_strict_asks_more_replications_than_ten_can_give(tmp_path: Path, cache: Path) -> None:
    # 10 of 10 replications meeting the target has a Wilson lower bound of 72%, below 90%.
    result = plan(tmp_path, cache, strict=True)
    assert result.best is None
    assert any("No setting tried meets the target" in line for line in result.explanation)


def test_the_plan_verb_is_thin_and_refuses_bad_input(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "mmc.yaml"
    scenario.write_text(scenario_to_yaml(mmc(3, ARRIVALS_PER_DAY, MEAN_EFFORT_DAYS, 24)))
    common = ["--reps", "10", "--seed", "3", "--workers", "1", "--cache", str(cache)]
    status = main(
        [
            "plan",
            str(scenario),
            "--lever",
            f"{STAFF}=3:5",
            "--target",
            "mean_wait_days <= 0.27",
            "--out",
            str(tmp_path / "cli"),
            *common,
        ]
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "Least-cost setting that meets it: staff_pools.staff.initial_headcount=4" in out
    assert (tmp_path / "cli" / "charts" / "plan.png").read_bytes()[:4] == b"\x89PNG"
    status = main(
        ["plan", str(scenario), "--lever", f"{STAFF}=3:5", "--target", "waits < 1", *common]
    )
    assert status == 2
    assert "--target: given waits" in capsys.readouterr().err
