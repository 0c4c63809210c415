"""Page 2, Run and results: run the edited scenario, then the verdict first, then the detail."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages import running, session_work, state
from app_pages.run_view import show_results, show_so_far
from sim.scenario.schema import Scenario

RUN_SETTINGS: list[tuple[str, str, int, int, str]] = [
    (
        "reps",
        "Replications (simulated futures)",
        1,
        5000,
        "More futures, narrower confidence intervals; 100 gives a probability to within "
        "about ±10 points. Allowed: 1 to 5,000 in the app (more with `ccs-sim run`).",
    ),
    (
        "seed",
        "Seed",
        0,
        2**31 - 1,
        "Fixes the random numbers: the same scenario and seed always give the same results. "
        "Allowed: 0 to 2,147,483,647.",
    ),
]


def run_controls(problems: list[str]) -> tuple[bool, bool]:
    """Replications and seed (shared with the Compare page); (Run pressed, Run blocked).

    The boxes take whatever is typed (no limits in the browser, which would keep showing a
    refused value while the run used the old one); a value out of range, or any problem of the
    scenario, disables Run and is named beside it with what is allowed.
    """
    settings = state.run_settings()
    cols = st.columns([1, 1, 1])
    wrong = []
    for col, (name, label, low, high, help_text) in zip(cols, RUN_SETTINGS, strict=False):
        key = f"run_settings.{name}"
        if key not in st.session_state:
            st.session_state[key] = int(settings[name])
        with col:
            value = st.number_input(label, step=1, format="%d", key=key, help=help_text)
        if value is None or not low <= value <= high:
            given = "nothing" if value is None else f"{value:,}"
            wrong.append(f"**{label}**: given {given}; allowed {low:,} to {high:,}")
        else:
            settings[name] = int(value)
    blocked = wrong + problems
    with cols[2]:
        st.write("")  # align the button with the inputs
        pressed = st.button("Run", type="primary", width="stretch", disabled=bool(blocked))
    if blocked:
        st.error(
            "**Run waits until these are fixed:**\n\n" + "\n".join(f"- {x}" for x in blocked),
            icon=":material/block:",
        )
        if problems:
            st.page_link(
                "app_pages/scenario.py", label="Fix it on the Scenario page", icon=":material/edit:"
            )
    return pressed and not blocked, bool(blocked)


def show_stopped(scenario: Scenario, seed: int, reps: int, kept: int) -> None:
    """A run of these inputs stopped part-way (here, or in a session that closed), or is going on
    in another session: say which, and show the replications finished so far."""
    if running.stopped_here(scenario, seed, reps):
        st.warning(running.stopped_text(kept, reps), icon=":material/stop_circle:")
    else:
        st.info(
            f"A run of these exact inputs has {kept:,} of {reps:,} replications on disk: it "
            "stopped part-way (or is going on in another session). Its results so far are below; "
            "press **Run** to carry on from them.",
            icon=":material/resume:",
        )
    so_far = running.finished_so_far(scenario, seed, reps)
    if so_far is not None:
        st.caption(
            f"Results of the {so_far.replications:,} replications finished so far, not of all "
            f"{reps:,}: they are less precise, as their confidence intervals show."
        )
        show_results(so_far)


def main() -> None:
    """The Run and results page."""
    st.title("Run and results")
    now = state.current()
    scenario = now.scenario
    if scenario is not None:
        label = f"'{scenario.name}'" + (f" with {len(now.diffs)} change(s)" if now.diffs else "")
        st.caption(
            f"Scenario {label}: {scenario.run.horizon_months} months from "
            f"{scenario.run.start_date:%d %b %Y}."
        )
    pressed, blocked = run_controls(now.problems)
    if scenario is None or blocked:
        return  # nothing below may describe settings other than those shown
    settings = state.run_settings()
    seed, reps = settings["seed"], settings["reps"]
    result = running.cached(scenario, seed, reps)
    if result is not None:
        st.caption(
            "These exact inputs (scenario, seed, replications) ran before: results from the cache."
        )
    elif running.long_work_confirmed(scenario, 1, reps, "run") and pressed:
        result = running.run_with_progress(
            scenario, seed, reps, now.origin, f"'{scenario.name}'", show_so_far
        )
    elif kept := running.kept(scenario, seed, reps):
        show_stopped(scenario, seed, reps, kept)
        return
    if result is not None:
        st.session_state["last_run"] = str(result.path)
        title = f"Run: '{scenario.name}' ({reps} replications, seed {seed})"
        session_work.add(session_work.Work(str(result.path), "run", title, str(result.path)))
        show_results(running.load_run_cached(str(result.path)))
        return
    last = st.session_state.get("last_run")
    if last and not Path(last).is_dir():  # the cache was cleared meanwhile
        last = st.session_state["last_run"] = None
    if last:
        earlier = running.load_run_cached(last)
        st.warning(
            f"The results below are of an earlier run: '{earlier.scenario.name}', "
            f"{earlier.replications} replications, seed {earlier.manifest.get('seed')}; not of "
            "the scenario and settings above. Press **Run** to bring them up to date.",
            icon=":material/history:",
        )
        show_results(earlier)
    else:
        st.info(
            f"Press **Run** to simulate {reps} futures of this scenario. On this machine a "
            "48-month replication takes under a second per worker."
        )


main()
