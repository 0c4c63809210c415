"""Management policies: rules that act when the backlog crosses a threshold, seen late.

Management reviews monthly but sees the backlog as it was `detection_lag_days` earlier (the
Public Accounts Committee heard the response came 3 to 6 months too slowly: S3 in
docs/calibration.md). The measure is the backlog in weeks of work: the effort of waiting requests
over what the pool's effective staff deliver in a week (the onboarding pause watches all pools
together, or the worst pool). Each rule has a threshold to act and a lower
one to stand down, so it does not flap.
"""

from __future__ import annotations

import bisect

import simpy

from sim.model.contractors import Contractors
from sim.model.demand import Onboarding
from sim.model.state import PoolState
from sim.scenario.schema import Policies

__all__ = ["Management", "backlog_weeks"]

from sim.model.service import REQUEUED, WAITING, ServiceDesk


def backlog_weeks(desk: ServiceDesk, now: float, per_week: float) -> tuple[float, list[float]]:
    """Backlog in weeks of work for each pool and for all pools together.

    `per_week` is working days in a week: effective FTE times it is a pool's weekly output.
    """
    per_pool = []
    total_effort = total_capacity = 0.0
    state, effort_left = desk.state, desk.effort_left
    for pool in desk.pools:
        effort = sum(effort_left[i] for _, _, i in pool.waiting if state[i] in (WAITING, REQUEUED))
        capacity = pool.effective_fte(now) * per_week
        per_pool.append(effort / capacity if capacity > 0 else (0.0 if effort == 0 else 1e9))
        total_effort += effort
        total_capacity += capacity
    if total_capacity > 0:
        total = total_effort / total_capacity
    else:
        total = 0.0 if total_effort == 0 else 1e9
    return total, per_pool


class Management:
    """Applies the scenario's policies at each monthly review."""

    def __init__(
        self,
        env: simpy.Environment,
        policies: Policies,
        pools: list[PoolState],
        onboarding: Onboarding,
        contractors: Contractors,
    ) -> None:
        self.env = env
        self.policies = policies
        self.pools = pools
        self.onboarding = onboarding
        self.contractors = contractors
        self.seen_days: list[float] = []
        self.seen: list[tuple[float, list[float]]] = []

    def observe(self, total: float, per_pool: list[float]) -> None:
        """Record this month's backlog measures, to be seen after the detection lag."""
        self.seen_days.append(self.env.now)
        self.seen.append((total, per_pool))

    def act(self) -> None:
        """Pause or resume onboarding and surge or release contractors on lagged measures."""
        k = bisect.bisect_right(self.seen_days, self.env.now - self.policies.detection_lag_days)
        if k == 0:
            return  # nothing old enough to have been noticed yet
        total, per_pool = self.seen[k - 1]
        pause = self.policies.pause_onboarding
        if pause.enabled:
            seen = max(per_pool) if pause.signal == "worst_pool" and per_pool else total
            if seen > pause.pause_above_backlog_weeks:
                self.onboarding.pause(self.env)
            elif seen < pause.resume_below_backlog_weeks:
                self.onboarding.resume(self.env)
        surge = self.policies.surge_contractors
        if surge.enabled:
            for pool in self.pools:
                weeks = per_pool[pool.index]
                if weeks > surge.surge_above_backlog_weeks:
                    self.contractors.surge[pool.index] = True
                elif weeks < surge.release_below_backlog_weeks:
                    self.contractors.surge[pool.index] = False
