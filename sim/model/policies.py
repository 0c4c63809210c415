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
import math
from collections.abc import Callable

import simpy
from simpy.events import Timeout

from sim.model.contractors import Contractors
from sim.model.demand import Onboarding
from sim.model.recruitment import Recruitment
from sim.model.state import PoolState
from sim.model.workforce import Workforce
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
        recruitment: Recruitment,
        workforce: Workforce,
    ) -> None:
        self.env = env
        self.policies = policies
        self.pools = pools
        self.onboarding = onboarding
        self.contractors = contractors
        self.recruitment = recruitment
        self.workforce = workforce
        self.seen_days: list[float] = []
        self.seen: list[tuple[float, list[float], float]] = []
        self.capacity_raised = False
        self.uplifts = [0] * len(pools)
        self.uplift_pending = [False] * len(pools)

    def observe(self, total: float, per_pool: list[float]) -> None:
        """Record this month's backlog and vacancy measures, to be seen after the lag."""
        posts = sum(p.establishment for p in self.pools)
        vacancy_share = sum(p.vacancies_open for p in self.pools) / posts if posts else 0.0
        self.seen_days.append(self.env.now)
        self.seen.append((total, per_pool, vacancy_share))

    def act(self) -> None:
        """Pause or resume onboarding and surge or release contractors on lagged measures."""
        k = bisect.bisect_right(self.seen_days, self.env.now - self.policies.detection_lag_days)
        if k == 0:
            return  # nothing old enough to have been noticed yet
        total, per_pool, vacancy_share = self.seen[k - 1]
        self._raise_recruitment_capacity(vacancy_share)
        self._ask_for_uplifts(per_pool)
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

    def _raise_recruitment_capacity(self, vacancy_share: float) -> None:
        """Once, when vacancies seen are too many: more recruiters, after a delay."""
        policy = self.policies.raise_recruitment_capacity
        if not policy.enabled or self.capacity_raised:
            return
        if vacancy_share > policy.trigger_above_vacancy_share:
            self.capacity_raised = True
            Timeout(self.env, policy.delay_days).callbacks.append(
                lambda _e: self.recruitment.add_campaign_slots(
                    policy.extra_campaigns, policy.cost_gbp_per_campaign_slot_per_year
                )
            )

    def _ask_for_uplifts(self, per_pool: list[float]) -> None:
        """Ask for more posts in each pool whose backlog seen is too high (one request at once)."""
        policy = self.policies.headcount_uplift
        if not policy.enabled:
            return
        for pool in self.pools:
            i = pool.index
            if self.uplift_pending[i] or self.uplifts[i] >= policy.max_uplifts:
                continue
            if per_pool[i] > policy.trigger_above_backlog_weeks:
                self.uplifts[i] += 1
                self.uplift_pending[i] = True
                posts = math.ceil(policy.uplift_share * pool.establishment)
                Timeout(self.env, policy.delay_days).callbacks.append(self._granter(i, posts))

    def _granter(self, pool_index: int, posts: int) -> Callable[[simpy.Event], None]:
        """The callback that funds `posts` more posts in the pool when the delay is over."""

        def grant(_event: simpy.Event) -> None:
            self.uplift_pending[pool_index] = False
            self.workforce.extra_posts[pool_index] += posts

        return grant
