"""What every chart of a run shares: the chart type, the date axis, month dates, saving to files.

Charts are Altair specs, so one spec serves the app (`st.altair_chart`), offline HTML reports and
PNG/SVG files (`save_chart`, via vl-convert, no browser).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

__all__ = ["Chart", "date_x", "legend_colour", "month_dates", "records", "save_chart"]

Chart = alt.Chart | alt.LayerChart | alt.FacetChart | alt.HConcatChart | alt.VConcatChart
"""Any chart these functions return: ready for `st.altair_chart`, `save_chart` or `.to_html()`."""

_DATE_AXIS = alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 6}, labelAngle=0)
_DATE_AXIS_SPARSE = alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}, labelAngle=0)


def date_x(months: int) -> alt.X:
    """Month-end dates on the x axis: every 6 months for short runs, every year for long ones."""
    return alt.X("date:T", title=None, axis=_DATE_AXIS if months <= 60 else _DATE_AXIS_SPARSE)


def legend_colour(field: str, order: list[str], columns: int = 3) -> alt.Color:
    """Colour by a nominal field in the given order, the legend under the chart."""
    return alt.Color(
        f"{field}:N",
        sort=order,
        title=None,
        scale=alt.Scale(scheme="tableau10"),
        legend=alt.Legend(orient="bottom", columns=columns),
    )


def month_dates(monthly: pd.DataFrame) -> pd.DataFrame:
    """Each month of a run (0-based) and its date, from `monthly.parquet`."""
    return (
        monthly[["month", "date"]]
        .drop_duplicates("month")
        .sort_values("month")
        .reset_index(drop=True)
    )


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def save_chart(chart: Chart, path: str | Path, *, width: int = 720, scale: float = 2.0) -> Path:
    """Write a chart as PNG, SVG or self-contained HTML (by its suffix), with no browser.

    Charts made for the app stretch to their container; a file needs a `width` in pixels.
    """
    path = Path(path)
    chart = chart.properties(width=width)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".png":
        chart.save(str(path), scale_factor=scale)
    else:
        chart.save(str(path))
    return path
