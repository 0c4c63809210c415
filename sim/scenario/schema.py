"""The scenario: every parameter of the model, typed, validated and frozen.

One `Scenario` object is the single source of truth. YAML files (`load_scenario`), the app's
widgets and the command line's `--set` overrides all become one, and it writes itself back to YAML
(`scenario_to_yaml`) and exports a JSON Schema (`scenario_json_schema`). Units are in field names:
days, months, per year, GBP.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sim.errors import FieldProblem
from sim.scenario.bounds import (
    MAX_DAYS,
    MAX_EXPECTED_REQUESTS,
    MAX_GBP,
    MAX_HEADCOUNT,
    MAX_ITEMS,
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    MAX_WEEKS,
    Frozen,
    Name,
    Share,
)
from sim.scenario.distributions import Distribution, Fixed
from sim.scenario.responses import HeadcountUpliftPolicy, RaiseRecruitmentCapacityPolicy
from sim.scenario.start_state import StartState

__all__ = [
    "ContractorSettings",
    "Department",
    "HeadcountStep",
    "HiringFreeze",
    "PauseOnboardingPolicy",
    "Policies",
    "RampUp",
    "RecruitmentSettings",
    "RequestType",
    "RunSettings",
    "Scenario",
    "StaffPool",
    "SurgeContractorsPolicy",
    "VerdictSettings",
    "VettingLevel",
    "expected_requests_upper_bound",
    "scenario_notes",
]

PositiveCount = Annotated[int, Field(ge=1)]


# --- demand -------------------------------------------------------------------------------------


class Department(Frozen):
    """A customer department: its buying moves to CCS on its onboarding date (an expansion wave)."""

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS, description="Department name")
    onboarding_date: dt.date = Field(description="Date its spend moves to CCS")
    demand_weight: float = Field(
        default=1.0, ge=0, le=1000, description="Demand relative to a typical department (1.0)"
    )
    growth_per_year: float = Field(
        default=0.0,
        ge=-0.5,
        le=2.0,
        description="Annual growth of its demand from the run start (0.1 = 10% a year)",
    )
    transferring: bool = Field(
        default=True,
        description="Moves to CCS under the expansion plan: counted against the plan and scaled "
        "by the uncertain demand multiplier (false for CCS's existing business)",
    )
    annual_spend_gbp: float = Field(
        default=0.0, ge=0, description="Spend a year that moves to CCS with it, in pounds"
    )


class RequestType(Frozen):
    """A kind of work departments ask CCS for, served by one skill pool."""

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS, description="Request type name")
    skill_pool: str = Field(
        min_length=1, max_length=MAX_NAME_CHARS, description="Name of the staff pool that serves it"
    )
    arrivals_per_month: float = Field(
        ge=0, le=100_000, description="Requests per month from a department of demand weight 1.0"
    )
    effort_person_days: Distribution = Field(
        description="Work content of one request, in person-days at full productivity"
    )
    min_elapsed_days: float = Field(
        default=0.0,
        ge=0,
        le=MAX_DAYS,
        description="Shortest possible elapsed time (statutory periods)",
    )
    sla_target_days: float = Field(
        gt=0, le=MAX_DAYS, description="Service-level target: days from request to completion"
    )
    priority: int = Field(
        default=1, ge=0, le=9, description="Queue priority: 0 is served first, 9 last"
    )
    contract_value_gbp: Distribution = Field(
        default=Fixed(value=0), description="Value of the contract the request leads to"
    )
    savings_rate: Share = Field(
        default=0.0, description="Savings as a share of contract value when delivered"
    )
    patience_days: Distribution | None = Field(
        default=None,
        description="Days a department waits for work to start before buying alone; "
        "empty to use the demand-wide patience",
    )
    seasonality_by_month: list[Annotated[float, Field(ge=0)]] | None = Field(
        default=None,
        min_length=12,
        max_length=12,
        description="Multiplier on this type's arrivals in each calendar month, January first; "
        "empty to use the demand-wide seasonality",
    )


class Demand(Frozen):
    """Who asks for what, when, and how long they will wait."""

    departments: list[Department] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description="Customer departments and when each moves to CCS",
    )
    request_types: list[RequestType] = Field(
        min_length=1, max_length=MAX_ITEMS, description="Kinds of work departments ask for"
    )
    seasonality_by_month: list[Annotated[float, Field(ge=0, le=100)]] = Field(
        default=[1.0] * 12,
        min_length=12,
        max_length=12,
        description="Multiplier on arrivals in each calendar month, January first",
    )
    multiplier: Distribution = Field(
        default=Fixed(value=1.0),
        description="Uncertain scale on the transferring departments' demand, drawn once per "
        "replication (CCS's existing business is not scaled)",
    )
    patience_days: Distribution | None = Field(
        default=None,
        description="Days a department waits for work to start before buying alone; "
        "empty means departments never give up",
    )
    transferred_work_months: float = Field(
        default=0.0,
        ge=0,
        le=24,
        description="Months of its usual demand that a transferring department hands over when "
        "it moves to CCS (its procurements already in flight)",
    )
    transferred_work_spread_days: float = Field(
        default=30.0,
        gt=0,
        le=365,
        description="Days after the move over which that handed-over work arrives",
    )


# --- capacity -----------------------------------------------------------------------------------


class HeadcountStep(Frozen):
    """From this date the establishment (posts funded) is this headcount."""

    date: dt.date = Field(description="Date from which this establishment applies")
    headcount: int = Field(ge=0, le=MAX_HEADCOUNT, description="Posts funded from that date")


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

    name: str = Field(
        min_length=1, max_length=MAX_NAME_CHARS, description="Staff pool (skill) name"
    )
    initial_headcount: int = Field(ge=0, le=MAX_HEADCOUNT, description="Staff in post at the start")
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
    early_tenure_days: float = Field(
        default=365.0,
        ge=0,
        le=MAX_DAYS,
        description="Days of tenure during which the early multiplier applies",
    )
    leaver_notice_days: Distribution = Field(
        default=Fixed(value=0), description="Days a leaver works between resigning and leaving"
    )
    non_productive_share: float = Field(
        default=0.0, ge=0, le=0.95, description="Share of time lost to absence, training, overhead"
    )
    cases_per_person: PositiveCount = Field(default=1, le=50, description="Cases carried at once")
    salary_gbp_per_year: float = Field(
        default=0.0, ge=0, le=MAX_GBP, description="Average salary, pounds"
    )
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


class HiringFreeze(Frozen):
    """No vacancy is approved from `start` until `end`."""

    start: dt.date = Field(description="First day of the freeze")
    end: dt.date = Field(description="Day the freeze lifts")

    @model_validator(mode="after")
    def _ordered(self) -> HiringFreeze:
        if self.end <= self.start:
            raise FieldProblem("end", f"must be after start ({self.start})")
        return self


class VettingLevel(Frozen):
    """Pre-employment or security vetting: a delay, and candidates who withdraw during it."""

    duration_days: Distribution = Field(description="Days the checks take")
    withdrawal_rate: Share = Field(default=0.0, description="Share of candidates who withdraw")


class VettingStress(Frozen):
    """From `start` until `end`, checks of one vetting level take `duration_days` instead."""

    level: Name = Field(description="Name of a vetting level in recruitment.vetting_levels")
    start: dt.date = Field(description="First day of the stress period")
    end: dt.date = Field(description="Day it ends")
    duration_days: Distribution = Field(description="Days the checks take during the period")

    @model_validator(mode="after")
    def _ordered(self) -> VettingStress:
        if self.end <= self.start:
            raise FieldProblem("end", f"must be after start ({self.start})")
        return self


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
    day_rate_gbp: float = Field(
        default=0.0,
        ge=0,
        le=MAX_GBP,
        description="Cost of one contractor per working day, in pounds",
    )
    productivity: float = Field(default=0.8, gt=0, le=1, description="Output relative to staff")


# --- management policies ------------------------------------------------------------------------


def _check_hysteresis(policy: Frozen, release: str, act: str) -> None:
    """A policy that acts above one level must let go at or below it, or it would flap."""
    act_at = getattr(policy, act)
    if getattr(policy, release) > act_at:
        raise FieldProblem(release, f"must not exceed {act} ({act_at:g})")


class PauseOnboardingPolicy(Frozen):
    """Defer further departments while the backlog is too high; the plan slips by the pause."""

    enabled: bool = Field(default=False, description="Use this policy")
    pause_above_backlog_weeks: float = Field(
        default=8.0,
        gt=0,
        le=MAX_WEEKS,
        description="Pause when the backlog seen exceeds this many weeks of work",
    )
    resume_below_backlog_weeks: float = Field(
        default=4.0,
        ge=0,
        le=MAX_WEEKS,
        description="Resume when the backlog seen falls below this many weeks",
    )
    signal: Literal["all_pools", "worst_pool"] = Field(
        default="all_pools",
        description="Backlog watched: all pools added together, or the worst pool's own (a "
        "department's move needs every skill it uses)",
    )

    @model_validator(mode="after")
    def _hysteresis(self) -> PauseOnboardingPolicy:
        _check_hysteresis(self, "resume_below_backlog_weeks", "pause_above_backlog_weeks")
        return self


class SurgeContractorsPolicy(Frozen):
    """Bring in contractors while the backlog is too high, up to the contractor cap."""

    enabled: bool = Field(default=False, description="Use this policy")
    surge_above_backlog_weeks: float = Field(
        default=8.0,
        gt=0,
        le=MAX_WEEKS,
        description="Surge when a pool's backlog seen exceeds this many weeks",
    )
    release_below_backlog_weeks: float = Field(
        default=4.0,
        ge=0,
        le=MAX_WEEKS,
        description="Release when it falls below this many weeks of work",
    )
    surge_share_of_establishment: Share = Field(
        default=0.10, description="Extra contractors as a share of the pool's establishment"
    )

    @model_validator(mode="after")
    def _hysteresis(self) -> SurgeContractorsPolicy:
        _check_hysteresis(self, "release_below_backlog_weeks", "surge_above_backlog_weeks")
        return self


class Policies(Frozen):
    """Management responses, acting on what managers saw `detection_lag_days` ago."""

    detection_lag_days: float = Field(
        default=180.0, ge=0, le=MAX_DAYS, description="How late management sees the backlog"
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


# --- run ----------------------------------------------------------------------------------------


class RunSettings(Frozen):
    """The simulated period."""

    start_date: dt.date = Field(default=dt.date(2014, 4, 1), description="First simulated day")
    horizon_months: int = Field(default=48, ge=1, le=600, description="Months simulated")
    warmup_days: float = Field(
        default=0.0,
        ge=0,
        le=MAX_DAYS,
        description="Requests arriving earlier are left out of the KPIs",
    )
    working_days_per_year: float = Field(
        default=225.0,
        gt=0,
        le=366,
        description="Working days in a full-time year; converts person-days to calendar days",
    )


class VerdictSettings(Frozen):
    """When does expansion outrun capability? See docs/verdict.md."""

    consecutive_months: PositiveCount = Field(
        default=3, le=24, description="Short months in a row that make the verdict 'outruns'"
    )
    sla_attainment_target: Share = Field(
        default=0.8, description="Share of requests to complete within their target days"
    )
    capacity_window_months: PositiveCount = Field(
        default=12,
        le=60,
        description="Months over which demand is compared with capacity (12: a whole year, so "
        "the year-end peak cancels out)",
    )
    work_in_hand_growth_weeks: float = Field(
        default=1.0,
        ge=0,
        le=520,
        description="Growth of work in hand (weeks of the pool's capacity) over the window that "
        "counts as capacity falling behind",
    )


# --- the scenario -------------------------------------------------------------------------------


class Scenario(Frozen):
    """A complete, validated set of model parameters."""

    name: str = Field(
        default="scenario",
        min_length=1,
        max_length=MAX_NAME_CHARS,
        description="Short scenario name",
    )
    description: str = Field(
        default="", max_length=MAX_TEXT_CHARS, description="What the scenario represents"
    )
    run: RunSettings = Field(default=RunSettings(), description="The simulated period")
    demand: Demand = Field(description="Departments, request types and arrivals")
    staff_pools: list[StaffPool] = Field(
        min_length=1, max_length=MAX_ITEMS, description="Staff by skill"
    )
    recruitment: RecruitmentSettings = Field(
        default=RecruitmentSettings(), description="The recruitment pipeline"
    )
    contractors: ContractorSettings = Field(
        default=ContractorSettings(), description="Interims and contractors"
    )
    policies: Policies = Field(default=Policies(), description="Management responses")
    verdict: VerdictSettings = Field(
        default=VerdictSettings(), description="When expansion counts as outrunning capability"
    )
    start_state: StartState = Field(
        default=StartState(),
        description="What CCS already has on the first day: work in hand, vacancies being "
        "filled, staff tenure (empty: starts with none, everyone experienced)",
    )
    sources: dict[
        Annotated[str, Field(max_length=MAX_TEXT_CHARS)],
        Annotated[str, Field(max_length=MAX_TEXT_CHARS)],
    ] = Field(
        default={},
        max_length=20 * MAX_ITEMS,
        description="Where each value comes from: dotted field path -> source row or ASSUMPTION",
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> Scenario:
        _check_unique("demand.departments", [d.name for d in self.demand.departments])
        _check_unique("demand.request_types", [t.name for t in self.demand.request_types])
        pools = [p.name for p in self.staff_pools]
        _check_unique("staff_pools", pools)
        for i, rtype in enumerate(self.demand.request_types):
            if rtype.skill_pool not in pools:
                raise FieldProblem(
                    f"demand.request_types.{i}.skill_pool",
                    f"not a staff pool; allowed: {_names(pools)}",
                )
        self.start_state.check_names([t.name for t in self.demand.request_types], pools)
        self.start_state.check_people(
            {p.name: p.initial_headcount for p in self.staff_pools},
            {d.name: d.onboarding_date <= self.run.start_date for d in self.demand.departments},
        )
        if self.start_state.work_in_hand and not any(
            d.onboarding_date <= self.run.start_date for d in self.demand.departments
        ):
            raise FieldProblem(
                "start_state.work_in_hand",
                "no department is onboarded on the start date to own the work in hand",
            )
        levels = list(self.recruitment.vetting_levels)
        for i, pool in enumerate(self.staff_pools):
            if pool.vetting_level is not None and pool.vetting_level not in levels:
                raise FieldProblem(
                    f"staff_pools.{i}.vetting_level",
                    f"not in recruitment.vetting_levels; allowed: "
                    f"{_names(levels) or '(none defined)'}",
                )
        for i, stress in enumerate(self.recruitment.vetting_stress_periods):
            if stress.level not in levels:
                raise FieldProblem(
                    f"recruitment.vetting_stress_periods.{i}.level",
                    f"not in recruitment.vetting_levels; allowed: "
                    f"{_names(levels) or '(none defined)'}",
                )
        return self

    @model_validator(mode="after")
    def _finite_workload(self) -> Scenario:
        expected = expected_requests_upper_bound(self)
        if expected > MAX_EXPECTED_REQUESTS:
            raise FieldProblem(
                "demand",
                f"about {expected:,.3g} requests per replication at the busiest (arrivals x "
                f"departments' weights x growth x seasonality x multiplier over "
                f"{self.run.horizon_months} months); at most {MAX_EXPECTED_REQUESTS:,} "
                "(MAX_EXPECTED_REQUESTS)",
            )
        return self

    @property
    def pool_names(self) -> list[str]:
        """Staff pool names in scenario order (the pool index used throughout the model)."""
        return [p.name for p in self.staff_pools]


def _check_unique(path: str, names: list[str]) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            raise FieldProblem(
                f"{path}.{i}.name",
                f"already the name of item {seen[name]}; names must be unique",
            )
        seen[name] = i


def _names(names: list[str], shown: int = 20) -> str:
    more = f", ... ({len(names) - shown} more)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def expected_requests_upper_bound(scenario: Scenario) -> float:
    """Requests one replication can expect at most: every department onboarded from the start,
    the busiest calendar month all year and each department's growth at the horizon."""
    demand = scenario.demand
    years = scenario.run.horizon_months / 12
    weighted = sum(
        d.demand_weight * (1 + max(d.growth_per_year, 0.0)) ** years for d in demand.departments
    )
    arrivals = sum(t.arrivals_per_month for t in demand.request_types)
    peak = max(demand.seasonality_by_month)
    return weighted * arrivals * peak * demand.multiplier.mean * scenario.run.horizon_months


def scenario_notes(scenario: Scenario) -> list[str]:
    """What a valid scenario means that its reader might not expect (shown by validate and the app).

    A department whose onboarding date is before the run's start is already with CCS on the first
    simulated day: it is accepted (a scenario may describe a service part-way through its
    expansion), and said here so that a typing mistake in the year does not pass unnoticed.
    """
    start = scenario.run.start_date
    early = [d for d in scenario.demand.departments if d.onboarding_date < start]
    if not early:
        return []
    shown = _names([f"{d.name} ({d.onboarding_date})" for d in early], 8)
    return [
        f"{len(early)} department(s) already onboarded at the start ({start}), their onboarding "
        f"date being earlier: {shown}"
    ]


def scenario_fields(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data (dates as ISO strings), ready for YAML or JSON."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_none=False)
