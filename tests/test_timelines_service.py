"""Exact service timelines: how long a case takes, who is served next, who gives up and when.

Arrivals are random, so these tests take the arrival days the model drew and check each start
and end against a schedule worked out independently here.
"""

from __future__ import annotations

import heapq

import numpy as np
import pytest
from builders import base_data, build, date_after, raw_run, service_durations

from sim.results.replication import simulate


def service_scenario(changes: dict | None = None, *, staff: int = 1, arrivals_per_month=5.0):
    data = base_data(staff=staff, arrivals_per_month=arrivals_per_month, horizon_months=4)
    return build(data, {"demand.request_types.0.effort_person_days": 2.0, **(changes or {})})


@pytest.mark.parametrize(
    ("changes", "days"),
    [
        ({}, 2.0),
        ({"demand.request_types.0.min_elapsed_days": 5.0}, 5.0),
        ({"staff_pools.0.cases_per_person": 2}, 4.0),  # half a person per case
        ({"run.working_days_per_year": 225.0}, 2.0 * 365.25 / 225.0),
        ({"staff_pools.0.non_productive_share": 0.2}, 2.0 / 0.8),
    ],
    ids=["effort", "min_elapsed", "two_cases_each", "working_year", "non_productive"],
)
def test_a_case_takes_its_effort_over_the_share_of_a_person_it_gets(changes, days) -> None:
    raw = raw_run(service_scenario(changes), seed=6)
    _, took = service_durations(raw)
    assert len(took) > 10
    assert took == pytest.approx(np.full(len(took), days), rel=1e-9)


def test_a_contractor_works_at_their_stated_productivity() -> None:
    changes = {
        "staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 1}],
        "recruitment.advert_days": 1000,
        "contractors": {"cover_vacancies": True, "lead_time_days": 0, "productivity": 0.8},
        "contractors.cap_share_of_establishment": 1.0,
    }
    raw = raw_run(service_scenario(changes, staff=0), seed=6)
    _, took = service_durations(raw)
    assert len(took) > 10
    assert took == pytest.approx(np.full(len(took), 2.0 / 0.8), rel=1e-9)


def reference_starts(arrival, effort, priority, servers: int) -> np.ndarray:
    """Start days under non-preemptive priority, first come first served within a priority."""
    n = len(arrival)
    start = np.full(n, np.nan)
    free_at = [0.0] * servers
    waiting: list[tuple[int, float, int]] = []
    i = 0
    while i < n or waiting:
        now = heapq.heappop(free_at)
        while i < n and arrival[i] <= now:
            heapq.heappush(waiting, (priority[i], arrival[i], i))
            i += 1
        if waiting:
            j = heapq.heappop(waiting)[2]
            start[j] = now
        else:  # idle until the next request arrives
            j, i = i, i + 1
            start[j] = arrival[j]
        heapq.heappush(free_at, start[j] + effort[j])
    return start


def check_schedule(raw, servers: int) -> None:
    book = raw.book
    expected = reference_starts(book.arrival_day, book.effort_person_days, book.priority, servers)
    start = np.asarray(raw.desk.first_start_day)
    started = ~np.isnan(start)
    assert started.sum() > 50
    assert start[started] == pytest.approx(expected[started], rel=1e-9, abs=1e-9)
    # Requests still waiting at the end would have started after the horizon.
    assert (expected[~started] >= raw.calendar.horizon_days - 1e-9).all()


@pytest.mark.parametrize("servers", [1, 3])
def test_requests_start_first_come_first_served(servers) -> None:
    s = service_scenario(
        {"demand.request_types.0.effort_person_days": {"kind": "exponential", "mean": 1.0}},
        staff=servers,
        arrivals_per_month=servers * 0.9 * 30.4375,
    )
    check_schedule(raw_run(s, seed=8), servers)


def test_higher_priority_requests_are_served_first() -> None:
    data = base_data(staff=2, arrivals_per_month=30, horizon_months=4)
    urgent = {
        **data["demand"]["request_types"][0],
        "name": "urgent",
        "priority": 0,
        "arrivals_per_month": 25,
    }
    data["demand"]["request_types"][0]["priority"] = 3
    data["demand"]["request_types"].append(urgent)
    raw = raw_run(build(data), seed=9)
    assert len(set(raw.book.priority.tolist())) == 2
    check_schedule(raw, servers=2)


def test_a_department_gives_up_when_its_patience_runs_out() -> None:
    s = service_scenario(
        {"demand.patience_days": 3.0, "demand.request_types.0.effort_person_days": 1.0},
        arrivals_per_month=60,  # twice what one person can do
    )
    raw = raw_run(s, seed=10)
    state = np.asarray(raw.desk.state)
    arrival = raw.book.arrival_day
    end, start = np.asarray(raw.desk.end_day), np.asarray(raw.desk.first_start_day)
    gave_up = np.isnan(start) & ~np.isnan(end)
    assert gave_up.sum() > 10
    assert end[gave_up] - arrival[gave_up] == pytest.approx(np.full(gave_up.sum(), 3.0))
    started = ~np.isnan(start)
    assert (start[started] - arrival[started] <= 3.0 + 1e-9).all()
    assert len(set(state[gave_up].tolist())) == 1  # all in the one "reneged" state
    result = simulate(s, 10)
    assert result.kpis["reneged"] == gave_up.sum()
    assert result.end_state["reneged"] == gave_up.sum()


def test_a_department_asks_for_nothing_before_it_moves_to_ccs() -> None:
    data = base_data(arrivals_per_month=30, horizon_months=3, staff=2)
    data["demand"]["departments"].append({"name": "later", "onboarding_date": date_after(45)})
    raw = raw_run(build(data), seed=11)
    later = raw.book.department == 1
    assert later.sum() > 10
    assert raw.book.arrival_day[later].min() >= 45
    m = simulate(build(data), 11).monthly
    assert m["departments_onboarded"].tolist() == [1, 2, 2]
