"""The model's own state as a snapshot: the five CSV files a planner exports (docs/snapshot.md).

A replication is run to the start of month `m` (`simulate_raw(..., until_month=m)`: the same
replication, cut short) and its state written as a snapshot dated that day: each member of staff
in post (contractors are not staff, and are left out), each vacancy being filled, each case in
hand, and which departments have moved. Restarting from it (`ccs-sim run --snapshot`) continues
the run; docs/snapshot.md says what a snapshot cannot carry (management's responses in force,
contractors, a waiting case's patience), and times are rounded to whole days.

Staff who were in post at the run's start with no known tenure ("long-serving") are written with
a start date far enough before the run's start that they count as experienced.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np

from sim.model.calendar import Calendar
from sim.model.service import IN_SERVICE, INF, REQUEUED, WAITING
from sim.model.simulation import RawRun, simulate_raw
from sim.scenario.schema import Scenario
from sim.scenario.snapshot import write_snapshot_tables

__all__ = ["model_snapshot_tables", "write_model_snapshot"]

Rows = list[dict[str, str]]


def write_model_snapshot(
    scenario: Scenario, seed_sequence: np.random.SeedSequence, month: int, folder: Path
) -> Path:
    """Run one replication to the start of `month` and write its state into `folder`."""
    raw = simulate_raw(scenario, seed_sequence, until_month=month)
    write_snapshot_tables(folder, model_snapshot_tables(raw, month))
    return folder


def model_snapshot_tables(raw: RawRun, month: int) -> dict[str, Rows]:
    """The state of a replication stopped at the start of `month`, as the snapshot's tables."""
    calendar = raw.calendar
    now = float(calendar.boundaries_days[month])
    date = calendar.month_start_dates[month]
    return {
        "snapshot.csv": [{"snapshot_date": date.isoformat()}],
        "staff.csv": _staff(raw, now, date),
        "vacancies.csv": _vacancies(raw, now, date),
        "work.csv": _work(raw, now, date),
        "departments.csv": _departments(raw, now, date, calendar),
    }


def _on(date: dt.date, days_before: float) -> str:
    """The date `days_before` days before `date` (rounded to a whole day), as text."""
    return (date - dt.timedelta(days=round(days_before))).isoformat()


def _staff(raw: RawRun, now: float, date: dt.date) -> Rows:
    rows: Rows = []
    for pool in raw.workforce.pools:
        config = pool.config
        experienced = max(config.early_tenure_days, 7 * config.ramp_up.weeks_to_full) + 365
        for worker in pool.workers:
            if worker.is_contractor:
                continue
            tenure = now + experienced if worker.long_serving else now - worker.start_day
            leaves = worker.leave_day
            # The last day worked is the day before they go (docs/snapshot.md).
            last_day = "" if leaves == math.inf else _on(date, now - leaves + 1)
            rows.append(
                {
                    "id": f"P{len(rows) + 1:05d}",
                    "pool": pool.name,
                    "grade": "",
                    "fte": f"{worker.fte:g}",
                    "start_date": _on(date, tenure),
                    "leaving_date": max(last_day, date.isoformat()) if last_day else "",
                }
            )
    return rows


def _vacancies(raw: RawRun, now: float, date: dt.date) -> Rows:
    rows: Rows = []
    for v in raw.recruitment.in_flight:
        # Awaiting a recruiter is not a stage a snapshot records: the campaign's advert is next.
        waiting = v.stage == "awaiting_recruiter"
        rows.append(
            {
                "id": f"V{len(rows) + 1:05d}",
                "pool": v.pool.name,
                "grade": "",
                "stage": "advert" if waiting else v.stage,
                "stage_entered_date": _on(date, 0.0 if waiting else now - v.entered_day),
            }
        )
    return rows


def _work(raw: RawRun, now: float, date: dt.date) -> Rows:
    desk, scenario = raw.desk, raw.scenario
    types = [t.name for t in scenario.demand.request_types]
    departments = [d.name for d in scenario.demand.departments]
    rows: Rows = []
    for i, state in enumerate(desk.state):
        if state not in (WAITING, REQUEUED, IN_SERVICE):
            continue
        effort = desk.effort_left[i]
        if state == IN_SERVICE:
            days = desk.segment_days[i]
            done = (now - desk.segment_start[i]) / days if 0 < days < INF else 0.0
            effort *= max(0.0, 1.0 - done)
        started = desk.first_start_day[i]
        rows.append(
            {
                "id": f"C{len(rows) + 1:06d}",
                "request_type": types[int(raw.book.request_type[i])],
                "department": departments[desk.department[i]],
                "arrival_date": _on(date, now - desk.arrival_day[i]),
                "started_date": "" if math.isnan(started) else _on(date, now - started),
                # At least a hundredth of a person-day: a case is in hand until it completes.
                "effort_remaining_person_days": f"{max(effort, 0.01):.2f}",
            }
        )
    return rows


def _departments(raw: RawRun, now: float, date: dt.date, calendar: Calendar) -> Rows:
    state, rows = raw.onboarding, []
    for k, department in enumerate(raw.scenario.demand.departments):
        if state.onboarded[k]:
            moved = _on(date, now - float(state.onboarded_day[k]))
            rows.append({"department": department.name, "status": "onboarded", "date": moved})
            continue
        due = float(state.planned_day[k]) + state.slip_days
        # A move held up by a pause is due as soon as it is lifted: the day after, at the soonest.
        planned = max(calendar.start_date + dt.timedelta(days=math.ceil(due)),
                      date + dt.timedelta(days=1))  # fmt: skip
        rows.append({"department": department.name, "status": "planned",
                     "date": planned.isoformat()})  # fmt: skip
    return rows
