"""The management responses of a scenario (`policies`): pause onboarding, surge contractors,
raise the recruitment team's capacity, ask for a headcount uplift.

Each acts on what management saw `policies.detection_lag_days` ago and has a trigger. Pausing
and surging let go again below a lower level (hysteresis, so they do not flap); raising capacity
and an uplift take effect after a delay, and have a cost: extra recruitment capacity costs a
stated amount per campaign slot a year (recorded as `recruitment_capacity_cost_gbp`); an uplift's
cost is the salaries of the extra staff it brings, counted in `staff_cost_gbp` once they are in
post. Part of the schema (`sim.scenario.schema` re-exports every class).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Self

from pydantic import Field, model_validator

from sim.errors import FieldProblem
from sim.scenario.bounds import MAX_WEEKS, Days, Frozen, Share, Weeks

__all__ = [
    "HeadcountUpliftPolicy",
    "PauseOnboardingPolicy",
    "Policies",
    "RaiseRecruitmentCapacityPolicy",
    "SurgeContractorsPolicy",
]


BacklogTrigger = Annotated[float, Field(gt=0, le=MAX_WEEKS)]
"""A level of work in hand, in weeks, above which a policy acts: more than 0."""


class _Policy(Frozen):
    """A management response: off unless enabled."""

    enabled: bool = Field(default=False, description="Use this policy")


class RaiseRecruitmentCapacityPolicy(_Policy):
    """Add recruiters when too many vacancies are open, once, after a delay."""

    trigger_above_vacancy_share: float = Field(
        default=0.15,
        gt=0,
        le=1,
        description="Act when vacancies seen exceed this share of all posts (0.15 = 15%)",
    )
    extra_campaigns: int = Field(
        default=20, ge=1, le=100_000, description="Campaigns the team can run at once in addition"
    )
    delay_days: Days = Field(
        default=60.0, description="Days from the decision to the extra capacity"
    )
    cost_gbp_per_campaign_slot_per_year: float = Field(
        default=0.0,
        ge=0,
        le=1e9,
        description="Cost a year of each extra campaign slot (recruiters, agency), in pounds",
    )


class HeadcountUpliftPolicy(_Policy):
    """Ask for more posts in a pool whose backlog stays too high; granted after a delay."""

    trigger_above_backlog_weeks: BacklogTrigger = Field(
        default=8.0,
        description="Ask when a pool's backlog seen exceeds this many weeks of its work",
    )
    uplift_share: float = Field(
        default=0.10, gt=0, le=2, description="Extra posts as a share of the pool's establishment"
    )
    delay_days: Days = Field(
        default=180.0,
        description="Days from asking to the posts being funded (business case, approval)",
    )
    max_uplifts: int = Field(
        default=1, ge=1, le=100, description="Most uplifts a pool can be granted over the run"
    )


class _HysteresisPolicy(_Policy):
    """A policy that acts above one level (`act_field`) and lets go again below another
    (`release_field`), which must not be higher, or it would flap."""

    act_field: ClassVar[str]
    release_field: ClassVar[str]

    @model_validator(mode="after")
    def _hysteresis(self) -> Self:
        act_at = getattr(self, self.act_field)
        if getattr(self, self.release_field) > act_at:
            raise FieldProblem(self.release_field, f"must not exceed {self.act_field} ({act_at:g})")
        return self


class PauseOnboardingPolicy(_HysteresisPolicy):
    """Defer further departments while the backlog is too high; the plan slips by the pause."""

    act_field: ClassVar[str] = "pause_above_backlog_weeks"
    release_field: ClassVar[str] = "resume_below_backlog_weeks"

    pause_above_backlog_weeks: BacklogTrigger = Field(
        default=8.0,
        description="Pause when the backlog seen exceeds this many weeks of work",
    )
    resume_below_backlog_weeks: Weeks = Field(
        default=4.0,
        description="Resume when the backlog seen falls below this many weeks",
    )
    signal: Literal["all_pools", "worst_pool"] = Field(
        default="all_pools",
        description="Backlog watched: all pools added together, or the worst pool's own (a "
        "department's move needs every skill it uses)",
    )


class SurgeContractorsPolicy(_HysteresisPolicy):
    """Bring in contractors while the backlog is too high, up to the contractor cap."""

    act_field: ClassVar[str] = "surge_above_backlog_weeks"
    release_field: ClassVar[str] = "release_below_backlog_weeks"

    surge_above_backlog_weeks: BacklogTrigger = Field(
        default=8.0,
        description="Surge when a pool's backlog seen exceeds this many weeks",
    )
    release_below_backlog_weeks: Weeks = Field(
        default=4.0,
        description="Release when it falls below this many weeks of work",
    )
    surge_share_of_establishment: Share = Field(
        default=0.10, description="Extra contractors as a share of the pool's establishment"
    )


class Policies(Frozen):
    """Management responses, acting on what managers saw `detection_lag_days` ago."""

    detection_lag_days: Days = Field(
        default=180.0, description="How late management sees the backlog"
    )
    pause_onboarding: PauseOnboardingPolicy = Field(
        default=PauseOnboardingPolicy(), description="Defer departments while the backlog is high"
    )
    surge_contractors: SurgeContractorsPolicy = Field(
        default=SurgeContractorsPolicy(), description="Bring in contractors while it is high"
    )
    raise_recruitment_capacity: RaiseRecruitmentCapacityPolicy = Field(
        default=RaiseRecruitmentCapacityPolicy(),
        description="Add recruiters when too many vacancies are open",
    )
    headcount_uplift: HeadcountUpliftPolicy = Field(
        default=HeadcountUpliftPolicy(),
        description="Ask for more posts where a pool's backlog stays high",
    )
