"""Two management responses: raise the recruitment team's capacity; ask for a headcount uplift.

Like pausing onboarding and surging contractors, each acts on what management saw
`policies.detection_lag_days` ago, has a trigger, takes effect after a delay, and has a cost:
extra recruitment capacity costs a stated amount per campaign slot a year (recorded as
`recruitment_capacity_cost_gbp`); an uplift's cost is the salaries of the extra staff it brings,
counted in `staff_cost_gbp` once they are in post.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.bounds import MAX_DAYS, MAX_WEEKS, Frozen

__all__ = ["HeadcountUpliftPolicy", "RaiseRecruitmentCapacityPolicy"]


class RaiseRecruitmentCapacityPolicy(Frozen):
    """Add recruiters when too many vacancies are open, once, after a delay."""

    enabled: bool = Field(default=False, description="Use this policy")
    trigger_above_vacancy_share: float = Field(
        default=0.15,
        gt=0,
        le=1,
        description="Act when vacancies seen exceed this share of all posts (0.15 = 15%)",
    )
    extra_campaigns: int = Field(
        default=20, ge=1, le=100_000, description="Campaigns the team can run at once in addition"
    )
    delay_days: float = Field(
        default=60.0, ge=0, le=MAX_DAYS, description="Days from the decision to the extra capacity"
    )
    cost_gbp_per_campaign_slot_per_year: float = Field(
        default=0.0,
        ge=0,
        le=1e9,
        description="Cost a year of each extra campaign slot (recruiters, agency), in pounds",
    )


class HeadcountUpliftPolicy(Frozen):
    """Ask for more posts in a pool whose backlog stays too high; granted after a delay."""

    enabled: bool = Field(default=False, description="Use this policy")
    trigger_above_backlog_weeks: float = Field(
        default=8.0,
        gt=0,
        le=MAX_WEEKS,
        description="Ask when a pool's backlog seen exceeds this many weeks of its work",
    )
    uplift_share: float = Field(
        default=0.10, gt=0, le=2, description="Extra posts as a share of the pool's establishment"
    )
    delay_days: float = Field(
        default=180.0,
        ge=0,
        le=MAX_DAYS,
        description="Days from asking to the posts being funded (business case, approval)",
    )
    max_uplifts: int = Field(
        default=1, ge=1, le=100, description="Most uplifts a pool can be granted over the run"
    )
