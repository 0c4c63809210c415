"""Recruitment: each vacancy's campaign, from approval to the new joiner's first day.

Stages, in order: approval (spending controls: a delay, possibly refused, held while a hiring
freeze is in force), waiting for a recruiter (the team runs a limited number of campaigns at
once), advert, sift and interview (a campaign may find no appointable candidate and is
re-advertised), offer (a declined offer is re-advertised), vetting (a candidate may withdraw: the
campaign starts again), and the joiner's notice to their old employer. Time to hire is measured
from the first advert to an accepted offer (the government's definition: R3 in CALIBRATION.md);
time to fill, from the vacancy opening to the joiner's start.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from sim.model.calendar import Calendar
from sim.model.state import PoolState
from sim.model.streams import RecruitmentStream, Streams
from sim.model.workforce import Workforce
from sim.scenario.schema import RecruitmentSettings

__all__ = ["Recruitment", "filling_a_vacancy"]


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
        n_pools = len(workforce.pools)
        self.refused = [0] * n_pools
        self.readvertised = [0] * n_pools
        self.offers_declined = [0] * n_pools
        self.vetting_withdrawals = [0] * n_pools
        self.time_to_hire_days: list[list[float]] = [[] for _ in range(n_pools)]
        self.time_to_fill_days: list[list[float]] = [[] for _ in range(n_pools)]

    def open_vacancy(self, pool: PoolState) -> None:
        """Start a campaign for one vacancy in `pool` (the workforce calls this when a post falls
        vacant: `workforce.open_vacancy`, connected in `simulate_raw`)."""
        self.env.process(filling_a_vacancy(self.env, self, pool))

    def draw(self, stream: RecruitmentStream, dist_name: str) -> float:
        """One duration from the named recruitment setting, from its own stream."""
        dist = getattr(self.settings, dist_name)
        return float(dist.sample(getattr(self.streams, stream), 1)[0])

    def passes(self, stream: RecruitmentStream, probability: float) -> bool:
        """A Bernoulli trial from the named stream (always drawn, to keep streams aligned)."""
        return bool(getattr(self.streams, stream).random() < probability)

    def freeze_end(self, day: float) -> float | None:
        """The end of the hiring freeze in force on `day`, if any."""
        ends = [end for start, end in self.freezes if start <= day < end]
        return max(ends) if ends else None


def _enter(pool: PoolState, stage: str) -> None:
    pool.pipeline[stage] += 1


def _leave(pool: PoolState, stage: str) -> None:
    pool.pipeline[stage] -= 1


def filling_a_vacancy(
    env: simpy.Environment, rec: Recruitment, pool: PoolState
) -> Generator[simpy.Event, object, None]:
    """One vacancy through the pipeline; ends with a hire, or closes if approval is refused."""
    opened = env.now
    settings = rec.settings
    _enter(pool, "approval")
    yield env.timeout(rec.draw("approval", "approval_days"))
    while (end := rec.freeze_end(env.now)) is not None:
        yield env.timeout(end - env.now)
    _leave(pool, "approval")
    if not rec.passes("approval", 1 - settings.approval_refusal_rate):
        rec.refused[pool.index] += 1
        pool.vacancies_open -= 1  # asked for again at the next workforce review
        return
    first_advert: float | None = None
    while True:
        _enter(pool, "awaiting_recruiter")
        with rec.team.request() as recruiter:
            yield recruiter
            _leave(pool, "awaiting_recruiter")
            if first_advert is None:
                first_advert = env.now
            yield from _advertise_until_accepted(env, rec, pool)
        offer_accepted = env.now
        _enter(pool, "vetting")
        yield env.timeout(_vetting_days(rec, pool))
        _leave(pool, "vetting")
        if rec.passes("vetting", 1 - _vetting_withdrawal(rec, pool)):
            break
        rec.vetting_withdrawals[pool.index] += 1
    _enter(pool, "notice")
    notice = pool.config.joiner_notice_days.sample(rec.streams.joiner_notice, 1)[0]
    yield env.timeout(float(notice))
    _leave(pool, "notice")
    pool.vacancies_open -= 1
    # Recorded once per hire: from the campaign's first advert to the offer the joiner accepted.
    rec.time_to_hire_days[pool.index].append(offer_accepted - first_advert)
    rec.time_to_fill_days[pool.index].append(env.now - opened)
    rec.workforce.hire(pool)


def _advertise_until_accepted(
    env: simpy.Environment, rec: Recruitment, pool: PoolState
) -> Generator[simpy.Event, object, None]:
    settings = rec.settings
    while True:
        stages: tuple[tuple[str, RecruitmentStream, str], ...] = (
            ("advert", "advert", "advert_days"),
            ("sift_interview", "sift_interview", "sift_interview_days"),
        )
        for stage, stream, setting in stages:
            _enter(pool, stage)
            yield env.timeout(rec.draw(stream, setting))
            _leave(pool, stage)
        if not rec.passes("sift_interview", 1 - settings.campaign_failure_rate):
            rec.readvertised[pool.index] += 1
            continue
        _enter(pool, "offer")
        yield env.timeout(rec.draw("offer", "offer_days"))
        _leave(pool, "offer")
        if rec.passes("offer", settings.offer_acceptance):
            return
        rec.offers_declined[pool.index] += 1


def _vetting_days(rec: Recruitment, pool: PoolState) -> float:
    level = pool.config.vetting_level
    if level is None:
        return 0.0
    dist = rec.settings.vetting_levels[level].duration_days
    return float(dist.sample(rec.streams.vetting, 1)[0])


def _vetting_withdrawal(rec: Recruitment, pool: PoolState) -> float:
    level = pool.config.vetting_level
    return 0.0 if level is None else rec.settings.vetting_levels[level].withdrawal_rate
