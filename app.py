"""The planners' app: will the expansion of CCS outrun its capability to deliver?

    uv run streamlit run app.py

Thin on purpose: pages in `app_pages/` lay out widgets and call the same functions as the command
line (`sim.runs.batch` through `sim.runs.cache`), and every figure and table comes from
`sim.report.figures`.
"""

from __future__ import annotations

import streamlit as st

from app_pages import state

st.set_page_config(page_title="CCS capacity planner", page_icon=":material/groups:", layout="wide")
state.ensure_base()

pages = [
    st.Page("app_pages/scenario.py", title="Scenario", icon=":material/edit:", default=True),
    st.Page("app_pages/results.py", title="Run and results", icon=":material/monitoring:"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/evidence.py", title="Evidence", icon=":material/fact_check:"),
    st.Page("app_pages/downloads.py", title="Downloads", icon=":material/download:"),
]
page = st.navigation(pages)
page.run()

# After the page, so that the status includes the edits this run has just applied.
with st.sidebar:
    st.markdown("**Will the expansion of CCS outrun its capability to deliver?**")
    base = state.base()
    if base is not None:
        now = state.current()
        changes = f", {len(now.diffs)} change(s)" if now.diffs else ""
        validity = "valid" if now.scenario is not None else f"{len(now.problems)} problem(s)"
        st.caption(f"Scenario: **{base.label}**{changes} ({validity})")
