"""Recruitment terms by pool, pay, vetting stress, and two management responses."""

from __future__ import annotations

import math

import pytest
from builders import base_data, build, date_after, raw_run
from test_timelines_recruitment import pipeline_scenario

from sim.results.replication import simulate


def test_a_pool_can_have_its_own_offer_acceptance() -> None:
    raw = raw_run(
        pipeline_scenario(
            **{"recruitment.offer_acceptance": 1.0, "staff_pools.0.offer_acceptance": 0.0}
        )
    )
    assert raw.workforce.joined == [[]]
    assert raw.recruitment.offers_declined == [4]


def test_pay_moves_the_odds_of_acceptance_and_of_finding_a_candidate() -> None:
    changes = {
        "recruitment.offer_acceptance": 0.5,
        "recruitment.campaign_failure_rate": 0.5,
        "recruitment.pay_odds_elasticity": 1.0,
        "staff_pools.0.pay_competitiveness": 2.0,
    }
    raw = raw_run(pipeline_scenario(**changes))
    pool = raw.workforce.pools[0]
    assert raw.recruitment.offer_acceptance(pool) == pytest.approx(2 / 3)  # odds 1 -> 2
    assert raw.recruitment.campaign_failure_rate(pool) == pytest.approx(1 / 3)
    at_market = raw_run(pipeline_scenario(**{**changes, "staff_pools.0.pay_competitiveness": 1}))
    assert at_market.recruitment.offer_acceptance(at_market.workforce.pools[0]) == 0.5


def test_a_vetting_stress_period_slows_checks_started_within_it() -> None:
    stress = [{"level": "sc", "start": date_after(0), "end": date_after(60), "duration_days": 90}]
    raw = raw_run(pipeline_scenario(**{"recruitment.vetting_stress_periods": stress}))
    # Vetting starts on day 50, inside the period: 90 days instead of 30.
    assert raw.workforce.joined == [[168.0]]
    late = [{"level": "sc", "start": date_after(51), "end": date_after(90), "duration_days": 90}]
    assert raw_run(
        pipeline_scenario(**{"recruitment.vetting_stress_periods": late})
    ).workforce.joined == [[108.0]]


def test_raising_recruitment_capacity_runs_waiting_campaigns_and_costs_its_slots() -> None:
    changes = {
        "staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 3}],
        "staff_pools.0.vetting_level": None,
        "staff_pools.0.joiner_notice_days": 0,
        "recruitment.approval_days": 0,
        "recruitment.max_concurrent_campaigns": 1,
        "policies.detection_lag_days": 0,
        "policies.raise_recruitment_capacity": {
            "enabled": True,
            "trigger_above_vacancy_share": 0.5,
            "extra_campaigns": 2,
            "delay_days": 0,
            "cost_gbp_per_campaign_slot_per_year": 36525,
        },
    }
    s = pipeline_scenario(**changes)
    raw = raw_run(s)
    # Seen at the review on day 30 (3 vacancies of 3 posts): the two waiting campaigns start.
    assert raw.workforce.joined == [[40.0, 70.0, 70.0]]
    kpis = simulate(s, 1).kpis
    # Two slots at £100 a day from day 30 to the end of the run (day 183).
    assert kpis["recruitment_capacity_cost_gbp"] == pytest.approx(2 * 100 * (183 - 30))


def test_a_headcount_uplift_adds_posts_after_its_delay() -> None:
    data = base_data(staff=2, arrivals_per_month=200, horizon_months=6)
    policy = {
        "enabled": True,
        "trigger_above_backlog_weeks": 1,
        "uplift_share": 0.5,
        "delay_days": 30,
        "max_uplifts": 1,
    }
    s = build(data, {"policies.detection_lag_days": 0, "policies.headcount_uplift": policy})
    establishment = simulate(s, 1).monthly["establishment"].tolist()
    assert establishment[0] == 2 and establishment[-1] == 2 + math.ceil(0.5 * 2)
    assert max(establishment) == 3  # one uplift only


def test_responses_are_off_by_default() -> None:
    s = build(base_data(staff=2, arrivals_per_month=200, horizon_months=6))
    assert not s.policies.raise_recruitment_capacity.enabled
    assert not s.policies.headcount_uplift.enabled
    assert simulate(s, 1).kpis["recruitment_capacity_cost_gbp"] == 0.0
