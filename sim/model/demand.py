"""Demand: departments' service requests, and departments moving to CCS in waves.

Arrivals are a non-homogeneous Poisson process per department and request type, with a rate
that is constant within each month (seasonality and growth change monthly). For such a rate the
process is exactly: a Poisson count per month, placed uniformly in the month. All candidate
arrivals of a replication are drawn up front in numpy blocks, from the department's planned
onboarding date on; at run time an arrival from a department not yet onboarded (because a
management pause deferred it) is dropped. Drawing everything up front from its own streams keeps
arrivals, efforts and values identical whatever the workforce side of a scenario does.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.model.calendar import AVERAGE_MONTH_DAYS, DAYS_PER_YEAR, Calendar
from sim.model.streams import Streams
from sim.scenario.schema import Scenario

__all__ = ["Onboarding", "RequestBook", "draw_requests", "onboarding"]


@dataclass(frozen=True)
class RequestBook:
    """Every candidate request of a replication, in arrival order (one array entry each)."""

    arrival_day: np.ndarray
    department: np.ndarray
    request_type: np.ndarray
    pool: np.ndarray
    priority: np.ndarray
    effort_person_days: np.ndarray
    min_elapsed_days: np.ndarray
    sla_target_days: np.ndarray
    patience_days: np.ndarray
    savings_gbp: np.ndarray
    demand_multiplier: float
    pre_start: np.ndarray  # True for work in hand at the start (not an arrival of the run)

    def __len__(self) -> int:
        return len(self.arrival_day)


def monthly_rates(scenario: Scenario, calendar: Calendar, multiplier: float) -> np.ndarray:
    """Expected requests per (department, request type, month), before onboarding.

    The uncertain multiplier scales only the transferring departments: CCS's existing business
    is known. Each request type follows its own seasonality, or the demand-wide one.
    """
    demand = scenario.demand
    weights = np.array([d.demand_weight for d in demand.departments])
    scale = np.array([multiplier if d.transferring else 1.0 for d in demand.departments])
    growth = np.array([d.growth_per_year for d in demand.departments])
    base = np.array([t.arrivals_per_month for t in demand.request_types])
    bounds = calendar.boundaries_days
    mid_year = (bounds[:-1] + bounds[1:]) / 2 / DAYS_PER_YEAR
    profiles = np.array(
        [t.seasonality_by_month or demand.seasonality_by_month for t in demand.request_types]
    )
    season = profiles[:, calendar.calendar_month_index]  # (types, months)
    month_length = np.diff(bounds) / AVERAGE_MONTH_DAYS
    growth_factor = (1 + growth[:, None]) ** mid_year[None, :]  # (departments, months)
    per_type = base[:, None] * season * month_length[None, :]  # (types, months)
    per_dept = (weights * scale)[:, None] * growth_factor  # (departments, months)
    return per_dept[:, None, :] * per_type[None, :, :]


def draw_requests(scenario: Scenario, calendar: Calendar, streams: Streams) -> RequestBook:
    """Draw all candidate requests of one replication."""
    demand = scenario.demand
    multiplier = float(demand.multiplier.sample(streams.demand_multiplier, 1)[0])
    rates = monthly_rates(scenario, calendar, multiplier)
    bounds = calendar.boundaries_days
    onboard = np.array([calendar.day_of(d.onboarding_date) for d in demand.departments])
    # Only the part of each month from the department's planned onboarding on.
    low = np.maximum(bounds[None, :-1], onboard[:, None])  # (departments, months)
    high = bounds[None, 1:]
    share = np.clip((high - low) / (high - bounds[None, :-1]), 0, 1)
    counts = streams.arrivals.poisson(rates * share[:, None, :])
    dept, rtype, month = (np.repeat(ix.ravel(), counts.ravel()) for ix in np.indices(counts.shape))
    start, stop = low[dept, month], high[0, month]
    days = start + streams.arrivals.random(len(dept)) * (stop - start)
    more = _transferred_work(scenario, calendar, streams, rates, onboard)
    days = np.concatenate([days, more[0]])
    dept, rtype = np.concatenate([dept, more[1]]), np.concatenate([rtype, more[2]])
    order = np.argsort(days, kind="stable")
    days, dept, rtype = days[order], dept[order], rtype[order]
    return _attach_request_attributes(scenario, streams, days, dept, rtype, multiplier)


def _transferred_work(
    scenario: Scenario,
    calendar: Calendar,
    streams: Streams,
    rates: np.ndarray,
    onboard: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Work a transferring department hands over when it moves: its procurements in flight.

    `transferred_work_months` of the department's average monthly demand (its rate over the
    run's first year, without seasonality) arrives over the `transferred_work_spread_days` after
    its planned move, from its own stream so that the other arrivals are unchanged.
    """
    demand = scenario.demand
    empty = (np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    months = demand.transferred_work_months
    if months <= 0:
        return empty
    moves = np.array([d.transferring for d in demand.departments], dtype=bool)
    in_run = (onboard >= 0) & (onboard < calendar.horizon_days) & moves
    first_year = rates[:, :, : min(12, rates.shape[2])]
    season = np.array(
        [t.seasonality_by_month or demand.seasonality_by_month for t in demand.request_types]
    )[:, calendar.calendar_month_index[: first_year.shape[2]]]
    per_month = (first_year / np.where(season > 0, season, 1.0)[None, :, :]).mean(axis=2)
    rng = streams.transferred_work
    counts = rng.poisson(per_month * months * in_run[:, None])
    dept, rtype = (np.repeat(ix.ravel(), counts.ravel()) for ix in np.indices(counts.shape))
    spread = demand.transferred_work_spread_days
    days = np.minimum(
        onboard[dept] + rng.random(len(dept)) * spread, np.nextafter(calendar.horizon_days, 0)
    )
    return days, dept.astype(np.int64), rtype.astype(np.int64)


def attach_request_attributes(
    scenario: Scenario,
    streams: Streams | object,
    days: np.ndarray,
    dept: np.ndarray,
    rtype: np.ndarray,
) -> RequestBook:
    """A book of given requests with every attribute drawn from `streams`' effort, patience and
    contract-value generators (the start's work in hand passes its own)."""
    return _attach_request_attributes(scenario, streams, days, dept, rtype, 1.0)  # type: ignore[arg-type]


def _attach_request_attributes(
    scenario: Scenario,
    streams: Streams,
    days: np.ndarray,
    dept: np.ndarray,
    rtype: np.ndarray,
    multiplier: float,
) -> RequestBook:
    types = scenario.demand.request_types
    pool_index = {name: i for i, name in enumerate(scenario.pool_names)}
    n = len(days)
    effort, patience, value = np.empty(n), np.full(n, np.inf), np.empty(n)
    for k, rt in enumerate(types):
        mask = rtype == k
        size = int(mask.sum())
        effort[mask] = rt.effort_person_days.sample(streams.effort, size)
        patience_dist = rt.patience_days or scenario.demand.patience_days
        if patience_dist is not None:
            patience[mask] = patience_dist.sample(streams.patience, size)
        value[mask] = rt.contract_value_gbp.sample(streams.contract_value, size)

    def per_type(values: list[float]) -> np.ndarray:
        return np.asarray(values)[rtype]

    return RequestBook(
        arrival_day=days,
        department=dept,
        request_type=rtype,
        pool=per_type([pool_index[t.skill_pool] for t in types]).astype(np.int64),
        priority=per_type([t.priority for t in types]).astype(np.int64),
        effort_person_days=effort,
        min_elapsed_days=per_type([t.min_elapsed_days for t in types]).astype(float),
        sla_target_days=per_type([t.sla_target_days for t in types]).astype(float),
        patience_days=patience,
        savings_gbp=value * per_type([t.savings_rate for t in types]),
        demand_multiplier=multiplier,
        pre_start=np.zeros(n, dtype=bool),
    )


def with_work_in_hand(book: RequestBook, in_hand: RequestBook) -> RequestBook:
    """The book with the start's work in hand in front, in the order it is taken on."""
    if len(in_hand) == 0:
        return book
    # Kept in the order given: work in hand is all taken on at the start, in that order (its
    # arrival days are on or before day 0, the run's arrivals on or after it).
    columns = {
        name: np.concatenate([getattr(in_hand, name), getattr(book, name)])
        for name in book.__dataclass_fields__
        if name != "demand_multiplier"
    }
    return RequestBook(**columns, demand_multiplier=book.demand_multiplier)


@dataclass
class Onboarding:
    """Which departments have moved to CCS, and whether management has paused further moves."""

    planned_day: np.ndarray
    transferring: list[bool]  # departments counted against the plan (not the existing business)
    onboarded: list[bool] = field(init=False)
    onboarded_day: np.ndarray = field(init=False)
    paused: bool = False
    slip_days: float = 0.0
    paused_since: float = 0.0
    resumed: simpy.Event | None = None

    def __post_init__(self) -> None:
        self.onboarded = [False] * len(self.planned_day)
        self.onboarded_day = np.full(len(self.planned_day), np.nan)

    def pause(self, env: simpy.Environment) -> None:
        """Stop further departments moving until `resume`."""
        if not self.paused:
            self.paused, self.paused_since, self.resumed = True, env.now, env.event()

    def resume(self, env: simpy.Environment) -> None:
        """Let departments move again; every later move slips by the length of the pause."""
        if self.paused and self.resumed is not None:
            self.slip_days += env.now - self.paused_since
            self.paused = False
            self.resumed.succeed()


def onboarding(env: simpy.Environment, state: Onboarding) -> Generator[simpy.Event, None, None]:
    """Move each department to CCS on its planned day plus any slip, never while paused."""
    for dept in np.argsort(state.planned_day, kind="stable"):
        while True:
            due = state.planned_day[dept] + state.slip_days
            if env.now < due:
                yield env.timeout(due - env.now)
            elif state.paused and state.resumed is not None:
                yield state.resumed
            else:
                break
        state.onboarded[dept] = True
        state.onboarded_day[dept] = env.now
