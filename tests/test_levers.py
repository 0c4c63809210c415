"""Levers: what sweeps, plans and the optimism-bias variant change in a scenario."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.runs.batch import scenario_digest
from sim.scenario.files import load_scenario
from sim.scenario.levers import (
    Lever,
    LeverSetting,
    apply_levers,
    base_value,
    check_levers,
    optimism_bias_variant,
    parse_lever_values,
)

TINY = Path(__file__).parent / "data" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


def test_values_and_ranges_are_read_as_typed() -> None:
    assert parse_lever_values("demand_scale=0.9,1,1.1") == Lever("demand_scale", (0.9, 1, 1.1))
    assert parse_lever_values("staff_pools.buyers.initial_headcount=2:5").values == (2, 3, 4, 5)
    assert parse_lever_values("demand_scale=1:1.5:0.25").values == (1.0, 1.25, 1.5)
    assert parse_lever_values("demand_scale=1.0:2.0").values == (1.0, 1.25, 1.5, 1.75, 2.0)
    assert parse_lever_values("contractors.cover_vacancies=false,true").values == (False, True)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("demand_scale", "KEY=V1,V2"),
        ("demand_scale=2:1", "LOW no greater than HIGH"),
        ("demand_scale=1:2:0", "STEP greater than 0"),
        ("demand_scale=-1,1", "at least 0"),
    ],
)
def test_malformed_levers_are_user_errors(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError, match=expected):
        parse_lever_values(text)


def test_a_lever_at_its_base_value_leaves_the_scenario_unchanged(tiny) -> None:
    # Identical scenarios share one digest, so their runs are shared through the cache.
    for key in ("demand_scale", "recruitment_time_scale", "headcount_plan_scale"):
        assert scenario_digest(apply_levers(tiny, {key: 1.0})) == scenario_digest(tiny)
    assert scenario_digest(apply_levers(tiny, {"plan_advance_months": 0})) == scenario_digest(tiny)
    same = apply_levers(tiny, {"recruitment.offer_acceptance": 0.85})
    assert scenario_digest(same) == scenario_digest(tiny)


def test_recruitment_time_scale_stretches_every_stage(tiny) -> None:
    slow = apply_levers(tiny, {"recruitment_time_scale": 2.0})
    r0, r1 = tiny.recruitment, slow.recruitment
    for stage in ("approval_days", "advert_days", "sift_interview_days", "offer_days"):
        assert getattr(r1, stage).mean == pytest.approx(2 * getattr(r0, stage).mean)
    assert r1.vetting_levels["bpss"].duration_days.mean == pytest.approx(30)
    assert slow.staff_pools[0].joiner_notice_days.mean == pytest.approx(56)
    assert r1.offer_acceptance == r0.offer_acceptance  # shares are not durations


def test_wildcards_set_every_item(tiny) -> None:
    changed = apply_levers(tiny, {"staff_pools.*.attrition_rate_per_year": 0.3})
    assert [p.attrition_rate_per_year for p in changed.staff_pools] == [0.3, 0.3]
    assert base_value(tiny, "staff_pools.*.attrition_rate_per_year") is None  # 0.2 and 0
    assert base_value(tiny, "staff_pools.buyers.attrition_rate_per_year") == 0.2
    assert base_value(tiny, "demand_scale") == 1.0


def test_plan_advance_moves_steps_earlier_and_clamps_at_the_start(tiny) -> None:
    earlier = apply_levers(tiny, {"plan_advance_months": 1})
    assert earlier.staff_pools[0].headcount_plan[0].date == dt.date(2014, 5, 1)
    clamped = apply_levers(tiny, {"plan_advance_months": 6})
    assert clamped.staff_pools[0].headcount_plan[0].date == tiny.run.start_date


def test_onboarding_pace_spreads_departments_out(tiny) -> None:
    slow = apply_levers(tiny, {"onboarding_pace": 0.5})
    start = tiny.run.start_date
    beta = next(d for d in slow.demand.departments if d.name == "beta")
    assert (beta.onboarding_date - start).days == 2 * (dt.date(2014, 7, 1) - start).days


def test_headcount_plan_scale_scales_posts_not_staff_in_post(tiny) -> None:
    more = apply_levers(tiny, {"headcount_plan_scale": 1.5})
    assert more.staff_pools[0].headcount_plan[0].headcount == 9
    assert more.staff_pools[0].initial_headcount == 4


def test_unknown_paths_are_reported_with_a_hint(tiny) -> None:
    with pytest.raises(ScenarioError) as error:
        check_levers(tiny, [Lever("recruitment.offer_acceptanse", (0.8,))])
    assert "did you mean 'offer_acceptance'" in str(error.value)
    with pytest.raises(ScenarioError, match="less than or equal to 1"):
        apply_levers(tiny, LeverSetting((("recruitment.offer_acceptance", 2),)))


def test_optimism_bias_uplifts_build_up_durations_and_records_why(tiny) -> None:
    variant = optimism_bias_variant(tiny, 0.54)
    assert variant.recruitment.advert_days.mean == pytest.approx(1.54 * 21.666666, rel=1e-6)
    assert variant.staff_pools[0].ramp_up.weeks_to_full == pytest.approx(12 * 1.54)
    assert variant.demand == tiny.demand  # departments still move on the planned dates
    note = variant.sources["recruitment.advert_days"]
    assert note.startswith("optimism bias +54%") and "ASSUMPTION" in note
    assert variant.name == "tiny-ob54"
    with pytest.raises(ScenarioError):
        optimism_bias_variant(tiny, -0.1)
