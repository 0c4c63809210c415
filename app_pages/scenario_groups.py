"""The Scenario page's inputs, group by group: one editor a tab, each writing the planner's edits
into the scenario's plain data (labels, units, limits and help come from the schema)."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import BaseModel

from app_pages import state
from app_pages.chart_view import show_chart
from app_pages.forms import field_spec
from app_pages.grids import headcount_plan_table, items_table
from app_pages.widgets import (
    distribution_input,
    field_input,
    model_fields,
    seasonality_inputs,
)
from sim.report import figures as report
from sim.scenario.responses import HeadcountUpliftPolicy, RaiseRecruitmentCapacityPolicy
from sim.scenario.schema import (
    ContractorSettings,
    Demand,
    Department,
    HiringFreeze,
    PauseOnboardingPolicy,
    Policies,
    RecruitmentSettings,
    RequestType,
    RunSettings,
    Scenario,
    StaffPool,
    SurgeContractorsPolicy,
    VerdictSettings,
    VettingLevel,
)

__all__ = [
    "attrition_group",
    "contractors_group",
    "demand_group",
    "policies_group",
    "recruitment_group",
    "run_group",
    "staff_group",
]


def demand_group(data: dict[str, Any], sources: dict[str, str]) -> None:
    """Departments and their onboarding dates (the waves), request types, seasonality."""
    demand = data.setdefault("demand", {})
    st.markdown("### Departments and onboarding waves")
    st.caption(
        "Each department's buying moves to CCS on its onboarding date; a wave is the departments "
        "sharing a date. Demand weight 1.0 is a typical department. Add or delete rows to change "
        "the plan."
    )
    start = data.get("run", {}).get("start_date")
    items_table(
        Department,
        ["name", "onboarding_date", "demand_weight", "growth_per_year"],
        demand,
        "departments",
        "demand.departments",
        add_rows=True,
        new_item={"onboarding_date": start, "demand_weight": 1.0},
        height=300,
    )
    plan = report.onboarding_plan(demand["departments"])
    if len(plan):
        chart = report.plan_step_chart(plan, title="Onboarding plan", y_title="Cumulative")
        show_chart(chart)

    st.markdown("### Request types")
    st.caption("What departments ask CCS for, how often, and which staff pool does it.")
    pools = [p.get("name") for p in data.get("staff_pools", [])]
    items_table(
        RequestType,
        [
            "name",
            "skill_pool",
            "arrivals_per_month",
            "sla_target_days",
            "min_elapsed_days",
            "priority",
            "savings_rate",
        ],
        demand,
        "request_types",
        "demand.request_types",
        add_rows=True,
        new_item={"effort_person_days": {"kind": "fixed", "value": 10.0}},
        options={"skill_pool": pools},
    )
    _request_type_distributions(demand, sources)

    st.markdown("### Seasonality")
    st.caption("Multiplier on arrivals in each calendar month (1.0 = an average month).")
    seasonality_inputs(
        demand, "demand.seasonality_by_month", sources.get("demand.seasonality_by_month", "")
    )

    st.markdown("### Uncertainty and patience")
    cols = st.columns(2)
    for col, name in zip(cols, ["multiplier", "patience_days"], strict=True):
        with col:
            path = f"demand.{name}"
            distribution_input(field_spec(Demand, name), demand, path, source=sources.get(path, ""))


def _request_type_distributions(demand: dict[str, Any], sources: dict[str, str]) -> None:
    types = _item_labels(demand["request_types"])
    chosen = _choose_item(
        "Effort, contract value and patience of the request type",
        types,
        "demand.request_types#chosen",
    )
    if chosen is None:
        return
    item = demand["request_types"][chosen]
    cols = st.columns(3)
    for col, name in zip(
        cols, ["effort_person_days", "contract_value_gbp", "patience_days"], strict=True
    ):
        with col:
            path = f"demand.request_types.{types[chosen]}.{name}"
            distribution_input(
                field_spec(RequestType, name), item, path, source=sources.get(path, "")
            )


def staff_group(data: dict[str, Any], sources: dict[str, str]) -> None:
    """Staff pools (skills) and the establishment plan."""
    st.markdown("### Staff pools")
    st.caption(
        "One row per skill pool. Attrition and ramp-up are on their own tab; notice periods and "
        "vetting on the recruitment tab."
    )
    levels = list((data.get("recruitment", {}).get("vetting_levels") or {}).keys())
    items_table(
        StaffPool,
        [
            "name",
            "initial_headcount",
            "cases_per_person",
            "non_productive_share",
            "salary_gbp_per_year",
            "on_cost_share",
            "vetting_level",
        ],
        data,
        "staff_pools",
        "staff_pools",
        add_rows=True,
        new_item={"initial_headcount": 0},
        options={"vetting_level": levels},
    )
    st.markdown("### Headcount plan (establishment)")
    st.caption(
        "Posts funded from each date. Before a pool's first date its initial headcount holds. "
        "Add a row for a new date; leave a cell blank where a pool does not change."
    )
    data["staff_pools"] = headcount_plan_table(data["staff_pools"], "staff_pools.headcount_plan")
    start = data.get("run", {}).get("start_date", "")
    plan = report.headcount_plan(data["staff_pools"], start)
    if len(plan):
        chart = report.plan_step_chart(plan, title="Establishment by pool", y_title="Posts")
        show_chart(chart)


def recruitment_group(data: dict[str, Any], sources: dict[str, str]) -> None:
    """The recruitment pipeline: team capacity, pass rates, stage durations, freezes, vetting."""
    rec = data.setdefault("recruitment", {})
    st.caption(
        "Stages: approval → waiting for a recruiter → advert → sift and interview → offer → "
        "vetting → notice → start. A failed campaign, a declined offer or a withdrawal in vetting "
        "sends the vacancy round again."
    )
    model_fields(
        RecruitmentSettings,
        [
            "max_concurrent_campaigns",
            "approval_refusal_rate",
            "campaign_failure_rate",
            "offer_acceptance",
        ],
        rec,
        "recruitment",
        sources,
        columns=4,
    )
    _stage_durations(rec, sources)
    _vetting_levels(rec, sources)
    st.markdown("### Hiring freezes")
    st.caption("No vacancy is approved between a freeze's start and end.")
    items_table(
        HiringFreeze,
        ["start", "end"],
        rec,
        "hiring_freezes",
        "recruitment.hiring_freezes",
        add_rows=True,
    )
    st.markdown("### Joiners' notice to their old employer")
    _pool_distribution(data, "joiner_notice_days", sources)


def _stage_durations(rec: dict[str, Any], sources: dict[str, str]) -> None:
    st.markdown("### How long each stage takes")
    names = ["approval_days", "advert_days", "sift_interview_days", "offer_days"]
    for row in (names[:2], names[2:]):
        cols = st.columns(2)
        for col, name in zip(cols, row, strict=True):
            with col:
                path = f"recruitment.{name}"
                spec = field_spec(RecruitmentSettings, name)
                distribution_input(spec, rec, path, source=sources.get(path, ""))


def _vetting_levels(rec: dict[str, Any], sources: dict[str, str]) -> None:
    st.markdown("### Vetting levels")
    levels = rec.get("vetting_levels") or {}
    level_cols = st.columns(max(1, len(levels)))
    for col, (level, settings) in zip(level_cols, levels.items(), strict=False):
        with col:
            st.markdown(f"**{level}**")
            path = f"recruitment.vetting_levels.{level}"
            distribution_input(
                field_spec(VettingLevel, "duration_days"),
                settings,
                f"{path}.duration_days",
                source=sources.get(f"{path}.duration_days", ""),
            )
            field_input(
                field_spec(VettingLevel, "withdrawal_rate"),
                settings,
                f"{path}.withdrawal_rate",
                source=sources.get(f"{path}.withdrawal_rate", ""),
            )


def _pool_distribution(data: dict[str, Any], name: str, sources: dict[str, str]) -> None:
    pools = data.get("staff_pools", [])
    labels = _item_labels(pools)
    chosen = _choose_item("Staff pool", labels, f"staff_pools#{name}#chosen")
    if chosen is None:
        return
    path = f"staff_pools.{labels[chosen]}.{name}"
    distribution_input(
        field_spec(StaffPool, name), pools[chosen], path, source=sources.get(path, "")
    )


def _item_labels(items: list[dict[str, Any]]) -> list[str]:
    """Each item's name, or its row while it has none."""
    return [item.get("name") or f"(row {i + 1})" for i, item in enumerate(items)]


def _choose_item(label: str, labels: list[str], key: str) -> int | None:
    """A select box of named items; the position chosen (within the list as it is now, rows may
    have been deleted since), or None if there are none."""
    if not labels:
        return None
    chosen = st.selectbox(
        label, range(len(labels)), format_func=lambda i: labels[i], key=state.widget_key(key)
    )
    return min(chosen, len(labels) - 1)


def attrition_group(data: dict[str, Any], sources: dict[str, str]) -> None:
    """Who leaves, and how fast new joiners become fully productive."""
    st.caption(
        "Attrition: the share of staff who resign in a year (higher in their first months). "
        "Ramp-up: a joiner starts at a share of full productivity, reaches full after some weeks, "
        "and meanwhile takes an experienced colleague's time."
    )
    items_table(
        StaffPool,
        [
            "name",
            "attrition_rate_per_year",
            "early_tenure_attrition_multiplier",
            "early_tenure_days",
            "ramp_up.start_productivity",
            "ramp_up.weeks_to_full",
            "ramp_up.mentoring_share_per_joiner",
        ],
        data,
        "staff_pools",
        "staff_pools.attrition",
        disabled=["name"],
    )
    st.markdown("### Leavers' notice")
    _pool_distribution(data, "leaver_notice_days", sources)


def contractors_group(data: dict[str, Any], sources: dict[str, str]) -> None:
    """Contractors and interims: a surge source with a lead time, a cap and a day rate."""
    contractors = data.setdefault("contractors", {})
    model_fields(
        ContractorSettings,
        ["cover_vacancies", "cap_share_of_establishment", "day_rate_gbp", "productivity"],
        contractors,
        "contractors",
        sources,
        columns=4,
    )
    spec = field_spec(ContractorSettings, "lead_time_days")
    distribution_input(
        spec,
        contractors,
        "contractors.lead_time_days",
        source=sources.get("contractors.lead_time_days", ""),
    )


def policies_group(data: dict[str, Any], sources: dict[str, str]) -> None:
    """Management responses, which act on what managers saw some time ago."""
    policies = data.setdefault("policies", {})
    st.caption(
        "Without these the run shows what the plan does unmanaged; with them, what a realistic "
        "(late) response achieves. Backlog weeks: work waiting, in weeks of the staff's capacity."
    )
    model_fields(Policies, ["detection_lag_days"], policies, "policies", sources, columns=3)
    for row in (_POLICY_EDITORS[:2], _POLICY_EDITORS[2:]):
        cols = st.columns(2)
        for col, (title, model, key, names) in zip(cols, row, strict=True):
            with col:
                st.markdown(f"**{title}**")
                model_fields(
                    model,
                    names,
                    policies.setdefault(key, {}),
                    f"policies.{key}",
                    sources,
                    columns=1,
                )


_POLICY_EDITORS: list[tuple[str, type[BaseModel], str, list[str]]] = [
    (
        "Pause onboarding further departments while the backlog is high",
        PauseOnboardingPolicy,
        "pause_onboarding",
        ["enabled", "pause_above_backlog_weeks", "resume_below_backlog_weeks"],
    ),
    (
        "Bring in contractors while the backlog is high",
        SurgeContractorsPolicy,
        "surge_contractors",
        [
            "enabled",
            "surge_above_backlog_weeks",
            "release_below_backlog_weeks",
            "surge_share_of_establishment",
        ],
    ),
    (
        "Raise the recruitment team's capacity when vacancies pile up",
        RaiseRecruitmentCapacityPolicy,
        "raise_recruitment_capacity",
        [
            "enabled",
            "trigger_above_vacancy_share",
            "extra_campaigns",
            "delay_days",
            "cost_gbp_per_campaign_slot_per_year",
        ],
    ),
    (
        "Ask for a headcount uplift where a pool's backlog stays high",
        HeadcountUpliftPolicy,
        "headcount_uplift",
        ["enabled", "trigger_above_backlog_weeks", "uplift_share", "delay_days", "max_uplifts"],
    ),
]
"""The management responses, two to a row: title, schema model, key in `policies`, fields."""


def run_group(data: dict[str, Any], sources: dict[str, str]) -> None:
    """The simulated period, the verdict's thresholds, and the scenario's name."""
    model_fields(Scenario, ["name", "description"], data, "", sources, columns=2)
    base = state.base()
    if base is not None and data.get("name") == base.label:
        st.caption(
            "Once anything is edited, the scenario runs and reports as the base's name followed "
            "by what was edited (shown at the top of the page); type a name of your own here to "
            "use it instead."
        )
    st.markdown("### Simulated period")
    model_fields(
        RunSettings,
        ["start_date", "horizon_months", "warmup_days", "working_days_per_year"],
        data.setdefault("run", {}),
        "run",
        sources,
        columns=4,
    )
    st.markdown("### When does expansion outrun capability?")
    st.caption(
        "A month is short when demand (in FTE) exceeds effective staff and fewer requests than "
        "the target share finish within their service-level target. Expansion outruns "
        "capability after this many short months in a row."
    )
    model_fields(
        VerdictSettings,
        [
            "consecutive_months",
            "sla_attainment_target",
            "capacity_window_months",
            "work_in_hand_growth_weeks",
        ],
        data.setdefault("verdict", {}),
        "verdict",
        sources,
        columns=2,
    )
