"""Recruitment: each vacancy's campaign, from approval to the new joiner's first day.

Stages, in order: approval (spending controls: a delay, possibly refused, held while a hiring
freeze is in force), waiting for a recruiter (the team runs a limited number of campaigns at
once), advert, sift and interview (a campaign may find no appointable candidate and is
re-advertised), offer (a declined offer is re-advertised), vetting (a candidate may withdraw: the
campaign starts again), and the joiner's notice to their old employer.

Three times are recorded per hire, as government publishes them (docs/calibration.md,
"Recruitment"): time to hire, from the close of the advert that found the joiner to the offer
they accepted (the official metric); advert to checks, from that advert's opening to the end of
pre-employment checks (the 99-day figure); and time to fill, from the vacancy opening to the
joiner's first day. Vacancies already in flight at the start record none of them (their opening
is not known).
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from sim.model.calendar import Calendar
from sim.model.state import PoolState
from sim.model.streams import RecruitmentStream, Streams
from sim.model.workforce import Workforce
from sim.scenario.distributions import Distribution
from sim.scenario.schema import RecruitmentSettings

__all__ = ["Recruitment", "VacancyInPipeline", "filling_a_vacancy", "remaining_after"]


class Recruitment:
    """The recruitment team and every campaign it runs."""

    def __init__(
        self,
        env: simpy.Environment,
        settings: RecruitmentSettings,
        workforce: Workforce,
        streams: Streams,
        calendar: Calendar,
    ) -> None:
        self.env = env
        self.settings = settings
        self.workforce = workforce
        self.streams = streams
        self.team = simpy.Resource(env, capacity=settings.max_concurrent_campaigns)
        self.freezes = [
            (calendar.day_of(f.start), calendar.day_of(f.end)) for f in settings.hiring_freezes
        ]
        self.vetting_stress = [
            (s.level, calendar.day_of(s.start), calendar.day_of(s.end), s.duration_days)
            for s in settings.vetting_stress_periods
        ]
        # Campaign slots added by management: (day, slots, cost a year per slot).
        self.extra_slots: list[tuple[float, int, float]] = []
        n_pools = len(workforce.pools)
        self.refused = [0] * n_pools
        self.readvertised = [0] * n_pools
        self.offers_declined = [0] * n_pools
        self.vetting_withdrawals = [0] * n_pools
        self.time_to_hire_days: list[list[float]] = [[] for _ in range(n_pools)]
        self.time_to_fill_days: list[list[float]] = [[] for _ in range(n_pools)]
        self.advert_to_checks_days: list[list[float]] = [[] for _ in range(n_pools)]
        self.in_flight: dict[VacancyInPipeline, None] = {}  # open vacancies, oldest first

    def open_vacancy(self, pool: PoolState) -> None:
        """Start a campaign for one vacancy in `pool` (the workforce calls this when a post falls
        vacant: `workforce.open_vacancy`, connected in `simulate_raw`)."""
        self.env.process(filling_a_vacancy(self.env, self, pool))

    def resume_vacancy(self, pool: PoolState, stage: str) -> None:
        """A vacancy already in `stage` at the start, with a uniform share of it still to run."""
        pool.vacancies_open += 1
        remaining = float(self.streams.start_vacancies.random())
        self.env.process(filling_a_vacancy(self.env, self, pool, stage, _Remaining(remaining)))

    def resume_vacancy_after(self, pool: PoolState, stage: str, days_in_stage: float) -> None:
        """A vacancy that has already spent `days_in_stage` in `stage` at the start: the rest of
        the stage is its duration drawn given that it has lasted that long."""
        pool.vacancies_open += 1
        dist = self._stage_distribution(pool, stage)
        rng = self.streams.start_vacancies
        days = 0.0 if dist is None else remaining_after(dist, days_in_stage, rng)
        self.env.process(filling_a_vacancy(self.env, self, pool, stage, _Remaining(days=days)))

    def _stage_distribution(self, pool: PoolState, stage: str) -> Distribution | None:
        """The duration of `stage` in `pool` (None: the pool has no vetting)."""
        if stage == "notice":
            return pool.config.joiner_notice_days
        if stage == "vetting":
            level = pool.config.vetting_level
            return None if level is None else self.settings.vetting_levels[level].duration_days
        dist: Distribution = getattr(self.settings, f"{stage}_days")
        return dist

    def draw(self, stream: RecruitmentStream, dist_name: str) -> float:
        """One duration from the named recruitment setting, from its own stream."""
        dist = getattr(self.settings, dist_name)
        return dist.draw(getattr(self.streams, stream))

    def passes(self, stream: RecruitmentStream, probability: float) -> bool:
        """A Bernoulli trial from the named stream (always drawn, to keep streams aligned)."""
        return bool(getattr(self.streams, stream).random() < probability)

    def add_campaign_slots(self, slots: int, cost_per_slot_per_year: float) -> None:
        """Let the team run `slots` more campaigns at once, from now on."""
        self.team._capacity += slots  # simpy has no public setter; waiting requests go next
        for _ in range(slots):
            self.team._trigger_put(None)  # grants at most one waiting request per call
        self.extra_slots.append((self.env.now, slots, cost_per_slot_per_year))

    def offer_acceptance(self, pool: PoolState) -> float:
        """Chance an offer in `pool` is accepted, after the pool's pay competitiveness."""
        base = pool.config.offer_acceptance
        accept = self.settings.offer_acceptance if base is None else base
        return _odds_scaled(accept, self._pay_factor(pool))

    def campaign_failure_rate(self, pool: PoolState) -> float:
        """Chance a campaign in `pool` finds no appointable candidate, after pay."""
        base = pool.config.campaign_failure_rate
        failure = self.settings.campaign_failure_rate if base is None else base
        return 1.0 - _odds_scaled(1.0 - failure, self._pay_factor(pool))

    def _pay_factor(self, pool: PoolState) -> float:
        return float(pool.config.pay_competitiveness**self.settings.pay_odds_elasticity)

    def freeze_end(self, day: float) -> float | None:
        """The end of the hiring freeze in force on `day`, if any."""
        ends = [end for start, end in self.freezes if start <= day < end]
        return max(ends) if ends else None


CONDITIONED_DRAWS = 4096  # draws tried for a stage's rest before calling it overdue


def remaining_after(dist: Distribution, elapsed_days: float, rng: np.random.Generator) -> float:
    """Days left of a duration drawn from `dist` given that it has lasted `elapsed_days`: the
    first of a block of draws longer than that, less that. A stage already longer than every
    draw is overdue and ends at once (0 days left)."""
    draws = dist.sample(rng, CONDITIONED_DRAWS)
    longer = draws[draws > elapsed_days]
    return float(longer[0] - elapsed_days) if len(longer) else 0.0


class _Remaining:
    """How much of the first stage of a vacancy is still to run: a share of a fresh draw, or a
    number of days already known (the rest of a snapshot's stage). Later stages run in full."""

    __slots__ = ("days", "share")

    def __init__(self, share: float = 1.0, days: float | None = None) -> None:
        self.share, self.days = share, days

    def of(self, drawn: float) -> float:
        return drawn * self.share if self.days is None else self.days


_FULL = _Remaining()


class VacancyInPipeline:
    """Where one vacancy is: its pool, its stage and the day it entered it (for the model's own
    state as a snapshot)."""

    __slots__ = ("entered_day", "env", "pool", "stage")

    def __init__(self, env: simpy.Environment, pool: PoolState) -> None:
        self.env, self.pool = env, pool
        self.stage, self.entered_day = "approval", env.now


def _enter(v: VacancyInPipeline, stage: str) -> None:
    v.pool.pipeline[stage] += 1
    v.stage, v.entered_day = stage, v.env.now


def _leave(v: VacancyInPipeline, stage: str) -> None:
    v.pool.pipeline[stage] -= 1


class _Round:
    """Times of the campaign round in progress (the one that ends in a hire is recorded)."""

    __slots__ = ("advert_closed", "advert_opened", "offer_accepted")

    def __init__(self) -> None:
        self.advert_opened: float | None = None
        self.advert_closed: float | None = None
        self.offer_accepted: float | None = None


def filling_a_vacancy(
    env: simpy.Environment,
    rec: Recruitment,
    pool: PoolState,
    start_stage: str = "approval",
    remaining: _Remaining = _FULL,
) -> Generator[simpy.Event, object, None]:
    """One vacancy through the pipeline; ends with a hire, or closes if approval is refused.

    A vacancy in flight at the start enters at `start_stage` with `remaining` of that stage's
    duration still to run.
    """
    opened, in_run = env.now, start_stage == "approval" and remaining is _FULL
    share, stage = remaining, start_stage
    v = VacancyInPipeline(env, pool)
    rec.in_flight[v] = None
    if stage == "approval":
        approved = yield from _approval(env, rec, v, share)
        if not approved:
            del rec.in_flight[v]
            return
        share, stage = _FULL, "advert"
    times = _Round()
    while stage != "notice":
        if stage != "vetting":
            _enter(v, "awaiting_recruiter")
            with rec.team.request() as recruiter:
                yield recruiter
                _leave(v, "awaiting_recruiter")
                yield from _advertise_until_accepted(env, rec, v, times, stage, share)
            share = _FULL
        _enter(v, "vetting")
        yield env.timeout(share.of(_vetting_days(rec, pool)))
        _leave(v, "vetting")
        share, checks_done = _FULL, env.now
        if rec.passes("vetting", 1 - _vetting_withdrawal(rec, pool)):
            stage = "notice"
        else:
            rec.vetting_withdrawals[pool.index] += 1
            stage = "advert"
    _enter(v, "notice")
    notice = pool.config.joiner_notice_days.draw(rec.streams.joiner_notice)
    yield env.timeout(share.of(notice))
    _leave(v, "notice")
    del rec.in_flight[v]
    pool.vacancies_open -= 1
    if in_run and times.advert_opened is not None:
        assert times.advert_closed is not None and times.offer_accepted is not None
        rec.time_to_hire_days[pool.index].append(times.offer_accepted - times.advert_closed)
        rec.advert_to_checks_days[pool.index].append(checks_done - times.advert_opened)
        rec.time_to_fill_days[pool.index].append(env.now - opened)
    rec.workforce.hire(pool)


def _approval(
    env: simpy.Environment, rec: Recruitment, v: VacancyInPipeline, share: _Remaining
) -> Generator[simpy.Event, object, bool]:
    pool = v.pool
    _enter(v, "approval")
    yield env.timeout(share.of(rec.draw("approval", "approval_days")))
    while (end := rec.freeze_end(env.now)) is not None:
        yield env.timeout(end - env.now)
    _leave(v, "approval")
    if not rec.passes("approval", 1 - rec.settings.approval_refusal_rate):
        rec.refused[pool.index] += 1
        pool.vacancies_open -= 1  # asked for again at the next workforce review
        return False
    return True


_ROUND_STAGES = ("advert", "sift_interview", "offer")


def _advertise_until_accepted(
    env: simpy.Environment,
    rec: Recruitment,
    v: VacancyInPipeline,
    times: _Round,
    first_stage: str,
    share: _Remaining,
) -> Generator[simpy.Event, object, None]:
    pool = v.pool
    index = _ROUND_STAGES.index(first_stage)
    while True:
        if index == 0:
            times.advert_opened = env.now
            _enter(v, "advert")
            yield env.timeout(share.of(rec.draw("advert", "advert_days")))
            _leave(v, "advert")
            times.advert_closed, share = env.now, _FULL
        if index <= 1:
            _enter(v, "sift_interview")
            yield env.timeout(share.of(rec.draw("sift_interview", "sift_interview_days")))
            _leave(v, "sift_interview")
            share = _FULL
            if not rec.passes("sift_interview", 1 - rec.campaign_failure_rate(pool)):
                rec.readvertised[pool.index] += 1
                index = 0
                continue
        _enter(v, "offer")
        yield env.timeout(share.of(rec.draw("offer", "offer_days")))
        _leave(v, "offer")
        share = _FULL
        if rec.passes("offer", rec.offer_acceptance(pool)):
            times.offer_accepted = env.now
            return
        rec.offers_declined[pool.index] += 1
        index = 0


def _vetting_days(rec: Recruitment, pool: PoolState) -> float:
    level = pool.config.vetting_level
    if level is None:
        return 0.0
    dist = rec.settings.vetting_levels[level].duration_days
    now = rec.env.now
    for stressed, start, end, stress_dist in rec.vetting_stress:
        if stressed == level and start <= now < end:
            dist = stress_dist  # a vetting backlog: checks started now take longer
    return dist.draw(rec.streams.vetting)


def _odds_scaled(probability: float, factor: float) -> float:
    """`probability` with its odds multiplied by `factor` (0 and 1 stay put)."""
    if probability <= 0.0 or probability >= 1.0 or factor == 1.0:
        return probability
    odds = probability / (1.0 - probability) * factor
    return odds / (1.0 + odds)


def _vetting_withdrawal(rec: Recruitment, pool: PoolState) -> float:
    level = pool.config.vetting_level
    return 0.0 if level is None else rec.settings.vetting_levels[level].withdrawal_rate
