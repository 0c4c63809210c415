"""Hypothesis strategies: small random scenarios with most mechanisms switched on at random.

Horizons are a few months and demand a few dozen requests a month, so each example runs in
milliseconds. `continuous=True` draws every recruitment duration from a continuous distribution,
so that no event falls exactly on a month boundary (see the boundary test in
test_timelines_staff.py).
"""

from __future__ import annotations

from typing import Any

from builders import base_data, build, date_after
from hypothesis import strategies as st

from sim.scenario.schema import Scenario

HORIZON_MONTHS = st.integers(2, 8)


def small(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def duration(high: float, *, continuous: bool = False) -> st.SearchStrategy[Any]:
    """A duration in days, as a scenario writes it."""
    uniform = st.tuples(small(0, high), small(0.5, high)).map(
        lambda p: {"kind": "uniform", "low": p[0], "high": p[0] + p[1]}
    )
    if continuous:
        return uniform
    fixed = st.integers(0, int(high))
    exponential = small(0.5, high).map(lambda m: {"kind": "exponential", "mean": m})
    return st.one_of(fixed, uniform, exponential)


def effort() -> st.SearchStrategy[Any]:
    return st.one_of(
        small(0.2, 6),
        small(0.2, 6).map(lambda m: {"kind": "exponential", "mean": m}),
        st.tuples(small(0.1, 2), small(0, 3), small(0, 3)).map(
            lambda t: {"kind": "triangular", "low": t[0], "mode": t[0] + t[1], "high": sum(t)}
        ),
    )


def patience() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), duration(40))


@st.composite
def staff_pool(draw: st.DrawFn, index: int) -> dict[str, Any]:
    offsets = sorted(draw(st.sets(st.integers(0, 200), max_size=2)))
    return {
        "name": f"pool{index}",
        "initial_headcount": draw(st.integers(0, 4)),
        "headcount_plan": [
            {"date": date_after(d), "headcount": draw(st.integers(0, 8))} for d in offsets
        ],
        "attrition_rate_per_year": draw(st.sampled_from([0.0, 0.3, 1.5])),
        "early_tenure_attrition_multiplier": draw(st.sampled_from([1.0, 3.0])),
        "leaver_notice_days": draw(duration(40)),
        "non_productive_share": draw(small(0, 0.5)),
        "cases_per_person": draw(st.integers(1, 3)),
        "salary_gbp_per_year": draw(small(0, 80_000)),
        "ramp_up": {
            "start_productivity": draw(small(0.2, 1)),
            "weeks_to_full": draw(small(0, 12)),
            "mentoring_share_per_joiner": draw(small(0, 1)),
        },
        "vetting_level": draw(st.sampled_from([None, "sc"])),
    }


@st.composite
def request_type(draw: st.DrawFn, index: int, n_pools: int) -> dict[str, Any]:
    return {
        "name": f"type{index}",
        "skill_pool": f"pool{draw(st.integers(0, n_pools - 1))}",
        "arrivals_per_month": draw(small(0, 30)),
        "effort_person_days": draw(effort()),
        "min_elapsed_days": draw(st.sampled_from([0.0, 2.0, 7.5])),
        "sla_target_days": draw(small(1, 60)),
        "priority": draw(st.integers(0, 3)),
        "contract_value_gbp": draw(small(0, 1e6)),
        "savings_rate": draw(small(0, 0.2)),
        "patience_days": draw(patience()),
    }


@st.composite
def recruitment(draw: st.DrawFn, *, continuous: bool) -> dict[str, Any]:
    freezes = []
    if not continuous and draw(st.booleans()):
        start, length = draw(st.integers(0, 120)), draw(st.integers(1, 60))
        freezes = [{"start": date_after(start), "end": date_after(start + length)}]
    return {
        "max_concurrent_campaigns": draw(st.integers(1, 5)),
        "approval_days": draw(duration(30, continuous=continuous)),
        "approval_refusal_rate": draw(small(0, 0.5)),
        "hiring_freezes": freezes,
        "advert_days": draw(duration(40, continuous=continuous)),
        "sift_interview_days": draw(duration(30, continuous=continuous)),
        "campaign_failure_rate": draw(small(0, 0.5)),
        "offer_days": draw(duration(10, continuous=continuous)),
        "offer_acceptance": draw(small(0.3, 1)),
        "vetting_levels": {
            "sc": {
                "duration_days": draw(duration(40, continuous=continuous)),
                "withdrawal_rate": draw(small(0, 0.5)),
            }
        },
    }


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    pause_above, surge_above = draw(small(0.5, 8)), draw(small(0.5, 8))
    return {
        "detection_lag_days": draw(st.sampled_from([0.0, 30.0, 90.0])),
        "pause_onboarding": {
            "enabled": draw(st.booleans()),
            "pause_above_backlog_weeks": pause_above,
            "resume_below_backlog_weeks": pause_above * draw(small(0, 1)),
        },
        "surge_contractors": {
            "enabled": draw(st.booleans()),
            "surge_above_backlog_weeks": surge_above,
            "release_below_backlog_weeks": surge_above * draw(small(0, 1)),
            "surge_share_of_establishment": draw(small(0, 0.5)),
        },
    }


@st.composite
def scenarios(draw: st.DrawFn, *, continuous: bool = False) -> Scenario:
    """A small random scenario, validated."""
    data = base_data(horizon_months=draw(HORIZON_MONTHS))
    n_pools = draw(st.integers(1, 2))
    n_types = draw(st.integers(1, 3))
    data["staff_pools"] = [draw(staff_pool(p)) for p in range(n_pools)]
    if continuous:
        for pool in data["staff_pools"]:
            pool["joiner_notice_days"] = draw(duration(30, continuous=True))
    data["demand"] = {
        "departments": [
            {
                "name": f"dept{d}",
                "onboarding_date": date_after(draw(st.integers(-30, 200))),
                "demand_weight": draw(small(0, 2)),
                "growth_per_year": draw(small(-0.2, 0.5)),
            }
            for d in range(draw(st.integers(1, 3)))
        ],
        "request_types": [draw(request_type(k, n_pools)) for k in range(n_types)],
        "seasonality_by_month": draw(st.lists(small(0, 2), min_size=12, max_size=12)),
        "multiplier": draw(
            st.one_of(st.just(1.0), st.just({"kind": "uniform", "low": 0.5, "high": 1.5}))
        ),
        "patience_days": draw(patience()),
    }
    data["recruitment"] = draw(recruitment(continuous=continuous))
    data["contractors"] = {
        "cover_vacancies": draw(st.booleans()),
        "lead_time_days": draw(duration(40, continuous=continuous)),
        "cap_share_of_establishment": draw(small(0, 1)),
        "day_rate_gbp": draw(small(0, 1000)),
        "productivity": draw(small(0.5, 1)),
    }
    data["policies"] = draw(policies())
    return build(data)


seeds = st.integers(0, 2**32 - 1)
