"""Exact recruitment timelines with fixed stage durations: every day is known in advance.

The builders' run starts on 1 April 2024, so month ends fall on days 30 (April), 61 (May),
91 (June), 122 (July), 153 (August) and 183 (September).
"""

from __future__ import annotations

from builders import base_data, build, date_after, raw_run

from sim.results.replication import simulate

# approval 10, advert 20, sift and interview 15, offer 5, vetting 30, joiner's notice 28
PIPELINE = {
    "staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 1}],
    "staff_pools.0.vetting_level": "sc",
    "staff_pools.0.joiner_notice_days": 28,
    "recruitment.approval_days": 10,
    "recruitment.advert_days": 20,
    "recruitment.sift_interview_days": 15,
    "recruitment.offer_days": 5,
    "recruitment.vetting_levels": {"sc": {"duration_days": 30}},
}


def pipeline_scenario(**changes):
    """No staff, no demand, one post funded from day 0, the fixed pipeline above."""
    return build(
        base_data(staff=0, arrivals_per_month=0, horizon_months=6), {**PIPELINE, **changes}
    )


def test_a_vacancy_is_filled_after_the_sum_of_its_stages() -> None:
    raw = raw_run(pipeline_scenario())
    assert raw.workforce.joined == [[108.0]]  # 10 + 20 + 15 + 5 + 30 + 28
    # The published metrics: advert close (30) to offer (50); advert (10) to checks done (80).
    assert raw.recruitment.time_to_hire_days == [[20.0]]
    assert raw.recruitment.advert_to_checks_days == [[70.0]]
    assert raw.recruitment.time_to_fill_days == [[108.0]]


def test_the_monthly_series_follow_the_vacancy_through_its_stages() -> None:
    result = simulate(pipeline_scenario(), 1)
    m = result.monthly
    assert m["joiners"].tolist() == [0, 0, 0, 1, 0, 0]  # day 108 is in July
    assert m["headcount_in_post"].tolist() == [0, 0, 0, 1, 1, 1]
    assert m["vacancies"].tolist() == [1, 1, 1, 0, 0, 0]
    assert m.loc[1, "pipeline_vetting"] == 1  # end of May, day 61: vetting runs 50 to 80
    assert m.loc[2, "pipeline_notice"] == 1  # end of June, day 91: notice runs 80 to 108
    assert result.kpis["hires"] == 1
    assert result.kpis["mean_time_to_hire_days"] == 20.0
    assert result.kpis["mean_advert_to_checks_days"] == 70.0
    assert result.kpis["mean_time_to_fill_days"] == 108.0


def test_a_hiring_freeze_holds_approval_until_it_ends() -> None:
    freeze = [{"start": date_after(0), "end": date_after(60)}]
    raw = raw_run(pipeline_scenario(**{"recruitment.hiring_freezes": freeze}))
    # Approved on day 10 but held to day 60: the start slips by the 50 days of freeze left.
    assert raw.workforce.joined == [[158.0]]
    assert raw.recruitment.time_to_fill_days == [[158.0]]


def test_a_freeze_after_approval_does_not_stop_a_campaign() -> None:
    freeze = [{"start": date_after(20), "end": date_after(60)}]
    raw = raw_run(pipeline_scenario(**{"recruitment.hiring_freezes": freeze}))
    assert raw.workforce.joined == [[108.0]]


def test_refused_approval_never_hires_and_is_asked_again_each_month() -> None:
    raw = raw_run(pipeline_scenario(**{"recruitment.approval_refusal_rate": 1.0}))
    assert raw.workforce.joined == [[]]
    assert raw.recruitment.refused == [6]  # one request at each of the six monthly reviews


def test_offers_that_are_always_declined_never_hire() -> None:
    raw = raw_run(pipeline_scenario(**{"recruitment.offer_acceptance": 0.0}))
    assert raw.workforce.joined == [[]]
    assert raw.recruitment.time_to_hire_days == [[]]
    # Each campaign takes 40 days from day 10: offers declined on days 50, 90, 130, 170.
    assert raw.recruitment.offers_declined == [4]


def test_campaigns_with_no_appointable_candidate_are_readvertised() -> None:
    raw = raw_run(pipeline_scenario(**{"recruitment.campaign_failure_rate": 1.0}))
    assert raw.workforce.joined == [[]]
    # advert and sift take 35 days from day 10: failures on days 45, 80, 115, 150.
    assert raw.recruitment.readvertised == [4]


def test_candidates_who_withdraw_in_vetting_restart_the_campaign() -> None:
    vetting = {"sc": {"duration_days": 30, "withdrawal_rate": 1.0}}
    raw = raw_run(pipeline_scenario(**{"recruitment.vetting_levels": vetting}))
    assert raw.workforce.joined == [[]]
    # Offers accepted on days 50 and 120, withdrawals on days 80 and 150.
    assert raw.recruitment.vetting_withdrawals == [2]
    assert raw.recruitment.time_to_hire_days == [[]]  # timed per hire: there was none


def test_a_small_recruitment_team_runs_campaigns_one_after_another() -> None:
    changes = {
        "staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 3}],
        "staff_pools.0.vetting_level": None,
        "staff_pools.0.joiner_notice_days": 0,
        "recruitment.approval_days": 0,
        "recruitment.max_concurrent_campaigns": 1,
    }
    raw = raw_run(pipeline_scenario(**changes))
    # A recruiter is held from advert to accepted offer: 40 days per campaign.
    assert raw.workforce.joined == [[40.0, 80.0, 120.0]]
    assert raw.recruitment.time_to_hire_days == [[20.0, 20.0, 20.0]]  # advert close to offer
    assert raw.recruitment.time_to_fill_days == [[40.0, 80.0, 120.0]]
    month_end = raw.monitor.by_pool
    assert month_end["pipeline_awaiting_recruiter"][0, 0] == 2  # day 30: two campaigns queue


def test_recruitment_grows_headcount_to_the_plan_and_no_further() -> None:
    changes = {"staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 4}]}
    result = simulate(pipeline_scenario(**changes), 1)
    assert result.monthly["headcount_in_post"].tolist() == [0, 0, 0, 4, 4, 4]
    assert result.kpis["hires"] == 4
    assert result.kpis["vacancies_end"] == 0


def test_vacancies_in_flight_at_the_start_hire_without_a_new_campaign() -> None:
    start = {"vacancies": [{"pool": "staff", "stage": "notice", "count": 1}]}
    raw = raw_run(pipeline_scenario(**{"start_state": start}))
    # One post funded and one vacancy already serving notice: it starts within the 28 days of
    # notice (a uniform share of it left), and no second campaign is opened for the post.
    assert len(raw.workforce.joined[0]) == 1
    assert 0.0 <= raw.workforce.joined[0][0] <= 28.0
    assert raw.recruitment.time_to_fill_days == [[]]  # its opening date is not known
