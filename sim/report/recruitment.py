"""The recruitment pipeline: vacancies by stage month by month, and the expected flow of 100
vacancies through it (a Sankey diagram)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from sim.model.state import PIPELINE_STAGES
from sim.report.chart_common import (
    SERIES_COLOURS,
    Chart,
    date_x,
    describe,
    legend_colour,
    month_dates,
    month_text,
    number_text,
    records,
    series_tooltip,
)
from sim.scenario.schema import Scenario

__all__ = [
    "PIPELINE_STAGE_LABELS",
    "RecruitmentFlow",
    "pipeline_by_stage",
    "pipeline_chart",
    "recruitment_flow",
    "sankey_chart",
]

# --- the recruitment pipeline -------------------------------------------------------------------

PIPELINE_STAGE_LABELS: dict[str, str] = {
    "approval": "1 Awaiting approval",
    "awaiting_recruiter": "2 Waiting for a recruiter",
    "advert": "3 Advertised",
    "sift_interview": "4 Sift and interview",
    "offer": "5 Offer made",
    "vetting": "6 Vetting",
    "notice": "7 Serving notice",
}
"""Each pipeline stage's monthly column suffix and a planner's name for it, in pipeline order."""


def pipeline_by_stage(monthly: pd.DataFrame) -> pd.DataFrame:
    """Mean vacancies in each recruitment stage at each month end, across replications.

    `monthly` is `monthly.parquet` (all pools) or one pool's rows from `pool_monthly`.
    Returns columns `date`, `stage`, `order`, `vacancies`.
    """
    frame = monthly
    columns = [f"pipeline_{s}" for s in PIPELINE_STAGES if f"pipeline_{s}" in frame]
    means = frame.groupby("month")[columns].mean().reset_index()
    dates = month_dates(monthly)
    long = means.merge(dates, on="month").melt(
        id_vars=["month", "date"], var_name="column", value_name="vacancies"
    )
    stage = long["column"].str.removeprefix("pipeline_")
    long["stage"] = stage.map(PIPELINE_STAGE_LABELS)
    long["order"] = stage.map({s: i for i, s in enumerate(PIPELINE_STAGES)})
    return long[["date", "stage", "order", "vacancies"]]


def pipeline_chart(data: pd.DataFrame, *, height: int = 360) -> Chart:
    """Stacked areas: where vacancies are in the recruitment pipeline, month by month."""
    stages = [PIPELINE_STAGE_LABELS[s] for s in PIPELINE_STAGES]
    chart = (
        alt.Chart(data, title="Vacancies by recruitment stage (mean of futures, month ends)")
        .mark_area()
        .encode(
            x=date_x(data["date"].nunique()),
            y=alt.Y("vacancies:Q", stack="zero", title="Vacancies"),
            color=legend_colour("stage", stages, columns=4),
            order=alt.Order("order:Q"),
            tooltip=series_tooltip("stage", "Stage", "vacancies", "Vacancies", ",.1f"),
        )
        .properties(height=height)
    )
    return describe(chart, _pipeline_description(data))


def _pipeline_description(data: pd.DataFrame) -> str:
    """When the most vacancies are in the pipeline, and in which stages they are then."""
    title = "Vacancies by recruitment stage, mean of simulated futures"
    totals = data.groupby("date")["vacancies"].sum()
    if totals.empty:
        return f"{title}: no months to show."
    peak = totals.idxmax()
    at_peak = data[data["date"] == peak].sort_values("vacancies", ascending=False)
    stages = ", ".join(
        f"{stage} {number_text(n)}"
        for stage, n in zip(at_peak["stage"], at_peak["vacancies"], strict=True)
        if n >= 0.05
    )
    return (
        f"{title}, {month_text(totals.index.min())} to {month_text(totals.index.max())}. "
        f"Most vacancies in the pipeline: {number_text(totals.max())} in {month_text(peak)} "
        f"({stages or 'none'}); at the end {number_text(totals.iloc[-1])}."
    )


@dataclass(frozen=True)
class RecruitmentFlow:
    """What happens to 100 vacancies, expected from a scenario's pass rates, as a Sankey."""

    nodes: pd.DataFrame  # id, label ('|' breaks lines), column, kind
    links: pd.DataFrame  # source, target, value, kind
    stage_days: dict[str, float]  # mean days in each stage, from the scenario
    campaigns_per_hire: float


def recruitment_flow(scenario: Scenario, pool: str | None = None) -> RecruitmentFlow | None:
    """The expected flow of 100 vacancies through the pipeline (per pool, or all pools).

    From the scenario's rates: approval refusals, campaigns with no appointable candidate,
    declined offers and withdrawals in vetting each send the vacancy round again (re-advertised),
    so more campaigns run than there are vacancies. For all pools, vetting and notice are
    weighted by each pool's final planned establishment. None if no vacancy can ever be filled
    (e.g. no offer is ever accepted).
    """
    rec = scenario.recruitment
    pools = [p for p in scenario.staff_pools if pool is None or p.name == pool]
    weights = np.array([_final_establishment(p) for p in pools], dtype=float)
    weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(pools), 1 / len(pools))
    withdraw = float(sum(w * _vetting(rec, p)[1] for w, p in zip(weights, pools, strict=True)))
    vetting_days = float(sum(w * _vetting(rec, p)[0] for w, p in zip(weights, pools, strict=True)))
    notice_days = float(
        sum(w * p.joiner_notice_days.mean for w, p in zip(weights, pools, strict=True))
    )
    refuse, fail, accept = (
        rec.approval_refusal_rate,
        rec.campaign_failure_rate,
        rec.offer_acceptance,
    )
    if refuse >= 1 or fail >= 1 or accept <= 0 or withdraw >= 1:
        return None
    approved = 100 * (1 - refuse)
    cleared = approved  # every approved vacancy is filled in the end
    accepted = cleared / (1 - withdraw)
    offers = accepted / accept
    campaigns = offers / (1 - fail)
    rerun = campaigns - approved
    stage_days = {
        "Approval": rec.approval_days.mean,
        "Advert": rec.advert_days.mean,
        "Sift and interview": rec.sift_interview_days.mean,
        "Offer": rec.offer_days.mean,
        "Vetting": vetting_days,
        "Notice": notice_days,
    }
    counts = {
        "approved": approved,
        "cleared": cleared,
        "accepted": accepted,
        "offers": offers,
        "campaigns": campaigns,
        "rerun": rerun,
    }
    node_frame, link_frame = _flow_graph(counts)
    return RecruitmentFlow(node_frame, link_frame, stage_days, campaigns / approved)


def _flow_graph(counts: dict[str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Sankey's nodes and links for 100 vacancies, from the expected count at each step."""
    approved, cleared, accepted = counts["approved"], counts["cleared"], counts["accepted"]
    offers, campaigns, rerun = counts["offers"], counts["campaigns"], counts["rerun"]
    nodes = [
        ("opened", f"Vacancies|opened|{100:.0f}", 0, "stage"),
        ("approved", f"Approved|{approved:.0f}", 1, "stage"),
        ("refused", f"Refused|(asked again|later)|{100 - approved:.0f}", 1, "loss"),
        ("rerun", f"Re-|advertised|{rerun:.0f}", 1, "rerun"),
        ("campaigns", f"Campaigns|(advert, sift,|interview)|{campaigns:.0f}", 2, "stage"),
        ("offers", f"Offers made|{offers:.0f}", 3, "stage"),
        ("no_candidate", f"No appoint-|able|candidate|{campaigns - offers:.0f}", 3, "loss"),
        ("accepted", f"Offers|accepted|{accepted:.0f}", 4, "stage"),
        ("declined", f"Offer|declined|{offers - accepted:.0f}", 4, "loss"),
        ("cleared", f"Cleared|vetting|{cleared:.0f}", 5, "stage"),
        ("withdrew", f"Withdrew|in vetting|{accepted - cleared:.0f}", 5, "loss"),
        ("started", f"Started|(after|notice)|{cleared:.0f}", 6, "stage"),
    ]
    links = [
        ("opened", "approved", approved, "flow"),
        ("opened", "refused", 100 - approved, "loss"),
        ("approved", "campaigns", approved, "flow"),
        ("rerun", "campaigns", rerun, "rerun"),
        ("campaigns", "offers", offers, "flow"),
        ("campaigns", "no_candidate", campaigns - offers, "loss"),
        ("offers", "accepted", accepted, "flow"),
        ("offers", "declined", offers - accepted, "loss"),
        ("accepted", "cleared", cleared, "flow"),
        ("accepted", "withdrew", accepted - cleared, "loss"),
        ("cleared", "started", cleared, "flow"),
    ]
    link_frame = pd.DataFrame(links, columns=["source", "target", "value", "kind"])
    link_frame = link_frame[link_frame["value"] > 0.05].reset_index(drop=True)
    used = set(link_frame["source"]) | set(link_frame["target"])
    node_frame = pd.DataFrame(nodes, columns=["id", "label", "column", "kind"])
    node_frame = node_frame[node_frame["id"].isin(used)].reset_index(drop=True)
    return node_frame, link_frame


def _final_establishment(pool: Any) -> int:
    return int(pool.headcount_plan[-1].headcount if pool.headcount_plan else pool.initial_headcount)


def _vetting(rec: Any, pool: Any) -> tuple[float, float]:
    if pool.vetting_level is None:
        return 0.0, 0.0
    level = rec.vetting_levels[pool.vetting_level]
    return float(level.duration_days.mean), float(level.withdrawal_rate)


# The Analysis Function's dark blue, orange and teal (each at least 3:1 against white); the
# node labels also say which is which (e.g. "Refused", "Re-advertised").
_FLOW_COLOURS = {
    "flow": SERIES_COLOURS[0],
    "loss": SERIES_COLOURS[3],
    "rerun": SERIES_COLOURS[1],
    "stage": "#3b3b3b",
}


def sankey_chart(
    flow: RecruitmentFlow, *, title: str = "", height: int = 400, node_width: float = 0.04
) -> Chart:
    """A Sankey diagram of a `RecruitmentFlow`: band widths are numbers of vacancies.

    Blue bands carry vacancies towards a start; red bands leave the main path (the vacancy is
    re-advertised, or refused and asked for again later); the orange band is the re-advertised
    campaigns coming back in.
    """
    nodes, links = _sankey_layout(flow.nodes, flow.links, node_width)
    bands = _sankey_bands(nodes, links)
    kinds = {"flow": "On the way to a start", "loss": "Leaves this path", "rerun": "Re-advertised"}
    bands["meaning"] = bands["kind"].map(kinds)
    colour = alt.Color(
        "meaning:N",
        title=None,
        scale=alt.Scale(domain=list(kinds.values()), range=[_FLOW_COLOURS[k] for k in kinds]),
        legend=alt.Legend(orient="bottom"),
    )
    x_scale = alt.Scale(domain=[-0.02, nodes["column"].max() + 0.9], nice=False)
    y_scale = alt.Scale(domain=[0, 1], reverse=True, nice=False)
    band_layer = (
        alt.Chart(bands)
        .mark_area(opacity=0.6, interpolate="monotone")
        .encode(
            x=alt.X("x:Q", scale=x_scale, axis=None),
            y=alt.Y("y0:Q", scale=y_scale, axis=None),
            y2="y1:Q",
            detail="link:N",
            color=colour,
            tooltip=[
                alt.Tooltip("description:N", title="Flow"),
                alt.Tooltip("value:Q", title="Per 100 vacancies", format=".0f"),
            ],
        )
    )
    node_layer = (
        alt.Chart(nodes)
        .mark_rect(color=_FLOW_COLOURS["stage"])
        .encode(x="x0:Q", x2="x1:Q", y=alt.Y("y0:Q", scale=y_scale), y2="y1:Q")
    )
    text_layer = (
        alt.Chart(nodes)
        .mark_text(align="left", baseline="middle", dx=4, fontSize=11, lineBreak="|")
        .encode(x="x1:Q", y=alt.Y("ymid:Q", scale=y_scale), text="label:N")
    )
    steps = "; ".join(
        f"{_plain(label)} {label.split('|')[-1]}"
        for label in flow.nodes.sort_values("column")["label"]
    )
    chart = (
        alt.layer(band_layer, node_layer, text_layer, title=title)
        .properties(height=height)
        .configure_view(stroke=None)
    )
    return describe(
        chart,
        f"{title or 'Recruitment flow'}: expected from the scenario's rates, of 100 vacancies. "
        f"{steps}. {flow.campaigns_per_hire:.2f} campaigns per hire.",
    )


def _sankey_layout(
    nodes: pd.DataFrame, links: pd.DataFrame, node_width: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node boxes stacked in their columns, heights proportional to the vacancies through them."""
    nodes = nodes.copy()
    nodes["x0"] = nodes["column"].astype(float)
    nodes["x1"] = nodes["x0"] + node_width
    out_sum = links.groupby("source")["value"].sum()
    in_sum = links.groupby("target")["value"].sum()
    nodes["value"] = [max(out_sum.get(i, 0.0), in_sum.get(i, 0.0)) for i in nodes["id"]]
    totals = nodes.groupby("column")["value"].sum()
    counts = nodes.groupby("column")["id"].count()
    gap = 0.04
    scale = (1 - gap * (counts.max() - 1)) / totals.max()
    y = dict.fromkeys(totals.index, 0.0)
    y0s, y1s = [], []
    for column, value in zip(nodes["column"], nodes["value"], strict=True):
        y0s.append(y[column])
        y1s.append(y[column] + value * scale)
        y[column] = y1s[-1] + gap
    nodes["y0"], nodes["y1"] = y0s, y1s
    nodes["ymid"] = (nodes["y0"] + nodes["y1"]) / 2
    links = links.copy()
    links["width"] = links["value"] * scale
    return nodes, links


def _sankey_bands(nodes: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Each link as a smooth band from its source's right edge to its target's left edge."""
    box = {str(n["id"]): n for n in records(nodes)}
    out_used = dict.fromkeys(box, 0.0)
    in_used = dict.fromkeys(box, 0.0)
    t = np.linspace(0, 1, 24)
    smooth = t * t * (3 - 2 * t)
    # Bands leave and enter each node in the vertical order of the nodes at their other end.
    ordered = sorted(
        records(links), key=lambda k: (box[k["source"]]["ymid"], box[k["target"]]["ymid"])
    )
    rows = []
    for number, link in enumerate(ordered):
        src, dst = box[link["source"]], box[link["target"]]
        top_src = float(src["y0"]) + out_used[link["source"]]
        top_dst = float(dst["y0"]) + in_used[link["target"]]
        out_used[link["source"]] += float(link["width"])
        in_used[link["target"]] += float(link["width"])
        xs = float(src["x1"]) + t * (float(dst["x0"]) - float(src["x1"]))
        tops = top_src + smooth * (top_dst - top_src)
        description = f"{_plain(src['label'])} → {_plain(dst['label'])}"
        for x, top in zip(xs, tops, strict=True):
            rows.append(
                (number, x, top, top + link["width"], link["kind"], link["value"], description)
            )
    return pd.DataFrame(rows, columns=["link", "x", "y0", "y1", "kind", "value", "description"])


def _plain(label: str) -> str:
    """A node label on one line, without its count."""
    words = label.split("|")[:-1]
    return " ".join(words).replace("- ", "")
