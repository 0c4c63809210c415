"""A snapshot of CCS as it is today: the folder of CSV files a planner exports each month.

Five files (docs/snapshot.md describes every column): `snapshot.csv` (the date), `staff.csv`
(each person in post), `vacancies.csv` (each vacancy being filled), `work.csv` (each case in
hand) and `departments.csv` (which departments have moved to CCS, and when the rest are due).
`load_snapshot` reads and checks them against a scenario, naming the file, row and column of
every problem, what was given and what is allowed; `apply_snapshot` gives the scenario that
starts on the snapshot date in that state (the scenario still supplies the future: demand,
plans, policies, distributions). Ids are pseudonymous: a column that would carry a name or an
e-mail address is refused, as is any value that looks like an e-mail address.

The files' format, writing them, and reading them row by row are in `sim.scenario.snapshot_csv`;
here, what the rows must mean for the scenario, and the scenario they give.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.files import parse_scenario
from sim.scenario.schema import Scenario, scenario_fields
from sim.scenario.snapshot_csv import (
    SNAPSHOT_FILES,
    Checker,
    Problems,
    no_email,
    read_table,
    snapshot_sha256,
    write_snapshot_tables,
    write_snapshot_template,
)
from sim.scenario.start_state import STARTING_STAGES

__all__ = [
    "SNAPSHOT_FILES",
    "Snapshot",
    "apply_snapshot",
    "load_snapshot",
    "snapshot_sha256",
    "write_snapshot_tables",
    "write_snapshot_template",
]


@dataclass(frozen=True)
class Snapshot:
    """A checked snapshot: the date, and each file's rows as plain text, keyed by column."""

    folder: Path
    date: dt.date
    rows: dict[str, list[dict[str, str]]]
    sha256: str


def load_snapshot(folder: str | Path, scenario: Scenario) -> Snapshot:
    """Read and check a snapshot folder against `scenario`; raise ScenarioError naming every
    problem (file, row, column, what was given, what is allowed)."""
    folder = Path(folder)
    problems = Problems()
    if not folder.is_dir():
        problems.add(str(folder), None, None, "not a folder", "a folder of snapshot CSV files")
        problems.raise_any(str(folder))
    tables = {name: read_table(folder, name, problems) for name in SNAPSHOT_FILES}
    problems.raise_any(str(folder))
    rows = {name: table or [] for name, table in tables.items()}
    for name, table in rows.items():
        no_email(name, table, problems)
    date = _snapshot_date(rows["snapshot.csv"], problems)
    problems.raise_any(str(folder))
    assert date is not None
    _check_departments(rows["departments.csv"], scenario, date, problems)
    _check_staff(rows["staff.csv"], scenario, date, problems)
    _check_vacancies(rows["vacancies.csv"], scenario, date, problems)
    onboarded = _onboarded_on(scenario, rows["departments.csv"], date)
    _check_work(rows["work.csv"], scenario, date, onboarded, problems)
    problems.raise_any(str(folder))
    return Snapshot(folder, date, rows, snapshot_sha256(folder))


def _snapshot_date(rows: list[dict[str, str]], problems: Problems) -> dt.date | None:
    check = Checker("snapshot.csv", problems)
    if len(rows) != 1:
        problems.add("snapshot.csv", None, None, f"{len(rows)} rows", "exactly one row")
        return None
    check.text(rows[0], "snapshot_date")
    return check.date(rows[0], "snapshot_date", lambda _d: True, "a date")


def _check_departments(
    rows: list[dict[str, str]], scenario: Scenario, date: dt.date, problems: Problems
) -> None:
    check = Checker("departments.csv", problems)
    names = [d.name for d in scenario.demand.departments]
    check.unique_ids(rows, "department")
    for row in rows:
        if row["department"] and row["department"] not in names:
            check.bad(row, "department", f"a department of the scenario: {', '.join(names)}")
        status = check.text(row, "status", ["onboarded", "planned"])
        check.text(row, "date")
        if status == "onboarded":
            check.date(row, "date", lambda d: d <= date, f"on or before the snapshot date {date}")
        elif status == "planned":
            check.date(row, "date", lambda d: d > date, f"after the snapshot date {date}")


def _check_staff(
    rows: list[dict[str, str]], scenario: Scenario, date: dt.date, problems: Problems
) -> None:
    check = Checker("staff.csv", problems)
    check.unique_ids(rows)
    for row in rows:
        check.text(row, "pool", scenario.pool_names)
        check.text(row, "fte")
        check.number(row, "fte", lambda x: 0 < x <= 1, "a number more than 0 and at most 1")
        _required_date_by(check, row, "start_date", date)
        left = f"on or after the snapshot date {date} (people who have left are not in post)"
        check.date(row, "leaving_date", lambda d: d >= date, left)


def _check_vacancies(
    rows: list[dict[str, str]], scenario: Scenario, date: dt.date, problems: Problems
) -> None:
    check = Checker("vacancies.csv", problems)
    check.unique_ids(rows)
    for row in rows:
        check.text(row, "pool", scenario.pool_names)
        check.text(row, "stage", list(STARTING_STAGES))
        _required_date_by(check, row, "stage_entered_date", date)


def _required_date_by(
    check: Checker, row: dict[str, str], column: str, date: dt.date
) -> dt.date | None:
    """A date the row must have, on or before the snapshot date (None, and the problem recorded,
    if it is blank, unreadable or later)."""
    check.text(row, column)
    return check.date(row, column, lambda d: d <= date, f"on or before the snapshot date {date}")


def _onboarded_on(scenario: Scenario, departments: list[dict[str, str]], date: dt.date) -> set[str]:
    """Departments moved to CCS by the snapshot date (the snapshot's word, else the scenario's)."""
    status = {row["department"]: row["status"] for row in departments}
    return {
        d.name
        for d in scenario.demand.departments
        if status.get(d.name) == "onboarded" or (d.name not in status and d.onboarding_date <= date)
    }


def _check_work(
    rows: list[dict[str, str]],
    scenario: Scenario,
    date: dt.date,
    onboarded: set[str],
    problems: Problems,
) -> None:
    check = Checker("work.csv", problems)
    check.unique_ids(rows)
    types = [t.name for t in scenario.demand.request_types]
    names = [d.name for d in scenario.demand.departments]
    for row in rows:
        check.text(row, "request_type", types)
        department = check.text(row, "department", names)
        if department in names and department not in onboarded:
            check.bad(
                row,
                "department",
                f"a department onboarded by {date}: {', '.join(sorted(onboarded)) or '(none)'}",
            )
        arrived = _required_date_by(check, row, "arrival_date", date)
        between = f"on or after the arrival date and on or before the snapshot date {date}"
        check.date(row, "started_date", _between(arrived or dt.date.min, date), between)
        check.number(
            row,
            "effort_remaining_person_days",
            lambda x: 0 < x <= 36_500,
            "blank, or a number of person-days more than 0",
        )


def _between(low: dt.date, high: dt.date) -> Callable[[dt.date], bool]:
    return lambda d: low <= d <= high


# --- into a scenario ------------------------------------------------------------------------


def _days(later: dt.date, earlier: dt.date) -> float:
    return float((later - earlier).days)


def apply_snapshot(scenario: Scenario, snapshot: Snapshot) -> Scenario:
    """`scenario` starting on the snapshot date, in the snapshot's state."""
    date, rows = snapshot.date, snapshot.rows
    data: dict[str, Any] = scenario_fields(scenario)
    data["run"]["start_date"] = date.isoformat()
    heads = {name: 0 for name in scenario.pool_names}
    for person in rows["staff.csv"]:
        heads[person["pool"]] += 1
    for pool in data["staff_pools"]:
        pool["initial_headcount"] = heads[pool["name"]]
    moves = {row["department"]: row["date"] for row in rows["departments.csv"]}
    for department in data["demand"]["departments"]:
        department["onboarding_date"] = moves.get(department["name"], department["onboarding_date"])
    data["start_state"] = {
        "as_of": date.isoformat(),
        "source": f"snapshot {snapshot.folder.name} (SHA-256 {snapshot.sha256})",
        "people": [_person(row, date) for row in rows["staff.csv"]],
        "vacancies_in_flight": [_vacancy(row, date) for row in rows["vacancies.csv"]],
        "cases": [_case(row, date) for row in rows["work.csv"]],
        "snapshot_sha256": snapshot.sha256,
    }
    return parse_scenario(data, source=str(snapshot.folder))


def _person(row: dict[str, str], date: dt.date) -> dict[str, Any]:
    leaving = row.get("leaving_date", "")
    return {
        "id": row["id"],
        "pool": row["pool"],
        "fte": float(row["fte"]),
        "tenure_days": _days(date, dt.date.fromisoformat(row["start_date"])),
        # Their last day is worked: they leave at the end of it.
        "leaves_in_days": _days(dt.date.fromisoformat(leaving), date) + 1 if leaving else None,
    }


def _vacancy(row: dict[str, str], date: dt.date) -> dict[str, Any]:
    entered = dt.date.fromisoformat(row["stage_entered_date"])
    return {
        "id": row["id"],
        "pool": row["pool"],
        "stage": row["stage"],
        "days_in_stage": _days(date, entered),
    }


def _case(row: dict[str, str], date: dt.date) -> dict[str, Any]:
    started = row.get("started_date", "")
    effort = row.get("effort_remaining_person_days", "")
    return {
        "id": row["id"],
        "request_type": row["request_type"],
        "department": row["department"],
        "age_days": _days(date, dt.date.fromisoformat(row["arrival_date"])),
        "started_days_ago": _days(date, dt.date.fromisoformat(started)) if started else None,
        "effort_remaining_person_days": float(effort) if effort else None,
    }
