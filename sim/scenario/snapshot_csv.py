"""The snapshot's CSV files (docs/snapshot.md): their columns, the one definition of the format;
writing them (an empty template, or rows); and reading them row by row, with every problem named
by file, row and column, what was given and what is allowed. Ids are pseudonymous: a column that
would carry a name or an e-mail address is refused, as is any value that looks like one.
What the rows must mean for a scenario is checked in `sim.scenario.snapshot`."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sim.errors import Problem, ScenarioError
from sim.scenario.start_state import STARTING_STAGES

__all__ = [
    "MAX_PROBLEMS_SHOWN",
    "MAX_SNAPSHOT_FILE_BYTES",
    "PERSONAL_COLUMNS",
    "SNAPSHOT_FILES",
    "TEMPLATE_ROWS",
    "Checker",
    "Problems",
    "no_email",
    "read_table",
    "row_number",
    "snapshot_sha256",
    "write_snapshot_tables",
    "write_snapshot_template",
]

T = TypeVar("T")

MAX_SNAPSHOT_FILE_BYTES = 50_000_000
MAX_PROBLEMS_SHOWN = 50

_POOL = (True, "the staff pool, as named in the scenario")
_GRADE = (False, "grade (kept for the planner; the model does not use it)")
# Each file's columns: name -> (required, what it holds). The one definition of the format.
SNAPSHOT_FILES: dict[str, dict[str, tuple[bool, str]]] = {
    "snapshot.csv": {
        "snapshot_date": (True, "the date the snapshot describes (YYYY-MM-DD)"),
    },
    "staff.csv": {
        "id": (True, "a pseudonymous id, unique in the file (never a name)"),
        "pool": _POOL,
        "grade": _GRADE,
        "fte": (True, "full-time equivalent, more than 0 and at most 1"),
        "start_date": (True, "the day they started in post, on or before the snapshot date"),
        "leaving_date": (False, "their last day, if they have given notice (else blank)"),
    },
    "vacancies.csv": {
        "id": (True, "a pseudonymous id, unique in the file"),
        "pool": _POOL,
        "grade": _GRADE,
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


class Problems:
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


def read_table(folder: Path, name: str, problems: Problems) -> list[dict[str, str]] | None:
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


def _header_ok(name: str, header: list[str], problems: Problems) -> bool:
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


def row_number(row: dict[str, str]) -> int:
    return int(row["_row"])


class Checker:
    """Reads typed values from one file's rows, recording a problem for each bad one."""

    def __init__(self, name: str, problems: Problems) -> None:
        self.name, self.problems = name, problems

    def bad(self, row: dict[str, str], column: str, allowed: str) -> None:
        self.problems.add(self.name, row_number(row), column, repr(row.get(column, "")), allowed)

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
        return self._value(
            row, column, dt.date.fromisoformat, ok, allowed, "a date written YYYY-MM-DD"
        )

    def number(
        self, row: dict[str, str], column: str, ok: Callable[[float], bool], allowed: str
    ) -> float | None:
        return self._value(
            row, column, float, lambda x: math.isfinite(x) and ok(x), allowed, allowed
        )

    def _value(
        self,
        row: dict[str, str],
        column: str,
        parse: Callable[[str], T],
        ok: Callable[[T], bool],
        allowed: str,
        unreadable: str,
    ) -> T | None:
        """The column's value parsed, or None if blank; a bad one is recorded, and gives None."""
        value = row.get(column, "")
        if not value:
            return None
        try:
            parsed = parse(value)
        except ValueError:
            self.bad(row, column, unreadable)
            return None
        if not ok(parsed):
            self.bad(row, column, allowed)
            return None
        return parsed

    def unique_ids(self, rows: list[dict[str, str]], column: str = "id") -> None:
        first: dict[str, int] = {}
        for row in rows:
            value = self.text(row, column)
            if value in first:
                self.bad(row, column, f"an id not used before (row {first[value]} has it)")
            elif value:
                first[value] = row_number(row)


def no_email(name: str, rows: list[dict[str, str]], problems: Problems) -> None:
    for row in rows:
        for column, value in row.items():
            if column != "_row" and "@" in value:
                problems.add(
                    name,
                    row_number(row),
                    column,
                    "a value that looks like an e-mail address",
                    "pseudonymous ids only: no e-mail addresses",
                )
