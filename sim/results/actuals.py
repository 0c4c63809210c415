"""Tracking a forecast against what then happened: observed monthly series (actuals) read from a
CSV file and placed in the forecast's fan (docs/snapshot.md, "Tracking a forecast").

An actuals file has a `month` column (`YYYY-MM`), an optional `pool` column (blank: all pools)
and any subset of the series in `ACTUAL_SERIES`. For each observation the forecast's P5, P10,
P50, P90 and P95 over the replications of that month (and pool) are found, and whether the
observation lies inside P10-P90 and inside P5-P95. A well-calibrated forecast has about 80% and
90% of observed months inside them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import Problem, ScenarioError
from sim.model.calendar import Calendar
from sim.scenario.schema import Scenario

__all__ = [
    "ACTUAL_SERIES",
    "Tracking",
    "actuals_upload_rows",
    "coverage",
    "parse_actuals",
    "parse_actuals_upload",
    "read_actuals",
    "run_months",
    "track",
    "track_file",
    "track_observed",
    "write_actuals",
]

# Column of an actuals file -> (the model's monthly series, what it is). The one definition.
ACTUAL_SERIES: dict[str, tuple[str, str]] = {
    "headcount": ("headcount_in_post", "staff in post at the month end (heads)"),
    "fte": ("fte_in_post", "contracted FTE in post at the month end"),
    "hires": ("joiners", "staff who started in the month"),
    "leavers": ("leavers", "staff who left in the month"),
    "vacancies": ("vacancies", "posts being recruited to at the month end"),
    "arrivals": ("arrivals", "requests that arrived in the month"),
    "completions": ("completions", "requests completed in the month"),
    "backlog": ("backlog", "requests waiting at the month end"),
    "service_level": ("sla_attainment", "share of the month's completions within target, 0-1"),
}
MAX_ACTUALS_BYTES = 10_000_000
BANDS = (5, 10, 50, 90, 95)
COVERAGE_COLUMNS = [
    "series", "pool", "months", "inside_p10_p90", "inside_p5_p95", "months_outside_p10_p90"
]  # fmt: skip
OBSERVED_COLUMNS = ["series", "pool", "month", "month_index", "observed"]
TRACKED_COLUMNS = [
    "series", "pool", "month", "observed", *(f"p{b}" for b in BANDS),
    "inside_p10_p90", "inside_p5_p95",
]  # fmt: skip


def run_months(scenario: Scenario) -> dict[str, int]:
    """`YYYY-MM` of each month of the run (its first day) -> the run's month index."""
    calendar = Calendar(scenario.run.start_date, scenario.run.horizon_months)
    return {d.strftime("%Y-%m"): k for k, d in enumerate(calendar.month_start_dates[:-1])}


def read_actuals(path: str | Path, scenario: Scenario) -> pd.DataFrame:
    """Observations as rows (series, pool, month, month_index, observed); raise ScenarioError
    naming the row and column of every problem."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size > MAX_ACTUALS_BYTES:
        allowed = f"a CSV file of at most {MAX_ACTUALS_BYTES:,} bytes"
        raise ScenarioError([Problem(path.name, str(path), allowed)])
    return parse_actuals(path.read_bytes(), path.name, run_months(scenario), scenario.pool_names)


def parse_actuals(
    content: bytes, name: str, months: dict[str, int], pool_names: list[str]
) -> pd.DataFrame:
    """`read_actuals` of a file's bytes, for a run of these months (`run_months`) and pools (an
    upload is read this way, in the capped reading process of `sim.scenario.uploads`)."""
    problems: list[Problem] = []

    def bad(row: int | None, column: str | None, given: str, allowed: str) -> None:
        where = name + (f" row {row}" if row is not None else "")
        problems.append(Problem(where + (f", column {column}" if column else ""), given, allowed))

    if len(content) > MAX_ACTUALS_BYTES:
        bad(None, None, f"{len(content):,} bytes", f"a CSV file of at most {MAX_ACTUALS_BYTES:,}")
        raise ScenarioError(problems)
    try:
        lines = content.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        bad(None, None, "bytes that are not UTF-8", "a CSV file saved as UTF-8")
        raise ScenarioError(problems) from None
    reader = csv.reader(lines)
    header = [h.strip() for h in next(reader, [])]
    _check_header(header, bad)
    if problems:
        raise ScenarioError(problems)
    pools = ["", *pool_names]
    span = f"{min(months)} to {max(months)}"
    seen: dict[tuple[str, str], int] = {}
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            bad(number, None, f"{len(cells)} values", f"{len(header)}, one a column")
            continue
        row = {h: c.strip() for h, c in zip(header, cells, strict=True)}
        month, pool = row["month"], row.get("pool", "")
        if month not in months:
            bad(number, "month", repr(month), f"a month of the run written YYYY-MM: {span}")
            continue
        if pool not in pools:
            bad(number, "pool", repr(pool), f"blank (all pools) or one of: {', '.join(pools[1:])}")
            continue
        if (month, pool) in seen:
            bad(number, "month", repr(month), f"once per pool (row {seen[month, pool]} has it)")
            continue
        seen[month, pool] = number
        rows += [(c, pool, month, months[month], v) for c, v in _values(row, number, bad)]
    if not rows and not problems:
        bad(None, None, "no observed values", "at least one value in a series column")
    if problems:
        raise ScenarioError(problems[:50])
    return pd.DataFrame(rows, columns=OBSERVED_COLUMNS)


UPLOAD_READER = "sim.results.actuals:actuals_upload_rows"
"""The function the app's capped reading process calls on an uploaded actuals file."""


def actuals_upload_rows(
    content: bytes, file_name: str, months: dict[str, int], pool_names: list[str]
) -> list[list[Any]]:
    """`parse_actuals` as plain rows (JSON), for the reading process of `sim.scenario.uploads`."""
    frame = parse_actuals(content, file_name, months, pool_names)
    return [[str(r[0]), str(r[1]), str(r[2]), int(r[3]), float(r[4])] for r in frame.values]


def parse_actuals_upload(
    content: bytes, file_name: str, scenario: Scenario, max_bytes: int
) -> pd.DataFrame:
    """An uploaded actuals file, read in the app's capped reading process (a hostile file cannot
    take the server's memory or time), for a run of `scenario`: `read_actuals`' rows, or
    ScenarioError naming each problem's row and column."""
    from sim.scenario.uploads import read_isolated

    params = {"months": run_months(scenario), "pool_names": list(scenario.pool_names)}
    rows = read_isolated(
        UPLOAD_READER, content, file_name, params, min(max_bytes, MAX_ACTUALS_BYTES)
    )
    return pd.DataFrame(rows, columns=OBSERVED_COLUMNS)


def _values(row: dict[str, str], number: int, bad: Any) -> list[tuple[str, float]]:
    """A row's observed values (blank cells skipped), each checked against its series' range."""
    values = []
    for column in ACTUAL_SERIES:
        text = row.get(column, "")
        if not text:
            continue
        top = 1.0 if column == "service_level" else math.inf
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 <= value <= top):
            what = "a share from 0 to 1" if column == "service_level" else "a number, 0 or more"
            bad(number, column, repr(text), f"blank or {what}")
            continue
        values.append((column, value))
    return values


def _check_header(header: list[str], bad: Any) -> None:
    """The columns: `month`, optionally `pool`, and at least one series, nothing else."""
    allowed = ["month", "pool", *ACTUAL_SERIES]
    for column in header:
        if column not in allowed:
            bad(1, column, "an unknown column", f"one of: {', '.join(allowed)}")
    if "month" not in header:
        bad(1, "month", "missing", "a required column (YYYY-MM)")
    if not any(c in ACTUAL_SERIES for c in header):
        bad(1, None, ", ".join(header), f"at least one series: {', '.join(ACTUAL_SERIES)}")


def track(actuals: pd.DataFrame, monthly: pd.DataFrame, by_pool: pd.DataFrame) -> pd.DataFrame:
    """Each observation with the forecast's percentiles for its month and pool, and whether it
    lies inside P10-P90 and P5-P95."""
    out = []
    for obs in actuals.itertuples(index=False):
        column = ACTUAL_SERIES[str(obs.series)][0]
        table = monthly if obs.pool == "" else by_pool[by_pool["pool"] == obs.pool]
        values = table.loc[table["month"] == obs.month_index, column].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        p = np.percentile(values, BANDS) if len(values) else np.full(len(BANDS), np.nan)
        out.append(
            {
                "series": obs.series,
                "pool": obs.pool or "all",
                "month": obs.month,
                "observed": float(obs.observed),  # type: ignore[arg-type]
                **{f"p{b}": v for b, v in zip(BANDS, p, strict=True)},
                "inside_p10_p90": bool(p[1] <= float(obs.observed) <= p[3]),  # type: ignore[arg-type]
                "inside_p5_p95": bool(p[0] <= float(obs.observed) <= p[4]),  # type: ignore[arg-type]
            }
        )
    return pd.DataFrame(out, columns=TRACKED_COLUMNS)


def coverage(tracked: pd.DataFrame) -> pd.DataFrame:
    """Per series and pool: months observed, shares inside each band, months outside P5-P95."""
    rows = []
    for (series, pool), group in tracked.groupby(["series", "pool"], sort=False):
        outside = group.loc[~group["inside_p10_p90"], "month"].tolist()
        rows.append(
            {
                "series": series,
                "pool": pool,
                "months": len(group),
                "inside_p10_p90": group["inside_p10_p90"].mean(),
                "inside_p5_p95": group["inside_p5_p95"].mean(),
                "months_outside_p10_p90": " ".join(outside),
            }
        )
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


@dataclass(frozen=True)
class Tracking:
    """An actuals file placed in a run's fans: which file (name and SHA-256), its observations,
    each with its band (`track`), the coverage of each series and pool (`coverage`), and the
    series left out because the run's tables lack them (a run written before they were
    recorded). `ccs-sim track`, the report and the app all show this one result."""

    file_name: str
    sha256: str
    observed: pd.DataFrame
    tracked: pd.DataFrame
    summary: pd.DataFrame
    left_out: tuple[str, ...] = ()

    def sentence(self) -> str:
        """All observations together, against what a well-calibrated forecast would give."""
        n = len(self.tracked)
        if not n:
            return "No observations could be placed in this run's fans."
        inner, outer = self.tracked["inside_p10_p90"].mean(), self.tracked["inside_p5_p95"].mean()
        return (
            f"All {n} observations: {inner:.0%} inside P10-P90 (80% expected), "
            f"{outer:.0%} inside P5-P95 (90% expected)."
        )

    def left_out_sentence(self) -> str:
        """The series the run cannot place, or '' when there are none."""
        if not self.left_out:
            return ""
        return f"Not in this run's tables (an older run): {', '.join(self.left_out)}; left out."


def track_observed(
    observed: pd.DataFrame,
    monthly: pd.DataFrame,
    by_pool: pd.DataFrame,
    file_name: str,
    sha256: str,
) -> Tracking:
    """Place observations (`read_actuals`, `parse_actuals`) in a run's monthly tables."""
    missing = tuple(sorted({s for s in observed["series"] if ACTUAL_SERIES[s][0] not in monthly}))
    kept = observed[~observed["series"].isin(missing)].reset_index(drop=True)
    tracked = track(kept, monthly, by_pool)
    return Tracking(file_name, sha256, kept, tracked, coverage(tracked), missing)


def track_file(
    path: str | Path, scenario: Scenario, monthly: pd.DataFrame, by_pool: pd.DataFrame
) -> Tracking:
    """Read an actuals file (ScenarioError naming rows and columns) and place it in a run's fans."""
    observed = read_actuals(path, scenario)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return track_observed(observed, monthly, by_pool, Path(path).name, digest)


def write_actuals(monthly: pd.DataFrame, by_pool: pd.DataFrame, start: dt.date, path: Path) -> None:
    """One replication's monthly series as an actuals file (totals, then by pool): for examples
    and tests, the model's own 'what happened'."""
    calendar = Calendar(start, int(monthly["month"].max()) + 1)
    dates = [d.strftime("%Y-%m") for d in calendar.month_start_dates]
    rows = []
    for pool, table in [("", monthly), *by_pool.groupby("pool", sort=False)]:
        for record in table.to_dict("records"):
            row = {"month": dates[int(record["month"])], "pool": pool}
            for column, (series, _what) in ACTUAL_SERIES.items():
                value = float(record[series])
                row[column] = "" if not math.isfinite(value) else f"{value:.6g}"
            rows.append(row)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["month", "pool", *ACTUAL_SERIES], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
