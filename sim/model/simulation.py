"""One replication: wire the mechanisms onto one SimPy environment and run it.

`simulate_raw(scenario, seed_sequence)` is the model: a pure function of a scenario and a seed, with
no I/O. Each month starts with management acting on what it saw `detection_lag_days` ago, then
the workforce review (vacancies) and the contractor review; each month ends with a snapshot.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
import simpy
from simpy.core import URGENT

from sim.model.calendar import Calendar
from sim.model.contractors import Contractors
from sim.model.demand import (
    Onboarding,
    RequestBook,
    draw_requests,
    onboarding,
    with_work_in_hand,
)
from sim.model.monitor import Monitor
from sim.model.policies import Management, backlog_weeks
from sim.model.recruitment import Recruitment
from sim.model.service import ServiceDesk
from sim.model.start_state import starting_people, work_in_hand
from sim.model.state import PoolState
from sim.model.streams import Streams
from sim.model.workforce import Workforce
from sim.scenario.schema import Scenario

__all__ = ["RawRun", "simulate_raw"]


@dataclass
class RawRun:
    """Everything a finished replication leaves behind, before it becomes tables."""

    scenario: Scenario
    calendar: Calendar
    book: RequestBook
    desk: ServiceDesk
    workforce: Workforce
    recruitment: Recruitment
    monitor: Monitor
    onboarding: Onboarding


def simulate_raw(
    scenario: Scenario, seed_sequence: np.random.SeedSequence, until_month: int | None = None
) -> RawRun:
    """Run one replication and return its raw state (see `sim.simulate` for tables).

    With `until_month`, stop at the start of that month (the same replication, cut short): its
    state is then the model's state on that day, for `sim.results.state_snapshot`.
    """
    env = simpy.Environment()
    calendar = Calendar(scenario.run.start_date, scenario.run.horizon_months)
    streams = Streams(seed_sequence)
    book = with_work_in_hand(
        draw_requests(scenario, calendar, streams), work_in_hand(scenario, streams)
    )
    working_day_share = scenario.run.working_days_per_year / 365.25
    pools = [PoolState(i, cfg, working_day_share) for i, cfg in enumerate(scenario.staff_pools)]
    planned = np.array([calendar.day_of(d.onboarding_date) for d in scenario.demand.departments])
    state = Onboarding(planned, [d.transferring for d in scenario.demand.departments])
    desk = ServiceDesk(env, book, pools, state)
    workforce = Workforce(env, pools, desk, streams, calendar)
    recruitment = Recruitment(env, scenario.recruitment, workforce, streams, calendar)
    surge_share = scenario.policies.surge_contractors.surge_share_of_establishment
    contractors = Contractors(env, scenario.contractors, pools, desk, streams, surge_share)
    management = Management(
        env, scenario.policies, pools, state, contractors, recruitment, workforce
    )
    monitor = Monitor(scenario.run.horizon_months, pools, state, contractors, desk)
    # The wiring, in one place: a post falling vacant starts a recruitment campaign, and a
    # worker whose last case ends may be a released contractor who now goes.
    workforce.open_vacancy = recruitment.open_vacancy
    desk.on_idle = contractors.idle
    per_week = scenario.run.working_days_per_year / 52

    def monthly_cycle() -> Generator[simpy.Event, None, None]:
        bounds = calendar.boundaries_days
        for month in range(scenario.run.horizon_months):
            if month > 0:
                yield _urgent_timeout(env, bounds[month] - env.now)
                monitor.snapshot(month - 1, env.now)
            total, per_pool = backlog_weeks(desk, env.now, per_week)
            monitor.latest_backlog_weeks = per_pool
            management.observe(total, per_pool)
            management.act()
            workforce.review(env.now)
            contractors.review(env.now)

    # The start state: staff with their tenure, then vacancies already in flight.
    workforce.start([starting_people(scenario, p.index, streams) for p in pools])
    for vacancies in scenario.start_state.vacancies:
        pool = pools[scenario.pool_names.index(vacancies.pool)]
        for _ in range(vacancies.count):
            recruitment.resume_vacancy(pool, vacancies.stage)
    for vacancy in scenario.start_state.vacancies_in_flight:
        pool = pools[scenario.pool_names.index(vacancy.pool)]
        recruitment.resume_vacancy_after(pool, vacancy.stage, vacancy.days_in_stage)
    env.process(onboarding(env, state))
    env.process(monthly_cycle())
    desk.start()
    if until_month is not None and until_month < scenario.run.horizon_months:
        env.run(until=float(calendar.boundaries_days[until_month]))
    else:
        env.run(until=calendar.horizon_days)
        monitor.snapshot(scenario.run.horizon_months - 1, env.now)
    return RawRun(scenario, calendar, book, desk, workforce, recruitment, monitor, state)


def _urgent_timeout(env: simpy.Environment, delay: float) -> simpy.Event:
    """A timeout processed before every other event due at the same moment.

    The month-end snapshot must see the month as it ended: an event landing exactly on the
    boundary (a joiner starting on the 1st) belongs to the next month, whichever order SimPy
    happened to schedule the two in.
    """
    event = simpy.Event(env)
    event._ok, event._value = True, None
    env.schedule(event, URGENT, delay)
    return event
