"""The scenario's capacity: staff pools (establishment plan, attrition, ramp-up, pay), the
recruitment pipeline (approval, advert, sift and interview, offer, vetting, notice) and
contractors. Part of the schema (`sim.scenario.schema` re-exports every class)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Self

from pydantic import Field, model_validator

from sim.errors import FieldProblem
from sim.scenario.bounds import (
    MAX_HEADCOUNT,
    MAX_ITEMS,
    MAX_NAME_CHARS,
    Days,
    Frozen,
    Headcount,
    Name,
    PositiveCount,
    Pounds,
    Share,
)
from sim.scenario.distributions import Distribution, Fixed

__all__ = [
    "ContractorSettings",
    "HeadcountStep",
    "HiringFreeze",
    "RampUp",
    "RecruitmentSettings",
    "StaffPool",
    "VettingLevel",
    "VettingStress",
]


class HeadcountStep(Frozen):
    """From this date the establishment (posts funded) is this headcount."""

    date: dt.date = Field(description="Date from which this establishment applies")
    headcount: Headcount = Field(description="Posts funded from that date")


class RampUp(Frozen):
    """New joiners' productivity rises linearly from a starting share to full."""

    start_productivity: float = Field(
        default=1.0, gt=0, le=1, description="Productivity on day one (more than 0)"
    )
    weeks_to_full: float = Field(default=0.0, ge=0, le=260, description="Weeks to reach full")
    mentoring_share_per_joiner: Share = Field(
        default=0.0,
        description="Share of one experienced person's time each ramping joiner takes",
    )


class StaffPool(Frozen):
    """Staff of one skill (and grade, for cost)."""

    name: Name = Field(description="Staff pool (skill) name")
    initial_headcount: Headcount = Field(description="Staff in post at the start")
    headcount_plan: list[HeadcountStep] = Field(
        default=[],
        max_length=MAX_ITEMS,
        description="Dated establishment; before its first date, the initial headcount",
    )
    attrition_rate_per_year: float = Field(
        default=0.0, ge=0, le=2, description="Share of staff who resign in a year"
    )
    early_tenure_attrition_multiplier: float = Field(
        default=1.0, ge=0, le=10, description="Multiplier on attrition in the first year"
    )
    early_tenure_days: Days = Field(
        default=365.0,
        description="Days of tenure during which the early multiplier applies",
    )
    leaver_notice_days: Distribution = Field(
        default=Fixed(value=0), description="Days a leaver works between resigning and leaving"
    )
    non_productive_share: float = Field(
        default=0.0, ge=0, le=0.95, description="Share of time lost to absence, training, overhead"
    )
    cases_per_person: PositiveCount = Field(default=1, le=50, description="Cases carried at once")
    salary_gbp_per_year: Pounds = Field(default=0.0, description="Average salary, pounds")
    on_cost_share: float = Field(default=0.0, ge=0, le=2, description="Pension, NI etc.")
    ramp_up: RampUp = Field(default=RampUp(), description="How new joiners reach full productivity")
    vetting_level: str | None = Field(
        default=None,
        max_length=MAX_NAME_CHARS,
        description="Name of a vetting level in recruitment.vetting_levels",
    )
    joiner_notice_days: Distribution = Field(
        default=Fixed(value=0), description="Notice a new hire serves to their old employer"
    )
    campaign_failure_rate: Share | None = Field(
        default=None,
        description="This pool's share of campaigns with no appointable candidate at market pay; "
        "empty to use the recruitment setting",
    )
    offer_acceptance: Share | None = Field(
        default=None,
        description="This pool's share of offers accepted at market pay; empty to use the "
        "recruitment setting",
    )
    pay_competitiveness: float = Field(
        default=1.0,
        gt=0,
        le=5,
        description="Pay offered relative to the market for this pool's skills (1.0 = market)",
    )

    @model_validator(mode="after")
    def _plan_in_date_order(self) -> StaffPool:
        dates = [step.date for step in self.headcount_plan]
        for i in range(1, len(dates)):
            if dates[i] <= dates[i - 1]:
                raise FieldProblem(
                    f"headcount_plan.{i}.date",
                    f"not after the step before ({dates[i - 1]}); "
                    "headcount_plan dates must be distinct and in order",
                )
        return self


class _Period(Frozen):
    """A period from `start` until `end` (each subclass declares and describes the two dates),
    which must end after it starts."""

    if TYPE_CHECKING:  # declared by the subclasses, where they stand among their other fields
        start: dt.date
        end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise FieldProblem("end", f"must be after start ({self.start})")
        return self


class HiringFreeze(_Period):
    """No vacancy is approved from `start` until `end`."""

    start: dt.date = Field(description="First day of the freeze")
    end: dt.date = Field(description="Day the freeze lifts")


class VettingLevel(Frozen):
    """Pre-employment or security vetting: a delay, and candidates who withdraw during it."""

    duration_days: Distribution = Field(description="Days the checks take")
    withdrawal_rate: Share = Field(default=0.0, description="Share of candidates who withdraw")


class VettingStress(_Period):
    """From `start` until `end`, checks of one vetting level take `duration_days` instead."""

    level: Name = Field(description="Name of a vetting level in recruitment.vetting_levels")
    start: dt.date = Field(description="First day of the stress period")
    end: dt.date = Field(description="Day it ends")
    duration_days: Distribution = Field(description="Days the checks take during the period")


class RecruitmentSettings(Frozen):
    """The recruitment pipeline: approval, advert, sift and interview, offer, vetting, notice."""

    max_concurrent_campaigns: PositiveCount = Field(
        default=1000, le=MAX_HEADCOUNT, description="Campaigns the recruitment team can run at once"
    )
    approval_days: Distribution = Field(
        default=Fixed(value=0), description="Days to approve a vacancy (spending controls)"
    )
    approval_refusal_rate: Share = Field(
        default=0.0, description="Share of vacancies refused (asked again at the next review)"
    )
    hiring_freezes: list[HiringFreeze] = Field(
        default=[],
        max_length=MAX_ITEMS,
        description="Dated periods in which no vacancy is approved",
    )
    advert_days: Distribution = Field(
        default=Fixed(value=0), description="Days a post is advertised"
    )
    sift_interview_days: Distribution = Field(
        default=Fixed(value=0), description="Days from the advert closing to a decision"
    )
    campaign_failure_rate: Share = Field(
        default=0.0, description="Share of campaigns with no appointable candidate (re-advertised)"
    )
    offer_days: Distribution = Field(
        default=Fixed(value=0), description="Days from an offer to its acceptance or refusal"
    )
    offer_acceptance: Share = Field(
        default=1.0, description="Share of offers accepted (declines are re-advertised)"
    )
    vetting_levels: dict[Name, VettingLevel] = Field(
        default={}, max_length=MAX_ITEMS, description="Vetting levels by name (e.g. bpss, sc, dv)"
    )
    vetting_stress_periods: list[VettingStress] = Field(
        default=[],
        max_length=MAX_ITEMS,
        description="Dated periods in which a vetting level takes longer (a vetting backlog)",
    )
    pay_odds_elasticity: float = Field(
        default=0.0,
        ge=0,
        le=20,
        description="How pay moves recruitment: the odds of an offer being accepted, and of a "
        "campaign finding an appointable candidate, are multiplied by a pool's pay "
        "competitiveness to this power (0: pay has no effect)",
    )


class ContractorSettings(Frozen):
    """Interims and contractors: a surge source with a lead time, a cap and a day rate."""

    cover_vacancies: bool = Field(
        default=False, description="Hire contractors into posts while they are vacant"
    )
    lead_time_days: Distribution = Field(
        default=Fixed(value=21), description="Days from ordering a contractor to their first day"
    )
    cap_share_of_establishment: Share = Field(
        default=0.10, description="Most contractors as a share of each pool's establishment"
    )
    day_rate_gbp: Pounds = Field(
        default=0.0,
        description="Cost of one contractor per working day, in pounds",
    )
    productivity: float = Field(default=0.8, gt=0, le=1, description="Output relative to staff")
