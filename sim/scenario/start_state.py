"""The start state: CCS as a going concern on the first simulated day.

One validated object in the scenario, `start_state`, says what is already there when the run
starts: the work in hand (cases already accepted, by request type), the vacancies already being
filled (by pool and recruitment stage) and the tenure of the staff in post (so that recent joiners
still ramp up and still carry the early-tenure attrition hazard). It is empty by default (the run
starts with no work, no vacancies and every person at full tenure, as before), and it is shaped so
that a loader of a planner's snapshot of real staff, vacancies and work can fill it: counts and
shares, each with the date and source of the snapshot.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from sim.errors import FieldProblem
from sim.scenario.bounds import MAX_DAYS, MAX_HEADCOUNT, MAX_NAME_CHARS, Frozen, Share
from sim.scenario.distributions import Distribution, Fixed

__all__ = [
    "STARTING_STAGES",
    "StartState",
    "StartingCases",
    "StartingStaff",
    "StartingVacancies",
    "TenureBand",
]

# Recruitment stages a vacancy can be in at the start (awaiting a recruiter is not a stage a
# snapshot records: a vacancy past approval is given to the recruitment team at once).
STARTING_STAGES = ("approval", "advert", "sift_interview", "offer", "vetting", "notice")
StartingStage = Literal["approval", "advert", "sift_interview", "offer", "vetting", "notice"]


class StartingCases(Frozen):
    """Cases of one request type already accepted when the run starts."""

    request_type: str = Field(
        min_length=1, max_length=MAX_NAME_CHARS, description="Request type of these cases"
    )
    cases: int = Field(ge=0, le=1_000_000, description="Number of cases in hand at the start")
    age_days: Distribution = Field(
        default=Fixed(value=0), description="Days since each case arrived, before the start"
    )
    remaining_effort_share_low: Share = Field(
        default=0.0,
        description="Least share of a case's effort still to do (each case draws uniformly "
        "between this and the high share)",
    )
    remaining_effort_share_high: Share = Field(
        default=1.0, description="Most share of a case's effort still to do"
    )

    @model_validator(mode="after")
    def _ordered(self) -> StartingCases:
        if self.remaining_effort_share_high < self.remaining_effort_share_low:
            raise ValueError(
                "remaining_effort_share_high must not be below remaining_effort_share_low"
            )
        if self.remaining_effort_share_high <= 0:
            raise ValueError("remaining_effort_share_high must be more than 0")
        return self


class StartingVacancies(Frozen):
    """Vacancies of one pool already in one recruitment stage when the run starts."""

    pool: str = Field(
        min_length=1, max_length=MAX_NAME_CHARS, description="Staff pool of these vacancies"
    )
    stage: StartingStage = Field(description="Recruitment stage they are in at the start")
    count: int = Field(ge=0, le=MAX_HEADCOUNT, description="Number of vacancies in that stage")


class TenureBand(Frozen):
    """A share of a pool's staff in post whose tenure lies in [from_days, to_days)."""

    from_days: float = Field(ge=0, le=MAX_DAYS, description="Shortest tenure in the band, days")
    to_days: float = Field(gt=0, le=MAX_DAYS, description="Longest tenure in the band, days")
    share: Share = Field(description="Share of the pool's staff in post in this band")

    @model_validator(mode="after")
    def _ordered(self) -> TenureBand:
        if self.to_days <= self.from_days:
            raise ValueError(f"to_days ({self.to_days}) must be more than from_days")
        return self


class StartingStaff(Frozen):
    """The tenure profile of one pool's staff in post at the start."""

    pool: str = Field(min_length=1, max_length=MAX_NAME_CHARS, description="Staff pool")
    tenure: list[TenureBand] = Field(
        min_length=1, max_length=1000, description="Tenure bands; their shares add up to 1"
    )

    @model_validator(mode="after")
    def _shares_add_up(self) -> StartingStaff:
        total = sum(band.share for band in self.tenure)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"tenure shares must add up to 1, they add up to {total:g}")
        return self


class StartState(Frozen):
    """What CCS already has on the first simulated day: work, vacancies, staff tenure."""

    as_of: dt.date | None = Field(
        default=None, description="Date the start state describes (a snapshot's date)"
    )
    source: str = Field(
        default="",
        max_length=20_000,
        description="Where the start state comes from (a snapshot, or ASSUMPTION)",
    )
    work_in_hand: list[StartingCases] = Field(
        default=[], max_length=1000, description="Cases already accepted, by request type"
    )
    vacancies: list[StartingVacancies] = Field(
        default=[],
        max_length=10_000,
        description="Vacancies already being filled, by pool and stage",
    )
    staff: list[StartingStaff] = Field(
        default=[],
        max_length=1000,
        description="Tenure of the staff in post, by pool (else all experienced)",
    )

    def check_names(self, request_types: list[str], pools: list[str]) -> None:
        """Raise ValueError naming the field when a request type or pool does not exist."""
        for i, cases in enumerate(self.work_in_hand):
            _check_in(
                f"start_state.work_in_hand.{i}.request_type", cases.request_type, request_types
            )
        for i, vacancies in enumerate(self.vacancies):
            _check_in(f"start_state.vacancies.{i}.pool", vacancies.pool, pools)
        seen: set[str] = set()
        for i, staff in enumerate(self.staff):
            _check_in(f"start_state.staff.{i}.pool", staff.pool, pools)
            if staff.pool in seen:
                raise FieldProblem(f"start_state.staff.{i}.pool", f"'{staff.pool}' is given twice")
            seen.add(staff.pool)


def _check_in(path: str, name: str, allowed: list[str]) -> None:
    if name not in allowed:
        raise FieldProblem(path, f"'{name}' is not defined; allowed: {', '.join(allowed)}")
