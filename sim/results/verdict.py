"""The verdict: does the expansion outrun CCS's capability, and from which month?

Second edition (docs/verdict.md). For each staff pool and each month *m*:

- **service** is judged for the requests that *arrived* in month *m* (`service_by_arrival`): a
  request completed within its target is a hit; one given up, deferred by an onboarding pause,
  completed late, or still unfinished when its target date has passed is a miss. A request whose
  target date falls after the end of the run is *censored*: left out whatever happened to it, so
  the last months are not biased towards the quick completions. A month with nothing judged is not
  judged (NaN) and cannot be short.
- **capacity is strained** (`capacity_strained`) when, over the trailing `capacity_window_months`
  (12 by default, so every calendar month counts once and the year-end peak cancels out), the
  demand in FTE exceeds the effective FTE, *or* the work in hand (in weeks of the pool's own
  effective capacity) has grown by more than `work_in_hand_growth_weeks` since the same month a
  window earlier (since the start, in the first window).
- a month is **short** when service misses `sla_attainment_target` while capacity is strained.

A pool outruns capability after `consecutive_months` short months in a row; CCS outruns when
*any* pool does, from the earliest pool's month, so one pool cannot hide behind another (the
rule applied to all pools added together is kept as a secondary, pooled view).

The first edition (demand of the month's arrivals above month-end effective FTE while the service
level of the month's *completions* misses its target) is kept as the secondary
`monthly_shortfall` KPI, so that old results can be compared.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "capacity_strained",
    "first_outrun_month",
    "first_true_month",
    "service_short_months",
    "short_months",
    "trailing_sum",
]


def short_months(
    demand_fte: np.ndarray, effective_fte: np.ndarray, sla_attainment: np.ndarray, target: float
) -> np.ndarray:
    """First edition: demand above month-end capacity while the completions' service misses."""
    with np.errstate(invalid="ignore"):
        misses = ~(sla_attainment >= target)  # NaN (nothing completed) is a miss
    return (demand_fte > effective_fte) & misses


def trailing_sum(values: np.ndarray, window: int) -> np.ndarray:
    """Sum of each month and the `window - 1` months before it (fewer at the start)."""
    cumulative = np.concatenate([[0.0], np.cumsum(values, dtype=float)])
    months = np.arange(len(values))
    return cumulative[months + 1] - cumulative[np.maximum(0, months + 1 - window)]


def capacity_strained(
    demand_fte: np.ndarray,
    effective_fte: np.ndarray,
    work_in_hand_weeks: np.ndarray,
    window_months: int,
    growth_weeks: float,
) -> np.ndarray:
    """Boolean per month: demand over capacity across the window, or work in hand growing."""
    over = trailing_sum(demand_fte, window_months) > trailing_sum(effective_fte, window_months)
    months = np.arange(len(work_in_hand_weeks))
    earlier = work_in_hand_weeks[np.maximum(0, months - window_months)]
    with np.errstate(invalid="ignore"):
        growing = (work_in_hand_weeks - earlier) > growth_weeks
    return over | growing


def service_short_months(
    service_by_arrival: np.ndarray, strained: np.ndarray, target: float
) -> np.ndarray:
    """Second edition: arrivals' service below target while capacity is strained."""
    with np.errstate(invalid="ignore"):
        misses = service_by_arrival < target  # NaN (nothing judged) is not a miss
    return misses & strained


def first_outrun_month(short: np.ndarray, consecutive_months: int) -> int | None:
    """First month of the first run of `consecutive_months` short months, or None."""
    run = 0
    for month, is_short in enumerate(short):
        run = run + 1 if is_short else 0
        if run == consecutive_months:
            return month - consecutive_months + 1
    return None


def first_true_month(flags: np.ndarray) -> int | None:
    """First month a flag is set, or None."""
    hits = np.flatnonzero(flags)
    return int(hits[0]) if len(hits) else None
