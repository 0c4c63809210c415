"""The verdict: which months are short, when expansion outruns capability, end to end."""

from __future__ import annotations

import numpy as np
import pytest
from builders import mmc_scenario

from sim.results.replication import run_replication, simulate
from sim.results.verdict import (
    capacity_strained,
    first_outrun_month,
    service_short_months,
    short_months,
    trailing_sum,
)
from sim.scenario.files import load_scenario, parse_scenario
from sim.scenario.schema import Scenario, scenario_fields


def _with_seasonality(s: Scenario, profile: list[float]) -> Scenario:
    """`s` with one seasonality for every request type (no per-type profiles)."""
    data = scenario_fields(s)
    data["demand"]["seasonality_by_month"] = profile
    for rtype in data["demand"]["request_types"]:
        rtype["seasonality_by_month"] = None
    return parse_scenario(data)


NAN = np.nan


def test_a_month_is_short_only_when_demand_exceeds_capacity_and_the_sla_misses() -> None:
    demand = np.array([5.0, 5.0, 3.0, 3.0, 4.0, 5.0])
    capacity = np.array([4.0, 4.0, 4.0, 4.0, 4.0, 4.0])
    sla = np.array([0.5, 0.9, 0.5, 0.9, 0.5, 0.8])
    short = short_months(demand, capacity, sla, target=0.8)
    # over+miss, over+met, under+miss, under+met, equal demand+miss, over+exactly on target
    assert short.tolist() == [True, False, False, False, False, False]


def test_a_month_with_demand_but_no_completions_misses_the_sla() -> None:
    short = short_months(
        np.array([5.0, 3.0]), np.array([4.0, 4.0]), np.array([NAN, NAN]), target=0.8
    )
    assert short.tolist() == [True, False]


@pytest.mark.parametrize(
    ("short", "n", "expected"),
    [
        ([False, True, True, True, False], 3, 1),
        ([True, True, False, True, True, True], 3, 3),
        ([False, False, True, True, True], 3, 2),
        ([False, True, False, True], 1, 1),
        ([True, True], 3, None),
        ([True, True, False, True, True], 3, None),
        ([False] * 6, 2, None),
        ([], 3, None),
    ],
)
def test_first_outrun_month_is_the_start_of_the_first_long_enough_run(short, n, expected) -> None:
    assert first_outrun_month(np.array(short, dtype=bool), n) == expected


def test_nan_sla_months_count_towards_an_outrun() -> None:
    demand = np.array([1.0, 6.0, 6.0, 6.0])
    capacity = np.full(4, 4.0)
    sla = np.array([1.0, 0.5, NAN, 0.2])
    assert first_outrun_month(short_months(demand, capacity, sla, 0.8), 3) == 1


def test_an_overloaded_service_outruns_capability_early() -> None:
    # Demand of twice the staff: the queue, and so every wait, grows without bound.
    s = mmc_scenario(2, 2.0, mean_effort_days=5.0, horizon_months=12)
    kpis = simulate(s, 1).kpis
    assert kpis["outruns_capability"] is True
    assert kpis["outrun_month"] is not None
    assert kpis["outrun_month"] <= 2


def test_an_underloaded_service_does_not_outrun_capability() -> None:
    s = mmc_scenario(4, 0.4, mean_effort_days=5.0, horizon_months=12)
    result = simulate(s, 1)
    assert result.kpis["outruns_capability"] is False
    assert result.kpis["outrun_month"] is None
    assert result.pool_kpis["outruns_capability"].tolist() == [False]


# --- second edition: service by arrival month, capacity over a window -----------------------


def test_trailing_sum_adds_the_window_and_fewer_months_at_the_start() -> None:
    assert trailing_sum(np.array([1.0, 2.0, 3.0, 4.0]), 2).tolist() == [1.0, 3.0, 5.0, 7.0]
    assert trailing_sum(np.array([1.0, 2.0, 3.0]), 12).tolist() == [1.0, 3.0, 6.0]


def test_capacity_is_strained_by_a_window_of_demand_or_growing_work_in_hand() -> None:
    capacity = np.full(6, 10.0)
    # A single peak above capacity, averaged over a 3-month window, does not strain it.
    peak = capacity_strained(np.array([5, 5, 18, 5, 5, 5.0]), capacity, np.zeros(6), 3, 1.0)
    assert not peak.any()
    # Demand above capacity across the window does.
    over = capacity_strained(np.array([5, 11, 11, 11, 11, 11.0]), capacity, np.zeros(6), 3, 1.0)
    assert over.tolist() == [False, False, False, True, True, True]
    # Work in hand growing by more than a week over the window does, with demand under capacity.
    weeks = np.array([1.0, 1.5, 2.0, 2.5, 3.5, 3.5])
    growing = capacity_strained(np.full(6, 9.0), capacity, weeks, 3, 1.0)
    assert growing.tolist() == [False, False, False, True, True, True]


def test_months_of_collapsed_service_with_demand_under_capacity_fire_the_second_edition() -> None:
    # The plan_2014 pattern: each month's demand is under month-end capacity, yet the requests
    # arriving are served late because work in hand keeps growing.
    demand, capacity = np.full(8, 138.0), np.full(8, 145.0)
    completions_sla = np.full(8, 0.2)
    arrivals_service = np.array([0.9, 0.7, 0.4, 0.3, 0.2, 0.2, 0.3, 0.3])
    work_in_hand = np.array([2.0, 3.0, 4.5, 6.0, 7.0, 7.5, 8.0, 8.0])
    old = short_months(demand, capacity, completions_sla, 0.8)
    assert first_outrun_month(old, 3) is None
    strained = capacity_strained(demand, capacity, work_in_hand, 3, 1.0)
    # Month 2: service 0.4 with work in hand 2.5 weeks above the start (more than 1 week).
    assert first_outrun_month(service_short_months(arrivals_service, strained, 0.8), 3) == 2


def test_unjudged_months_are_not_misses() -> None:
    strained = np.ones(4, dtype=bool)
    service = np.array([0.5, NAN, NAN, NAN])
    assert service_short_months(service, strained, 0.8).tolist() == [True, False, False, False]


def _seasonal(utilisation: float, march: float, horizon_months: int = 36):
    other = (12 - march) / 11
    profile = [other, other, march] + [other] * 9
    s = mmc_scenario(10, utilisation, mean_effort_days=1.0, horizon_months=horizon_months)
    return _with_seasonality(s, profile)


def test_a_seasonal_peak_cleared_within_target_does_not_outrun() -> None:
    # March brings 1.5x the staff's capacity; the backlog clears within the 30-day target.
    s = _seasonal(0.6, 2.5)
    for rep in range(3):
        result = run_replication(s, 7, rep)
        assert result.monthly["demand_fte"].iloc[11] > result.monthly["effective_fte"].iloc[11]
        assert result.kpis["outruns_capability"] is False
        assert result.kpis["service_by_arrival"] >= 0.8


def test_a_peak_never_cleared_outruns_though_other_months_are_under_capacity() -> None:
    # March brings 6.6x capacity, the other months 0.6x: the backlog grows year on year and the
    # requests arriving after each peak wait months. The first edition never fires (only one
    # month a year has demand above capacity); the second does.
    s = _seasonal(1.1, 6.0)
    result = run_replication(s, 7, 0)
    monthly = result.monthly
    under = (monthly["demand_fte"] < monthly["effective_fte"]).sum()
    assert under >= 30
    assert result.kpis["monthly_shortfall"] is False
    assert result.kpis["outruns_capability"] is True
    assert result.kpis["service_by_arrival"] < 0.8


@pytest.mark.slow
def test_flattening_seasonality_does_not_move_the_verdict_against_the_service() -> None:
    # The check on plan_2014: same annual demand, seasonality flattened.
    seasonal = load_scenario("scenarios/plan_2014.yaml")
    flat = _with_seasonality(seasonal, [1.0] * 12)
    reps = range(4)
    runs = {
        name: [run_replication(s, 2014, rep).kpis for rep in reps]
        for name, s in (("seasonal", seasonal), ("flat", flat))
    }
    service = {k: np.mean([r["service_by_arrival"] for r in v]) for k, v in runs.items()}
    outruns = {k: np.mean([r["outruns_capability"] for r in v]) for k, v in runs.items()}
    assert service["flat"] >= service["seasonal"]  # the premise: flat demand is served better
    assert outruns["flat"] <= outruns["seasonal"]
