"""A snapshot of CCS as it is today: the folder of CSV files a planner exports each month.

Five files (docs/snapshot.md describes every column): `snapshot.csv` (the date), `staff.csv`
(each person in post), `vacancies.csv` (each vacancy being filled), `work.csv` (each case in
hand) and `departments.csv` (which departments have moved to CCS, and when the rest are due).
`load_snapshot` reads and checks them against a scenario, naming the file, row and column of
every problem, what was given and what is allowed; `apply_snapshot` gives the scenario that
starts on the snapshot date in that state (the scenario still supplies the future: demand,
plans, policies, distributions). Ids are pseudonymous: a column that would carry a name or an
e-mail address is refused, as is any value that looks like an e-mail address.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import Problem, ScenarioError
from sim.scenario.files import parse_scenario
from sim.scenario.schema import Scenario, scenario_fields
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

MAX_SNAPSHOT_FILE_BYTES = 50_000_000
MAX_PROBLEMS_SHOWN = 50

# Each file's columns: name -> (required, what it holds). The one definition of the format.
SNAPSHOT_FILES: dict[str, dict[str, tuple[bool, str]]] = {
    "snapshot.csv": {
        "snapshot_date": (True, "the date the snapshot describes (YYYY-MM-DD)"),
    },
    "staff.csv": {
        "id": (True, "a pseudonymous id, unique in the file (never a name)"),
        "pool": (True, "the staff pool, as named in the scenario"),
        "grade": (False, "grade (kept for the planner; the model does not use it)"),
        "fte": (True, "full-time equivalent, more than 0 and at most 1"),
        "start_date": (True, "the day they started in post, on or before the snapshot date"),
        "leaving_date": (False, "their last day, if they have given notice (else blank)"),
    },
    "vacancies.csv": {
        "id": (True, "a pseudonymous id, unique in the file"),
        "pool": (True, "the staff pool, as named in the scenario"),
        "grade": (False, "grade (kept for the planner; the model does not use it)"),
        "stage": (True, f"the recruitment stage: {', '.join(STARTING_STAGES)}"),
        "stage_entered_date": (True, "the day it entered that stage, on or before the snapshot"),
    },
    "work.csv": {
        "id": (True, "a pseudonymous id, unique in the file"),
        "request_type": (True, "the request type, as named in the scenario"),
        "department": (True, "the department, as named in the scenario, onboarded by then"),
        "arrival_date": (True, "the day the request arrived, on or before the snapshot date"),
        "started_date": (False, "the day work started (blank: still waiting)"),
        "effort_remaining_person_days": (
            False,
            "effort still to do in person-days (blank: drawn from the type's distribution)",
        ),
    },
    "departments.csv": {
        "department": (True, "the department, as named in the scenario"),
        "status": (True, "onboarded (moved to CCS) or planned (due to move)"),
        "date": (
            True,
            "onboarded: the day it moved (on or before the snapshot); planned: the "
            "planned day (after the snapshot)",
        ),
    },
}

# Column names that would carry personal data: a snapshot holds pseudonymous ids only.
PERSONAL_COLUMNS = (
    "name",
    "first_name",
    "firstname",
    "forename",
    "surname",
    "last_name",
    "lastname",
    "full_name",
    "fullname",
    "email",
    "e_mail",
    "email_address",
    "mail",
    "phone",
    "telephone",
    "mobile",
    "address",
    "postcode",
    "date_of_birth",
    "dob",
    "ni_number",
    "national_insurance_number",
    "staff_name",
    "employee_name",
)

TEMPLATE_ROWS: dict[str, dict[str, str]] = {
    "snapshot.csv": {"snapshot_date": "2026-11-01"},
    "staff.csv": {
        "id": "P0001",
        "pool": "category_management",
        "grade": "SEO",
        "fte": "0.8",
        "start_date": "2025-06-02",
        "leaving_date": "",
    },
    "vacancies.csv": {
        "id": "V0001",
        "pool": "category_management",
        "grade": "HEO",
        "stage": "advert",
        "stage_entered_date": "2026-10-20",
    },
    "work.csv": {
        "id": "C0001",
        "request_type": "further_competition",
        "department": "existing_ccs_business",
        "arrival_date": "2026-09-14",
        "started_date": "2026-10-01",
        "effort_remaining_person_days": "",
    },
    "departments.csv": {
        "department": "existing_ccs_business",
        "status": "onboarded",
        "date": "2014-04-01",
    },
}


@dataclass(frozen=True)
class Snapshot:
    """A checked snapshot: the date, and each file's rows as plain text, keyed by column."""

    folder: Path
    date: dt.date
    rows: dict[str, list[dict[str, str]]]
    sha256: str


def snapshot_sha256(folder: Path) -> str:
    """SHA-256 over the five files' names and bytes, in a fixed order."""
    digest = hashlib.sha256()
    for name in SNAPSHOT_FILES:
        data = (folder / name).read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def write_snapshot_template(folder: Path) -> list[Path]:
    """Write the five files with their header and one example row each; refuse to overwrite."""
    folder.mkdir(parents=True, exist_ok=True)
    existing = [name for name in SNAPSHOT_FILES if (folder / name).exists()]
    if existing:
        raise ScenarioError(
            [Problem(str(folder), ", ".join(existing), "a folder without snapshot files")]
        )
    written = []
    for name, columns in SNAPSHOT_FILES.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
            writer.writeheader()
            writer.writerow(TEMPLATE_ROWS[name])
        written.append(folder / name)
    return written


def write_snapshot_tables(folder: Path, tables: dict[str, list[dict[str, str]]]) -> None:
    """Write a snapshot's five files from rows keyed by column (every column, in order)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, columns in SNAPSHOT_FILES.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
            writer.writeheader()
            writer.writerows(tables[name])


# --- reading --------------------------------------------------------------------------------


class _Problems:
    """Problems found so far, each named by file, row and column."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, file: str, row: int | None, column: str | None, given: str, allowed: str) -> None:
        where = file + (f" row {row}" if row is not None else "")
        where += f", column {column}" if column else ""
        self.found.append(Problem(where, given, allowed))

    def raise_any(self, source: str) -> None:
        if self.found:
            shown = self.found[:MAX_PROBLEMS_SHOWN]
            if len(self.found) > len(shown):
                more = len(self.found) - len(shown)
                shown.append(Problem("", "", f"... and {more} more problems"))
            raise ScenarioError(shown, source)


def _read_table(folder: Path, name: str, problems: _Problems) -> list[dict[str, str]] | None:
    """The rows of one file (row numbers as a spreadsheet shows them: the header is row 1)."""
    path = folder / name
    if not path.is_file():
        problems.add(name, None, None, "missing", f"a file {name} (see docs/snapshot.md)")
        return None
    if path.stat().st_size > MAX_SNAPSHOT_FILE_BYTES:
        problems.add(
            name,
            None,
            None,
            f"{path.stat().st_size:,} bytes",
            f"at most {MAX_SNAPSHOT_FILE_BYTES:,} bytes",
        )
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        problems.add(
            name,
            None,
            None,
            f"bytes that are not UTF-8 ({error.reason})",
            "a CSV file saved as UTF-8",
        )
        return None
    reader = csv.reader(text.splitlines())
    header = [h.strip() for h in next(reader, [])]
    if not _header_ok(name, header, problems):
        return None
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.add(name, line, None, f"{len(cells)} values", f"{len(header)}, one a column")
            continue
        row = {h: c.strip() for h, c in zip(header, cells, strict=True)}
        row["_row"] = str(line)
        rows.append(row)
    return rows


def _header_ok(name: str, header: list[str], problems: _Problems) -> bool:
    columns = SNAPSHOT_FILES[name]
    ok = True
    for column in header:
        key = column.lower().replace("-", "_").replace(" ", "_")
        if key in PERSONAL_COLUMNS:
            problems.add(
                name,
                1,
                column,
                "a column that would carry personal data",
                "pseudonymous ids only: remove names, e-mail addresses and other "
                "personal details before exporting",
            )
            ok = False
        elif column not in columns:
            problems.add(name, 1, column, "an unknown column", f"one of: {', '.join(columns)}")
            ok = False
    for column, (required, _what) in columns.items():
        if required and column not in header:
            problems.add(name, 1, column, "missing", "a required column (see docs/snapshot.md)")
            ok = False
    return ok


def _row(row: dict[str, str]) -> int:
    return int(row["_row"])


class _Checker:
    """Reads typed values from one file's rows, recording a problem for each bad one."""

    def __init__(self, name: str, problems: _Problems) -> None:
        self.name, self.problems = name, problems

    def bad(self, row: dict[str, str], column: str, allowed: str) -> None:
        self.problems.add(self.name, _row(row), column, repr(row.get(column, "")), allowed)

    def text(self, row: dict[str, str], column: str, allowed: list[str] | None = None) -> str:
        value = row.get(column, "")
        if not value:
            self.bad(row, column, "a value (this column is required)")
        elif allowed is not None and value not in allowed:
            self.bad(row, column, f"one of: {', '.join(allowed)}")
        return value

    def date(
        self, row: dict[str, str], column: str, ok: Callable[[dt.date], bool], allowed: str
    ) -> dt.date | None:
        value = row.get(column, "")
        if not value:
            return None
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            self.bad(row, column, "a date written YYYY-MM-DD")
            return None
        if not ok(date):
            self.bad(row, column, allowed)
            return None
        return date

    def number(
        self, row: dict[str, str], column: str, ok: Callable[[float], bool], allowed: str
    ) -> float | None:
        value = row.get(column, "")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            self.bad(row, column, allowed)
            return None
        if not math.isfinite(number) or not ok(number):
            self.bad(row, column, allowed)
            return None
        return number

    def unique_ids(self, rows: list[dict[str, str]], column: str = "id") -> None:
        first: dict[str, int] = {}
        for row in rows:
            value = self.text(row, column)
            if value in first:
                self.bad(row, column, f"an id not used before (row {first[value]} has it)")
            elif value:
                first[value] = _row(row)


def _no_email(name: str, rows: list[dict[str, str]], problems: _Problems) -> None:
    for row in rows:
        for column, value in row.items():
            if column != "_row" and "@" in value:
                problems.add(
                    name,
                    _row(row),
                    column,
                    "a value that looks like an e-mail address",
                    "pseudonymous ids only: no e-mail addresses",
                )


def load_snapshot(folder: str | Path, scenario: Scenario) -> Snapshot:
    """Read and check a snapshot folder against `scenario`; raise ScenarioError naming every
    problem (file, row, column, what was given, what is allowed)."""
    folder = Path(folder)
    problems = _Problems()
    if not folder.is_dir():
        problems.add(str(folder), None, None, "not a folder", "a folder of snapshot CSV files")
        problems.raise_any(str(folder))
    tables = {name: _read_table(folder, name, problems) for name in SNAPSHOT_FILES}
    problems.raise_any(str(folder))
    rows = {name: table or [] for name, table in tables.items()}
    for name, table in rows.items():
        _no_email(name, table, problems)
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


def _snapshot_date(rows: list[dict[str, str]], problems: _Problems) -> dt.date | None:
    check = _Checker("snapshot.csv", problems)
    if len(rows) != 1:
        problems.add("snapshot.csv", None, None, f"{len(rows)} rows", "exactly one row")
        return None
    check.text(rows[0], "snapshot_date")
    return check.date(rows[0], "snapshot_date", lambda _d: True, "a date")


def _check_departments(
    rows: list[dict[str, str]], scenario: Scenario, date: dt.date, problems: _Problems
) -> None:
    check = _Checker("departments.csv", problems)
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
    rows: list[dict[str, str]], scenario: Scenario, date: dt.date, problems: _Problems
) -> None:
    check = _Checker("staff.csv", problems)
    check.unique_ids(rows)
    for row in rows:
        check.text(row, "pool", scenario.pool_names)
        check.text(row, "fte")
        check.number(row, "fte", lambda x: 0 < x <= 1, "a number more than 0 and at most 1")
        check.text(row, "start_date")
        check.date(row, "start_date", lambda d: d <= date, f"on or before the snapshot date {date}")
        left = f"on or after the snapshot date {date} (people who have left are not in post)"
        check.date(row, "leaving_date", lambda d: d >= date, left)


def _check_vacancies(
    rows: list[dict[str, str]], scenario: Scenario, date: dt.date, problems: _Problems
) -> None:
    check = _Checker("vacancies.csv", problems)
    check.unique_ids(rows)
    for row in rows:
        check.text(row, "pool", scenario.pool_names)
        check.text(row, "stage", list(STARTING_STAGES))
        check.text(row, "stage_entered_date")
        check.date(
            row, "stage_entered_date", lambda d: d <= date, f"on or before the snapshot date {date}"
        )


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
    problems: _Problems,
) -> None:
    check = _Checker("work.csv", problems)
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
        check.text(row, "arrival_date")
        arrived = check.date(
            row, "arrival_date", lambda d: d <= date, f"on or before the snapshot date {date}"
        )
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
