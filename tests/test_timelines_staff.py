"""Exact staff timelines: resignations and notice, replacements, ramp-up, mentoring, contractors.

The builders' run starts on 1 April 2024: month ends fall on days 30, 61, 91, 122, ...
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import base_data, build, date_after, raw_run, service_durations
from scipy.optimize import brentq

from sim.results.replication import simulate


def staff_scenario(changes: dict, *, staff: int = 0, arrivals_per_month: float = 0, months=3):
    data = base_data(staff=staff, arrivals_per_month=arrivals_per_month, horizon_months=months)
    return build(data, changes)


# --- leavers and replacements -------------------------------------------------------------------


def test_leavers_go_after_their_notice_and_are_replaced_at_the_next_review() -> None:
    s = staff_scenario(
        {
            "staff_pools.0.attrition_rate_per_year": 1.0,
            "staff_pools.0.leaver_notice_days": 30,
        },
        staff=20,
        months=12,
    )
    raw = raw_run(s, seed=3)
    w = raw.workforce
    horizon = raw.calendar.horizon_days
    bounds = raw.calendar.boundaries_days
    resigned, left, joined = (np.asarray(x[0]) for x in (w.resigned, w.left, w.joined))
    assert len(resigned) > 5
    assert left == pytest.approx([r + 30 for r in resigned if r + 30 < horizon])
    # Recruitment takes no time, so each resignation is replaced at the next monthly review.
    next_review = np.searchsorted(bounds, resigned, side="right")
    expected = sorted(bounds[k] for k in next_review if k < len(bounds) - 1)
    assert joined.tolist() == expected


def test_a_resigned_person_works_out_their_notice_on_cases_in_hand_only() -> None:
    s = staff_scenario(
        {
            "staff_pools.0.attrition_rate_per_year": 2.0,
            "staff_pools.0.leaver_notice_days": 60,
            "recruitment.advert_days": 1000,  # no replacement within the run
            "demand.request_types.0.effort_person_days": 1.0,
        },
        staff=1,
        arrivals_per_month=20,
        months=6,
    )
    raw = raw_run(s, seed=4)
    (resigned,) = raw.workforce.resigned[0]
    assert raw.workforce.left == [[resigned + 60]]
    start = np.asarray(raw.desk.first_start_day)
    started = start[~np.isnan(start)]
    assert len(started) > 10
    assert started.max() < resigned  # nothing new once they have resigned
    arrived_after = np.asarray(raw.book.arrival_day) > resigned
    assert arrived_after.sum() > 10  # and there was work they could have taken


# --- ramp-up and mentoring ----------------------------------------------------------------------


def test_a_joiners_cases_take_longer_while_they_ramp_up() -> None:
    s = staff_scenario(
        {
            "staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 1}],
            "staff_pools.0.ramp_up": {"start_productivity": 0.5, "weeks_to_full": 4},
            "demand.request_types.0.effort_person_days": 1.0,
        },
        arrivals_per_month=20,
        months=3,
    )
    raw = raw_run(s, seed=2)
    assert raw.workforce.joined == [[0.0]]
    start, took = service_durations(raw)

    def work_done(begin: float, end: float) -> float:
        """Integral of productivity 0.5 -> 1.0 linearly over 28 days, then 1.0."""
        grid = np.linspace(begin, end, 20001)
        return float(np.trapezoid(0.5 + 0.5 * np.minimum(grid, 28.0) / 28.0, grid))

    # Each case's duration delivers exactly its one person-day of effort as productivity rises.
    expected = [brentq(lambda d, b=b: work_done(b, b + d) - 1.0, 1e-9, 10.0) for b in start]
    assert took == pytest.approx(expected, rel=1e-6)
    assert (took > 1.5).any()  # the first cases really were slow
    assert np.isclose(took, 1.0).any()  # and later ones at full speed


def test_mentoring_joiners_takes_experienced_staff_time() -> None:
    s = staff_scenario(
        {
            "staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 3}],
            "staff_pools.0.ramp_up": {
                "start_productivity": 0.5,
                "weeks_to_full": 52,
                "mentoring_share_per_joiner": 0.25,
            },
        },
        staff=2,
    )
    fte = simulate(s, 1).monthly["effective_fte"].to_numpy()
    experienced = 2 * (1 - 0.25 / 2)  # one joiner's mentoring shared by two people
    for month, day in enumerate([30, 61, 91]):
        joiner = 0.5 + 0.5 * day / 364
        assert fte[month] == pytest.approx(experienced + joiner)


# --- contractors and costs ----------------------------------------------------------------------

VACANT = {
    "staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 5}],
    "recruitment.advert_days": 1000,  # no joiner within the run
    "contractors": {
        "cover_vacancies": True,
        "lead_time_days": 21,
        "cap_share_of_establishment": 1.0,
        "day_rate_gbp": 100,
        "productivity": 0.8,
    },
}


def test_contractors_cover_vacancies_after_their_lead_time() -> None:
    m = simulate(staff_scenario(VACANT, staff=2), 1).monthly
    assert m["contractors"].tolist() == [3, 3, 3]
    assert m["effective_fte"].to_numpy() == pytest.approx(2 + 3 * 0.8)
    # 3 contractors from day 21 to 30, then all of May: day rate 100, every day a working day.
    assert m["contractor_cost_gbp"].tolist()[:2] == pytest.approx([3 * 9 * 100, 3 * 31 * 100])


def test_contractors_are_capped_at_a_share_of_establishment() -> None:
    capped = {**VACANT["contractors"], "cap_share_of_establishment": 0.5}
    changes = {**VACANT, "contractors": capped}
    m = simulate(staff_scenario(changes, staff=2), 1).monthly
    assert m["contractors"].tolist() == [2, 2, 2]  # floor(0.5 * 5)


def test_a_long_lead_time_delays_contractors() -> None:
    changes = {**VACANT, "contractors": {**VACANT["contractors"], "lead_time_days": 45}}
    m = simulate(staff_scenario(changes, staff=2), 1).monthly
    assert m["contractors"].tolist() == [0, 3, 3]


def test_contractors_go_once_the_posts_are_filled() -> None:
    changes = {**VACANT, "recruitment.advert_days": 40}  # three joiners on day 40
    m = simulate(staff_scenario(changes, staff=2), 1).monthly
    assert m["headcount_in_post"].tolist() == [2, 5, 5]
    assert m["contractors"].tolist() == [3, 3, 0]  # released at the 1 June review


def test_staff_cost_is_salary_and_on_costs_per_day_in_post() -> None:
    s = staff_scenario(
        {"staff_pools.0.salary_gbp_per_year": 36525, "staff_pools.0.on_cost_share": 0.2},
        staff=2,
    )
    cost = simulate(s, 1).monthly["staff_cost_gbp"].to_numpy()
    assert cost == pytest.approx(np.array([30, 31, 30]) * 2 * 100 * 1.2)


# --- month boundaries ---------------------------------------------------------------------------


def test_a_joiner_on_a_month_boundary_is_counted_in_one_month_only() -> None:
    # The notice timer (set on day 0) fires on day 61, the 1 June boundary, before the month-end
    # timer set on day 30: May's snapshot includes the joiner, but June counts the joining.
    s = staff_scenario(
        {
            "staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 1}],
            "staff_pools.0.joiner_notice_days": 61,
        },
        months=4,
    )
    m = simulate(s, 1).monthly
    in_post = m["joiners"].cumsum() - m["leavers"].cumsum()
    assert m["headcount_in_post"].tolist() == in_post.tolist()


def test_a_mentor_fully_taken_up_by_joiners_does_not_stop_the_run() -> None:
    # One experienced person; the plan adds one joiner on day 0 who takes all of their time
    # (mentoring_share_per_joiner may be anything up to 1; 0.5 with two joiners does the same).
    # This once divided a case's effort by a productivity of 0.
    s = staff_scenario(
        {
            "staff_pools.0.headcount_plan": [{"date": date_after(0), "headcount": 2}],
            "staff_pools.0.ramp_up": {
                "start_productivity": 0.5,
                "weeks_to_full": 8,
                "mentoring_share_per_joiner": 1.0,
            },
        },
        staff=1,
        arrivals_per_month=30,
    )
    result = simulate(s, 1)
    end = result.end_state
    assert end["arrived"] == end["completed"] + end["reneged"] + end["waiting"] + end["in_service"]
    assert end["completed"] > 0
    joiner = 0.5 + 0.5 * 30 / 56  # at the end of April, 30 days into an 8-week ramp
    assert joiner <= result.monthly["effective_fte"].iloc[0] < joiner + 1
