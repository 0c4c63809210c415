"""Charts for business-case evidence: comparisons, tornado, heat map, one-way curves, plans.

Altair charts built from the tables that `compare`, `sweep` and `plan` write, so a chart can be
redrawn from a study directory at any time. `to_svg` and `save_png` render them with vl-convert,
which needs no browser and no network: the HTML report inlines the SVG, and the PNG files are for
pasting into documents. No Streamlit here; the app can show the same charts.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, cast

import altair as alt
import pandas as pd

from sim.report.chart_common import (
    JUDGEMENT_COLOURS,
    JUDGEMENT_SHAPES,
    SERIES_COLOURS,
    chart_spec,
    describe,
    judgement_description,
    number_tooltips,
)
from sim.results.formats import JUDGEMENTS, format_kpi, format_probability, judge_difference
from sim.results.kpis import in_group, kpi_info, kpi_label

__all__ = [
    "comparison_chart",
    "heatmap_chart",
    "oneway_chart",
    "plan_chart",
    "save_png",
    "to_svg",
    "tornado_chart",
]

WIDTH = 520


def _is_share(kpi: str) -> bool:
    return kpi_info(kpi).kind in ("share", "probability")


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document (for inlining into an offline HTML page)."""
    import vl_convert

    return str(vl_convert.vegalite_to_svg(chart_spec(chart)))


def save_png(chart: alt.TopLevelMixin, path: Path, scale: float = 2.0) -> Path:
    """Write the chart as a PNG file (scale 2: sharp when pasted into a document)."""
    import vl_convert

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(vl_convert.vegalite_to_png(chart_spec(chart), scale=scale))
    return path


def _finite(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    keep = frame.copy()
    for column in columns:
        keep[column] = pd.to_numeric(keep[column], errors="coerce")
    return keep.dropna(subset=columns[:1])


# --- comparisons ------------------------------------------------------------------------------


def comparison_chart(table: pd.DataFrame, kpis: list[str]) -> alt.FacetChart:
    """Paired difference (option - base) with its 95% CI, one panel per KPI, one row per option.

    Colour and shape say whether the interval lies wholly on the better side, the worse side, or
    spans 0.
    """
    rows = _finite(table[table["kpi"].isin(kpis)], ["difference", "ci_low", "ci_high"])
    rows = rows.assign(
        judgement=[_judgement(r) for r in rows.to_dict("records")],
        panel=[kpi_label(k) for k in rows["kpi"]],
        p_better=[
            _percent(b, w)
            for b, w in zip(rows["p_option_better"], rows["p_option_worse"], strict=True)
        ],
    )
    layered = _difference_layers(rows).properties(
        width=WIDTH, height=28 * max(1, rows["option"].nunique())
    )
    chart = (
        layered.facet(
            row=alt.Row(
                "panel:N",
                title=None,
                sort=[kpi_label(k) for k in kpis],
                header=alt.Header(
                    labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top"
                ),
            ),
        )
        .resolve_scale(x="independent")
        .properties(
            title="Options against the base case (paired by replication; labels: share of "
            "replications in which the option does better and worse)"
        )
    )
    described = [f"{p} ({o})" for p, o in zip(rows["panel"], rows["option"], strict=True)]
    return describe(chart, judgement_description(described, rows["judgement"]))


def _difference_layers(rows: pd.DataFrame) -> alt.LayerChart:
    """One option's difference: its interval, the point (coloured and shaped by judgement), the
    share of replications better and worse, and the zero line."""
    base = alt.Chart(rows).encode(y=alt.Y("option:N", title=None))
    colour = alt.Color(
        "judgement:N",
        scale=alt.Scale(domain=list(JUDGEMENTS), range=JUDGEMENT_COLOURS),
        legend=alt.Legend(title="95% CI of the difference", orient="bottom"),
    )
    shape = alt.Shape(
        "judgement:N",
        scale=alt.Scale(domain=list(JUDGEMENTS), range=JUDGEMENT_SHAPES),
        legend=alt.Legend(title="95% CI of the difference", orient="bottom"),
    )
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title="option minus base"), x2="ci_high:Q", color=colour
    )
    dots = base.mark_point(filled=True, size=70).encode(
        x="difference:Q",
        color=colour,
        shape=shape,
        tooltip=[
            alt.Tooltip("panel:N", title="KPI"),
            alt.Tooltip("option:N", title="Option"),
            *number_tooltips(
                ",.3g", {"difference": "Difference", "ci_low": "CI low", "ci_high": "CI high"}
            ),
            alt.Tooltip("judgement:N", title="Verdict"),
        ],
    )
    text = base.mark_text(align="left", dx=6, dy=-8, fontSize=10).encode(
        x="difference:Q", text=alt.Text("p_better:N")
    )
    zero = alt.Chart(rows).mark_rule(strokeDash=[4, 3], color="#333").encode(x=alt.datum(0))
    return cast(alt.LayerChart, alt.layer(zero, bars, dots, text))  # a layer of four charts


def _judgement(row: dict[Any, Any]) -> str:
    better = row.get("better")
    better = "" if better is None or pd.isna(better) else str(better)
    return judge_difference(better, row["ci_low"], row["ci_high"], int(row["n_pairs"]))


def _percent(better: Any, worse: Any) -> str:
    if better is None or pd.isna(better):
        return ""
    return f"better in {format_probability(better)}, worse in {format_probability(worse)}"


# --- sensitivities ----------------------------------------------------------------------------


def tornado_chart(tornado: pd.DataFrame) -> alt.TopLevelMixin:
    """One-at-a-time sensitivity: each lever's KPI at its lowest and highest value around the
    scenario as given, largest swing at the top."""
    kpi = str(tornado["kpi"].iloc[0])
    order = list(tornado["lever"])
    long = pd.concat(
        [
            tornado.assign(
                end="lowest value tried",
                value=tornado["low_mean"],
                tried=[_value_text(v) for v in tornado["low_value"]],
            ),
            tornado.assign(
                end="highest value tried",
                value=tornado["high_mean"],
                tried=[_value_text(v) for v in tornado["high_value"]],
            ),
        ],
        ignore_index=True,
    )
    base_mean = float(tornado["base_mean"].iloc[0])
    rows = alt.Chart(long).encode(y=alt.Y("lever:N", sort=order, title=None))
    bars = rows.mark_bar(opacity=0.8, height=16).encode(
        x=alt.X("value:Q", title=kpi_label(kpi)),
        x2=alt.X2(datum=base_mean),
        color=alt.Color(
            "end:N",
            scale=alt.Scale(range=[SERIES_COLOURS[0], SERIES_COLOURS[3]]),
            legend=alt.Legend(title="Lever at its", orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("lever:N", title="Lever"),
            alt.Tooltip("end:N", title="At its"),
            alt.Tooltip("tried:N", title="Value tried"),
            alt.Tooltip("value:Q", title=kpi_label(kpi), format=",.3g"),
        ],
    )
    labels = rows.mark_text(fontSize=10, dy=-14).encode(x="value:Q", text="tried:N")
    base = alt.Chart(pd.DataFrame({"x": [base_mean]})).mark_rule(color="#333").encode(x="x:Q")
    swings = "; ".join(
        f"{r['lever']} from {format_kpi(kpi, r['low_mean'])} (at {_value_text(r['low_value'])}) "
        f"to {format_kpi(kpi, r['high_mean'])} (at {_value_text(r['high_value'])})"
        for r in tornado.to_dict("records")
    )
    chart = alt.layer(bars, labels, base).properties(
        width=WIDTH,
        height=44 * len(order),
        title=f"Tornado: {kpi_label(kpi)} (line: scenario as given, {format_kpi(kpi, base_mean)})",
    )
    return describe(
        chart,
        f"Tornado: {kpi_label(kpi)}, {format_kpi(kpi, base_mean)} for the scenario as given; "
        f"each lever at its lowest and highest value tried, largest swing first. {swings}.",
    )


def heatmap_chart(points: pd.DataFrame, lever_x: str, lever_y: str, kpi: str) -> alt.TopLevelMixin:
    """A KPI over a two-way grid of two levers (cells labelled with their values)."""
    rows = points[(points["kpi"] == kpi) & points["roles"].str.contains("grid")]
    # Lever keys are dotted paths, which Vega-Lite would read as nested fields: rename them.
    data = pd.DataFrame(
        {
            "x": pd.to_numeric(rows[lever_x], errors="coerce"),
            "y": pd.to_numeric(rows[lever_y], errors="coerce"),
            "mean": pd.to_numeric(rows["mean"], errors="coerce"),
        }
    )
    data["text"] = [format_kpi(kpi, v) for v in data["mean"]]
    domain = [0, 1] if _is_share(kpi) else alt.Undefined
    scale = alt.Scale(scheme="redyellowgreen", domain=domain, reverse=kpi == "outruns_capability")
    base = alt.Chart(data).encode(
        x=alt.X("x:O", title=lever_x), y=alt.Y("y:O", title=lever_y, sort="descending")
    )
    cells = base.mark_rect().encode(
        color=alt.Color("mean:Q", scale=scale, title=None),
        tooltip=[
            alt.Tooltip("x:O", title=lever_x),
            alt.Tooltip("y:O", title=lever_y),
            alt.Tooltip("text:N", title=kpi_label(kpi)),
        ],
    )
    text = base.mark_text(fontSize=12).encode(text="text:N")
    chart = alt.layer(cells, text).properties(
        width=WIDTH, height=WIDTH * 0.6, title=f"{kpi_label(kpi)} over two levers"
    )
    known = data.dropna(subset=["mean"])
    if known.empty:
        return describe(chart, f"{kpi_label(kpi)} over {lever_x} and {lever_y}: no values.")
    ordered = known.sort_values("mean", kind="stable")
    low, high = ordered.iloc[0], ordered.iloc[-1]
    return describe(
        chart,
        f"{kpi_label(kpi)} over a grid of {lever_x} and {lever_y} ({len(known)} cells, each "
        f"labelled with its value). Lowest {low['text']} at {lever_x} {low['x']:g}, {lever_y} "
        f"{low['y']:g}; highest {high['text']} at {lever_x} {high['x']:g}, {lever_y} "
        f"{high['y']:g}.",
    )


def oneway_chart(
    points: pd.DataFrame,
    lever: str,
    kpi: str,
    threshold: float | None = None,
    switching_value: float | None = None,
) -> alt.TopLevelMixin:
    """A KPI (mean and 95% CI) along one lever, others as given, with the verdict threshold and
    the switching value where one was found."""
    rows = points[(points["kpi"] == kpi) & points[lever].notna()]
    rows = rows[rows["label"].str.count("=") == 1]  # one-at-a-time points of this lever only
    data = pd.DataFrame(
        {
            "x": pd.to_numeric(rows[lever], errors="coerce"),
            "mean": pd.to_numeric(rows["mean"], errors="coerce"),
            "ci_low": pd.to_numeric(rows["ci_low"], errors="coerce"),
            "ci_high": pd.to_numeric(rows["ci_high"], errors="coerce"),
        }
    )
    data = data.dropna(subset=["x"]).sort_values("x")
    base = alt.Chart(data).encode(x=alt.X("x:Q", title=lever, scale=alt.Scale(zero=False)))
    layers: list[alt.Chart] = [
        base.mark_area(opacity=0.2).encode(
            y=alt.Y("ci_low:Q", title=kpi_label(kpi)), y2="ci_high:Q"
        ),
        base.mark_line(point=True, color=SERIES_COLOURS[0]).encode(
            y="mean:Q",
            tooltip=[
                alt.Tooltip("x:Q", title=lever, format=",.4g"),
                alt.Tooltip("mean:Q", title=f"{kpi_label(kpi)} (mean)", format=",.3g"),
                alt.Tooltip("ci_low:Q", title="CI low", format=",.3g"),
                alt.Tooltip("ci_high:Q", title="CI high", format=",.3g"),
            ],
        ),
    ]
    if threshold is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"y": [threshold]}))
            .mark_rule(strokeDash=[4, 3], color=SERIES_COLOURS[3])
            .encode(y="y:Q")
        )
    if switching_value is not None and math.isfinite(switching_value):
        layers.append(
            alt.Chart(pd.DataFrame({"x": [switching_value]}))
            .mark_rule(color=SERIES_COLOURS[2])
            .encode(x="x:Q")
        )
    note = f"; switching value {switching_value:.4g}" if switching_value is not None else ""
    chart = alt.layer(*layers).properties(
        width=WIDTH, height=220, title=f"{kpi_label(kpi)} along {lever}{note}"
    )
    points_text = ", ".join(
        f"{format_kpi(kpi, m)} at {x:g}" for x, m in zip(data["x"], data["mean"], strict=True)
    )
    text = f"{kpi_label(kpi)} (mean, with 95% CI) along {lever}: {points_text or 'no points'}."
    if threshold is not None:
        text += f" Threshold (dashed): {format_kpi(kpi, threshold)}."
    if switching_value is not None and math.isfinite(switching_value):
        text += f" Switching value (solid line): {switching_value:.4g}."
    return describe(chart, text)


# --- plans --------------------------------------------------------------------------------------


def plan_chart(table: pd.DataFrame, levers: list[str], confidence: float) -> alt.VConcatChart:
    """Share of replications meeting the target, and expected cost, for each setting tried
    (along the first lever; a second lever, if any, as separate lines)."""
    data = table[
        ["share_meeting", "cost_mean_gbp", "cost_ci_low_gbp", "cost_ci_high_gbp", "feasible"]
    ].copy()
    data["x"] = pd.to_numeric(table[levers[0]], errors="coerce")
    data["group"] = table[levers[1]].astype(str) if len(levers) > 1 else ""
    data["status"] = ["meets target" if f else "short of target" for f in data["feasible"]]
    x = alt.X("x:Q", title=levers[0], scale=alt.Scale(zero=False))
    colour, shape = _plan_status_encodings(levers)
    tooltip = [
        alt.Tooltip("x:Q", title=levers[0], format=",.4g"),
        alt.Tooltip("status:N", title="Target"),
        alt.Tooltip("share_meeting:Q", title="Share meeting target", format=".0%"),
        alt.Tooltip("cost_mean_gbp:Q", title="Expected cost (GBP)", format=",.0f"),
    ]
    chart = alt.Chart(data).encode(x=x)
    share = alt.layer(
        chart.mark_line(color="#999").encode(y="share_meeting:Q", detail="group:N"),
        chart.mark_point(filled=True, size=60).encode(
            y=alt.Y(
                "share_meeting:Q",
                title="Share of replications meeting target",
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=colour,
            shape=shape,
            tooltip=tooltip,
        ),
        alt.Chart(pd.DataFrame({"y": [confidence]}))
        .mark_rule(strokeDash=[4, 3], color="#333")
        .encode(y="y:Q"),
    ).properties(width=WIDTH, height=180, title="Does each setting meet the target?")
    cost = alt.layer(
        chart.mark_rule().encode(
            y=alt.Y("cost_ci_low_gbp:Q", title="Expected cost (GBP)", scale=alt.Scale(zero=False)),
            y2="cost_ci_high_gbp:Q",
            color=colour,
        ),
        chart.mark_point(filled=True, size=60).encode(
            y="cost_mean_gbp:Q", color=colour, shape=shape
        ),
    ).properties(width=WIDTH, height=180, title="What does each setting cost?")
    meeting = data[data["feasible"].astype(bool)].dropna(subset=["cost_mean_gbp"])
    cheapest = _cheapest_text(meeting, levers)
    return describe(
        alt.vconcat(share, cost),
        f"Least-cost plan: {len(data)} settings of {', '.join(levers)} tried; {len(meeting)} "
        f"meet the target in at least {confidence:.0%} of replications.{cheapest}",
    )


def _plan_status_encodings(levers: list[str]) -> tuple[alt.Color, alt.Shape]:
    """Colour by whether a setting meets the target; shape by the second lever, if any, else
    by meeting the target too (so it is not told by colour alone)."""
    colour = alt.Color(
        "status:N",
        scale=alt.Scale(
            domain=["meets target", "short of target"],
            range=[SERIES_COLOURS[0], SERIES_COLOURS[3]],
        ),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    # Shape tells meeting from missing the target without colour (or a second lever's lines).
    shape = (
        alt.Shape("group:N", title=levers[1])
        if len(levers) > 1
        else alt.Shape(
            "status:N",
            scale=alt.Scale(domain=["meets target", "short of target"], range=["circle", "cross"]),
            legend=alt.Legend(title=None, orient="bottom"),
        )
    )
    return colour, shape


def _cheapest_text(meeting: pd.DataFrame, levers: list[str]) -> str:
    """' Cheapest that meets it: ...' (empty if no setting meets the target)."""
    cheapest = ""
    if len(meeting):
        best = meeting.sort_values("cost_mean_gbp", kind="stable").iloc[0]
        cheapest = (
            f" Cheapest that meets it: {levers[0]} {best['x']:g} at "
            f"{best['cost_mean_gbp']:,.0f} GBP."
        )
    return cheapest


def _value_text(value: Any) -> str:
    """A lever value as typed (2, not 2.0)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


# --- the charts of a study directory ------------------------------------------------------------


def study_charts(study_dir: Path) -> dict[str, alt.TopLevelMixin]:
    """The charts of a compare, sweep or plan study, drawn from its tables, by file stem."""
    import json

    study = json.loads((study_dir / "study.json").read_text())
    tables = {name: pd.read_csv(study_dir / file) for name, file in study["tables"].items()}
    charts: dict[str, alt.TopLevelMixin] = {}
    if study["kind"] == "compare":
        table = tables["comparison"]
        kpis = [k for k in in_group("comparison") if k in set(table["kpi"])]
        charts["comparison"] = comparison_chart(table, kpis)
    elif study["kind"] == "sweep":
        charts["tornado"] = tornado_chart(tables["tornado"])
        levers = [lever["key"] for lever in study["levers"]]
        if study.get("two_way") and len(levers) == 2:
            charts["heatmap"] = heatmap_chart(
                tables["points"], levers[0], levers[1], "outruns_capability"
            )
        for row in tables["switching"].to_dict("records"):
            if row["status"] == "not_numeric":
                continue
            criterion = study["criteria"][row["criterion"]]
            value = float(row["value"]) if row["status"] == "found" else None
            charts[f"oneway-{row['lever']}-{row['criterion']}"] = oneway_chart(
                tables["points"], row["lever"], criterion["kpi"], criterion["threshold"], value
            )
    elif study["kind"] == "plan":
        levers = [lever["key"] for lever in study["levers"]]
        charts["plan"] = plan_chart(tables["plan"], levers, float(study["confidence"]))
    return charts


def write_study_charts(study_dir: Path) -> list[Path]:
    """Write a study's charts as PNG files into its `charts/` folder."""
    return [
        save_png(chart, study_dir / "charts" / f"{name.replace('*', 'all')}.png")
        for name, chart in study_charts(study_dir).items()
    ]
