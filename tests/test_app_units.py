"""The pieces under the app, without Streamlit: schema forms, the run cache, report figures."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import threading
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from app_fixtures import APP_DATA
from pydantic import Field, ValidationError, create_model

from app_pages.edits import (
    MAX_UPLOAD_BYTES,
    differences,
    mark_edited_sources,
    overrides_for,
    parse_upload,
    prune_sources,
    readable_path,
    scenario_data,
)
from app_pages.forms import (
    DISTRIBUTION_KINDS,
    apply_headcount_plan_frame,
    distribution_mean,
    distribution_specs,
    field_spec,
    from_widget_value,
    headcount_plan_frame,
    items_frame,
    items_from_frame,
    label_and_unit,
    nested_spec,
    switch_distribution_kind,
    to_widget_value,
)
from app_pages.running import REDRAW_COST_SHARE, REDRAW_EVERY_SECONDS, redraw_interval
from app_pages.wording import spec_for_path, value_in_form_units
from sim.errors import ScenarioError
from sim.report import figures as report
from sim.results import outrun
from sim.runs.cache import (
    cache_key,
    find_cached,
    partial_dir,
    replications_on_disk,
    run_cached,
    tables_as_csv,
    zip_run_directory,
)
from sim.runs.executors import InProcessExecutor
from sim.runs.tables import RunTables, load_finished_so_far, load_run
from sim.scenario.bounds import Days, Frozen, Headcount, PositiveCount, Pounds, Share, Weeks
from sim.scenario.files import apply_overrides, load_scenario, parse_scenario
from sim.scenario.schema import (
    Department,
    RampUp,
    RecruitmentSettings,
    RequestType,
    RunSettings,
    StaffPool,
)

SMALL = APP_DATA / "small.yaml"


@pytest.fixture(scope="module")
def small_data() -> dict[str, Any]:
    return scenario_data(load_scenario(SMALL))


# --- field specs from the schema ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label", "unit"),
    [
        ("attrition_rate_per_year", "Attrition rate", "per year"),
        ("salary_gbp_per_year", "Salary", "£ per year"),
        ("effort_person_days", "Effort", "person-days"),
        ("arrivals_per_month", "Arrivals", "per month"),
        ("approval_days", "Approval", "days"),
        ("sla_target_days", "Service-level target", "days"),
        ("initial_headcount", "Initial headcount", ""),
    ],
)
def test_labels_and_units_come_from_field_names(name: str, label: str, unit: str) -> None:
    assert label_and_unit(name) == (label, unit)


def test_shares_are_edited_as_percentages_within_the_schema_limits() -> None:
    spec = field_spec(RecruitmentSettings, "offer_acceptance")
    assert (spec.kind, spec.unit, spec.minimum, spec.maximum) == ("percent", "%", 0.0, 100.0)
    assert spec.label_with_unit == "Offer acceptance (%)"
    assert "Share of offers accepted" in spec.help_text()
    assert to_widget_value(spec, 0.85) == pytest.approx(85)
    assert from_widget_value(spec, 85.0) == pytest.approx(0.85)
    attrition = field_spec(StaffPool, "attrition_rate_per_year")
    assert (attrition.unit, attrition.maximum) == ("% per year", 200.0)
    # An exclusive bound (gt 0) is kept out of the widget's reach.
    start = field_spec(RampUp, "start_productivity")
    assert 0 < start.minimum < 0.1


@pytest.mark.parametrize(
    ("bound_type", "name"),
    [
        (Share, "offer_acceptance"),
        (Days, "lead_time_days"),
        (Weeks, "backlog_weeks"),
        (Pounds, "salary_gbp_per_year"),
        (Headcount, "initial_headcount"),
        (PositiveCount, "cases_per_person"),
    ],
    ids=["Share", "Days", "Weeks", "Pounds", "Headcount", "PositiveCount"],
)
def test_an_optional_field_has_the_limits_unit_and_format_of_its_bound_type(
    bound_type: Any, name: str
) -> None:
    # Pydantic keeps a bound type's limits inside `X | None`, not in the field's own metadata.
    required = create_model("Required", __base__=Frozen, **{name: (bound_type, ...)})
    optional = create_model("Optional", __base__=Frozen, **{name: (bound_type | None, None)})
    plain, maybe = field_spec(required, name), field_spec(optional, name)
    shown = ("kind", "unit", "minimum", "maximum", "step", "number_format", "label")
    assert {a: getattr(maybe, a) for a in shown} == {a: getattr(plain, a) for a in shown}
    assert maybe.minimum is not None  # every bound type has a minimum (some no maximum)
    # Still optional: an empty box means "not set" (inherit), not zero.
    assert (maybe.optional, maybe.default, from_widget_value(maybe, None)) == (True, None, None)


def test_a_fields_own_limit_and_its_bound_types_combine_to_the_stricter() -> None:
    # Days | None allows 0; the field's own gt=0 does not, and pydantic enforces both.
    model = create_model(
        "Effort", __base__=Frozen, effort_days=(Days | None, Field(default=None, gt=0, le=10))
    )
    spec = field_spec(model, "effort_days")
    assert 0 < spec.minimum < 0.1 and spec.maximum == 10
    with pytest.raises(ValidationError):
        model(effort_days=0)


def test_a_pools_own_share_is_a_percentage_like_the_recruitment_setting() -> None:
    for name in ("offer_acceptance", "campaign_failure_rate"):
        per_pool, overall = field_spec(StaffPool, name), field_spec(RecruitmentSettings, name)
        assert (per_pool.kind, per_pool.unit, per_pool.minimum, per_pool.maximum) == (
            "percent",
            "%",
            0.0,
            100.0,
        )
        assert (per_pool.kind, per_pool.minimum, per_pool.maximum, per_pool.number_format) == (
            overall.kind,
            overall.minimum,
            overall.maximum,
            overall.number_format,
        )
        assert per_pool.optional and from_widget_value(per_pool, 60.0) == pytest.approx(0.6)
        spec, _ = spec_for_path(f"staff_pools.sourcing.{name}")
        assert value_in_form_units(spec, 0.6) == "60%"
    # Out of range is refused with the field named, never clamped.
    with pytest.raises(ValidationError, match="offer_acceptance"):
        StaffPool(name="sourcing", initial_headcount=1, offer_acceptance=1.5)


def test_kinds_limits_and_defaults_of_other_fields() -> None:
    horizon = field_spec(RunSettings, "horizon_months")
    assert (horizon.kind, horizon.minimum, horizon.maximum, horizon.default) == ("int", 1, 600, 48)
    assert horizon.limits_text() == "1 to 600 months"
    assert field_spec(RunSettings, "start_date").kind == "date"
    effort = field_spec(RequestType, "effort_person_days")
    assert (effort.kind, effort.required, effort.optional) == ("distribution", True, False)
    patience = field_spec(RequestType, "patience_days")
    assert (patience.kind, patience.optional) == ("distribution", True)
    assert nested_spec(StaffPool, "ramp_up.weeks_to_full").name == "ramp_up.weeks_to_full"


def test_every_distribution_kind_has_parameters_and_a_switch_keeps_the_mean() -> None:
    start = {"kind": "triangular", "low": 10, "mode": 20, "high": 30}
    for kind in DISTRIBUTION_KINDS:
        assert distribution_specs(kind)
        switched = switch_distribution_kind(start, kind)
        assert distribution_mean(switched) == pytest.approx(20, rel=0.3)
    assert distribution_specs("lognormal")[0].name == "mean"  # the file spelling, not mean_value
    assert distribution_mean({"kind": "triangular", "low": 5, "mode": 1, "high": 3}) is None
    assert distribution_mean(7) == 7


# --- uploads ------------------------------------------------------------------------------------


def test_an_upload_may_extend_a_scenario_of_the_folder_by_name_only() -> None:
    text = b"extends: small\nname: up\nrun: {horizon_months: 6}\n"
    scenario = parse_upload(text, "up.yaml", APP_DATA).scenario
    assert (scenario.name, scenario.run.horizon_months) == ("up", 6)
    assert scenario.staff_pools[0].name == "buyers"
    for parent in ("../small.yaml", "/etc/passwd", "sub/small.yaml", "nope.yaml", 3):
        with pytest.raises(ScenarioError) as error:
            parse_upload(f"extends: {parent}\n".encode(), "up.yaml", APP_DATA)
        assert error.value.problems[0].path == "extends"


def test_an_upload_is_size_limited_and_safely_parsed() -> None:
    with pytest.raises(ScenarioError, match="256 KB"):
        parse_upload(b" " * (MAX_UPLOAD_BYTES + 1), "big.yaml", APP_DATA)
    with pytest.raises(ScenarioError, match=r"the YAML tag !!python/object/apply:os\.system"):
        parse_upload(b"!!python/object/apply:os.system ['echo hi']\n", "evil.yaml", APP_DATA)


# --- differences, overrides and sources ---------------------------------------------------------


def _edited(small: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(small)
    data["recruitment"]["offer_acceptance"] = 0.7
    data["staff_pools"][1]["attrition_rate_per_year"] = 0.3
    data["recruitment"]["advert_days"] = {"kind": "fixed", "value": 10.0}
    data["demand"]["departments"].append(
        {"name": "delta", "onboarding_date": "2015-01-01", "demand_weight": 2.0}
    )
    return data


def test_differences_name_fields_by_path_and_list_items_by_name(small_data: dict) -> None:
    found = {d.path: d for d in differences(small_data, _edited(small_data))}
    assert set(found) == {
        "recruitment.offer_acceptance",
        "staff_pools.strategists.attrition_rate_per_year",
        "recruitment.advert_days",
        "demand.departments",  # an item added: the whole list differs
    }
    assert found["recruitment.offer_acceptance"].base == pytest.approx(0.85)
    assert differences(small_data, copy.deepcopy(small_data)) == []


def test_overrides_reproduce_the_edited_scenario_from_the_base_file(small_data: dict) -> None:
    edited = _edited(small_data)
    overrides = overrides_for(differences(small_data, edited))
    from sim.scenario.files import read_scenario_data

    rebuilt = parse_scenario(apply_overrides(read_scenario_data(SMALL), overrides))
    assert rebuilt == parse_scenario(edited)  # `ccs-sim run small.yaml --set ...` runs the same


def test_edited_fields_lose_their_citation_and_stale_sources_are_dropped(small_data: dict) -> None:
    edited = _edited(small_data)
    marked = mark_edited_sources(edited, differences(small_data, edited), "small")
    note = marked["sources"]["recruitment.offer_acceptance"]
    assert note.startswith("EDITED in the planners' app; base scenario 'small' had 0.85")
    assert "(source: TEST: a made-up source)" in note
    parse_scenario(marked)  # every note names a real field
    renamed = copy.deepcopy(marked)
    renamed["staff_pools"][1]["name"] = "strategy_team"
    renamed["demand"]["request_types"][1]["skill_pool"] = "strategy_team"
    pruned, dropped = prune_sources(renamed)
    assert dropped == ["staff_pools.strategists.attrition_rate_per_year"]
    parse_scenario(pruned)


def test_problem_paths_name_list_items(small_data: dict) -> None:
    assert readable_path("staff_pools.1.initial_headcount", small_data) == (
        "staff_pools → strategists → initial_headcount"
    )
    assert readable_path("", small_data) == "(the whole scenario)"
    # An item without a name is its row, counted from 1 as the grids count them.
    assert readable_path("staff_pools.0.headcount_plan.0.date", small_data) == (
        "staff_pools → buyers → headcount_plan → row 1 → date"
    )
    unnamed = copy.deepcopy(small_data)
    unnamed["staff_pools"].append({"initial_headcount": 1})
    assert readable_path("staff_pools.2.name", unnamed) == "staff_pools → row 3 → name"


# --- tables -------------------------------------------------------------------------------------


def test_items_round_trip_through_a_table(small_data: dict) -> None:
    specs = [nested_spec(Department, f) for f in ("name", "onboarding_date", "growth_per_year")]
    items = small_data["demand"]["departments"]
    frame = items_frame(items, specs)
    assert isinstance(frame.loc[0, "onboarding_date"], dt.date)
    assert items_from_frame(frame, specs, list(items)) == items
    frame.loc[1, "growth_per_year"] = 10.0  # percent in the table
    frame.loc[3] = ["delta", dt.date(2015, 1, 1), None]
    result = items_from_frame(frame, specs, [*items, None], {"demand_weight": 2.0})
    assert result[1]["growth_per_year"] == pytest.approx(0.1)
    assert result[3] == {"name": "delta", "onboarding_date": "2015-01-01", "demand_weight": 2.0}
    pools = [nested_spec(StaffPool, f) for f in ("name", "ramp_up.weeks_to_full")]
    table = items_frame(small_data["staff_pools"], pools)
    assert list(table["ramp_up.weeks_to_full"]) == [12, 0]


def test_the_headcount_plan_table_round_trips_and_sorts_dates(small_data: dict) -> None:
    pools = small_data["staff_pools"]
    frame = headcount_plan_frame(pools)
    assert list(frame.columns) == ["date", "buyers", "strategists"]
    assert apply_headcount_plan_frame(pools, frame) == pools
    frame.loc[len(frame)] = [dt.date(2014, 5, 1), 5, pd.NA]
    updated = apply_headcount_plan_frame(pools, frame)
    assert [s["date"] for s in updated[0]["headcount_plan"]] == [
        "2014-05-01",
        "2014-06-01",
        "2014-10-01",
    ]
    assert updated[1]["headcount_plan"] == pools[1]["headcount_plan"]


# --- the run cache ------------------------------------------------------------------------------


class CountingExecutor(InProcessExecutor):
    """An in-process executor that counts the batches it was asked to run."""

    created = 0

    def __init__(self) -> None:
        type(self).created += 1


def test_concurrent_sessions_asking_for_one_run_share_it(tmp_path: Path) -> None:
    scenario = load_scenario(SMALL, ["run.horizon_months=3"])
    CountingExecutor.created = 0
    results: list[Any] = []
    waits: list[int] = []

    def session() -> None:
        results.append(
            run_cached(tmp_path, scenario, 5, 3, CountingExecutor, on_wait=lambda: waits.append(1))
        )

    threads = [threading.Thread(target=session) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert CountingExecutor.created == 1  # one session ran it; the others waited or found it
    assert len({r.path for r in results}) == 1
    assert sum(not r.from_cache for r in results) == 1
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [cache_key(scenario, 5, 3)]
    manifest = json.loads((results[0].path / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["replications_completed"] == 3


def test_an_interrupted_run_is_resumed_and_never_seen_half_written(tmp_path: Path) -> None:
    scenario = load_scenario(SMALL, ["run.horizon_months=3"])

    class Interrupted(Exception):
        pass

    def stop_after_two(done: int, failed: int, total: int) -> None:
        if done == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        run_cached(tmp_path, scenario, 1, 4, InProcessExecutor, on_progress=stop_after_two)
    assert find_cached(tmp_path, scenario, 1, 4) is None  # only the .partial folder exists
    partial = partial_dir(tmp_path, scenario, 1, 4)
    so_far = load_finished_so_far(partial)  # what a page shows of a run still going
    assert so_far is not None and list(so_far.kpis["rep"]) == [0, 1]
    assert replications_on_disk(tmp_path, scenario, 1, 4) == 2
    resumed = run_cached(tmp_path, scenario, 1, 4, InProcessExecutor)
    fresh = run_cached(tmp_path / "fresh", scenario, 1, 4, InProcessExecutor)
    for name in ("kpis.parquet", "monthly.parquet", "pools.parquet", "summary.csv"):
        assert (resumed.path / name).read_bytes() == (fresh.path / name).read_bytes()
    assert not partial.exists()
    final = load_run(resumed.path)
    pd.testing.assert_frame_equal(so_far.kpis, final.kpis.iloc[:2])
    pd.testing.assert_frame_equal(so_far.monthly, final.monthly[final.monthly["rep"] < 2])
    hit = run_cached(tmp_path, scenario, 1, 4, lambda: pytest.fail("must not run"))
    assert hit.from_cache and hit.path == resumed.path


def test_the_cache_checks_the_full_digest_and_downloads_hold_the_run(tmp_path: Path) -> None:
    scenario = load_scenario(SMALL, ["run.horizon_months=2"])
    run = run_cached(tmp_path, scenario, 3, 2, InProcessExecutor)
    manifest = json.loads((run.path / "manifest.json").read_text())
    manifest["scenario_sha256"] = "0" * 64  # as if a different scenario shared the short key
    (run.path / "manifest.json").write_text(json.dumps(manifest))
    assert find_cached(tmp_path, scenario, 3, 2) is None
    tables = tables_as_csv(run.path)
    assert set(tables) == {
        "summary.csv",
        "kpis.csv",
        "monthly.csv",
        "monthly_by_pool.csv",
        "pools.csv",
    }

    with zipfile.ZipFile(io.BytesIO(zip_run_directory(run.path))) as archive:
        assert f"{run.path.name}/manifest.json" in archive.namelist()


# --- report -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> RunTables:
    root = tmp_path_factory.mktemp("runs")
    scenario = load_scenario(SMALL)
    return load_run(run_cached(root, scenario, 2014, 6, InProcessExecutor).path)


def test_verdicts_count_outruns_and_date_their_start() -> None:
    kpis = pd.DataFrame(
        {
            "outruns_capability": [True, True, False, True],
            "outrun_month": pd.array([3, 5, None, 4], dtype="Int64"),
        }
    )
    pools = pd.DataFrame(
        {
            "pool": ["a", "b"] * 4,
            "outruns_capability": [True, False] * 4,
            "outrun_month": pd.array([2, None] * 4, dtype="Int64"),
        }
    )
    whole, a, b = outrun.verdicts(kpis, pools, dt.date(2014, 4, 1))
    assert (whole.outruns, whole.probability, whole.month_p50) == (3, 0.75, 4)
    assert whole.month_text(whole.month_p50) == "Aug 2014"
    assert 0 < whole.ci_low < 0.75 < whole.ci_high <= 1
    assert (a.probability, a.month_p10, b.probability, b.month_p50) == (1.0, 2, 0.0, None)
    assert "75% of 4 simulated futures" in outrun.verdict_sentence(whole, 3)
    assert "Aug 2014" in outrun.verdict_sentence(whole, 3)
    assert "none of the 4" in outrun.verdict_sentence(b, 3)
    table = outrun.verdict_table([whole, a, b])
    assert list(table["Staff pool"]) == ["CCS as a whole", "a", "b"]
    monthly = pd.DataFrame(
        {"rep": 0, "month": range(8), "date": pd.date_range("2014-04-01", periods=8, freq="MS")}
    )
    curve = report.outrun_by_month(kpis, pools, monthly)
    whole_curve = curve[curve["scope"] == "CCS as a whole"]["probability"].tolist()
    assert whole_curve == [0, 0, 0, 0.25, 0.5, 0.75, 0.75, 0.75]


def test_kpi_cards_and_table_are_labelled_and_clipped_to_possible_values() -> None:
    summary = pd.DataFrame(
        [
            ("demand_met_share", 10, 0.99, 0.97, 1.01, 0.98, 0.99, 1.0),
            ("backlog_end", 10, 5.0, -2.0, 12.0, 0.0, 3.0, 11.0),
            ("staff_cost_gbp", 10, 1.5e8, 1.4e8, 1.6e8, 1.45e8, 1.5e8, 1.55e8),
        ],
        columns=["kpi", "n", "mean", "ci_low", "ci_high", "p10", "p50", "p90"],
    )
    met, backlog, cost = report.kpi_cards(
        summary, ["demand_met_share", "backlog_end", "staff_cost_gbp"]
    )
    assert (met.label, met.value, met.interval) == ("Demand met", "99.0%", "97.0% to 100.0%")
    assert backlog.interval == "0 to 12"
    assert cost.value == "£150.0m"
    assert list(report.kpi_table(summary)["KPI"]) == [
        "Demand met",
        "Backlog at the end",
        "Staff cost",
    ]


def test_monthly_figures_from_a_real_run(small_run: RunTables, tmp_path: Path) -> None:
    fan = report.fan_data(
        small_run.monthly, {"headcount_in_post": "In post", "establishment": "Plan"}
    )
    assert len(fan) == 2 * 12
    assert (fan["p10"] <= fan["p50"]).all() and (fan["p50"] <= fan["p90"]).all()
    chart = report.fan_chart(fan, title="t", y_title="y", lines_only=("Plan",))
    assert chart.to_dict()["layer"]
    money = report.money_by_financial_year(small_run.monthly)
    staff = money[money["measure"] == "Staff cost"]["mean"].sum()
    assert staff == pytest.approx(small_run.kpis["staff_cost_gbp"].mean())
    assert list(money["financial_year"].unique()) == ["2014-15"]
    assert report.money_table(money).columns[0] == "Financial year"
    buyers = report.pool_monthly(small_run.monthly, small_run.monthly_by_pool, "buyers")
    stages = report.pipeline_by_stage(buyers)
    assert stages["stage"].nunique() == 7
    for name, made in {
        "outrun": report.outrun_chart(
            report.outrun_by_month(small_run.kpis, small_run.pools, small_run.monthly)
        ),
        "money": report.money_chart(money),
        "pipeline": report.pipeline_chart(stages),
    }.items():
        path = report.save_chart(made, tmp_path / f"{name}.png")
        assert path.read_bytes()[:4] == b"\x89PNG"


def test_the_recruitment_flow_balances(small_run: RunTables) -> None:
    flow = report.recruitment_flow(small_run.scenario, "buyers")
    assert flow is not None
    links = flow.links.set_index(["source", "target"])["value"]
    approved = links[("opened", "approved")]
    rerun = links[("rerun", "campaigns")]
    lost = (
        links[("campaigns", "no_candidate")]
        + links[("offers", "declined")]
        + links[("accepted", "withdrew")]
    )
    assert rerun == pytest.approx(lost)  # every loss is re-advertised
    assert links[("cleared", "started")] == pytest.approx(approved)  # every approval starts
    # 0.85 accept, 0.15 no candidate, 0.05 withdraw: 1 / (0.95 * 0.85 * 0.85) campaigns a hire
    assert flow.campaigns_per_hire == pytest.approx(1 / (0.95 * 0.85 * 0.85))
    assert report.sankey_chart(flow).to_dict()
    never = small_run.scenario.model_copy(
        update={
            "recruitment": small_run.scenario.recruitment.model_copy(update={"offer_acceptance": 0})
        }
    )
    assert report.recruitment_flow(never) is None


def test_the_comparison_judges_direction_and_uncertainty() -> None:
    paired = pd.DataFrame(
        [
            ("mean_wait_days", 10, 12.0, 9.0, -3.0, -4.0, -2.0, "lower", 0.9),
            ("completed", 10, 100.0, 101.0, 1.0, -1.0, 3.0, "higher", 0.6),
            ("sla_attainment", 10, 0.8, 0.7, -0.1, -0.15, -0.05, "higher", 0.1),
            ("arrivals", 10, 500.0, 500.0, 0.0, 0.0, 0.0, "", np.nan),
        ],
        columns=[
            "kpi",
            "n_pairs",
            "base_mean",
            "option_mean",
            "difference",
            "ci_low",
            "ci_high",
            "better",
            "p_option_better",
        ],
    )
    table = report.comparison_table(paired, "A", "B").set_index("Column")
    assert table.loc["mean_wait_days", "Verdict"] == "clearly better"
    assert table.loc["completed", "Verdict"] == "no clear difference"
    assert table.loc["sla_attainment", "Verdict"] == "clearly worse"
    assert table.loc["sla_attainment", "Difference"] == "-10.0 points"
    assert table.loc["arrivals", "Verdict"] == "no difference"
    assert report.comparison_chart(paired).to_dict()


def test_plan_previews(small_data: dict) -> None:
    plan = report.onboarding_plan(small_data["demand"]["departments"])
    counts = plan[plan["series"] == "Departments onboarded"]["value"].tolist()
    assert counts == [1, 2, 3]
    staff = report.headcount_plan(small_data["staff_pools"], small_data["run"]["start_date"])
    assert staff.groupby("series")["value"].max().to_dict() == {"buyers": 8, "strategists": 3}
    assert report.plan_step_chart(plan, title="t", y_title="y").to_dict()


def test_redraws_of_running_results_share_a_fixed_part_of_the_server() -> None:
    # A cheap redraw waits the floor; a costly one waits in proportion to its cost.
    assert redraw_interval(0.01, 1) == REDRAW_EVERY_SECONDS
    assert redraw_interval(1.0, 1) == pytest.approx(1.0 / REDRAW_COST_SHARE)
    # Sessions redrawing at once: together they spend the same share drawing as one alone.
    for runs in (1, 4, 8):
        redraw_seconds = 0.8
        share = runs * redraw_seconds / redraw_interval(redraw_seconds, runs)
        assert share == pytest.approx(REDRAW_COST_SHARE)
    assert redraw_interval(0.8, 8) == pytest.approx(8 * redraw_interval(0.8, 1))
    assert redraw_interval(0.8, 0) == redraw_interval(0.8, 1)  # never less than its own run
