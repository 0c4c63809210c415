"""Service: requests queue for their skill pool, are worked by staff, complete or are given up.

This is the model's hot loop (one pass per request), so it is written for speed and kept in this
one module: SimPy events with callbacks rather than a process per request (`Call`: a slotted
event put straight on SimPy's queue), request attributes in plain lists indexed by request number,
a heap per pool of waiting requests, and one shared timer for reneging instead of one per request.
The rest of the model is ordinary SimPy processes.

A case's elapsed time is its remaining effort delivered at the share of a person it gets
(productivity times working days per calendar day, over the cases a person carries at once),
following a joiner's ramp-up as it rises, and never less than its remaining minimum elapsed
time. A leaver's unfinished cases go back to the head of the queue with the work still to do.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import NORMAL

from sim.model.demand import Onboarding, RequestBook
from sim.model.state import PoolState, Worker

__all__ = [
    "COMPLETED",
    "DROPPED",
    "IN_SERVICE",
    "NOT_ARRIVED",
    "RENEGED",
    "REQUEUED",
    "WAITING",
    "ServiceDesk",
]

# Request states (ints, for speed).
NOT_ARRIVED, WAITING, IN_SERVICE, REQUEUED, COMPLETED, RENEGED, DROPPED = range(7)
INF = math.inf


class Call:
    """What `simpy.Timeout(env, delay, value)` with one callback is to SimPy's event loop, for
    a fraction of its cost (a request's arrival and end are two of these; cProfile of a baseline
    replication put building and scheduling Timeouts at about a tenth of its time).

    `Environment.step` needs only an event's `callbacks`, `_ok` and `_value`. The entry on the
    queue is the one `Environment.schedule` makes, (time, priority, event id, event), with the
    same event counter, so events run in exactly the order they would as Timeouts.
    """

    __slots__ = ("_ok", "_value", "callbacks")

    def __init__(self, callback: Callable[[Any], None], value: Any) -> None:
        self.callbacks: list[Callable[[Any], None]] | None = [callback]
        self._ok = True
        self._value = value


def call_after(
    env: simpy.Environment, delay: float, callback: Callable[[Any], None], value: Any = None
) -> None:
    """Call `callback(event)` `delay` days from now, as a Timeout's callback would be called."""
    queue: list[Any] = env._queue  # holds Calls beside SimPy's own events
    heapq.heappush(queue, (env._now + delay, NORMAL, next(env._eid), Call(callback, value)))


class ServiceDesk:
    """Routes every request of a replication through its pool's queue and staff."""

    def __init__(
        self,
        env: simpy.Environment,
        book: RequestBook,
        pools: list[PoolState],
        onboarding: Onboarding,
    ) -> None:
        self.env = env
        self.pools = pools
        self.onboarded = onboarding.onboarded
        n = len(book)
        self.n_requests = n
        self.arrival_day: list[float] = book.arrival_day.tolist()
        self.department: list[int] = book.department.tolist()
        self.pool_of: list[int] = book.pool.tolist()
        self.priority: list[int] = book.priority.tolist()
        self.patience: list[float] = book.patience_days.tolist()
        self.effort_left: list[float] = book.effort_person_days.tolist()
        self.min_elapsed_left: list[float] = book.min_elapsed_days.tolist()
        self.state = [NOT_ARRIVED] * n
        self.first_start_day = [math.nan] * n
        self.end_day = [math.nan] * n
        self.segment_start = [0.0] * n
        self.segment_days = [0.0] * n
        self.token = [0] * n
        self.worker_of: list[Worker | None] = [None] * n
        self.deadlines: list[tuple[float, int]] = []
        self.next_sweep_day = INF
        self.next_arrival = 0
        self.handbacks = 0
        self.on_idle: Callable[[Worker, float], None] | None = None

    # --- arrivals ---------------------------------------------------------------------------

    def start(self) -> None:
        """Schedule the first arrival."""
        if self.n_requests:
            self._schedule_arrival(0.0)

    def _schedule_arrival(self, now: float) -> None:
        # Work in hand at the start "arrived" on or before day 0: it is taken on at day 0.
        delay = max(0.0, self.arrival_day[self.next_arrival] - now)
        call_after(self.env, delay, self._arrive)

    def _arrive(self, _event: Call) -> None:
        i = self.next_arrival
        now = self.env.now
        self.next_arrival = i + 1
        if self.next_arrival < self.n_requests:
            self._schedule_arrival(now)
        if not self.onboarded[self.department[i]]:
            self.state[i] = DROPPED
            return
        pool = self.pools[self.pool_of[i]]
        worker = self._free_worker(pool)
        if worker is not None:
            self._begin(i, worker, now)
            return
        self.state[i] = WAITING
        heapq.heappush(pool.waiting, (self.priority[i], self.arrival_day[i], i))
        pool.n_waiting += 1
        patience = self.patience[i]
        if patience != INF:
            self._watch_deadline(now + patience, i)

    # --- service ----------------------------------------------------------------------------

    def _free_worker(self, pool: PoolState) -> Worker | None:
        free = pool.free_slots
        while free:
            worker = free.popleft()
            if worker.accepting:
                return worker
        return None

    def _next_waiting(self, pool: PoolState) -> int:
        heap, state = pool.waiting, self.state
        while heap:
            i = heapq.heappop(heap)[2]
            if state[i] == WAITING or state[i] == REQUEUED:
                pool.n_waiting -= 1
                return i
        return -1

    def _begin(self, i: int, worker: Worker, now: float) -> None:
        self.state[i] = IN_SERVICE
        if self.first_start_day[i] != self.first_start_day[i]:  # NaN: first start
            self.first_start_day[i] = now
        pool = worker.pool
        if now >= worker.full_productivity_day and not worker.is_contractor:
            days = self.effort_left[i] / (pool.experienced_rate * worker.fte)  # the common case
        else:
            days = worker.days_to_deliver(self.effort_left[i], now)
        if days < self.min_elapsed_left[i]:
            days = self.min_elapsed_left[i]
        worker.cases.add(i)
        self.worker_of[i] = worker
        self.segment_start[i] = now
        self.segment_days[i] = days
        token = self.token[i] + 1
        self.token[i] = token
        busy = pool.busy_slots  # TimeWeighted.change(now, +1), inlined: this runs per request
        busy.area += busy.level * (now - busy.last_day)
        busy.last_day = now
        busy.level += 1
        call_after(self.env, days, self._finish, (i, token))

    def _finish(self, event: Call) -> None:
        i, token = event._value
        if self.token[i] != token:
            return  # handed back by a leaver; this completion no longer applies
        now = self.env.now
        worker = self.worker_of[i]
        assert worker is not None
        self.state[i] = COMPLETED
        self.end_day[i] = now
        self.worker_of[i] = None
        worker.cases.discard(i)
        busy = worker.pool.busy_slots  # TimeWeighted.change(now, -1), inlined
        busy.area += busy.level * (now - busy.last_day)
        busy.last_day = now
        busy.level -= 1
        self._slot_freed(worker, now)

    def _slot_freed(self, worker: Worker, now: float) -> None:
        if worker.accepting:
            i = self._next_waiting(worker.pool)
            if i >= 0:
                self._begin(i, worker, now)
            else:
                worker.pool.free_slots.append(worker)
        elif not worker.cases and self.on_idle is not None:
            self.on_idle(worker, now)

    def work_in_hand_person_days(self, pool: PoolState, now: float) -> float:
        """Effort still to do on the pool's cases, waiting or in service, in person-days."""
        state, effort_left = self.state, self.effort_left
        waiting = sum(effort_left[i] for _, _, i in pool.waiting if state[i] in (WAITING, REQUEUED))
        in_service = 0.0
        for worker in pool.workers:
            for i in worker.cases:
                days = self.segment_days[i]
                done = (now - self.segment_start[i]) / days if 0 < days < INF else 0.0
                in_service += effort_left[i] * max(0.0, 1.0 - done)
        return waiting + in_service

    # --- reneging ---------------------------------------------------------------------------

    def _watch_deadline(self, deadline: float, i: int) -> None:
        heapq.heappush(self.deadlines, (deadline, i))
        if deadline < self.next_sweep_day:
            self.next_sweep_day = deadline
            call_after(self.env, deadline - self.env.now, self._sweep, deadline)

    def _sweep(self, event: Call) -> None:
        """Departments whose patience has run out give up (one timer serves all deadlines)."""
        now = self.env.now
        deadlines, state = self.deadlines, self.state
        while deadlines and deadlines[0][0] <= now:
            i = heapq.heappop(deadlines)[1]
            if state[i] == WAITING:
                state[i] = RENEGED
                self.end_day[i] = now
                self.pools[self.pool_of[i]].n_waiting -= 1
        if event._value == self.next_sweep_day:  # the earliest pending timer: set the next one
            self.next_sweep_day = INF
            if deadlines:
                self._watch_deadline(*heapq.heappop(deadlines))

    # --- workers joining and leaving --------------------------------------------------------

    def add_worker(self, worker: Worker, now: float) -> None:
        """A new worker takes waiting cases at once, up to their portfolio size."""
        for _ in range(worker.pool.config.cases_per_person):
            i = self._next_waiting(worker.pool)
            if i >= 0:
                self._begin(i, worker, now)
            else:
                worker.pool.free_slots.append(worker)

    def hand_back(self, worker: Worker, now: float) -> None:
        """A leaver's unfinished cases return to the queue with the work still to do."""
        pool = worker.pool
        for i in sorted(worker.cases):
            days = self.segment_days[i]
            elapsed = now - self.segment_start[i]
            if days > 0 and days != INF:
                self.effort_left[i] *= max(0.0, 1 - elapsed / days)
            self.min_elapsed_left[i] = max(0.0, self.min_elapsed_left[i] - elapsed)
            self.state[i] = REQUEUED
            self.token[i] += 1
            self.worker_of[i] = None
            pool.busy_slots.change(now, -1)
            heapq.heappush(pool.waiting, (self.priority[i], self.arrival_day[i], i))
            pool.n_waiting += 1
            self.handbacks += 1
        worker.cases.clear()
        self.fill_free_slots(pool, now)

    def fill_free_slots(self, pool: PoolState, now: float) -> None:
        """Start waiting cases on any free slots (after capacity or the queue changed)."""
        while True:
            worker = self._free_worker(pool)
            if worker is None:
                return
            i = self._next_waiting(pool)
            if i < 0:
                pool.free_slots.appendleft(worker)
                return
            self._begin(i, worker, now)
