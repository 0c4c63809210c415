"""The scenario's demand: customer departments and when each moves to CCS (the expansion waves),
the kinds of work they ask for, seasonality, the uncertain scale on demand, and patience.
Part of the schema (`sim.scenario.schema` re-exports every class)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from sim.scenario.bounds import (
    MAX_DAYS,
    MAX_ITEMS,
    Days,
    Frozen,
    Name,
    Share,
)
from sim.scenario.distributions import Distribution, Fixed

__all__ = ["Demand", "Department", "RequestType"]


class Department(Frozen):
    """A customer department: its buying moves to CCS on its onboarding date (an expansion wave)."""

    name: Name = Field(description="Department name")
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

    name: Name = Field(description="Request type name")
    skill_pool: Name = Field(description="Name of the staff pool that serves it")
    arrivals_per_month: float = Field(
        ge=0, le=100_000, description="Requests per month from a department of demand weight 1.0"
    )
    effort_person_days: Distribution = Field(
        description="Work content of one request, in person-days at full productivity"
    )
    min_elapsed_days: Days = Field(
        default=0.0,
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
