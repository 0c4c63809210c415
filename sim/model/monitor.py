"""Month-end snapshots of the stocks (backlog, staff, pipeline, ...) into preallocated arrays.

Flows (arrivals, completions, joiners, ...) are not counted here: they are derived after the run
from each request's recorded times and the workforce's event days, which keeps the hot loop free
of bookkeeping.
"""

from __future__ import annotations

import numpy as np

from sim.model.contractors import Contractors
from sim.model.demand import Onboarding
from sim.model.service import ServiceDesk
from sim.model.state import PIPELINE_STAGES, PoolState

__all__ = ["POOL_STOCKS", "Monitor"]

POOL_STOCKS: tuple[str, ...] = (
    "backlog",
    "work_in_progress",
    "headcount_in_post",
    "contractors",
    "effective_fte",
    "establishment",
    "vacancies",
    *(f"pipeline_{stage}" for stage in PIPELINE_STAGES),
    "busy_slot_days_to_date",
    "capacity_slot_days_to_date",
    "staff_days_to_date",
    "contractor_days_to_date",
    "contractor_surge",
    "backlog_weeks",
    "work_in_hand_person_days",
    "fte_in_post",
    "fte_days_to_date",
)


class Monitor:
    """Stocks at the end of each month, per pool (months x pools arrays)."""

    def __init__(
        self,
        months: int,
        pools: list[PoolState],
        onboarding: Onboarding,
        contractors: Contractors,
        desk: ServiceDesk,
    ) -> None:
        self.pools = pools
        self.desk = desk
        self.onboarding = onboarding
        self.contractors = contractors
        self.by_pool = {name: np.zeros((months, len(pools))) for name in POOL_STOCKS}
        self.departments_onboarded = np.zeros(months, dtype=np.int64)
        self.onboarding_paused = np.zeros(months, dtype=bool)
        self.latest_backlog_weeks = [0.0] * len(pools)

    def snapshot(self, month: int, now: float) -> None:
        """Record every stock as it stands at the end of `month` (time `now`)."""
        row = {name: values[month] for name, values in self.by_pool.items()}
        for p, pool in enumerate(self.pools):
            row["backlog"][p] = pool.n_waiting
            row["work_in_progress"][p] = pool.busy_slots.level
            row["headcount_in_post"][p] = pool.staff_in_post.level
            row["contractors"][p] = pool.contractors_in_post.level
            row["effective_fte"][p] = pool.effective_fte(now)
            row["establishment"][p] = pool.establishment
            row["vacancies"][p] = pool.vacancies_open
            for stage, count in pool.pipeline.items():
                row[f"pipeline_{stage}"][p] = count
            row["busy_slot_days_to_date"][p] = pool.busy_slots.area_at(now)
            row["capacity_slot_days_to_date"][p] = pool.capacity_slots.area_at(now)
            row["staff_days_to_date"][p] = pool.staff_in_post.area_at(now)
            row["contractor_days_to_date"][p] = pool.contractors_in_post.area_at(now)
            row["contractor_surge"][p] = self.contractors.surge[p]
            row["backlog_weeks"][p] = self.latest_backlog_weeks[p]
            row["work_in_hand_person_days"][p] = self.desk.work_in_hand_person_days(pool, now)
            row["fte_in_post"][p] = pool.fte_in_post.level
            row["fte_days_to_date"][p] = pool.fte_in_post.area_at(now)
        onboarding = self.onboarding
        moved = zip(onboarding.onboarded, onboarding.transferring, strict=True)
        self.departments_onboarded[month] = sum(on for on, moves in moved if moves)
        self.onboarding_paused[month] = self.onboarding.paused
