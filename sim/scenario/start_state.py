"""The start state: CCS as a going concern on the first simulated day.

One validated object in the scenario, `start_state`, says what is already there when the run
starts: the work in hand (cases already accepted, by request type), the vacancies already being
filled (by pool and recruitment stage) and the tenure of the staff in post (so that recent joiners
still ramp up and still carry the early-tenure attrition hazard). It is empty by default (the run
starts with no work, no vacancies and every person at full tenure, as before), and it is shaped so
that a loader of a planner's snapshot of real staff, vacancies and work can fill it: counts and
shares, each with the date and source of the snapshot.

A snapshot (`sim/scenario/snapshot.py`, docs/snapshot.md) fills the per-item lists instead: each
person in post (tenure, FTE, leaving date if notice has been given), each vacancy (stage and days
already spent in it) and each case (age, whether work has started, effort still to do). They
replace the counts and shares above, which must then be empty.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from sim.errors import FieldProblem
from sim.scenario.bounds import (
    MAX_DAYS,
    MAX_HEADCOUNT,
    Days,
    Frozen,
    Headcount,
    Name,
    Share,
)
from sim.scenario.distributions import Distribution, Fixed

__all__ = [
    "STARTING_STAGES",
    "CaseInHand",
    "PersonInPost",
    "StartState",
    "StartingCases",
    "StartingStaff",
    "StartingVacancies",
    "TenureBand",
    "VacancyInFlight",
]

MAX_SNAPSHOT_CASES = 200_000

# Recruitment stages a vacancy can be in at the start (awaiting a recruiter is not a stage a
# snapshot records: a vacancy past approval is given to the recruitment team at once).
STARTING_STAGES = ("approval", "advert", "sift_interview", "offer", "vetting", "notice")
StartingStage = Literal["approval", "advert", "sift_interview", "offer", "vetting", "notice"]


class StartingCases(Frozen):
    """Cases of one request type already accepted when the run starts."""

    request_type: Name = Field(description="Request type of these cases")
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

    pool: Name = Field(description="Staff pool of these vacancies")
    stage: StartingStage = Field(description="Recruitment stage they are in at the start")
    count: Headcount = Field(description="Number of vacancies in that stage")


class TenureBand(Frozen):
    """A share of a pool's staff in post whose tenure lies in [from_days, to_days)."""

    from_days: Days = Field(description="Shortest tenure in the band, days")
    to_days: float = Field(gt=0, le=MAX_DAYS, description="Longest tenure in the band, days")
    share: Share = Field(description="Share of the pool's staff in post in this band")

    @model_validator(mode="after")
    def _ordered(self) -> TenureBand:
        if self.to_days <= self.from_days:
            raise ValueError(f"to_days ({self.to_days}) must be more than from_days")
        return self


class StartingStaff(Frozen):
    """The tenure profile of one pool's staff in post at the start."""

    pool: Name = Field(description="Staff pool")
    tenure: list[TenureBand] = Field(
        min_length=1, max_length=1000, description="Tenure bands; their shares add up to 1"
    )

    @model_validator(mode="after")
    def _shares_add_up(self) -> StartingStaff:
        total = sum(band.share for band in self.tenure)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"tenure shares must add up to 1, they add up to {total:g}")
        return self


class PersonInPost(Frozen):
    """One member of staff in post on the start date (from a snapshot)."""

    id: Name = Field(description="Pseudonymous id")
    pool: Name = Field(description="Staff pool")
    fte: float = Field(gt=0, le=1, description="Full-time equivalent, in (0, 1]")
    tenure_days: Days = Field(description="Days in post before the start")
    leaves_in_days: Days | None = Field(
        default=None,
        description="Days after the start on which they leave, if notice has been given",
    )


class VacancyInFlight(Frozen):
    """One vacancy being filled on the start date (from a snapshot)."""

    id: Name = Field(description="Pseudonymous id")
    pool: Name = Field(description="Staff pool")
    stage: StartingStage = Field(description="Recruitment stage it is in at the start")
    days_in_stage: Days = Field(description="Days already spent in that stage before the start")


class CaseInHand(Frozen):
    """One case accepted before the start date (from a snapshot)."""

    id: Name = Field(description="Pseudonymous id")
    request_type: Name = Field(description="Type")
    department: Name = Field(description="Department that asked for it")
    age_days: Days = Field(description="Days since it arrived")
    started_days_ago: Days | None = Field(
        default=None, description="Days since work started (None: waiting)"
    )
    effort_remaining_person_days: float | None = Field(
        default=None,
        gt=0,
        le=MAX_DAYS,
        description="Effort still to do, person-days (None: drawn from the type's distribution)",
    )


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
    people: list[PersonInPost] = Field(
        default=[],
        max_length=MAX_HEADCOUNT,
        description="Each person in post (from a snapshot; replaces staff)",
    )
    vacancies_in_flight: list[VacancyInFlight] = Field(
        default=[],
        max_length=MAX_HEADCOUNT,
        description="Each vacancy being filled (from a snapshot; replaces vacancies)",
    )
    cases: list[CaseInHand] = Field(
        default=[],
        max_length=MAX_SNAPSHOT_CASES,
        description="Each case in hand (from a snapshot; replaces work_in_hand)",
    )
    snapshot_sha256: str = Field(
        default="",
        max_length=64,
        description="SHA-256 of the snapshot the start state was read from",
    )

    @model_validator(mode="after")
    def _one_kind_each(self) -> StartState:
        pairs = (
            ("people", "staff"),
            ("vacancies_in_flight", "vacancies"),
            ("cases", "work_in_hand"),
        )
        for items, summary in pairs:
            if getattr(self, items) and getattr(self, summary):
                raise FieldProblem(summary, f"must be empty when {items} are given")
        return self

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
        for i, person in enumerate(self.people):
            _check_in(f"start_state.people.{i}.pool", person.pool, pools)
        for i, vacancy in enumerate(self.vacancies_in_flight):
            _check_in(f"start_state.vacancies_in_flight.{i}.pool", vacancy.pool, pools)
        for i, case in enumerate(self.cases):
            _check_in(f"start_state.cases.{i}.request_type", case.request_type, request_types)

    def check_people(self, headcounts: dict[str, int], departments: dict[str, bool]) -> None:
        """Raise naming the field when the people in post do not match each pool's initial
        headcount, or a case's department is unknown or not yet onboarded on the start date
        (`departments`: name -> onboarded on the start date)."""
        if self.people:
            counts = dict.fromkeys(headcounts, 0)
            for person in self.people:
                counts[person.pool] += 1
            for pool, heads in headcounts.items():
                if counts[pool] != heads:
                    raise FieldProblem(
                        "start_state.people",
                        f"{counts[pool]} people in pool '{pool}', but its initial_headcount is "
                        f"{heads}; they must agree",
                    )
        for i, case in enumerate(self.cases):
            path = f"start_state.cases.{i}.department"
            _check_in(path, case.department, list(departments))
            if not departments[case.department]:
                raise FieldProblem(path, f"'{case.department}' is not onboarded on the start date")


def _check_in(path: str, name: str, allowed: list[str]) -> None:
    if name not in allowed:
        raise FieldProblem(path, f"'{name}' is not defined; allowed: {', '.join(allowed)}")
