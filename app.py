"""The planners' app: will the expansion of CCS outrun its capability to deliver?

    uv run streamlit run app.py

Thin on purpose: pages in `app_pages/` lay out widgets and call the same functions as the command
line (`sim.runs.batch` through `sim.runs.cache`), and every figure and table comes from
`sim.report.figures`.
"""

from __future__ import annotations

import logging


def main() -> None:
    """Lay out the page the planner is on (Streamlit runs this file for every interaction)."""
    import streamlit as st

    from app_pages import persist, running, state

    st.set_page_config(
        page_title="CCS capacity planner", page_icon=":material/groups:", layout="wide"
    )
    running.shared_pool()  # the server's workers start with its first session, not its first run
    if persist.restore():
        st.toast("Your scenario, seed and replications are back as you left them.")
    state.ensure_base()

    pages = [
        st.Page("app_pages/scenario.py", title="Scenario", icon=":material/edit:", default=True),
        st.Page("app_pages/results.py", title="Run and results", icon=":material/monitoring:"),
        st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
        st.Page("app_pages/evidence.py", title="Evidence", icon=":material/fact_check:"),
        st.Page("app_pages/downloads.py", title="Downloads", icon=":material/download:"),
        st.Page(
            "app_pages/accessibility.py", title="Accessibility", icon=":material/accessibility:"
        ),
    ]
    page = st.navigation(pages)
    # Before the page, so that the sidebar is never blank, even while a run is stopped mid-page.
    st.sidebar.markdown("**Will the expansion of CCS outrun its capability to deliver?**")
    try:
        page.run()
    except Exception as error:  # the edge: one line and a reference; the traceback goes to a log
        from sim.crash_log import record_crash

        crash = record_crash(error, f"app page {page.title}", state.app_log_dir())
        logging.getLogger("ccs-app").error("fault %s on page %s", crash.reference, page.title)
        st.error(crash.line_for_browser(), icon=":material/error:")

    # After the page, so that the status includes the edits this run has just applied.
    with st.sidebar:
        base = state.base()
        if base is not None:
            now = state.current()
            changes = f", {len(now.diffs)} change(s) from '{base.label}'" if now.diffs else ""
            if now.scenario is not None:
                st.caption(f"Scenario: **{now.scenario.name}**{changes} (valid)")
                # The browser tab names the scenario as this run's edits left it.
                st.set_page_config(page_title=f"{now.scenario.name} · CCS capacity planner")
            else:
                problems = f"{len(now.problems)} problem(s): Run waits"
                st.caption(f"Scenario: **{base.label}**{changes} ({problems})")
    persist.save()  # after the page, so that this interaction's edits are kept


# Streamlit runs this script as `__main__`. The app's worker processes are told by multiprocessing
# to read the parent's main script again (as `__mp_main__`): the guard keeps them from drawing the
# app or importing Streamlit, so that a worker starts with the model alone.
if __name__ == "__main__":
    main()
