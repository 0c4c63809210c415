"""Across futures: how likely expansion is to outrun capability, from when, and the sentence.

One replication's verdict (`sim.results.verdict`) says whether and from which month demand
outruns capability. Here the replications of a run are summed up, for CCS as a whole and for each
staff pool: the probability with its Wilson 95% interval, and the P10/P50/P90 month the shortfall
starts, in the futures where it does (`month_percentiles`: one rounding rule, shown as dates).
`verdict_sentence` is the one sentence the app, the command line and the HTML report all print.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from sim.results.formats import format_month, format_probability
from sim.results.summary import month_percentiles, wilson_interval

__all__ = ["WHOLE", "Verdict", "verdict_sentence", "verdict_table", "verdicts"]

WHOLE = "CCS as a whole"
"""The scope name of verdicts for all staff pools together."""


@dataclass(frozen=True)
class Verdict:
    """Does expansion outrun capability, for CCS as a whole or one staff pool, across futures."""

    scope: str
    replications: int
    outruns: int
    probability: float
    ci_low: float
    ci_high: float
    month_p10: int | None
    month_p50: int | None
    month_p90: int | None
    start_date: dt.date

    def month_text(self, month: int | None) -> str:
        """A month of the run (0-based) as a date, e.g. 'Dec 2015'; '' if there is none."""
        return "" if month is None else format_month(self.start_date, month)


def _verdict(scope: str, flags: pd.Series, months: pd.Series, start: dt.date) -> Verdict:
    n, hits = len(flags), int(flags.astype(bool).sum())
    low, high = wilson_interval(hits, n)
    found = pd.to_numeric(months, errors="coerce").dropna().to_numpy(dtype=float)
    p10 = p50 = p90 = None
    if len(found):
        p10, p50, p90 = (int(m) for m in month_percentiles(found))
    return Verdict(scope, n, hits, hits / n if n else math.nan, low, high, p10, p50, p90, start)


def verdicts(kpis: pd.DataFrame, pools: pd.DataFrame, start_date: dt.date) -> list[Verdict]:
    """The verdict for CCS as a whole, then for each staff pool (in scenario order)."""
    found = [_verdict(WHOLE, kpis["outruns_capability"], kpis["outrun_month"], start_date)]
    for pool, rows in pools.groupby("pool", sort=False):
        found.append(
            _verdict(str(pool), rows["outruns_capability"], rows["outrun_month"], start_date)
        )
    return found


def verdict_sentence(verdict: Verdict, consecutive_months: int, *, bold: str = "**") -> str:
    """The verdict in one or two plain sentences; `bold` marks the key phrases (markdown '**'
    for the app, '' for plain text)."""
    n = verdict.replications
    ci = (
        f"95% confidence interval {format_probability(verdict.ci_low)} to "
        f"{format_probability(verdict.ci_high)}"
    )
    if verdict.outruns == 0:
        return (
            f"In {bold}none of the {n} simulated futures{bold} does demand outrun capability for "
            f"{consecutive_months} months in a row ({ci})."
        )
    share = f"{bold}{format_probability(verdict.probability)} of {n} simulated futures{bold}"
    text = (
        f"In {share} ({ci}), demand outruns capability: in at least one staff pool the "
        "requests arriving miss their service-level target while work in hand grows or demand "
        f"exceeds staff over a year, for {consecutive_months} months or more in a row."
    )
    when = (
        f" Where it happens, it starts in {bold}{verdict.month_text(verdict.month_p50)}{bold} "
        f"(median; 8 in 10 of those futures between {verdict.month_text(verdict.month_p10)} "
        f"and {verdict.month_text(verdict.month_p90)})."
    )
    return text + when


def verdict_table(found: list[Verdict]) -> pd.DataFrame:
    """One row per scope: probability with its 95% CI, and when the shortfall starts."""
    rows = []
    for v in found:
        rows.append(
            {
                "Staff pool": v.scope,
                "Probability it outruns capability": v.probability,
                "95% CI": (f"{format_probability(v.ci_low)} to {format_probability(v.ci_high)}"),
                "Starts: early (P10)": v.month_text(v.month_p10),
                "Starts: median (P50)": v.month_text(v.month_p50),
                "Starts: late (P90)": v.month_text(v.month_p90),
                "Futures": f"{v.outruns} of {v.replications}",
            }
        )
    return pd.DataFrame(rows)
