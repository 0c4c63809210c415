"""The going concern at the start, deferred demand, and what the demand multiplier scales."""

from __future__ import annotations

import numpy as np
import pytest
from builders import base_data, build, date_after, raw_run

from sim.errors import ScenarioError
from sim.model.calendar import Calendar
from sim.model.demand import monthly_rates
from sim.results.replication import simulate

FIXED_WORK = {
    "demand.request_types.0.effort_person_days": 10,
    "demand.request_types.0.sla_target_days": 60,
}


def test_work_in_hand_is_served_but_is_not_an_arrival_of_the_run() -> None:
    start = {"work_in_hand": [{"request_type": "work", "cases": 3}]}
    s = build(
        base_data(staff=3, arrivals_per_month=0, horizon_months=3),
        {**FIXED_WORK, "start_state": start},
    )
    result = simulate(s, 1)
    m = result.monthly
    assert m["completions"].sum() == 3  # three part-done cases finish within 10 days
    assert m["arrivals"].sum() == 0 and m["arrivals_judged"].sum() == 0
    assert result.kpis["arrivals"] == 0
    assert result.end_state["completed"] == 3


def test_recent_joiners_at_the_start_are_still_ramping_up() -> None:
    ramp = {"start_productivity": 0.5, "weeks_to_full": 52}
    tenure = [{"pool": "staff", "tenure": [{"from_days": 0, "to_days": 1, "share": 1.0}]}]
    changes = {"staff_pools.0.ramp_up": ramp, "start_state": {"staff": tenure}}
    recent = simulate(build(base_data(staff=10, arrivals_per_month=0), changes), 1).monthly
    seasoned = simulate(build(base_data(staff=10, arrivals_per_month=0)), 1).monthly
    assert seasoned["effective_fte"].iloc[0] == pytest.approx(10.0)
    # A month into a year's ramp from 50%: about 54% productive each.
    assert recent["effective_fte"].iloc[0] == pytest.approx(10 * (0.5 + 0.5 * 31 / 364), rel=0.02)
    assert recent["joiners"].sum() == 0  # already in post: not joiners of the run


def test_an_early_tenure_profile_raises_attrition_at_the_start() -> None:
    attrition = {
        "staff_pools.0.attrition_rate_per_year": 0.2,
        "staff_pools.0.early_tenure_attrition_multiplier": 5.0,
    }
    tenure = [{"pool": "staff", "tenure": [{"from_days": 0, "to_days": 30, "share": 1.0}]}]
    base = base_data(staff=200, arrivals_per_month=0, horizon_months=6)
    new = simulate(build(base, {**attrition, "start_state": {"staff": tenure}}), 3).kpis
    old = simulate(build(base, attrition), 3).kpis
    assert new["leavers"] > 2 * old["leavers"]


def test_start_state_names_are_checked() -> None:
    bad = {"vacancies": [{"pool": "nobody", "stage": "advert", "count": 1}]}
    with pytest.raises(ScenarioError) as error:
        build(base_data(), {"start_state": bad})
    assert "start_state.vacancies.0.pool" in str(error.value)
    shares = [{"pool": "staff", "tenure": [{"from_days": 0, "to_days": 9, "share": 0.5}]}]
    with pytest.raises(ScenarioError) as error:
        build(base_data(), {"start_state": {"staff": shares}})
    assert "add up to 1" in str(error.value)


def test_deferred_demand_is_demand_not_met_and_its_savings_are_foregone() -> None:
    data = base_data(staff=2, arrivals_per_month=120, horizon_months=12)
    data["demand"]["departments"].append({"name": "late", "onboarding_date": date_after(60)})
    changes = {
        "demand.request_types.0.contract_value_gbp": 1000,
        "demand.request_types.0.savings_rate": 0.1,
        "policies.detection_lag_days": 0,
        "policies.pause_onboarding": {
            "enabled": True,
            "pause_above_backlog_weeks": 1,
            "resume_below_backlog_weeks": 0.5,
        },
    }
    result = simulate(build(data, changes), 1)
    k = result.kpis
    assert k["requests_deferred"] > 0
    assert k["demand_met_share"] == pytest.approx(
        k["completed"] / (k["completed"] + k["reneged"] + k["requests_deferred"])
    )
    assert k["savings_foregone_gbp"] == pytest.approx(
        100.0 * (k["reneged"] + k["requests_deferred"])
    )
    assert result.monthly["requests_deferred"].sum() == k["requests_deferred"]
    assert k["departments_planned_end"] == 2 and k["departments_onboarded_end"] < 2


def test_the_multiplier_scales_only_transferring_departments() -> None:
    data = base_data(arrivals_per_month=10, horizon_months=2)
    data["demand"]["departments"][0]["transferring"] = False
    data["demand"]["departments"].append({"name": "moving", "onboarding_date": date_after(0)})
    s = build(data)
    rates = monthly_rates(s, Calendar(s.run.start_date, 2), 2.0)
    assert rates[0, 0, 0] == pytest.approx(rates[1, 0, 0] / 2)


def test_a_request_type_can_have_its_own_seasonality() -> None:
    data = base_data(arrivals_per_month=10, horizon_months=12)
    data["demand"]["request_types"].append(
        {**data["demand"]["request_types"][0], "name": "flat", "seasonality_by_month": [1.0] * 12}
    )
    data["demand"]["seasonality_by_month"] = [2.0] + [1.0] * 11
    s = build(data)
    rates = monthly_rates(s, Calendar(s.run.start_date, 12), 1.0)
    january = 9  # the builders' run starts in April
    ratio = rates[0, 0, january] / rates[0, 1, january]
    assert ratio == pytest.approx(2.0)


def test_progress_against_the_plan_counts_transferring_departments_and_their_spend() -> None:
    data = base_data(horizon_months=4)
    data["demand"]["departments"][0].update(transferring=False)
    data["demand"]["departments"].append(
        {"name": "a", "onboarding_date": date_after(40), "annual_spend_gbp": 5e8}
    )
    m = simulate(build(data), 1).monthly
    assert m["departments_planned"].tolist() == [0, 1, 1, 1]
    assert m["departments_onboarded"].tolist() == [0, 1, 1, 1]
    assert m["spend_transferred_gbp_per_year"].tolist() == [0, 5e8, 5e8, 5e8]


def test_transferred_work_arrives_after_the_move() -> None:
    data = base_data(arrivals_per_month=30, horizon_months=4)
    data["demand"]["departments"][0].update(transferring=True)
    raw = raw_run(build(data, {"demand.transferred_work_months": 2.0}), 1)
    plain = raw_run(build(data), 1)
    extra = len(raw.book) - len(plain.book)
    assert 40 <= extra <= 80  # about 2 months x 30 a month
    assert np.all(raw.book.arrival_day >= 0)
