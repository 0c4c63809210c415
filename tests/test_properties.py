"""Properties that hold in every run, checked on small random scenarios (Hypothesis).

Conservation of requests and staff, counts that are never negative, shares within [0, 1],
capacity no more than the people providing it, and Little's law on the sample path.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import mmc_scenario
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import scenarios, seeds

from sim.model.simulation import simulate_raw
from sim.results.recording import summarise_run
from sim.results.replication import simulate

pytestmark = pytest.mark.slow

TOLERANCE = 1e-9


def run(scenario, seed):
    raw = simulate_raw(scenario, np.random.SeedSequence(seed))
    return raw, summarise_run(raw)


@given(scenarios(), seeds)
def test_requests_are_conserved(scenario, seed) -> None:
    raw, result = run(scenario, seed)
    end, kpis, monthly = result.end_state, result.kpis, result.monthly
    assert end["arrived"] == end["completed"] + end["reneged"] + end["waiting"] + end["in_service"]
    assert end["arrived"] + end["deferred"] == len(raw.book)
    # warm-up is 0, so the KPIs count every request, and the monthly flows add up to them.
    assert monthly["arrivals"].sum() == kpis["arrivals"] == end["arrived"]
    assert monthly["completions"].sum() == kpis["completed"] == end["completed"]
    assert monthly["reneges"].sum() == kpis["reneged"] == end["reneged"]
    assert kpis["backlog_end"] == end["waiting"]
    assert monthly["work_in_progress"].iloc[-1] == end["in_service"]


@given(scenarios(), seeds)
def test_staff_are_conserved(scenario, seed) -> None:
    _, result = run(scenario, seed)
    by_pool = result.monthly_by_pool
    for pool in scenario.staff_pools:
        rows = by_pool[by_pool["pool"] == pool.name]
        joined, left = rows["joiners"].sum(), rows["leavers"].sum()
        assert pool.initial_headcount + joined - left == rows["headcount_in_post"].iloc[-1]
    assert result.kpis["hires"] == result.monthly["joiners"].sum()
    assert result.kpis["leavers"] == result.monthly["leavers"].sum()


@given(scenarios(continuous=True), seeds)
def test_staff_in_post_each_month_is_the_running_total_of_joiners_and_leavers(scenario, seed):
    _, result = run(scenario, seed)
    by_pool = result.monthly_by_pool
    for pool in scenario.staff_pools:
        rows = by_pool[by_pool["pool"] == pool.name]
        running = pool.initial_headcount + (rows["joiners"] - rows["leavers"]).cumsum()
        assert rows["headcount_in_post"].tolist() == running.tolist()


COUNTS = [
    "arrivals",
    "starts",
    "completions",
    "reneges",
    "backlog",
    "work_in_progress",
    "headcount_in_post",
    "contractors",
    "vacancies",
    "joiners",
    "leavers",
    "establishment",
]


@given(scenarios(), seeds)
def test_counts_and_money_are_never_negative(scenario, seed) -> None:
    _, result = run(scenario, seed)
    m = result.monthly
    pipeline = [c for c in m.columns if c.startswith("pipeline_")]
    money = [c for c in m.columns if c.endswith("_gbp")]
    for column in [*COUNTS, *pipeline, *money, "demand_fte", "effective_fte"]:
        assert (m[column] >= 0).all(), column


@given(scenarios(), seeds)
def test_every_open_vacancy_is_in_exactly_one_pipeline_stage(scenario, seed) -> None:
    _, result = run(scenario, seed)
    by_pool = result.monthly_by_pool
    stages = [c for c in by_pool.columns if c.startswith("pipeline_")]
    assert (by_pool[stages].sum(axis=1) == by_pool["vacancies"]).all()


@given(scenarios(), seeds)
def test_utilisation_is_a_share(scenario, seed) -> None:
    _, result = run(scenario, seed)
    for frame in (result.monthly, result.monthly_by_pool):
        used = frame["utilisation"].dropna()
        assert ((used >= 0) & (used <= 1 + TOLERANCE)).all()
        assert (frame["busy_slot_days"] <= frame["capacity_slot_days"] + TOLERANCE).all()
    overall = result.kpis["utilisation"]
    assert np.isnan(overall) or 0 <= overall <= 1 + TOLERANCE


@given(scenarios(), seeds)
def test_effective_fte_is_no_more_than_the_people_providing_it(scenario, seed) -> None:
    _, result = run(scenario, seed)
    for frame in (result.monthly, result.monthly_by_pool):
        people = frame["headcount_in_post"] + frame["contractors"]
        assert (frame["effective_fte"] <= people + TOLERANCE).all()


@given(scenarios(), seeds)
def test_service_shares_are_shares(scenario, seed) -> None:
    _, result = run(scenario, seed)
    kpis = result.kpis
    assert 0 <= kpis["demand_met_share"] <= 1
    assert np.isnan(kpis["sla_attainment"]) or 0 <= kpis["sla_attainment"] <= 1
    sla = result.monthly["sla_attainment"].dropna()
    assert ((sla >= 0) & (sla <= 1)).all()
    waits = [kpis["mean_wait_days"], kpis["p95_wait_days"]]
    assert all(np.isnan(w) or w >= -TOLERANCE for w in waits)


@given(scenarios(), seeds)
def test_littles_law_on_the_sample_path(scenario, seed) -> None:
    """Busy case-slot days == days requests spent in service, when no case was handed back."""
    raw, result = run(scenario, seed)
    assume(result.end_state["handed_back"] == 0)
    horizon = raw.calendar.horizon_days
    start = np.asarray(raw.desk.first_start_day)
    end = np.nan_to_num(np.asarray(raw.desk.end_day), nan=horizon)
    started = ~np.isnan(start)
    in_service = (np.minimum(end, horizon) - start)[started].sum()
    busy = result.monthly["busy_slot_days"].sum()
    assert abs(busy - in_service) <= 1e-7 * max(1.0, in_service)


@given(
    staff=st.integers(40, 60),
    per_day=st.floats(0.05, 0.3),
    mean_effort=st.floats(0.5, 20),
    seed=seeds,
)
def test_nobody_waits_when_there_are_more_staff_than_requests(staff, per_day, mean_effort, seed):
    s = mmc_scenario(staff, per_day * mean_effort / staff, mean_effort, horizon_months=4)
    result = simulate(s, seed)
    assume(0 < result.kpis["arrivals"] <= staff)
    assert result.kpis["p95_wait_days"] <= TOLERANCE
    assert (result.monthly["backlog"] == 0).all()
