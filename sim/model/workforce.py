"""Workforce: staff joining, ramping up, resigning, serving notice and leaving; the establishment.

Headcount changes over time, so staff are individual `Worker`s in a pool rather than a fixed
SimPy Resource. A joiner's productivity ramps up linearly and, while it does, takes mentoring time
from experienced colleagues. A resignation opens the way for a vacancy at once (the leaver no
longer counts against the establishment) while the leaver works out their notice, taking no new
cases; on leaving, their unfinished cases go back to the queue.

Vacancies arise at the workforce review at the start of each month: the gap between the
establishment (the dated headcount plan) and staff in post who are staying, less vacancies
already open. Posts above establishment are left to natural attrition (no redundancies).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy
from simpy.events import Timeout

from sim.model.attrition import days_until_resignation
from sim.model.calendar import Calendar
from sim.model.service import ServiceDesk
from sim.model.start_state import StartingPeople
from sim.model.state import PoolState, Worker
from sim.model.streams import Streams

__all__ = ["Workforce"]


class Workforce:
    """Staff in post in every pool, and the events that change them."""

    def __init__(
        self,
        env: simpy.Environment,
        pools: list[PoolState],
        desk: ServiceDesk,
        streams: Streams,
        calendar: Calendar,
    ) -> None:
        self.env = env
        self.pools = pools
        self.desk = desk
        self.streams = streams
        self.plans = [
            (
                np.array([calendar.day_of(s.date) for s in p.config.headcount_plan]),
                np.array([s.headcount for s in p.config.headcount_plan], dtype=int),
            )
            for p in pools
        ]
        self.open_vacancy: Callable[[PoolState], None] = lambda pool: None
        self.extra_posts = [0] * len(pools)  # headcount uplifts granted by management
        self.joined: list[list[float]] = [[] for _ in pools]
        self.resigned: list[list[float]] = [[] for _ in pools]
        self.left: list[list[float]] = [[] for _ in pools]

    def start(self, people: list[StartingPeople]) -> None:
        """Put each pool's initial staff in post, with their tenure on day 0 (inf: long-serving),
        their FTE, and their leaving day if they have given notice.

        A recent joiner is still ramping up and still in early tenure; they are not counted as
        joiners of the run. Someone on notice takes no new cases and leaves on their day (they
        resigned before the run, so they are a leaver of the run but not a resignation).
        """
        for pool, starting in zip(self.pools, people, strict=True):
            ramp_weeks = pool.config.ramp_up.weeks_to_full
            for tenure, fte, leaves in zip(
                starting.tenure_days, starting.fte, starting.leaves_in_days, strict=True
            ):
                on_notice = math.isfinite(leaves)
                if not math.isfinite(tenure):
                    worker = Worker(pool, 0.0, fte=float(fte))
                    worker.long_serving = True
                    self._join(worker, early_tenure_left_days=0.0, resigns=not on_notice)
                else:
                    worker = Worker(pool, -float(tenure), ramp_weeks=ramp_weeks, fte=float(fte))
                    early_left = max(0.0, pool.config.early_tenure_days - float(tenure))
                    self._join(worker, early_tenure_left_days=early_left, resigns=not on_notice)
                    if worker.is_ramping(0.0):
                        self._ramp_up_at(worker, worker.full_productivity_day)
                if on_notice:
                    self._serve_notice(worker, float(leaves))

    def establishment_at(self, pool: PoolState, day: float) -> int:
        """Posts funded on `day` (the initial headcount before the plan's first date)."""
        days, headcounts = self.plans[pool.index]
        step = int(np.searchsorted(days, day, side="right")) - 1
        planned = int(headcounts[step]) if step >= 0 else pool.config.initial_headcount
        return planned + self.extra_posts[pool.index]

    def review(self, now: float) -> None:
        """Monthly workforce review: set establishments and open vacancies for the gaps."""
        for pool in self.pools:
            pool.establishment = self.establishment_at(pool, now)
            gap = pool.establishment - pool.staff_staying - pool.vacancies_open
            for _ in range(max(0, gap)):
                pool.vacancies_open += 1
                self.open_vacancy(pool)

    # --- joiners ----------------------------------------------------------------------------

    def hire(self, pool: PoolState) -> None:
        """A successful candidate starts: a new joiner who ramps up."""
        now = self.env.now
        ramp_weeks = pool.config.ramp_up.weeks_to_full
        worker = Worker(pool, now, ramp_weeks=ramp_weeks)
        self.joined[pool.index].append(now)
        self._join(worker, early_tenure_left_days=pool.config.early_tenure_days)
        if ramp_weeks > 0:
            self._ramp_up_at(worker, 7 * ramp_weeks)

    def _ramp_up_at(self, worker: Worker, delay_days: float) -> None:
        pool = worker.pool
        Timeout(self.env, delay_days).callbacks.append(lambda _e: pool.staff_ramped_up(worker))

    def _join(self, worker: Worker, *, early_tenure_left_days: float, resigns: bool = True) -> None:
        now, pool = self.env.now, worker.pool
        pool.workers[worker] = None
        pool.staff_staying += 1
        pool.staff_in_post.change(now, 1)
        pool.fte_in_post.change(now, worker.fte)
        pool.capacity_slots.change(now, pool.config.cases_per_person)
        pool.staff_joined(worker, now)
        if resigns:
            days = days_until_resignation(
                pool.config, self.streams.attrition, early_tenure_left_days=early_tenure_left_days
            )
            if days != math.inf:
                Timeout(self.env, days).callbacks.append(lambda _e: self._resign(worker))
        self.desk.add_worker(worker, now)

    # --- leavers ----------------------------------------------------------------------------

    def _resign(self, worker: Worker) -> None:
        now, pool = self.env.now, worker.pool
        worker.accepting = False
        pool.staff_staying -= 1
        self.resigned[pool.index].append(now)
        pool.staff_resigned(worker)
        notice = pool.config.leaver_notice_days.draw(self.streams.leaver_notice)
        worker.leave_day = now + notice
        Timeout(self.env, notice).callbacks.append(lambda _e: self._leave(worker))

    def _serve_notice(self, worker: Worker, leaves_in_days: float) -> None:
        """Someone who resigned before the start: no new cases, and gone on their day."""
        pool = worker.pool
        worker.accepting = False
        worker.leave_day = self.env.now + leaves_in_days
        pool.staff_staying -= 1
        pool.staff_resigned(worker)
        Timeout(self.env, leaves_in_days).callbacks.append(lambda _e: self._leave(worker))

    def _leave(self, worker: Worker) -> None:
        now, pool = self.env.now, worker.pool
        self.desk.hand_back(worker, now)
        pool.workers.pop(worker, None)
        pool.staff_in_post.change(now, -1)
        pool.fte_in_post.change(now, -worker.fte)
        pool.capacity_slots.change(now, -pool.config.cases_per_person)
        self.left[pool.index].append(now)
