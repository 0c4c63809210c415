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

A snapshot's per-item start state is put in place item by item: each person with their own
tenure, FTE and leaving date; each case with its own department, age and (if known) effort still
to do. A case already started whose remaining effort is not known draws its type's effort and a
uniform share of it still to do (an ASSUMPTION, as for the counts above); its minimum elapsed time
is reduced by the days already worked. Cases already started are put first, so that they are
taken up by the staff free at the start before any waiting case (work in progress continues,
though not necessarily with the same person); waiting cases follow in arrival order.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.demand import RequestBook, attach_request_attributes
from sim.model.streams import Streams
from sim.scenario.schema import Scenario

__all__ = ["StartingPeople", "starting_people", "tenure_days", "work_in_hand"]


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
    """The start's work in hand as requests (an empty book when there is none), in the order
    they are taken on at the start."""
    if scenario.start_state.cases:
        return _cases_in_hand(scenario, streams)
    book = _work_in_hand_counts(scenario, streams)
    order = np.argsort(book.arrival_day, kind="stable")
    return _reordered(book, order)


def _reordered(book: RequestBook, order: np.ndarray) -> RequestBook:
    return RequestBook(
        **{
            name: (value if name == "demand_multiplier" else value[order])
            for name in book.__dataclass_fields__
            for value in [getattr(book, name)]
        }
    )


def _cases_in_hand(scenario: Scenario, streams: Streams) -> RequestBook:
    """A snapshot's cases, started ones first (by start), then waiting ones by arrival."""
    rng = streams.start_cases
    cases = scenario.start_state.cases
    type_index = {t.name: k for k, t in enumerate(scenario.demand.request_types)}
    dept_index = {d.name: k for k, d in enumerate(scenario.demand.departments)}
    rtype = np.array([type_index[c.request_type] for c in cases], dtype=np.int64)
    dept = np.array([dept_index[c.department] for c in cases], dtype=np.int64)
    days = -np.array([c.age_days for c in cases], dtype=float)
    started = np.array([c.started_days_ago is not None for c in cases], dtype=bool)
    worked = np.array([c.started_days_ago or 0.0 for c in cases], dtype=float)
    known = np.array([c.effort_remaining_person_days or math.nan for c in cases], dtype=float)
    book = attach_request_attributes(scenario, _OneStream(rng), days, dept, rtype)
    share_left = np.where(started, rng.uniform(0.0, 1.0, len(cases)), 1.0)
    effort = np.where(np.isnan(known), book.effort_person_days * share_left, known)
    min_left = np.maximum(book.min_elapsed_days - worked, 0.0)
    book = RequestBook(
        **{
            **{name: getattr(book, name) for name in book.__dataclass_fields__},
            "effort_person_days": effort,
            "min_elapsed_days": min_left,
            "patience_days": np.full(len(cases), math.inf),
            "pre_start": np.ones(len(cases), dtype=bool),
        }
    )
    # Started first, most recently started last; then waiting work in arrival order.
    order = np.lexsort((days, np.where(started, -worked, 0.0), ~started))
    return _reordered(book, order)


def _work_in_hand_counts(scenario: Scenario, streams: Streams) -> RequestBook:
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


class StartingPeople:
    """A pool's people in post at the start, one array entry each (from a snapshot)."""

    def __init__(self, scenario: Scenario, pool_index: int) -> None:
        name = scenario.staff_pools[pool_index].name
        people = [p for p in scenario.start_state.people if p.pool == name]
        self.tenure_days = np.array([p.tenure_days for p in people], dtype=float)
        self.fte = np.array([p.fte for p in people], dtype=float)
        leaves = [math.inf if p.leaves_in_days is None else p.leaves_in_days for p in people]
        self.leaves_in_days = np.array(leaves, dtype=float)


def starting_people(scenario: Scenario, pool_index: int, streams: Streams) -> StartingPeople:
    """Each of a pool's starting staff: tenure, FTE and leaving day (inf: no notice given)."""
    if scenario.start_state.people:
        return StartingPeople(scenario, pool_index)
    people = StartingPeople(scenario, pool_index)  # empty arrays, filled from the profile
    people.tenure_days = tenure_days(scenario, pool_index, streams)
    people.fte = np.ones(len(people.tenure_days))
    people.leaves_in_days = np.full(len(people.tenure_days), math.inf)
    return people


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
