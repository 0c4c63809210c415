"""The scenario: every parameter of the model, typed, validated and frozen.

One `Scenario` object is the single source of truth. YAML files (`load_scenario`), the app's
widgets and the command line's `--set` overrides all become one, and it writes itself back to YAML
(`scenario_to_yaml`) and exports a JSON Schema (`scenario_json_schema`). Units are in field names:
days, months, per year, GBP.

Its parts live by topic and are re-exported here, so `from sim.scenario.schema import ...` names
every one: demand (`schema_demand`), staff, recruitment and contractors (`schema_capacity`), the
management responses (`responses`), what CCS already has on the first day (`start_state`). Here:
the simulated period, the verdict's thresholds, and the scenario that checks its parts against
each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, model_validator

from sim.errors import FieldProblem
from sim.scenario.bounds import (
    MAX_EXPECTED_REQUESTS,
    MAX_ITEMS,
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    Days,
    Frozen,
    PositiveCount,
    Share,
)
from sim.scenario.responses import (
    HeadcountUpliftPolicy,
    PauseOnboardingPolicy,
    Policies,
    RaiseRecruitmentCapacityPolicy,
    SurgeContractorsPolicy,
)
from sim.scenario.schema_capacity import (
    ContractorSettings,
    HeadcountStep,
    HiringFreeze,
    RampUp,
    RecruitmentSettings,
    StaffPool,
    VettingLevel,
    VettingStress,
)
from sim.scenario.schema_demand import Demand, Department, RequestType
from sim.scenario.start_state import StartState

__all__ = [
    "ContractorSettings",
    "Demand",
    "Department",
    "HeadcountStep",
    "HeadcountUpliftPolicy",
    "HiringFreeze",
    "PauseOnboardingPolicy",
    "Policies",
    "RaiseRecruitmentCapacityPolicy",
    "RampUp",
    "RecruitmentSettings",
    "RequestType",
    "RunSettings",
    "Scenario",
    "StaffPool",
    "SurgeContractorsPolicy",
    "VerdictSettings",
    "VettingLevel",
    "VettingStress",
    "expected_requests_upper_bound",
    "scenario_fields",
    "scenario_notes",
]

# --- run ----------------------------------------------------------------------------------------


class RunSettings(Frozen):
    """The simulated period."""

    start_date: dt.date = Field(default=dt.date(2014, 4, 1), description="First simulated day")
    horizon_months: int = Field(default=48, ge=1, le=600, description="Months simulated")
    warmup_days: Days = Field(
        default=0.0,
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
