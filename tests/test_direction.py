"""Direction of effect: changing one lever moves the results the way a planner would expect.

Each comparison runs both scenarios on the same seeds (common random numbers: arrivals, efforts
and recruitment draws are shared), so a few replications are enough and each one is compared in
pairs.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import arrivals_per_month_for, base_data, build, date_after, scenario

from sim.results.replication import run_replication

pytestmark = pytest.mark.slow

SEED = 77
REPS = 3


def paired(a, b, measure) -> tuple[np.ndarray, np.ndarray]:
    """`measure(result)` for scenarios a and b over the same replications."""
    first = np.array([measure(run_replication(a, SEED, rep)) for rep in range(REPS)])
    second = np.array([measure(run_replication(b, SEED, rep)) for rep in range(REPS)])
    return first, second


def kpi(name: str):
    return lambda result: result.kpis[name]


def monthly_mean(column: str):
    return lambda result: result.monthly[column].mean()


def test_more_staff_shorten_waits() -> None:
    rate = arrivals_per_month_for(2.7)  # 90% of three people's capacity
    three = scenario(staff=3, arrivals_per_month=rate, horizon_months=12)
    four = scenario(staff=4, arrivals_per_month=rate, horizon_months=12)
    waits3, waits4 = paired(three, four, kpi("mean_wait_days"))
    assert (waits4 < waits3).all()


def test_higher_attrition_leaves_fewer_staff() -> None:
    data = base_data(staff=30, arrivals_per_month=0, horizon_months=12)
    slow_recruitment = {"recruitment.advert_days": 400}
    low = build(data, {**slow_recruitment, "staff_pools.0.attrition_rate_per_year": 0.1})
    high = build(data, {**slow_recruitment, "staff_pools.0.attrition_rate_per_year": 0.4})
    end_low, end_high = paired(low, high, kpi("headcount_end"))
    assert (end_high <= end_low).all()
    assert end_high.mean() < end_low.mean()


def test_slower_adverts_bring_capacity_later() -> None:
    data = base_data(staff=2, arrivals_per_month=0, horizon_months=8)
    plan = {"staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 10}]}
    advert = {"kind": "uniform", "low": 20, "high": 40}
    fast = build(data, {**plan, "recruitment.advert_days": advert})
    slow = build(data, {**plan, "recruitment.advert_days": {**advert, "low": 60, "high": 80}})
    in_post_fast, in_post_slow = paired(fast, slow, monthly_mean("headcount_in_post"))
    assert (in_post_slow < in_post_fast).all()
    fill_fast, fill_slow = paired(fast, slow, kpi("mean_time_to_fill_days"))
    assert fill_slow == pytest.approx(fill_fast + 40)  # the same draws, 40 days later


def _waves(gap_months: int) -> dict:
    data = base_data(staff=3, arrivals_per_month=20, mean_effort_days=3.0, horizon_months=12)
    data["demand"]["departments"] = [
        {"name": f"dept{k}", "onboarding_date": date_after(0 if k == 0 else 31 * gap_months * k)}
        for k in range(4)
    ]
    return data


def test_faster_onboarding_of_departments_grows_the_backlog() -> None:
    fast, slow = build(_waves(1)), build(_waves(3))
    backlog_fast, backlog_slow = paired(fast, slow, monthly_mean("backlog"))
    assert (backlog_fast > backlog_slow).all()


def test_less_patient_departments_give_up_more_often() -> None:
    overloaded = base_data(staff=2, arrivals_per_month=arrivals_per_month_for(3), horizon_months=6)
    exponential = {"kind": "exponential", "mean": 20.0}
    patient = build(overloaded, {"demand.patience_days": exponential})
    impatient = build(overloaded, {"demand.patience_days": {**exponential, "mean": 5.0}})
    gone_patient, gone_impatient = paired(patient, impatient, kpi("reneged"))
    assert (gone_impatient > gone_patient).all()


def test_pausing_onboarding_under_overload_defers_departments_and_holds_the_backlog() -> None:
    data = base_data(staff=2, arrivals_per_month=20, mean_effort_days=2.0, horizon_months=12)
    data["demand"]["departments"] = [
        {"name": f"dept{k}", "onboarding_date": date_after(31 * k)} for k in range(6)
    ]
    data["policies"]["detection_lag_days"] = 0
    unmanaged = build(data)
    pause = {"enabled": True, "pause_above_backlog_weeks": 2, "resume_below_backlog_weeks": 1}
    managed = build(data, {"policies.pause_onboarding": pause})
    onboarded_free, onboarded_paused = paired(unmanaged, managed, kpi("departments_onboarded_end"))
    assert (onboarded_paused < onboarded_free).all()
    backlog_free, backlog_paused = paired(unmanaged, managed, monthly_mean("backlog"))
    assert (backlog_paused < backlog_free).all()
    deferred = paired(unmanaged, managed, kpi("requests_deferred"))
    assert (deferred[0] == 0).all() and (deferred[1] > 0).all()


def test_contractors_covering_vacancies_add_effective_capacity_while_posts_are_open() -> None:
    data = base_data(staff=4, arrivals_per_month=arrivals_per_month_for(5), horizon_months=8)
    changes = {
        "staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 10}],
        "recruitment.advert_days": {"kind": "uniform", "low": 30, "high": 200},
    }
    without = build(data, changes)
    cover = {"cover_vacancies": True, "lead_time_days": 14, "cap_share_of_establishment": 1.0}
    with_cover = build(data, {**changes, "contractors": cover})
    for rep in range(REPS):
        a = run_replication(without, SEED, rep).monthly
        b = run_replication(with_cover, SEED, rep).monthly
        assert (a["vacancies"] == b["vacancies"]).all()  # recruitment is unchanged
        open_posts = a["vacancies"] > 0
        assert open_posts.any()
        assert (b["effective_fte"][open_posts] > a["effective_fte"][open_posts]).all()
        assert (b["effective_fte"] >= a["effective_fte"]).all()


def test_a_bigger_recruitment_team_fills_posts_sooner() -> None:
    data = base_data(staff=0, arrivals_per_month=0, horizon_months=12)
    changes = {
        "staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 8}],
        "recruitment.advert_days": {"kind": "uniform", "low": 20, "high": 40},
        "recruitment.max_concurrent_campaigns": 2,
    }
    small = build(data, changes)
    large = build(data, {**changes, "recruitment.max_concurrent_campaigns": 6})
    fill_small, fill_large = paired(small, large, kpi("mean_time_to_fill_days"))
    assert (fill_large < fill_small).all()


def test_surging_contractors_under_overload_shortens_waits() -> None:
    data = base_data(staff=5, arrivals_per_month=arrivals_per_month_for(6), horizon_months=8)
    data["policies"]["detection_lag_days"] = 30
    unmanaged = build(data, {"contractors.cap_share_of_establishment": 0.4})
    surge = {"enabled": True, "surge_above_backlog_weeks": 1, "surge_share_of_establishment": 0.4}
    surge["release_below_backlog_weeks"] = 0.5
    managed = build(
        data, {"contractors.cap_share_of_establishment": 0.4, "policies.surge_contractors": surge}
    )
    hired_free, hired_surge = paired(unmanaged, managed, monthly_mean("contractors"))
    assert (hired_free == 0).all() and (hired_surge > 0).all()
    waits_free, waits_surge = paired(unmanaged, managed, kpi("mean_wait_days"))
    assert (waits_surge < waits_free).all()
