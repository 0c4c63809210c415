"""Page 1, Scenario: choose a base scenario (a file or an upload) and edit it, group by group."""

from __future__ import annotations

import streamlit as st

from app_pages import snapshot_view, state
from app_pages.edits import MAX_UPLOAD_BYTES, scenario_files_in
from app_pages.scenario_groups import (
    attrition_group,
    contractors_group,
    demand_group,
    policies_group,
    recruitment_group,
    run_group,
    staff_group,
)
from app_pages.widgets import differences_frame
from sim.errors import ScenarioError
from sim.runs.rundir import name_slug
from sim.scenario.files import scenario_to_yaml

GROUPS = [
    "Demand and onboarding",
    "Staff and headcount plan",
    "Recruitment",
    "Attrition and ramp-up",
    "Contractors",
    "Management policies",
    "Run settings",
]


def choose_base() -> None:
    """Where the edits start from: a scenario in the folder, or an uploaded file."""
    current = state.base()
    where = st.radio(
        "Start from",
        ["A scenario in the scenarios folder", "A scenario file of my own (upload)"],
        horizontal=True,
        key="base_source",
    )
    if where.startswith("A scenario in"):
        _choose_file(current)
    else:
        _upload()


def _choose_file(current: state.Base | None) -> None:
    files = scenario_files_in(state.scenarios_dir())
    if not files:
        st.warning(f"No scenario files in {state.scenarios_dir()}.")
        return
    names = [p.name for p in files]
    loaded = current.file_name if current and current.origin == "file" else None
    if "base_file" not in st.session_state:
        st.session_state["base_file"] = loaded if loaded in names else names[0]
    cols = st.columns([3, 1])
    with cols[0]:
        chosen = st.selectbox("Scenario file", names, key="base_file")
    if chosen == loaded:
        return
    with cols[1]:
        st.write("")  # align the button with the select box
        load = st.button("Use this scenario", type="primary")
    edits = state.current().diffs
    if edits and current is not None:
        st.caption(f"Loading it discards your {len(edits)} change(s) to '{current.label}'.")
    if load:
        try:
            state.set_base(state.load_file_base(state.scenarios_dir() / chosen))
        except ScenarioError as error:
            _show_problems(f"{chosen} cannot be used:", state.problem_lines(error.problems, {}))
            return
        st.rerun()


def _upload() -> None:
    uploaded = st.file_uploader(
        f"Scenario file (YAML, at most {MAX_UPLOAD_BYTES // 1024} KB)",
        type=["yaml", "yml"],
        key="upload",
        max_upload_size=1,
        help="A file written like those in scenarios/. `extends: NAME` may name a file of the "
        "scenarios folder (by name only), as a variant in that folder would.",
    )
    if uploaded is not None and st.session_state.get("upload_seen") != uploaded.file_id:
        st.session_state["upload_seen"] = uploaded.file_id
        try:
            new = state.load_upload_base(uploaded.getvalue(), uploaded.name)
        except ScenarioError as error:
            st.session_state["upload_problems"] = (uploaded.name, error.problems)
        else:
            st.session_state["upload_problems"] = None
            state.set_base(new)
            st.rerun()
    problems = st.session_state.get("upload_problems")
    if problems:
        name, found = problems
        _show_problems(
            f"**{name}** cannot be used. Nothing was changed; fix the file and upload it again.",
            state.problem_lines(found, {}),
        )


def _show_problems(intro: str, lines: list[str]) -> None:
    st.error(intro + "\n\n" + "\n".join(f"- {line}" for line in lines))


def status(current: state.Current, base: state.Base) -> None:
    """Whether the edited scenario is valid, and how much it differs from its base."""
    if current.problems:
        _show_problems(
            f"The scenario has {len(current.problems)} problem(s); it cannot run until they are "
            "fixed:",
            current.problems,
        )
    elif current.diffs and current.scenario is not None:
        st.success(
            f"Valid. {len(current.diffs)} change(s) from '{base.label}' ({base.shown_file}). "
            f"It runs, downloads and reports as **{current.scenario.name}**. Go to **Run and "
            "results** to run it."
        )
    else:
        st.info(f"'{base.label}' ({base.shown_file}) as it is. Change anything below to test it.")


# --- the page -----------------------------------------------------------------------------------


def differences_and_download(current: state.Current, base: state.Base) -> None:
    """What differs from the base; download the edited scenario; start again."""
    st.header("What differs from the base")
    if current.diffs:
        # A table, not a grid: a few rows that a screen reader reads cell by cell (the data
        # grid is drawn on a canvas).
        st.table(differences_frame(current.diffs), hide_index=True)
        st.caption(
            "Each changed field is marked in the scenario's `sources:` as edited in the app, with "
            "the base value and its source, so a run of it can be traced."
        )
    else:
        st.caption(f"Nothing yet: this is '{base.label}' as loaded.")
    if current.problems and current.diffs:
        st.caption("Run waits for the problems named at the top of the page.")
    if current.dropped_sources:
        st.caption(
            "Source notes for fields that no longer exist were dropped: "
            + ", ".join(current.dropped_sources)
        )
    cols = st.columns([2, 2, 3])
    with cols[0]:
        if current.scenario is not None:
            st.download_button(
                "Download the scenario (YAML)",
                scenario_to_yaml(current.scenario),
                file_name=f"{name_slug(current.scenario.name)}.yaml",
                mime="application/x-yaml",
                help="The complete scenario as edited: open it in an editor, keep it, upload it "
                "later, or run it with `ccs-sim run FILE`.",
            )
        else:
            st.button("Download the scenario (YAML)", disabled=True, help="Fix the problems first.")
    with cols[1]:
        if st.button("Undo all changes", disabled=not current.diffs):
            state.reset_edits()
            st.rerun()


def main() -> None:
    """The Scenario page."""
    st.title("Scenario")
    st.caption(
        "Start from a scenario, change what you want to test, then run it on **Run and results**. "
        "The question mark beside a field says what it means, its allowed range and where its "
        "value comes from."
    )
    choose_base()
    base = state.base()
    if base is None:
        st.warning("No scenario is loaded. Choose a file or upload one.")
        return
    status_box = st.container()  # filled in after the widgets have applied this run's edits
    data = state.edited()
    sources = dict(base.data.get("sources") or {})
    st.header("The inputs, by topic")  # the level between the page title and each topic's
    groups = st.tabs(GROUPS)
    editors = [
        demand_group,
        staff_group,
        recruitment_group,
        attrition_group,
        contractors_group,
        policies_group,
        run_group,
    ]
    for tab, editor in zip(groups, editors, strict=True):
        with tab:
            editor(data, sources)
    current = state.current()
    with status_box:
        status(current, base)
    st.divider()
    snapshot_view.show_snapshot(current.before_snapshot)
    differences_and_download(current, base)


main()
