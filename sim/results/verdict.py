"""The verdict: does the expansion outrun CCS's capability, and from which month?

A month is *short* when the demand on a pool (the effort of the month's new requests, in FTE)
exceeds its effective FTE (staff in post after ramp-up, mentoring and non-productive time, plus
contractors) **and** the service level misses its target that month (fewer than
`sla_attainment_target` of the month's completed requests finished within their target days; a
month with demand but no completions misses). Expansion outruns capability when there are
`consecutive_months` short months in a row; `outrun_month` is the first month of the first such
run. Requiring both conditions keeps a single seasonal peak, or a backlog that staff are still
clearing within target, from counting. See docs/verdict.md.
"""

from __future__ import annotations

import numpy as np

__all__ = ["first_outrun_month", "short_months"]


def short_months(
    demand_fte: np.ndarray, effective_fte: np.ndarray, sla_attainment: np.ndarray, target: float
) -> np.ndarray:
    """Boolean per month: demand above capacity while the service level misses its target."""
    with np.errstate(invalid="ignore"):
        misses = ~(sla_attainment >= target)  # NaN (nothing completed) is a miss
    return (demand_fte > effective_fte) & misses


def first_outrun_month(short: np.ndarray, consecutive_months: int) -> int | None:
    """First month of the first run of `consecutive_months` short months, or None."""
    run = 0
    for month, is_short in enumerate(short):
        run = run + 1 if is_short else 0
        if run == consecutive_months:
            return month - consecutive_months + 1
    return None
