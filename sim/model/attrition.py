"""Attrition: when a member of staff resigns.

`attrition_rate_per_year` is read as a hazard: leavers per head-year in post, the way turnover
rates are published (leavers over average staff in post). In the first `early_tenure_days` of a
joiner's tenure the hazard is multiplied by `early_tenure_attrition_multiplier` (new staff leave
more often). Staff in post at the start are taken to be past their early tenure.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.calendar import DAYS_PER_YEAR
from sim.scenario.schema import StaffPool

__all__ = ["days_until_resignation"]


def days_until_resignation(
    pool: StaffPool, rng: np.random.Generator, *, early_tenure_left_days: float
) -> float:
    """Days from now until this person resigns (infinite when attrition is zero)."""
    hazard_per_day = pool.attrition_rate_per_year / DAYS_PER_YEAR
    if hazard_per_day <= 0:
        return math.inf
    early_hazard = hazard_per_day * pool.early_tenure_attrition_multiplier
    if early_tenure_left_days > 0 and early_hazard > 0:
        early = rng.exponential(1 / early_hazard)
        if early < early_tenure_left_days:
            return float(early)
    # Memoryless: past the early period, the later hazard applies afresh.
    return max(early_tenure_left_days, 0.0) + float(rng.exponential(1 / hazard_per_day))
