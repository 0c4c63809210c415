"""The model's clock: days (floats) from the scenario's start date, reported by calendar month.

Month k runs from `start + k months` to `start + k+1 months`, so a run starting on 1 April has
months April, May, ... and UK financial years (April to March) line up with whole months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

__all__ = ["Calendar", "add_months", "financial_year_label"]

DAYS_PER_YEAR = 365.25
AVERAGE_MONTH_DAYS = DAYS_PER_YEAR / 12


def add_months(date: dt.date, months: int) -> dt.date:
    """The same day `months` later, clipped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = date.month - 1 + months
    year, month = date.year + index // 12, index % 12 + 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(date.day, last_day))


def financial_year_label(date: dt.date) -> str:
    """UK financial year (April to March) of a date, as '2014-15'."""
    first = date.year if date.month >= 4 else date.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


@dataclass(frozen=True)
class Calendar:
    """Month boundaries of a run, in days from its start."""

    start_date: dt.date
    horizon_months: int

    @property
    def month_start_dates(self) -> list[dt.date]:
        """First date of each month and the date the run ends (horizon_months + 1 dates)."""
        return [add_months(self.start_date, k) for k in range(self.horizon_months + 1)]

    @property
    def boundaries_days(self) -> np.ndarray:
        """Day each month starts, and the end of the run (horizon_months + 1 values)."""
        return np.array([(d - self.start_date).days for d in self.month_start_dates], dtype=float)

    @property
    def horizon_days(self) -> float:
        """Length of the run in days."""
        return float(self.boundaries_days[-1])

    @property
    def calendar_month_index(self) -> np.ndarray:
        """0 for January ... 11 for December, for each simulated month."""
        return np.array([d.month - 1 for d in self.month_start_dates[:-1]])

    def day_of(self, date: dt.date) -> float:
        """Days from the start of the run to `date` (negative if before)."""
        return float((date - self.start_date).days)

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """Month index of each time in days (-1 before the start, horizon_months after the end)."""
        return np.searchsorted(self.boundaries_days, days, side="right") - 1
