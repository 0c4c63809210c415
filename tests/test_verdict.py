"""The verdict: which months are short, when expansion outruns capability, end to end."""

from __future__ import annotations

import numpy as np
import pytest
from builders import mmc_scenario

from sim.results.replication import simulate
from sim.results.verdict import first_outrun_month, short_months

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
