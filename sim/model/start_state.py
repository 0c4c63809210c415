"""The start state put in place: work in hand, staff tenure, vacancies already being filled.

Work in hand becomes requests that arrived on or before day 0 (`pre_start` in the request book):
they are served like any other, but they are not arrivals of the run, so they are left out of
arrivals, demand and the service verdict (which judge the run's own arrivals). They never give
up (the department has already handed them over). Each case carries a share of its effort still
to do, drawn uniformly within the scenario's range; its statutory minimum elapsed time shrinks in
proportion. Staff in post get a tenure drawn within their band, so recent joiners are still
ramping up and still carry the early-tenure attrition hazard. Vacancies in a stage have a uniform
share of that stage's duration still to run (an ASSUMPTION: vacancies entered their stage at an
even rate). Each draws from its own stream, so a start state leaves the run's other draws alone.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.demand import RequestBook, attach_request_attributes
from sim.model.streams import Streams
from sim.scenario.schema import Scenario

__all__ = ["tenure_days", "work_in_hand"]


class _OneStream:
    """Serves one generator under every stream name (the start's own draws)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def __getattr__(self, name: str) -> np.random.Generator:
        return self.rng


def _owner(scenario: Scenario) -> int:
    """The department that owns the start's work: the existing business if there is one."""
    at_start = [
        i
        for i, d in enumerate(scenario.demand.departments)
        if d.onboarding_date <= scenario.run.start_date
    ]
    existing = [i for i in at_start if not scenario.demand.departments[i].transferring]
    return (existing or at_start)[0]


def work_in_hand(scenario: Scenario, streams: Streams) -> RequestBook:
    """The start's work in hand as requests (an empty book when there is none)."""
    rng = streams.start_cases
    type_index = {t.name: k for k, t in enumerate(scenario.demand.request_types)}
    cases = scenario.start_state.work_in_hand
    rtype = np.concatenate(
        [np.full(c.cases, type_index[c.request_type], dtype=np.int64) for c in cases]
        or [np.zeros(0, dtype=np.int64)]
    )
    ages = np.concatenate([c.age_days.sample(rng, c.cases) for c in cases] or [np.zeros(0)])
    remaining = np.concatenate(
        [
            rng.uniform(c.remaining_effort_share_low, c.remaining_effort_share_high, c.cases)
            for c in cases
        ]
        or [np.zeros(0)]
    )
    days = -np.maximum(ages, 0.0)
    dept = np.full(len(rtype), _owner(scenario) if len(rtype) else 0, dtype=np.int64)
    book = attach_request_attributes(scenario, _OneStream(rng), days, dept, rtype)
    return RequestBook(
        **{
            **{name: getattr(book, name) for name in book.__dataclass_fields__},
            "effort_person_days": book.effort_person_days * remaining,
            "min_elapsed_days": book.min_elapsed_days * remaining,
            "patience_days": np.full(len(rtype), math.inf),
            "pre_start": np.ones(len(rtype), dtype=bool),
        }
    )


def tenure_days(scenario: Scenario, pool_index: int, streams: Streams) -> np.ndarray:
    """Tenure on day 0 of each of a pool's starting staff (empty profile: all long-serving)."""
    pool = scenario.staff_pools[pool_index]
    headcount = pool.initial_headcount
    profile = next((s for s in scenario.start_state.staff if s.pool == pool.name), None)
    if profile is None:
        return np.full(headcount, math.inf)
    shares = np.array([band.share for band in profile.tenure])
    counts = _largest_remainder(shares, headcount)
    rng = streams.start_tenure
    return np.concatenate(
        [
            rng.uniform(band.from_days, band.to_days, n)
            for band, n in zip(profile.tenure, counts, strict=True)
        ]
    )


def _largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    """Whole counts in proportion to `shares` that add up to `total` (no random rounding)."""
    exact = shares / shares.sum() * total
    counts = np.floor(exact).astype(int)
    short = total - int(counts.sum())
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts
