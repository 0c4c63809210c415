"""How every number is written and every paired difference judged, defined once.

The command line, the app, the HTML report, `plan` and `sweep` write KPIs through these
functions, so one run reads the same everywhere (`tests/test_one_voice.py` checks it):

- a value by its kind in the catalogue (`sim.results.kpis`): '84.3%', '16.6 days', '£151.3m';
- money in one style: '£2.50bn', '£151.3m', '£45k', '£950';
- an interval 'low to high', clipped to the values the KPI can take;
- a difference signed, shares in percentage points ('-10.0 points'), months as months;
- a month of the run (0-based, fractional months fall in the month they are in) as a date;
- the judgement of a paired difference, in one wording (`JUDGEMENTS`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Literal, get_args

from sim.model.calendar import add_months
from sim.results.kpis import Better, kpi_info

__all__ = [
    "JUDGEMENTS",
    "Judgement",
    "format_band",
    "format_difference",
    "format_difference_interval",
    "format_interval",
    "format_kpi",
    "format_money",
    "format_month",
    "format_probability",
    "judge_difference",
    "month_date",
    "paired_subset",
]

Judgement = Literal[
    "clearly better",
    "clearly worse",
    "no clear difference",
    "no difference",
    "higher",
    "lower",
    "too few futures to tell",
]
JUDGEMENTS: tuple[Judgement, ...] = get_args(Judgement)
"""Every judgement of a paired difference (charts colour by these, in this order)."""


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_money(value: float | None) -> str:
    """Pounds in one style: '£2.50bn', '£151.3m', '£45k', '£950' (signed when negative)."""
    if _missing(value):
        return "-"
    assert value is not None
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1e9:
        return f"{sign}£{value / 1e9:,.2f}bn"
    if value >= 1e6:
        return f"{sign}£{value / 1e6:,.1f}m"
    if value >= 1e4:
        return f"{sign}£{value / 1e3:,.0f}k"
    return f"{sign}£{value:,.0f}"


def format_probability(value: float | None) -> str:
    """A probability or share of futures as a whole percentage: '35%'."""
    return "-" if _missing(value) else f"{value:.0%}"


def month_date(start_date: dt.date, month: float) -> dt.date:
    """First day of the run's month holding `month` (0-based; month 20.4 is in month 20)."""
    return add_months(start_date, math.floor(month))


def format_month(start_date: dt.date, month: float | None) -> str:
    """A month of the run as a date: 'Dec 2015' ('-' if there is none)."""
    if _missing(month):
        return "-"
    assert month is not None
    return f"{month_date(start_date, month):%b %Y}"


def format_kpi(kpi: str, value: float | None, start_date: dt.date | None = None) -> str:
    """A KPI value as a planner reads it: '84.3%', '16.6 days', '£151.3m', '1,234'.

    A month of the run reads as a date when the run's `start_date` is given ('month 20.4'
    otherwise).
    """
    if _missing(value):
        return "-"
    assert value is not None
    kind = kpi_info(kpi).kind
    if kind == "probability":
        return format_probability(value)
    if kind == "share":
        return f"{value:.1%}"
    if kind == "days":
        return f"{value:,.0f} days" if abs(value) >= 100 else f"{value:,.1f} days"
    if kind == "gbp":
        return format_money(value)
    if kind == "fte":
        return f"{value:,.0f} FTE"
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "month":
        return format_month(start_date, value) if start_date else f"month {value:,.1f}"
    return f"{value:,.1f}"


def _clip(kpi: str, low: float, high: float) -> tuple[float, float]:
    """A t-interval clipped to the values the KPI can take (no negative counts, no 101%)."""
    kind = kpi_info(kpi).kind
    if kind in ("share", "probability"):
        return max(low, 0.0), min(high, 1.0)
    if kind in ("count", "days", "gbp", "fte", "month"):
        return max(low, 0.0), high
    return low, high


def format_interval(
    kpi: str, low: float | None, high: float | None, start_date: dt.date | None = None
) -> str:
    """'97.3% to 100.0%': a KPI's confidence interval, clipped to its possible values."""
    if _missing(low) or _missing(high):
        return "-"
    assert low is not None and high is not None
    low, high = _clip(kpi, low, high)
    return f"{format_kpi(kpi, low, start_date)} to {format_kpi(kpi, high, start_date)}"


def format_band(
    kpi: str, p10: float | None, p90: float | None, start_date: dt.date | None = None
) -> str:
    """'12.0 days to 31.5 days': the P10 to P90 range of futures."""
    return f"{format_kpi(kpi, p10, start_date)} to {format_kpi(kpi, p90, start_date)}"


def format_difference(kpi: str, value: float | None) -> str:
    """A signed difference: '-10.0 points' for shares and probabilities (percentage points),
    '+1.5 months', '+£3.2m', '-4.1 days', '±0'."""
    if _missing(value):
        return "-"
    assert value is not None
    kind = kpi_info(kpi).kind
    if kind in ("share", "probability"):
        return f"{value * 100:+.1f} points"
    if kind == "month":
        return f"{value:+.1f} months"
    sign = "+" if value > 0 else "-" if value < 0 else "±"
    return sign + format_kpi(kpi, abs(value))


def format_difference_interval(kpi: str, low: float | None, high: float | None) -> str:
    """'-14.2 points to -5.8 points': the confidence interval of a difference."""
    if _missing(low) or _missing(high):
        return "-"
    return f"{format_difference(kpi, low)} to {format_difference(kpi, high)}"


def judge_difference(better: Better | str, low: float, high: float, n_pairs: int) -> Judgement:
    """The judgement of a paired difference (option - base) from its 95% confidence interval.

    'Clearly better' or 'clearly worse' means the interval excludes zero on that side of the
    KPI's better direction; 'higher'/'lower' for a KPI with no better direction; otherwise
    'no clear difference' (or 'no difference' when every pair is equal).
    """
    if _missing(low) or _missing(high):
        return "too few futures to tell" if n_pairs < 2 else "no difference"
    if low == 0 and high == 0:
        return "no difference"
    if low > 0 or high < 0:
        if not better:
            return "higher" if low > 0 else "lower"
        improved = (low > 0) == (better == "higher")
        return "clearly better" if improved else "clearly worse"
    return "no clear difference"


def paired_subset(r: Mapping[str, Any]) -> str:
    """' (in the 30 futures where both have one)' when the difference is not over the same
    futures as the means beside it; '' otherwise."""
    n_pairs, n_base, n_option = (r.get(k) for k in ("n_pairs", "n_base", "n_option"))
    if n_base is None or n_option is None or n_pairs is None or _missing(r["difference"]):
        return ""
    if n_pairs == n_base == n_option:
        return ""
    return f" (in the {int(n_pairs)} futures where both have one)"
