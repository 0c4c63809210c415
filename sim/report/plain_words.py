"""A scenario in plain words, for readers of a business case who will not read YAML.

Each function returns sentences built from the validated `Scenario`, so the words cannot drift
from what was run. Distribution parameters are summarised by their means; the assumptions log
beside them in a report gives every value exactly.
"""

from __future__ import annotations

from collections import Counter

from sim.scenario.distributions import Fixed
from sim.scenario.schema import Scenario, StaffPool

__all__ = ["describe_scenario"]

MONTHS = "January February March April May June July August September October November December"


def describe_scenario(scenario: Scenario) -> dict[str, list[str]]:
    """Paragraphs by topic: run, demand, work, staff, recruitment, contractors, management,
    verdict."""
    return {
        "Period": [_period(scenario)],
        "Demand": _demand(scenario),
        "Work": [_request_type(scenario, i) for i in range(len(scenario.demand.request_types))],
        "Staff": [_pool(scenario, pool) for pool in scenario.staff_pools],
        "Recruitment": [_recruitment(scenario)],
        "Contractors": [_contractors(scenario)],
        "Management response": [_policies(scenario)],
        "Verdict": [_verdict(scenario)],
    }


def _period(s: Scenario) -> str:
    warm = (
        f" Requests arriving in the first {s.run.warmup_days:g} days are left out of the KPIs."
        if s.run.warmup_days
        else ""
    )
    return (
        f"'{s.name}' runs for {s.run.horizon_months} months from {s.run.start_date:%d %B %Y}, "
        f"with {s.run.working_days_per_year:g} working days in a full-time year.{warm}"
    )


def _demand(s: Scenario) -> list[str]:
    demand = s.demand
    waves = Counter(d.onboarding_date for d in demand.departments)
    first, last = min(waves), max(waves)
    weight = sum(d.demand_weight for d in demand.departments)
    lines = [
        f"{len(demand.departments)} customers (departments, total demand weight {weight:g}) move "
        f"their buying to CCS in {len(waves)} waves between {first:%B %Y} and {last:%B %Y}: "
        + "; ".join(f"{n} on {day:%d %b %Y}" for day, n in sorted(waves.items()))
        + "."
    ]
    growing = [d for d in demand.departments if d.growth_per_year]
    if growing:
        lines.append(f"{len(growing)} of them grow their demand each year after the start.")
    multiplier = demand.multiplier
    if isinstance(multiplier, Fixed):
        lines.append(f"All demand is scaled by {multiplier.value:g} (no demand uncertainty).")
    else:
        lines.append(
            f"Demand is uncertain: every replication draws one multiplier on all demand from a "
            f"{multiplier.kind} distribution with mean {multiplier.mean:.3g}; within a "
            "replication, requests arrive at random (Poisson)."
        )
    season = demand.seasonality_by_month
    if max(season) != min(season):
        peak = season.index(max(season))
        lines.append(
            f"Arrivals are seasonal: the busiest month is {MONTHS.split()[peak]} at "
            f"{max(season):g} times its share, the quietest at {min(season):g}."
        )
    return lines


def _request_type(s: Scenario, index: int) -> str:
    t = s.demand.request_types[index]
    patience = t.patience_days or s.demand.patience_days
    gives_up = (
        f" A department that waits on average {patience.mean:.0f} days without the work "
        "starting gives up and buys alone."
        if patience is not None
        else " Departments never give up on it."
    )
    minimum = f", taking at least {t.min_elapsed_days:g} days" if t.min_elapsed_days else ""
    return (
        f"{t.name}: {t.arrivals_per_month:g} a month from a department of weight 1, served by "
        f"{t.skill_pool}; about {t.effort_person_days.mean:.3g} person-days of work each"
        f"{minimum}; target: done within {t.sla_target_days:g} days.{gives_up}"
    )


def _pool(s: Scenario, pool: StaffPool) -> str:
    plan = pool.headcount_plan
    growth = (
        f", planned to reach {plan[-1].headcount:,} posts by {plan[-1].date:%B %Y} "
        f"({len(plan)} steps)"
        if plan
        else ", with no planned growth"
    )
    ramp = pool.ramp_up
    ramp_text = (
        f"new joiners start at {ramp.start_productivity:.0%} productivity and reach full over "
        f"{ramp.weeks_to_full:g} weeks"
        if ramp.weeks_to_full
        else "new joiners are fully productive at once"
    )
    cost = pool.salary_gbp_per_year * (1 + pool.on_cost_share)
    return (
        f"{pool.name}: {pool.initial_headcount:,} staff at the start{growth}; "
        f"{pool.attrition_rate_per_year:.0%} leave each year"
        + (
            f" ({pool.early_tenure_attrition_multiplier:g} times that in their first year)"
            if pool.early_tenure_attrition_multiplier != 1
            else ""
        )
        + f"; {ramp_text}; {pool.non_productive_share:.0%} of time is non-productive; each "
        f"carries {_cases(pool.cases_per_person)} at once"
        + (f"; vetting: {pool.vetting_level}" if pool.vetting_level else "")
        + (f"; costs £{cost:,.0f} a year each with on-costs." if cost else ".")
    )


def _cases(n: int) -> str:
    return "one case" if n == 1 else f"{n} cases"


def _recruitment(s: Scenario) -> str:
    r = s.recruitment
    stages = (
        ("approval", r.approval_days.mean),
        ("advert", r.advert_days.mean),
        ("sift and interview", r.sift_interview_days.mean),
        ("offer", r.offer_days.mean),
    )
    vetting = ", ".join(
        f"{name} {level.duration_days.mean:.0f} days" for name, level in r.vetting_levels.items()
    )
    total = sum(days for _, days in stages)
    freezes = (
        f" Hiring freezes: {len(r.hiring_freezes)}." if r.hiring_freezes else " No hiring freeze."
    )
    return (
        "Every vacancy (from the plan or from a leaver) goes through "
        + ", ".join(f"{name} (mean {days:.0f} days)" for name, days in stages)
        + f", about {total:.0f} days before vetting"
        + (f" (vetting: {vetting})" if vetting else "")
        + " and the joiner's notice. "
        f"{r.campaign_failure_rate:.0%} of campaigns find no appointable candidate and "
        f"{1 - r.offer_acceptance:.0%} of offers are declined (both re-advertised); the "
        f"recruitment team runs at most {r.max_concurrent_campaigns} campaigns at once." + freezes
    )


def _contractors(s: Scenario) -> str:
    c = s.contractors
    surge = s.policies.surge_contractors.enabled
    if not c.cover_vacancies and not surge:
        return "No contractors or interims are used."
    uses = []
    if c.cover_vacancies:
        uses.append("cover vacant posts")
    if surge:
        uses.append("surge while the backlog is high")
    return (
        f"Contractors {' and '.join(uses)}, up to {c.cap_share_of_establishment:.0%} of each "
        f"pool's establishment, after a lead time of about {c.lead_time_days.mean:.0f} days, at "
        f"£{c.day_rate_gbp:,.0f} a day and {c.productivity:.0%} of a staff member's output."
    )


def _policies(s: Scenario) -> str:
    p = s.policies
    active = []
    if p.pause_onboarding.enabled:
        active.append(
            f"pause onboarding further departments while the backlog exceeds "
            f"{p.pause_onboarding.pause_above_backlog_weeks:g} weeks of work (resume below "
            f"{p.pause_onboarding.resume_below_backlog_weeks:g})"
        )
    if p.surge_contractors.enabled:
        active.append(
            f"bring in contractors while the backlog exceeds "
            f"{p.surge_contractors.surge_above_backlog_weeks:g} weeks"
        )
    raise_capacity, uplift = p.raise_recruitment_capacity, p.headcount_uplift
    if raise_capacity.enabled:
        active.append(
            f"once vacancies exceed {raise_capacity.trigger_above_vacancy_share:.0%} of posts, "
            f"let the recruitment team run {raise_capacity.extra_campaigns} more campaigns at "
            f"once, {raise_capacity.delay_days:g} days later"
        )
    if uplift.enabled:
        active.append(
            f"ask for {uplift.uplift_share:.0%} more posts in a pool whose backlog exceeds "
            f"{uplift.trigger_above_backlog_weeks:g} weeks, funded {uplift.delay_days:g} days "
            f"later (at most {uplift.max_uplifts} time(s))"
        )
    if not active:
        return "No management response is modelled: the run shows what the plan does unmanaged."
    return (
        "Management responds, seeing the backlog "
        f"{p.detection_lag_days:g} days late: " + "; ".join(active) + "."
    )


def _verdict(s: Scenario) -> str:
    v = s.verdict
    return (
        "A staff pool's month is short when fewer than "
        f"{v.sla_attainment_target:.0%} of the requests that arrived in it are served within "
        "their target (given up, deferred, late or unfinished count as missed) while capacity "
        f"falls behind: over the last {v.capacity_window_months} months demand exceeded the "
        "effective staff, or work in hand grew by more than "
        f"{v.work_in_hand_growth_weeks:g} weeks of the pool's capacity. A pool outruns "
        f"capability after {v.consecutive_months} short months in a row, and CCS does when any "
        "pool does (docs/verdict.md)."
    )
