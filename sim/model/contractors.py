"""Contractors and interims: a surge source with a lead time, a cap and a day rate.

At each monthly review a pool wants contractors for its vacant posts (when `cover_vacancies` is
on) plus any surge management has ordered, never more than the cap (a share of its
establishment). Extra contractors are ordered and arrive after a lead time; surplus ones are
released, finish the cases they hold and then go. A contractor works at a fixed productivity
with no ramp-up and does not resign.
"""

from __future__ import annotations

import math

import simpy
from simpy.events import Timeout

from sim.model.service import ServiceDesk
from sim.model.state import PoolState, Worker
from sim.model.streams import Streams
from sim.scenario.schema import ContractorSettings

__all__ = ["Contractors"]


class Contractors:
    """Orders and releases contractors for every pool."""

    def __init__(
        self,
        env: simpy.Environment,
        settings: ContractorSettings,
        pools: list[PoolState],
        desk: ServiceDesk,
        streams: Streams,
        surge_share_of_establishment: float,
    ) -> None:
        self.env = env
        self.settings = settings
        self.pools = pools
        self.desk = desk
        self.streams = streams
        self.surge_share = surge_share_of_establishment
        self.surge = [False] * len(pools)

    def wanted(self, pool: PoolState) -> int:
        """Contractors the pool should have now, within the cap."""
        want = 0
        if self.settings.cover_vacancies:
            want += max(0, pool.establishment - pool.staff_staying)
        if self.surge[pool.index]:
            surge = self.surge_share * pool.establishment
            want += math.ceil(surge)
        cap = math.floor(self.settings.cap_share_of_establishment * pool.establishment)
        return min(want, cap)

    def review(self, now: float) -> None:
        """Order or release contractors so each pool has what it wants."""
        for pool in self.pools:
            active = pool.contractors_active()
            change = self.wanted(pool) - len(active) - pool.contractors_on_order
            for _ in range(max(0, change)):
                self._order(pool)
            for worker in active[: max(0, -change)]:
                self._release(worker, now)

    def _order(self, pool: PoolState) -> None:
        pool.contractors_on_order += 1
        lead = self.settings.lead_time_days.draw(self.streams.contractor_lead_time)
        Timeout(self.env, lead).callbacks.append(lambda _e: self._arrive(pool))

    def _arrive(self, pool: PoolState) -> None:
        now = self.env.now
        pool.contractors_on_order -= 1
        worker = Worker(pool, now, is_contractor=True, productivity=self.settings.productivity)
        pool.workers[worker] = None
        pool.contractors[worker] = None
        pool.contractors_in_post.change(now, 1)
        pool.capacity_slots.change(now, pool.config.cases_per_person)
        self.desk.add_worker(worker, now)

    def _release(self, worker: Worker, now: float) -> None:
        worker.accepting = False
        del worker.pool.contractors[worker]
        if not worker.cases:
            self.idle(worker, now)

    def idle(self, worker: Worker, now: float) -> None:
        """A released contractor with no cases left goes (the service desk calls this when a
        worker's last case ends: `desk.on_idle`, connected in `simulate_raw`)."""
        if worker.is_contractor and worker in worker.pool.workers:
            pool = worker.pool
            pool.workers.pop(worker, None)
            pool.contractors_in_post.change(now, -1)
            pool.capacity_slots.change(now, -pool.config.cases_per_person)
