"""Live state shared by the mechanisms: workers, and each skill pool's queue and capacity.

A `Worker` is one permanent member of staff or one contractor, carrying up to
`cases_per_person` cases at once. A `PoolState` holds one skill pool's workers, its waiting
requests (a heap by priority then arrival) and its free case slots, plus time-weighted
accumulators that the monthly recording reads.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from sim.scenario.schema import StaffPool

__all__ = ["PIPELINE_STAGES", "PoolState", "TimeWeighted", "Worker"]

# Recruitment stages a vacancy can be in, in pipeline order (monthly counts by stage).
PIPELINE_STAGES: tuple[str, ...] = (
    "approval",
    "awaiting_recruiter",
    "advert",
    "sift_interview",
    "offer",
    "vetting",
    "notice",
)


class TimeWeighted:
    """Running integral of a piecewise-constant level over time (e.g. staff-days in post)."""

    __slots__ = ("area", "last_day", "level")

    def __init__(self, level: float = 0.0) -> None:
        self.level, self.area, self.last_day = level, 0.0, 0.0

    def change(self, now: float, delta: float) -> None:
        """Add `delta` to the level from `now` on."""
        self.area += self.level * (now - self.last_day)
        self.last_day, self.level = now, self.level + delta

    def area_at(self, now: float) -> float:
        """The integral from time 0 to `now`."""
        return self.area + self.level * (now - self.last_day)


class Worker:
    """One person (or contractor) who works cases for a pool."""

    __slots__ = (
        "accepting",
        "cases",
        "fte",
        "full_productivity_day",
        "is_contractor",
        "leave_day",
        "long_serving",
        "pool",
        "productivity",
        "ramp_start_productivity",
        "start_day",
    )

    def __init__(
        self,
        pool: PoolState,
        start_day: float,
        *,
        ramp_weeks: float = 0.0,
        is_contractor: bool = False,
        productivity: float = 1.0,
        fte: float = 1.0,
    ) -> None:
        self.pool = pool
        self.fte = fte  # share of full time worked: scales the work a person does each day
        self.start_day = start_day
        self.full_productivity_day = start_day + 7 * ramp_weeks
        self.ramp_start_productivity = pool.config.ramp_up.start_productivity
        self.is_contractor = is_contractor
        self.productivity = productivity  # contractors' fixed share; 1.0 for staff
        self.accepting = True  # takes new cases (False once resigned or released)
        self.leave_day = math.inf  # set when they resign: the day they go
        self.long_serving = False  # in post at the start with no known tenure
        self.cases: set[int] = set()

    def is_ramping(self, now: float) -> bool:
        """True while a new joiner is still below full productivity."""
        return now < self.full_productivity_day

    def days_to_deliver(self, effort_person_days: float, now: float) -> float:
        """Calendar days for this worker to deliver one case's effort, starting now.

        A joiner's productivity rises linearly while they ramp up, so the work done is the
        integral of that line: a quadratic in elapsed days until full productivity, then the
        experienced rate (with today's mentoring load) for the rest.
        """
        pool = self.pool
        per_case = pool.working_day_share / pool.config.cases_per_person
        if self.is_contractor:
            return effort_person_days / (self.productivity * pool.productive_share * per_case)
        if now >= self.full_productivity_day:
            return effort_person_days / (pool.experienced_rate * self.fte)
        k = pool.productive_share * per_case * self.fte  # effort per day at productivity 1.0
        ramp_days = self.full_productivity_day - self.start_day
        p0 = self.ramp_start_productivity
        slope = (1 - p0) / ramp_days  # productivity gained per day
        p_now = p0 + slope * (now - self.start_day)
        to_full = self.full_productivity_day - now
        work_to_full = k * (p_now * to_full + slope * to_full**2 / 2)
        if effort_person_days <= work_to_full and slope == 0:
            return effort_person_days / (k * p_now)  # starts at full productivity: no ramp
        if effort_person_days <= work_to_full:
            # Solve k * (p_now * d + slope * d**2 / 2) = effort for d >= 0.
            root = math.sqrt(p_now**2 + 2 * slope * effort_person_days / k)
            return (root - p_now) / slope
        return to_full + (effort_person_days - work_to_full) / pool.experienced_rate

    def output_fte(self, now: float) -> float:
        """Effective FTE now: ramp-up, non-productive time and mentoring taken into account."""
        pool = self.pool
        if self.is_contractor:
            return self.productivity * pool.productive_share
        if now < self.full_productivity_day:
            ramp_days = self.full_productivity_day - self.start_day
            p0 = self.ramp_start_productivity
            ramp = p0 + (1 - p0) * (now - self.start_day) / ramp_days
            return ramp * pool.productive_share * self.fte
        return pool.productive_share * pool.mentoring_factor * self.fte


@dataclass(eq=False)
class PoolState:
    """One skill pool at run time."""

    index: int
    config: StaffPool
    working_day_share: float
    productive_share: float = field(init=False)
    mentoring_factor: float = 1.0
    experienced_rate: float = field(init=False)  # effort/day per case slot of experienced staff
    # A dict used as an insertion-ordered set: iterating a set of objects follows their memory
    # addresses, which would make sums and choices differ from run to run.
    workers: dict[Worker, None] = field(default_factory=dict)
    ramping: dict[Worker, None] = field(default_factory=dict)  # staff taking cases, ramping up
    n_experienced: int = 0  # staff taking cases at full productivity
    experienced_fte: float = 0.0  # their FTE (part-timers count for less)
    contractors: dict[Worker, None] = field(default_factory=dict)  # contractors taking cases
    free_slots: deque[Worker] = field(default_factory=deque)
    waiting: list[tuple[int, float, int]] = field(default_factory=list)
    n_waiting: int = 0
    establishment: int = 0
    vacancies_open: int = 0
    staff_staying: int = 0  # permanent staff in post who have not resigned
    contractors_on_order: int = 0
    pipeline: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PIPELINE_STAGES, 0))
    busy_slots: TimeWeighted = field(default_factory=TimeWeighted)
    capacity_slots: TimeWeighted = field(default_factory=TimeWeighted)
    staff_in_post: TimeWeighted = field(default_factory=TimeWeighted)
    fte_in_post: TimeWeighted = field(default_factory=TimeWeighted)
    contractors_in_post: TimeWeighted = field(default_factory=TimeWeighted)

    def __post_init__(self) -> None:
        self.productive_share = 1.0 - self.config.non_productive_share
        self._update_experienced_rate()

    def _update_experienced_rate(self) -> None:
        share = self.working_day_share / self.config.cases_per_person
        self.experienced_rate = self.productive_share * self.mentoring_factor * share

    @property
    def name(self) -> str:
        """The pool's name."""
        return self.config.name

    # --- who is taking new cases (kept as counts, so monthly sums are not O(staff)) ----------

    def staff_joined(self, worker: Worker, now: float) -> None:
        """A member of staff starts taking cases (ramping up, or experienced from day one)."""
        if worker.is_ramping(now):
            self.ramping[worker] = None
        else:
            self.n_experienced += 1
            self.experienced_fte += worker.fte
        self.update_mentoring()

    def staff_ramped_up(self, worker: Worker) -> None:
        """A joiner reaches full productivity (if still taking cases)."""
        if worker in self.ramping:
            del self.ramping[worker]
            self.n_experienced += 1
            self.experienced_fte += worker.fte
            self.update_mentoring()

    def staff_resigned(self, worker: Worker) -> None:
        """A member of staff stops taking new cases."""
        if worker in self.ramping:
            del self.ramping[worker]
        else:
            self.n_experienced -= 1
            self.experienced_fte -= worker.fte
        self.update_mentoring()

    def contractors_active(self) -> list[Worker]:
        """Contractors in post who take new cases, in order of arrival."""
        return list(self.contractors)

    def effective_fte(self, now: float) -> float:
        """Sum of the effective FTE of every worker taking new cases."""
        experienced = self.experienced_fte * self.productive_share * self.mentoring_factor
        ramping = sum(w.output_fte(now) for w in self.ramping)
        return experienced + ramping + sum(w.output_fte(now) for w in self.contractors)

    def update_mentoring(self) -> None:
        """Experienced staff lose time to each joiner still ramping up."""
        load = self.config.ramp_up.mentoring_share_per_joiner * len(self.ramping)
        experienced = self.n_experienced
        # Floored above zero: a case must progress, however stretched its mentors are.
        self.mentoring_factor = max(0.05, 1.0 - load / experienced) if experienced else 1.0
        self._update_experienced_rate()
