"""The report's later sections: sensitivity and switching values, the least-cost plan,
optimism bias, validation, the STRESS-DES checklist, limitations and provenance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from sim.report.evidence import (
    Evidence,
    Study,
    manifest_sha256,
)
from sim.report.html_parts import esc, frame_table, html_table, para, td
from sim.report.sections_results import (
    WHEN_MISSING,
    Context,
    difference_cells,
    headline,
    headline_rows,
)
from sim.report.stress_des import StressContext, stress_des_checklist
from sim.results.formats import (
    format_money,
    format_probability,
)
from sim.results.history import HISTORY_SCENARIO
from sim.results.theory import THEORY_TEST_FILES
from sim.runs.batch import model_version
from sim.scenario.levers import OPTIMISM_BIAS_ANALOGUE
from sim.studies.sweep import switching_interval_text

__all__ = [
    "section_limitations",
    "section_optimism",
    "section_plan",
    "section_provenance",
    "section_sensitivity",
    "section_stress",
    "section_validation",
]


def section_sensitivity(ctx: Context) -> str:
    studies = ctx.evidence.of_kind("sweep")
    if not studies:
        return para(WHEN_MISSING["sweep"])
    return "".join(_sweep_section(ctx, study) for study in studies)


def _sweep_section(ctx: Context, study: Study) -> str:
    from sim.report.charts import heatmap_chart, tornado_chart

    info = study.study
    points = study.table("points")
    tornado = study.table("tornado")
    switching = study.table("switching")
    levers = [lever["key"] for lever in info["levers"]]
    parts = [
        para(
            f"Study {study.path.name}: {len(info['points'])} scenarios, {info['reps']} "
            f"replications each with seed {info['seed']} (common random numbers). Levers: "
            + "; ".join(
                f"{lv['key']} ({lv['description']}; as given {lv['base_value']}; tried "
                f"{', '.join(str(v) for v in lv['values'])})"
                for lv in info["levers"]
            )
            + "."
        ),
        ctx.charts.figure(
            tornado_chart(tornado),
            f"tornado {study.path.name}",
            "One-at-a-time sensitivity: each lever at the lowest and highest value tried",
        ),
        frame_table(
            tornado[
                ["lever", "low_value", "high_value", "base_mean", "low_mean", "high_mean", "swing"]
            ]
        ),
    ]
    if info.get("two_way") and len(levers) == 2:
        parts.append(
            ctx.charts.figure(
                heatmap_chart(points, levers[0], levers[1], "outruns_capability"),
                f"heatmap {study.path.name}",
                "Probability of outrunning capability over the two-way grid",
            )
        )
    return "".join(parts) + _switching_part(ctx, study, points, switching)


SWITCHING_METHOD = (
    "The value of each lever at which the verdict flips, found by bisection with the same "
    "random numbers at every value tried and linear interpolation between the last two; "
    "the 95% interval is a paired bootstrap over replications (docs/evidence.md). "
    "'none in range' means the verdict does not change over the values tried."
)


def _switching_part(
    ctx: Context, study: Study, points: pd.DataFrame, switching: pd.DataFrame
) -> str:
    """A sweep's switching values: the method, the table, and a one-way chart for each."""
    from sim.report.charts import oneway_chart

    info = study.study
    parts = ["<h3>Switching values</h3>", para(SWITCHING_METHOD), _switching_table(switching)]
    for row in switching.to_dict("records"):
        if row["status"] == "not_numeric":
            continue
        criterion = info["criteria"][row["criterion"]]
        value = float(row["value"]) if row["status"] == "found" else None
        chart = oneway_chart(points, row["lever"], criterion["kpi"], criterion["threshold"], value)
        parts.append(
            ctx.charts.figure(
                chart,
                f"{row['lever']} {row['criterion']} {study.path.name}",
                f"{criterion['description']} along {row['lever']} (dashed: threshold)",
            )
        )
    return "".join(parts)


def _switching_table(switching: pd.DataFrame) -> str:
    rows = []
    for row in switching.to_dict("records"):
        found = row["status"] == "found"
        rows.append(
            [
                td(row["lever"]),
                td(row["criterion"]),
                td(f"{row['threshold']:g}"),
                td(f"{row['value']:.4g}" if found else row["status"].replace("_", " ")),
                td(switching_interval_text(row) if found else "-"),
                td(_bracket(row) if found else "-"),
                td(row["direction"] if found else "-"),
                td(
                    f"{row['range_low']:.4g} to {row['range_high']:.4g}"
                    if not pd.isna(row["range_low"])
                    else "-"
                ),
                td("not monotone over the range" if row["sign_changes"] > 1 else ""),
            ]
        )
    return html_table(
        [
            "Lever",
            "Criterion",
            "Threshold",
            "Switching value",
            "95% interval",
            "Verdict flips between",
            "Criterion moves",
            "Range tried",
            "Note",
        ],
        rows,
        "switching-values",
    )


def _bracket(row: dict[Any, Any]) -> str:
    if row["bracket_low"] == row["bracket_high"]:
        return f"exactly at {row['bracket_low']:.4g}"
    return f"{row['bracket_low']:.4g} to {row['bracket_high']:.4g}"


def section_plan(ctx: Context) -> str:
    from sim.report.charts import plan_chart

    studies = ctx.evidence.of_kind("plan")
    if not studies:
        return para(WHEN_MISSING["plan"])
    parts = []
    for study in studies:
        info = study.study
        table = study.table("plan")
        parts.append("".join(para(line) for line in info["explanation"]))
        levers = [lever["key"] for lever in info["levers"]]
        shown = table[
            [
                "label",
                "reps_meeting",
                "share_meeting",
                "share_low",
                "share_high",
                "feasible",
                "cost_mean_gbp",
                "cost_ci_low_gbp",
                "cost_ci_high_gbp",
            ]
        ]
        formats: dict[str, Callable[[Any], str]] = {
            "share_meeting": format_probability,
            "share_low": format_probability,
            "share_high": format_probability,
            "cost_mean_gbp": format_money,
            "cost_ci_low_gbp": format_money,
            "cost_ci_high_gbp": format_money,
        }
        parts.append(f'<div class="small">{frame_table(shown, formats)}</div>')
        parts.append(
            ctx.charts.figure(
                plan_chart(table, levers, float(info["confidence"])),
                f"plan {study.path.name}",
                "Settings tried: share of replications meeting the target, and expected cost",
            )
        )
    return "".join(parts)


def section_optimism(ctx: Context) -> str:
    from sim.report.charts import comparison_chart

    if ctx.optimism is None:
        return para(
            "Not requested. The Green Book (para 2.16) asks for explicit adjustment for optimism "
            "bias in durations: rerun the report with --optimism-bias 0.54 (the upper bound for "
            "'Equipment/development' works duration, the analogue documented in "
            "docs/evidence.md) to add a variant with recruitment and ramp-up durations uplifted."
        )
    run, table = ctx.optimism
    uplift = ctx.request.optimism_bias or 0.0
    shown = headline_rows(table)
    start = ctx.evidence.primary.start_date
    rows = [[td(r["kpi"]), *difference_cells(r, start)] for r in shown.to_dict("records")]
    chart = comparison_chart(table.assign(option=run.scenario.name), list(shown["kpi"]))
    return (
        para(
            f"Variant '{run.scenario.name}' ({run.path.name}): every recruitment stage, vetting, "
            f"joiners' notice and ramp-up to full productivity takes {1 + uplift:g} times as "
            "long; departments still move on the planned dates. Same seed and replications as "
            f"the primary run. The uplift is applied to the primary scenario "
            f"'{ctx.evidence.primary.scenario.name}' only: the options compared and the points "
            "of a sensitivity analysis or plan are shown without it, so their differences from "
            "the primary run are like for like. "
            f"{OPTIMISM_BIAS_ANALOGUE}"
        )
        + html_table(
            ["KPI", "Without uplift", "With uplift", "Difference", "95% CI", "Judgement"],
            rows,
            "optimism-bias",
        )
        + ctx.charts.figure(
            chart, "optimism bias", "Effect of the optimism-bias uplift (paired by replication)"
        )
        + para(headline(run))
    )


def section_validation(ctx: Context) -> str:
    table = _checks_table(
        ctx.checks,
        ["Check", "Case", "Theory", "Model", "99% interval"],
        lambda c: [
            c.check,
            c.case,
            f"{c.expected:.5g}",
            f"{c.estimate:.5g}",
            f"{c.ci_low:.5g} to {c.ci_high:.5g}",
        ],
        "theory-checks",
    )
    code = ctx.code
    dirty = ", with uncommitted changes" if code.get("git_dirty") else ""
    commits = {run.manifest.get("git_commit") for run, _ in ctx.evidence.runs.values()}
    same = commits == {code.get("git_commit")}
    tests = "".join(
        f"<li><code>{esc(f)}</code>: {esc(w)}</li>" for f, w in THEORY_TEST_FILES.items()
    )
    return (
        para(
            f"Verification run by this report on the code that wrote it (commit "
            f"{code.get('git_commit')}{dirty}"
            f"): {_passed(ctx.checks)} checks pass. With every feature off the model is an "
            "M/M/c queue; its mean wait must match Erlang C and Little's law must hold. "
            "Intervals are 99% t-intervals over 20 replications of 120 months."
        )
        + table
        + para(
            "The runs in this report were made by "
            + (
                "the same commit."
                if same
                else f"commit(s) {', '.join(sorted(str(c) for c in commits))}: the checks above "
                "verify the report's code, so rerun the studies with this version or run the "
                "checks on theirs."
            )
        )
        + para("The fuller verification is in the test suite (run by CI on every change):")
        + f"<ul>{tests}</ul>"
        + history_validation(ctx)
    )


def _passed(checks: list[Any]) -> str:
    """How many checks pass, of how many: '3 of 4'."""
    return f"{sum(c.passed for c in checks)} of {len(checks)}"


def _checks_table(
    checks: list[Any], headers: list[str], cells: Callable[[Any], list[str]], table_id: str
) -> str:
    """A validation table: a row per check, its `cells` under `headers`, then its result
    ('pass', or 'FAIL' marked as the report marks assumptions)."""
    rows = [
        [
            *(td(text) for text in cells(c)),
            td("pass" if c.passed else "FAIL", class_="sourced" if c.passed else "assumption"),
        ]
        for c in checks
    ]
    return html_table([*headers, "Result"], rows, table_id)


def history_validation(ctx: Context) -> str:
    """The public record of 2014-16, target by target, beside the theory checks."""
    table = _checks_table(
        ctx.history,
        ["Target", "Record", "Source", "Band", "Model"],
        lambda c: [c.target, c.record, c.source, c.band, c.simulated],
        "history",
    )
    return (
        para(
            f"Validation against the public record: {HISTORY_SCENARIO.name} (the 2014 plan with "
            "the responses the record documents), 12 replications: "
            f"{_passed(ctx.history)} targets met (docs/calibration.md §5, "
            "tests/test_history.py)."
        )
        + table
        + para(
            "Where the model misses the record it is reported, not tuned: with the assumed launch "
            "workload (no public count of CCS's procurement work, docs/calibration.md gap 8) the "
            "first service failure comes at the first year-end peak rather than within a quarter "
            "of launch, so the simulated pause comes a year late and more departments have moved "
            "by April 2016 than the 7 of the record. CCS's staff numbers by year after 2014 were "
            "not found (gap 1), so headcount is checked against the plan only."
        )
    )


def section_stress(ctx: Context) -> str:
    ev = ctx.evidence
    primary = ev.primary
    log = ctx.log
    experiments, logic = [], []
    for study in ev.studies:
        if study.kind == "compare":
            labels = [o["label"] for o in study.study["options"]]
            experiments.append(
                f"(A) scenario-based: options {', '.join(labels)} against "
                f"'{study.study['base']['label']}'"
            )
            logic.append(
                "options differ from the base only in the inputs listed under 'Options compared'"
            )
        elif study.kind == "sweep":
            keys = [lever["key"] for lever in study.study["levers"]]
            experiments.append(
                f"(B) design of experiments: one-at-a-time"
                f"{' and two-way grid' if study.study.get('two_way') else ''} over "
                f"{', '.join(keys)}, with switching values"
            )
            logic.append("sweep points change only the levers named (sim/scenario/levers.py)")
        elif study.kind == "plan":
            experiments.append(
                f"(C) optimisation: full grid search for the least-cost setting "
                f"meeting {' and '.join(study.study['targets'])} with confidence "
                f"{study.study['confidence']:.0%}"
            )
    if ctx.optimism is not None:
        logic.append("the optimism-bias variant scales build-up durations only")
    context = StressContext(
        scenario=primary.scenario,
        manifest=primary.manifest,
        experiments=experiments,
        scenario_logic=logic,
        inputs=len(log),
        by_basis=dict(log["basis"].value_counts()),
        checks_passed=sum(c.passed for c in ctx.checks),
        checks_run=len(ctx.checks),
    )
    rows = [
        [td(item), td(topic), td(answer)] for item, topic, answer in stress_des_checklist(context)
    ]
    return para(
        f"STRESS-DES 1.0 (Monks et al. 2019), answered for the primary run {primary.path.name}."
    ) + html_table(["Item", "Topic", "In this study"], rows, "stress-des")


def section_limitations(ctx: Context) -> str:
    primary = ctx.evidence.primary
    log = ctx.log
    assumed = int(
        (log["basis"].str.contains("assumption") | (log["basis"] == "no source given")).sum()
    )
    reps = primary.manifest.get("replications_completed")
    items = [
        f"Monte Carlo error: {reps} replications in the primary run. Confidence intervals cover "
        "the simulation's noise and the uncertainties modelled (e.g. the demand multiplier), "
        "not uncertainty in the model's structure or in inputs held fixed.",
        f"{assumed} of {len(log)} inputs rest wholly or partly on assumptions or have no "
        "source (see the assumptions log); in particular the volume and effort of procurement "
        "work are not public (docs/calibration.md gap 8), so demand is calibrated by assumption. "
        "Differences between options are more robust than absolute levels.",
        "Validation against the 2014-16 record is partial (see Validation status): hires, "
        "headcount against the plan and vacancies agree; the timing of the first trouble and "
        "the departments moved by April 2016 do not, because the launch workload is assumed.",
        "The verdict is a definition (docs/verdict.md): a different service-level target or "
        "number of consecutive months changes the probability of outrunning capability.",
        "Simplifications: a case's duration is fixed when it starts (following the ramp-up of a "
        "new joiner, but not later changes in mentoring load); each case is worked by one "
        "person, so a large procurement cannot be sped up by a bigger team; management rules "
        "are the few modelled (pause onboarding, surge contractors); one contractor day rate.",
        "Switching values are interpolated between the values tried; their intervals are "
        "Monte Carlo intervals only. Plans search only the values given on the command line.",
        "Optimism bias uses a generic Green Book analogue, not CCS's own historic evidence, which "
        "the Green Book prefers where it exists.",
    ]
    for study in ctx.evidence.of_kind("plan"):
        best = study.study.get("best")
        if best and best.get("marginal"):
            items.append(
                "The plan's answer is marginal: the confidence required lies inside the "
                "interval of the share of replications meeting the target."
            )
    return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"


def _provenance_rows(ev: Evidence) -> list[list[str]]:
    """One row per run: id, roles, scenario, seed, replications, hashes, version, finish."""
    rows = []
    for run, roles in ev.runs.values():
        m = run.manifest
        rows.append(
            [
                td(run.path.name, class_="mono"),
                td("; ".join(roles)),
                td(run.scenario.name),
                td(m.get("seed")),
                td(m.get("replications_completed")),
                td(manifest_sha256(run), class_="mono"),
                td(m.get("scenario_sha256", ""), class_="mono"),
                td(
                    f"{m.get('model_version')} {m.get('git_commit')}"
                    + (" (uncommitted changes)" if m.get("git_dirty") else ""),
                    class_="mono",
                ),
                td(f"{m.get('finished_at')}"),
            ]
        )
    return rows


def section_provenance(ctx: Context) -> str:
    ev = ctx.evidence
    rows = _provenance_rows(ev)
    folders = sorted({str(run.path.parent) for run, _ in ev.runs.values()})
    studies = [
        [
            td(s.kind),
            td(str(s.path)),
            td(s.sha256, class_="mono"),
            td(s.study.get("created_at")),
        ]
        for s in ev.studies
    ]
    packages = ", ".join(f"{k} {v}" for k, v in ev.primary.manifest.get("packages", {}).items())
    code = ctx.code
    return (
        para(
            "Every figure in this report comes from these run directories. A run id is its "
            "directory name; the manifest hash is the SHA-256 of its manifest.json, which records "
            "the full resolved scenario, seed, replications, versions and host. `ccs-sim "
            "reproduce RUN_DIR` reruns a run and checks that it is bit-identical. Run "
            f"directories are in: {', '.join(folders)}."
        )
        + '<div class="small">'
        + html_table(
            [
                "Run id",
                "Role",
                "Scenario",
                "Seed",
                "Replications",
                "Manifest SHA-256",
                "Scenario SHA-256",
                "ccs-sim version and commit",
                "Finished",
            ],
            rows,
            "provenance",
        )
        + "</div>"
        + (
            html_table(["Study", "Directory", "study.json SHA-256", "Created"], studies)
            if studies
            else ""
        )
        + para(f"Packages of the primary run: {packages}.")
        + para(
            f"Report written {ctx.written_at:%Y-%m-%d %H:%M UTC} by ccs-sim "
            f"{model_version()} at commit {code.get('git_commit')}"
            f"{' (uncommitted changes)' if code.get('git_dirty') else ''}."
        )
    )
