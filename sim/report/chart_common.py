"""What every chart shares: the chart type, the palette, the date axis, month dates, the text
equivalent (a description and a table of the numbers), saving to files.

Charts are Altair specs, so one spec serves the app (`st.altair_chart`), offline HTML reports and
PNG/SVG files (`save_chart`, via vl-convert, no browser).

Every chart carries a Vega-Lite `description` written from its data (`describe`): Streamlit gives
it to the chart as its accessible name, and the report uses it as the figure's alt text. The
table view of a chart (`chart_table`) holds the numbers its tooltips show, so a planner who
cannot see the marks reads the same numbers (docs/accessibility.md).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
from afcharts.af_colours import get_af_colours

from sim.results.formats import JUDGEMENTS

__all__ = [
    "JUDGEMENT_COLOURS",
    "JUDGEMENT_SHAPES",
    "SERIES_COLOURS",
    "Chart",
    "chart_table",
    "chart_title",
    "date_x",
    "describe",
    "judgement_description",
    "legend_colour",
    "month_dates",
    "month_text",
    "month_tooltip",
    "number_text",
    "number_tooltips",
    "records",
    "save_chart",
    "series_tooltip",
]

Chart = alt.Chart | alt.LayerChart | alt.FacetChart | alt.HConcatChart | alt.VConcatChart
"""Any chart these functions return: ready for `st.altair_chart`, `save_chart` or `.to_html()`."""

SERIES_COLOURS: list[str] = [*get_af_colours("categorical"), "#2073BC"]
"""Colours of series, in order: the Government Analysis Function's categorical palette (each at
least 3:1 against white, and told apart by people with the common colour-vision deficiencies),
then its mid blue for a seventh series (the recruitment pipeline has seven stages)."""

# A paired difference's judgement (sim.results.formats.JUDGEMENTS, in that order) by colour AND
# by shape, so that better and worse are told apart without colour: blue upward triangle for
# better, orange downward triangle for worse, grey circle for no clear difference.
JUDGEMENT_COLOURS = [
    SERIES_COLOURS[0], SERIES_COLOURS[3], "#505a5f", "#505a5f", "#3D3D3D", "#3D3D3D", "#505a5f"
]  # fmt: skip
JUDGEMENT_SHAPES = [
    "triangle-up", "triangle-down", "circle", "circle", "diamond", "diamond", "square"
]  # fmt: skip

_DATE_AXIS = alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 6}, labelAngle=0)
_DATE_AXIS_SPARSE = alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}, labelAngle=0)


# Altair's data transformer and theme are global to the process. The app's server draws charts
# in one thread per session, and Streamlit switches the transformer while it converts a chart
# (under its own lock): a chart converted here at that moment would get Streamlit's transformer
# and fail. The app hands its lock over (`share_spec_lock`), so that conversions here wait for
# Streamlit's, and Streamlit's for these.
_spec_lock: AbstractContextManager[Any] = threading.Lock()


def share_spec_lock(lock: AbstractContextManager[Any]) -> None:
    """Convert charts under `lock` from now on (the app passes Streamlit's lock for Altair)."""
    global _spec_lock
    _spec_lock = lock


def chart_spec(chart: Any, **options: Any) -> dict[str, Any]:
    """The chart's Vega-Lite spec as a dict, converted under the shared lock."""
    with _spec_lock:
        return dict(chart.to_dict(**options))


def date_x(months: int) -> alt.X:
    """Month-end dates on the x axis: every 6 months for short runs, every year for long ones."""
    return alt.X("date:T", title=None, axis=_DATE_AXIS if months <= 60 else _DATE_AXIS_SPARSE)


def legend_colour(
    field: str, order: list[str], columns: int = 3, *, legend: bool = True
) -> alt.Color:
    """Colour by a nominal field in the given order, the legend (if `legend`) under the chart."""
    return alt.Color(
        f"{field}:N",
        sort=order,
        title=None,
        scale=alt.Scale(range=SERIES_COLOURS),
        legend=alt.Legend(orient="bottom", columns=columns) if legend else None,
    )


def month_tooltip(title: str = "Month") -> alt.Tooltip:
    """A month-end date in a tooltip (and so in the chart's table view), as 'Apr 2016'."""
    return alt.Tooltip("date:T", title=title, format="%b %Y")


def number_tooltips(value_format: str, titles: dict[str, str]) -> list[alt.Tooltip]:
    """Tooltips of numbers read together (a mean and its band, a difference and its interval),
    each field (-> its title) shown with the same d3 format."""
    return [
        alt.Tooltip(f"{field}:Q", title=title, format=value_format)
        for field, title in titles.items()
    ]


def series_tooltip(
    series: str,
    series_title: str,
    value: str,
    value_title: str,
    value_format: str,
    *,
    month: str = "Month",
) -> list[alt.Tooltip]:
    """The tooltip of a month-by-month chart of several series: which series, which month (its
    title `month`), and the `value` shown with a d3 format."""
    return [
        alt.Tooltip(f"{series}:N", title=series_title),
        month_tooltip(month),
        alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
    ]


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


# --- the text equivalent of a chart -------------------------------------------------------------


def describe(chart: Any, text: str) -> Any:
    """The chart with `text` as its Vega-Lite description (its accessible name, its alt text)."""
    return chart.properties(description=text)


_ORDER = {str(judgement): i for i, judgement in enumerate(JUDGEMENTS)}


def judgement_description(kpis: Iterable[Any], verdicts: Iterable[Any]) -> str:
    """Which KPIs an option makes clearly better or worse, for a comparison chart's text."""
    groups: dict[str, list[str]] = {}
    for kpi, verdict in zip(kpis, verdicts, strict=True):
        groups.setdefault(str(verdict), []).append(str(kpi))
    if not groups:
        return "Change against the base: nothing to compare."
    parts = [
        f"{verdict} ({len(names)}): {', '.join(names)}"
        for verdict, names in sorted(groups.items(), key=lambda g: _ORDER.get(g[0], len(_ORDER)))
    ]
    return (
        "Change against the base, relative to the base mean, with 95% confidence intervals. "
        + "; ".join(parts)
        + "."
    )


def month_text(date: Any) -> str:
    """A month as words ('April 2016'), for descriptions."""
    return f"{pd.Timestamp(date):%B %Y}"


def number_text(value: float, *, percent: bool = False) -> str:
    """A number for a description: a share as a whole percentage, else at most 3 figures."""
    if pd.isna(value):
        return "no value"
    if percent:
        return f"{value:.0%}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def chart_title(chart: Any) -> str:
    """A chart's title as text ('' when it has none)."""
    return _title(chart_spec(chart, validate=False))


def _title(spec: dict[str, Any]) -> str:
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    if title:
        return str(title)
    for child in [*spec.get("layer", []), *spec.get("vconcat", []), *spec.get("hconcat", [])]:
        if found := _title(child):
            return found
    return ""


def chart_table(chart: Any) -> pd.DataFrame:
    """The numbers behind a chart, one column per field of its tooltip, formatted as the tooltip
    formats them (a chart without a tooltip gives an empty table).

    The first layer with a tooltip says which fields matter; its data (its own, or the chart's)
    gives the rows, without repeats.
    """
    spec = chart_spec(chart, validate=False)
    datasets = spec.get("datasets", {})
    found = _tooltip_unit(spec, spec.get("data"))
    if found is None:
        return pd.DataFrame()
    tooltip, data = found
    rows = pd.DataFrame(datasets.get(data.get("name", ""), data.get("values", [])))
    columns = {}
    for field in tooltip:
        if field.get("field") not in rows:
            continue
        title = str(field.get("title") or field["field"])
        columns[title] = [_tooltip_text(v, field) for v in rows[field["field"]]]
    return pd.DataFrame(columns).drop_duplicates().reset_index(drop=True)


def _tooltip_unit(spec: dict[str, Any], data: Any) -> tuple[list[dict[str, Any]], Any] | None:
    """The first (tooltip fields, data) pair in a spec and its layers, depth first."""
    data = spec.get("data", data)
    tooltip = spec.get("encoding", {}).get("tooltip")
    if isinstance(tooltip, dict):
        tooltip = [tooltip]
    if tooltip and isinstance(data, dict):
        return tooltip, data
    children = [*spec.get("layer", []), *spec.get("vconcat", []), *spec.get("hconcat", [])]
    if "spec" in spec:
        children.append(spec["spec"])
    for child in children:
        found = _tooltip_unit(child, data)
        if found is not None:
            return found
    return None


def _tooltip_text(value: Any, field: dict[str, Any]) -> str:
    """A value as a tooltip shows it: dates and numbers with the tooltip's (d3) format."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    fmt = str(field.get("format", ""))
    if field.get("type") == "temporal":
        return f"{pd.Timestamp(value):{fmt or '%d %b %Y'}}"
    if field.get("type") == "quantitative":
        # d3's number formats are Python's for the ones these charts use (",.1f", ".0%", "+.1%");
        # d3's "~" (trim zeros) has no Python equivalent and is dropped.
        return format(float(value), fmt.replace("~", "") or ",.4g")
    return str(value)
