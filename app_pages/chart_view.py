"""A chart and its text equivalent, as every page of the app shows them.

The chart's Vega-Lite `description` (written from its data in `sim.report`) is its accessible
name; the numbers behind it are one click away in an HTML table with header cells, for anyone
who cannot see or point at the marks (docs/accessibility.md).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from streamlit.elements import vega_charts

from sim.report.chart_common import chart_table, chart_title, share_spec_lock

# Streamlit converts charts under this lock while it switches Altair's global data transformer;
# the model's chart code converts under it too, so sessions drawing at once never meet halfway.
share_spec_lock(vega_charts._altair_globals_lock)

__all__ = ["show_chart", "show_table"]


def show_chart(chart: Any, *, stretch: bool = True) -> None:
    """The chart, then an expander holding the same numbers as a table."""
    st.altair_chart(chart, width="stretch" if stretch else "content")
    table = chart_table(chart)
    if len(table):
        title = chart_title(chart) or "this chart"
        with st.expander(f"Table view: {title}", icon=":material/table_view:"):
            show_table(table)


def show_table(frame: pd.DataFrame) -> None:
    """A table a screen reader can read: an HTML table with a header row and no index column.

    `Column` (the KPI's machine name, kept for downloads) is left out.
    """
    st.table(frame.drop(columns=["Column"], errors="ignore"), hide_index=True)
