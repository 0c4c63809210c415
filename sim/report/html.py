"""The business-case report: one self-contained HTML file, and its charts as PNG files.

`ccs-sim report DIR...` reads run directories and study directories (`compare`, `sweep`, `plan`)
and writes `report.html`, which opens offline (charts are inline SVG; no scripts, fonts or styles
are fetched), plus `charts/*.png` for pasting into documents and CSV copies of its main tables.
The first run named (or a study's base) is the report's *primary* run. Sections:

    Summary; The scenario in plain words; Assumptions log; Results (KPIs with 95% confidence
    intervals); Options compared; Sensitivity analysis and switching values; Least-cost plan;
    Optimism bias; Validation status; STRESS-DES checklist; Limitations; Provenance.

Every number in a table comes from a file of a run or study directory, and the provenance
section names each run with the SHA-256 of its manifest, so every figure traces to a run that
`ccs-sim reproduce` can repeat. Sections with nothing to show say so rather than disappear, so a
reviewer sees what evidence is missing (e.g. no sensitivity analysis).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import pandas as pd

from sim.errors import Problem, ScenarioError
from sim.report.assumptions import assumptions_log, scenario_differences
from sim.report.monthly import MONTHLY_CHARTS, monthly_chart
from sim.report.plain_words import describe_scenario
from sim.report.stress_des import StressContext, stress_des_checklist
from sim.results.formats import (
    format_difference,
    format_difference_interval,
    format_kpi,
    format_money,
    format_probability,
    judge_difference,
)
from sim.results.kpis import in_group
from sim.results.outrun import verdict_sentence, verdicts
from sim.results.paired import paired_differences
from sim.results.theory import THEORY_TEST_FILES, TheoryCheck, run_theory_checks
from sim.runs.batch import git_state, model_version
from sim.runs.executors import Executor
from sim.runs.rundir import atomic_write_bytes, sha256_of
from sim.runs.tables import RunTables
from sim.scenario.levers import OPTIMISM_BIAS_ANALOGUE, optimism_bias_variant
from sim.scenario.schema import Scenario
from sim.studies.compare import with_share_worse
from sim.studies.study import DEFAULT_CACHE, RunCache, finished_run, read_study, study_run_dir
from sim.studies.sweep import switching_interval_text, switching_sentence

__all__ = ["SECTIONS", "ReportRequest", "ReportResult", "build_report"]

SECTIONS = (
    ("summary", "Summary"),
    ("scenario", "The scenario in plain words"),
    ("assumptions", "Assumptions log"),
    ("results", "Results: KPIs with 95% confidence intervals"),
    ("options", "Options compared"),
    ("sensitivity", "Sensitivity analysis and switching values"),
    ("plan", "Least-cost plan"),
    ("optimism", "Optimism bias"),
    ("validation", "Validation status"),
    ("stress", "STRESS-DES checklist"),
    ("limitations", "Limitations"),
    ("provenance", "Provenance"),
)

WIDTH = 640  # pixels, for charts made to stretch in the app


@dataclass
class ReportRequest:
    """What to report on and where to write it."""

    inputs: list[Path]
    out: Path
    optimism_bias: float | None = None
    cache: Path = DEFAULT_CACHE
    title: str = ""


@dataclass
class ReportResult:
    """The report written: its HTML file, charts, section titles and how long it took."""

    html: Path
    charts: list[Path]
    sections: list[str]
    seconds: float


# --- gathering the evidence ---------------------------------------------------------------------


@dataclass
class _Study:
    path: Path
    study: dict[str, Any]
    runs: dict[str, RunTables]  # point label -> run

    @property
    def kind(self) -> str:
        return str(self.study["kind"])

    def table(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.path / self.study["tables"][name])


@dataclass
class _Evidence:
    primary: RunTables
    runs: dict[Path, tuple[RunTables, list[str]]] = field(default_factory=dict)  # roles
    studies: list[_Study] = field(default_factory=list)

    def add_run(self, run: RunTables, role: str) -> None:
        _, roles = self.runs.setdefault(run.path, (run, []))
        if role not in roles:
            roles.append(role)

    def of_kind(self, kind: str) -> list[_Study]:
        return [s for s in self.studies if s.kind == kind]


def _gather(inputs: list[Path]) -> _Evidence:
    """Read every input; the first input's run (or its study's base) is the primary run."""
    if not inputs:
        raise ScenarioError([Problem("report", "", "at least one run or study directory")])
    evidence: _Evidence | None = None
    for path in inputs:
        study = read_study(path)
        if study is None:
            run = finished_run(path)
            evidence = evidence or _Evidence(run)
            evidence.add_run(run, "run")
            continue
        runs = {r["label"]: finished_run(study_run_dir(path, r)) for r in _study_records(study)}
        item = _Study(Path(path), study, runs)
        evidence = evidence or _Evidence(runs[_base_label(study)])
        evidence.studies.append(item)
        for label, run in runs.items():
            evidence.add_run(run, f"{study['kind']} {Path(path).name}: {label}")
    assert evidence is not None
    return evidence


def _study_records(study: dict[str, Any]) -> list[dict[str, Any]]:
    if study["kind"] == "compare":
        return [study["base"], *study["options"]]
    if study["kind"] == "plan":
        return [study["as_given"], *study["points"]]
    return list(study["points"])


def _base_label(study: dict[str, Any]) -> str:
    if study["kind"] == "compare":
        return str(study["base"]["label"])
    if study["kind"] == "plan":
        return str(study["as_given"]["label"])
    return "as given"


def _manifest_sha256(run: RunTables) -> str:
    """The SHA-256 of a run's manifest.json: how the report names the exact run it used."""
    return sha256_of((run.path / "manifest.json").read_bytes())


def _write(path: Path, data: bytes) -> None:
    """Write a report file atomically, readable by others (it is meant to be shared)."""
    atomic_write_bytes(path, data)
    path.chmod(0o644)


# --- HTML pieces --------------------------------------------------------------------------------


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _p(text: str) -> str:
    return f"<p>{_esc(text)}</p>"


def _td(text: Any, **attrs: Any) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{_esc(v)}"' for k, v in attrs.items())
    return f"<td{extra}>{_esc(text)}</td>"


def _table(headers: list[str], rows: Iterable[list[str]], table_id: str = "") -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    ident = f' id="{_esc(table_id)}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _frame_table(
    frame: pd.DataFrame, formats: dict[str, Callable[[Any], str]] | None = None
) -> str:
    formats = formats or {}
    rows = [
        [_td(formats.get(c, _plain)(record[c])) for c in frame.columns]
        for record in frame.to_dict("records")
    ]
    return _table([str(c) for c in frame.columns], rows)


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


class _Charts:
    """Saves each chart as a PNG file and returns it as an inline SVG figure."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: list[Path] = []

    def figure(self, chart: Any, name: str, caption: str) -> str:
        from base64 import b64encode

        from sim.report.charts import save_png, to_svg

        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.folder / f"{len(self.paths) + 1:02d}-{slug}.png"
        save_png(chart, path)
        self.paths.append(path)
        # An <img> keeps each SVG's internal ids (clip paths) apart from the others'.
        svg = b64encode(to_svg(chart).encode()).decode()
        return (
            f'<figure><img alt="{_esc(caption)}" src="data:image/svg+xml;base64,{svg}">'
            f"<figcaption>{_esc(caption)} <span class=file>(PNG: charts/{path.name})</span>"
            "</figcaption></figure>"
        )


# --- sections -----------------------------------------------------------------------------------


@dataclass
class _Context:
    evidence: _Evidence
    charts: _Charts
    request: ReportRequest
    optimism: tuple[RunTables, pd.DataFrame] | None = None
    checks: list[TheoryCheck] = field(default_factory=list)


def _summary_row(run: RunTables, kpi: str) -> dict[str, Any] | None:
    rows = run.summary[run.summary["kpi"] == kpi]
    return None if rows.empty else dict(rows.iloc[0])


def _headline(run: RunTables) -> str:
    """The verdict sentence the app and the command line give, then the service level."""
    reps = run.manifest.get("replications_completed")
    found = verdicts(run.kpis, run.pools, run.start_date)
    text = (
        f"'{run.scenario.name}' ({reps} replications, seed {run.manifest.get('seed')}): "
        + verdict_sentence(found[0], run.scenario.verdict.consecutive_months, bold="")
    )
    sla = _summary_row(run, "sla_attainment")
    if sla is not None:
        text += (
            f" Mean service level {format_kpi('sla_attainment', sla['mean'])} (95% CI "
            f"{format_kpi('sla_attainment', sla['ci_low'])} to "
            f"{format_kpi('sla_attainment', sla['ci_high'])}) against a target of "
            f"{format_probability(run.scenario.verdict.sla_attainment_target)}."
        )
    return text


def _section_summary(ctx: _Context) -> str:
    ev = ctx.evidence
    parts = [_p(_headline(ev.primary))]
    for study in ev.of_kind("compare"):
        table = study.table("comparison")
        for option in table["option"].unique():
            row = table[(table["option"] == option) & (table["kpi"] == "outruns_capability")]
            if not row.empty:
                r = row.iloc[0]
                parts.append(
                    _p(
                        f"Option '{option}' changes the probability of outrunning capability by "
                        f"{format_difference(r['kpi'], r['difference'])} (95% CI "
                        f"{format_difference_interval(r['kpi'], r['ci_low'], r['ci_high'])}): "
                        f"{_judgement(r)}; it does better than the base in "
                        f"{format_probability(r['p_option_better'])} of replications."
                    )
                )
    for study in ev.of_kind("sweep"):
        for row in study.table("switching").to_dict("records"):
            if row["status"] == "found":
                parts.append(_p(switching_sentence(row)))
    for study in ev.of_kind("plan"):
        parts.append(_p(" ".join(study.study["explanation"][3:5])))
    if ctx.optimism is not None:
        parts.append(_p("With optimism bias: " + _headline(ctx.optimism[0])))
    return "".join(parts)


def _section_scenario(ctx: _Context) -> str:
    parts = []
    for topic, lines in describe_scenario(ctx.evidence.primary.scenario).items():
        parts.append(f"<h3>{_esc(topic)}</h3>" + "".join(_p(line) for line in lines))
    description = ctx.evidence.primary.scenario.description
    return (_p(description) if description else "") + "".join(parts)


def _section_assumptions(ctx: _Context) -> str:
    scenario = ctx.evidence.primary.scenario
    log = assumptions_log(scenario)
    _write(ctx.request.out / "assumptions_log.csv", log.to_csv(index=False).encode())
    counts = log["basis"].value_counts()
    intro = _p(
        f"Every input of '{scenario.name}' ({len(log)} in all), its value, and the source its "
        "scenario file gives for it (the most specific entry of its sources map; a row of "
        "CALIBRATION.md, or ASSUMPTION). By basis: "
        + ", ".join(f"{n} {basis}" for basis, n in counts.items())
        + ". Also in assumptions_log.csv."
    )
    unsourced = log[log["basis"] == "no source given"]
    warning = ""
    if 0 < len(unsourced) <= 20:
        warning = _p(f"{len(unsourced)} inputs have no source: " + ", ".join(unsourced["input"]))
    elif len(unsourced):
        warning = _p(f"{len(unsourced)} inputs have no source (marked in the table).")
    rows = [
        [
            _td(r["input"]),
            _td(r["value"]),
            _td(r["basis"], class_=_basis_class(r["basis"])),
            _td(r["source"]),
        ]
        for r in log.to_dict("records")
    ]
    table = _table(["Input", "Value", "Basis", "Source"], rows, "assumptions-log")
    return intro + warning + f'<div class="small">{table}</div>'


def _basis_class(basis: str) -> str:
    return "assumption" if "assumption" in basis or basis == "no source given" else "sourced"


def _kpi_table(run: RunTables) -> str:
    summary = run.summary.set_index("kpi")
    order = [k for k in in_group("headline") if k in summary.index]
    order += [k for k in summary.index if k not in order]
    rows = []
    for kpi in order:
        r: dict[str, Any] = {str(k): v for k, v in summary.loc[kpi].items()}
        cells = [_td(kpi)]
        for stat in ("mean", "ci_low", "ci_high", "p10", "p50", "p90"):
            cells.append(
                _td(
                    format_kpi(str(kpi), r[stat], run.start_date),
                    data_kpi=kpi,
                    data_stat=stat,
                    data_value=repr(float(r[stat])),
                )
            )
        cells.append(_td(int(r["n"])))
        rows.append(cells)
    return _table(
        ["KPI", "Mean", "95% CI low", "95% CI high", "P10", "P50", "P90", "n"],
        rows,
        f"kpis-{run.path.name}",
    )


def _section_results(ctx: _Context) -> str:
    primary = ctx.evidence.primary
    parts = [
        _p(
            f"From {primary.path.name}/summary.csv: mean over replications with its 95% confidence "
            "interval (t-based; Wilson for probabilities such as outruns_capability) and the "
            "P10/P50/P90 spread across replications. Months are counted from 0 at the start."
        ),
        _kpi_table(primary),
    ]
    target = primary.scenario.verdict.sla_attainment_target
    for spec in [s for s in MONTHLY_CHARTS if s.drawable(primary.monthly)]:
        chart = monthly_chart(spec, primary.monthly, target)
        caption = f"{spec.title}: median (line) and P10 to P90 (band) across replications"
        parts.append(ctx.charts.figure(chart.properties(width=WIDTH), spec.title, caption))
    others = [run for path, (run, _roles) in ctx.evidence.runs.items() if path != primary.path]
    for run in [r for r in others if _is_option(ctx, r)]:
        parts.append(
            f"<h3>{_esc(run.scenario.name)} ({_esc(run.path.name)})</h3>" + _kpi_table(run)
        )
    return "".join(parts)


def _is_option(ctx: _Context, run: RunTables) -> bool:
    roles = ctx.evidence.runs[run.path][1]
    return any(role.startswith(("compare", "run")) for role in roles)


def _section_options(ctx: _Context) -> str:
    from sim.report.charts import comparison_chart

    studies = ctx.evidence.of_kind("compare")
    if not studies:
        return _p(
            "No options were compared in these runs. The Green Book appraises options against a "
            "base case: run `ccs-sim compare BASE OPTION...` and add its directory here."
        )
    parts = []
    for study in studies:
        table = study.table("comparison")
        base = study.study["base"]["label"]
        parts.append(
            _p(
                f"Study {study.path.name}: each option against '{base}', {study.study['reps']} "
                f"replications with seed {study.study['seed']} for every scenario (common random "
                "numbers). Difference = option minus base, paired by replication, with its 95% "
                "confidence interval; P(better) and P(worse) = share of replications in which the "
                "option does better or worse, in the KPI's better direction (the rest are ties)."
            )
        )
        headline = _headline_rows(table)
        rows = [
            [
                _td(r["option"]),
                _td(r["kpi"]),
                _td(format_kpi(r["kpi"], r["base_mean"])),
                _td(format_kpi(r["kpi"], r["option_mean"])),
                _td(
                    format_difference(r["kpi"], r["difference"]),
                    data_kpi=r["kpi"],
                    data_value=repr(float(r["difference"])),
                ),
                _td(format_difference_interval(r["kpi"], r["ci_low"], r["ci_high"])),
                _td(_judgement(r)),
                _td(format_probability(r["p_option_better"])),
                _td(format_probability(r["p_option_worse"])),
            ]
            for r in headline.to_dict("records")
        ]
        parts.append(
            _table(
                [
                    "Option",
                    "KPI",
                    "Base",
                    "Option",
                    "Difference",
                    "95% CI",
                    "Judgement",
                    "P(better)",
                    "P(worse)",
                ],
                rows,
                f"comparison-{study.path.name}",
            )
        )
        kpis = [k for k in in_group("comparison") if k in set(table["kpi"])]
        parts.append(
            ctx.charts.figure(
                comparison_chart(table, kpis),
                f"comparison {study.path.name}",
                f"Options against '{base}': paired differences with 95% CIs",
            )
        )
        parts.append(_differences(study))
    return "".join(parts)


def _headline_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The headline KPIs of a comparison table, option by option in headline order."""
    order = {kpi: i for i, kpi in enumerate(in_group("comparison"))}
    rows = table[table["kpi"].isin(order)]
    return rows.assign(_order=rows["kpi"].map(order)).sort_values(
        ["option", "_order"], kind="stable"
    )


def _differences(study: _Study) -> str:
    base = study.runs[study.study["base"]["label"]].scenario
    parts = []
    for record in study.study["options"]:
        option = study.runs[record["label"]].scenario
        diff = scenario_differences(base, option)
        parts.append(f"<h3>How '{_esc(record['label'])}' differs from the base</h3>")
        if diff.empty:
            parts.append(_p("It has the same inputs as the base."))
            continue
        diff = diff.rename(columns={"option_source": "source of the option's value"})
        parts.append(f'<div class="small">{_frame_table(diff)}</div>')
    return "".join(parts)


def _judgement(row: Mapping[Any, Any]) -> str:
    better = "" if pd.isna(row["better"]) else str(row["better"])
    return judge_difference(better, row["ci_low"], row["ci_high"], int(row["n_pairs"]))


def _section_sensitivity(ctx: _Context) -> str:
    studies = ctx.evidence.of_kind("sweep")
    if not studies:
        return _p(
            "No sensitivity analysis is included. The Green Book requires sensitivity analysis "
            "and switching values for the preferred option: run `ccs-sim sweep SCENARIO --vary "
            "KEY=V1,V2,...` and add its directory here."
        )
    return "".join(_sweep_section(ctx, study) for study in studies)


def _sweep_section(ctx: _Context, study: _Study) -> str:
    from sim.report.charts import heatmap_chart, oneway_chart, tornado_chart

    info = study.study
    points = study.table("points")
    tornado = study.table("tornado")
    switching = study.table("switching")
    levers = [lever["key"] for lever in info["levers"]]
    parts = [
        _p(
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
        _frame_table(
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
    parts.append("<h3>Switching values</h3>")
    parts.append(
        _p(
            "The value of each lever at which the verdict flips, found by bisection with the same "
            "random numbers at every value tried and linear interpolation between the last two; "
            "the 95% interval is a paired bootstrap over replications (docs/evidence.md). "
            "'none in range' means the verdict does not change over the values tried."
        )
    )
    parts.append(_switching_table(switching))
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
                _td(row["lever"]),
                _td(row["criterion"]),
                _td(f"{row['threshold']:g}"),
                _td(f"{row['value']:.4g}" if found else row["status"].replace("_", " ")),
                _td(switching_interval_text(row) if found else "-"),
                _td(_bracket(row) if found else "-"),
                _td(row["direction"] if found else "-"),
                _td(
                    f"{row['range_low']:.4g} to {row['range_high']:.4g}"
                    if not pd.isna(row["range_low"])
                    else "-"
                ),
                _td("not monotone over the range" if row["sign_changes"] > 1 else ""),
            ]
        )
    return _table(
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


def _section_plan(ctx: _Context) -> str:
    from sim.report.charts import plan_chart

    studies = ctx.evidence.of_kind("plan")
    if not studies:
        return _p("No least-cost plan was searched for in these runs (`ccs-sim plan`).")
    parts = []
    for study in studies:
        info = study.study
        table = study.table("plan")
        parts.append("".join(_p(line) for line in info["explanation"]))
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
        parts.append(f'<div class="small">{_frame_table(shown, formats)}</div>')
        parts.append(
            ctx.charts.figure(
                plan_chart(table, levers, float(info["confidence"])),
                f"plan {study.path.name}",
                "Settings tried: share of replications meeting the target, and expected cost",
            )
        )
    return "".join(parts)


def _section_optimism(ctx: _Context) -> str:
    from sim.report.charts import comparison_chart

    if ctx.optimism is None:
        return _p(
            "Not requested. The Green Book (para 2.16) asks for explicit adjustment for optimism "
            "bias in durations: rerun the report with --optimism-bias 0.54 (the upper bound for "
            "'Equipment/development' works duration, the analogue documented in "
            "docs/evidence.md) to add a variant with recruitment and ramp-up durations uplifted."
        )
    run, table = ctx.optimism
    uplift = ctx.request.optimism_bias or 0.0
    headline = _headline_rows(table)
    rows = [
        [
            _td(r["kpi"]),
            _td(format_kpi(r["kpi"], r["base_mean"])),
            _td(format_kpi(r["kpi"], r["option_mean"])),
            _td(format_difference(r["kpi"], r["difference"])),
            _td(format_difference_interval(r["kpi"], r["ci_low"], r["ci_high"])),
            _td(_judgement(r)),
        ]
        for r in headline.to_dict("records")
    ]
    chart = comparison_chart(table.assign(option=run.scenario.name), list(headline["kpi"]))
    return (
        _p(
            f"Variant '{run.scenario.name}' ({run.path.name}): every recruitment stage, vetting, "
            f"joiners' notice and ramp-up to full productivity takes {1 + uplift:g} times as "
            "long; departments still move on the planned dates. Same seed and replications as "
            f"the primary run. {OPTIMISM_BIAS_ANALOGUE}"
        )
        + _table(
            ["KPI", "Without uplift", "With uplift", "Difference", "95% CI", "Judgement"],
            rows,
            "optimism-bias",
        )
        + ctx.charts.figure(
            chart, "optimism bias", "Effect of the optimism-bias uplift (paired by replication)"
        )
        + _p(_headline(run))
    )


def _section_validation(ctx: _Context) -> str:
    checks = ctx.checks
    passed = sum(c.passed for c in checks)
    rows = [
        [
            _td(c.check),
            _td(c.case),
            _td(f"{c.expected:.5g}"),
            _td(f"{c.estimate:.5g}"),
            _td(f"{c.ci_low:.5g} to {c.ci_high:.5g}"),
            _td("pass" if c.passed else "FAIL", class_="sourced" if c.passed else "assumption"),
        ]
        for c in checks
    ]
    _write(
        ctx.request.out / "theory_checks.csv",
        pd.DataFrame([c.__dict__ for c in checks]).to_csv(index=False).encode(),
    )
    code = git_state()
    dirty = ", with uncommitted changes" if code.get("git_dirty") else ""
    commits = {run.manifest.get("git_commit") for run, _ in ctx.evidence.runs.values()}
    same = commits == {code.get("git_commit")}
    tests = "".join(
        f"<li><code>{_esc(f)}</code>: {_esc(w)}</li>" for f, w in THEORY_TEST_FILES.items()
    )
    return (
        _p(
            f"Verification run by this report on the code that wrote it (commit "
            f"{code.get('git_commit')}{dirty}"
            f"): {passed} of {len(checks)} checks pass. With every feature off the model is an "
            "M/M/c queue; its mean wait must match Erlang C and Little's law must hold. "
            "Intervals are 99% t-intervals over 20 replications of 120 months."
        )
        + _table(
            ["Check", "Case", "Theory", "Model", "99% interval", "Result"], rows, "theory-checks"
        )
        + _p(
            "The runs in this report were made by "
            + (
                "the same commit."
                if same
                else f"commit(s) {', '.join(sorted(str(c) for c in commits))}: the checks above "
                "verify the report's code, so rerun the studies with this version or run the "
                "checks on theirs."
            )
        )
        + _p("The fuller verification is in the test suite (run by CI on every change):")
        + f"<ul>{tests}</ul>"
        + _p(
            "Validation against history is limited: CCS's staff numbers by year after 2014 were "
            "not found (CALIBRATION.md gap 1), so the model has not been checked against the "
            "2014-16 outturn."
        )
    )


def _section_stress(ctx: _Context) -> str:
    ev = ctx.evidence
    primary = ev.primary
    log = assumptions_log(primary.scenario)
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
        [_td(item), _td(topic), _td(answer)]
        for item, topic, answer in stress_des_checklist(context)
    ]
    return _p(
        f"STRESS-DES 1.0 (Monks et al. 2019), answered for the primary run {primary.path.name}."
    ) + _table(["Item", "Topic", "In this study"], rows, "stress-des")


def _section_limitations(ctx: _Context) -> str:
    primary = ctx.evidence.primary
    log = assumptions_log(primary.scenario)
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
        "work are not public (CALIBRATION.md gap 8), so demand is calibrated by assumption. "
        "Differences between options are more robust than absolute levels.",
        "Verification against queueing theory only: the model has not been validated against "
        "CCS's 2014-16 outturn (staff numbers by year were not found).",
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
    return "<ul>" + "".join(f"<li>{_esc(item)}</li>" for item in items) + "</ul>"


def _section_provenance(ctx: _Context) -> str:
    ev = ctx.evidence
    rows = []
    for run, roles in ev.runs.values():
        m = run.manifest
        rows.append(
            [
                _td(run.path.name, class_="mono"),
                _td("; ".join(roles)),
                _td(run.scenario.name),
                _td(m.get("seed")),
                _td(m.get("replications_completed")),
                _td(_manifest_sha256(run), class_="mono"),
                _td(m.get("scenario_sha256", ""), class_="mono"),
                _td(
                    f"{m.get('model_version')} {m.get('git_commit')}"
                    + (" (uncommitted changes)" if m.get("git_dirty") else ""),
                    class_="mono",
                ),
                _td(f"{m.get('finished_at')}"),
            ]
        )
    folders = sorted({str(run.path.parent) for run, _ in ev.runs.values()})
    studies = [
        [
            _td(s.kind),
            _td(str(s.path)),
            _td(sha256_of((s.path / "study.json").read_bytes()), class_="mono"),
            _td(s.study.get("created_at")),
        ]
        for s in ev.studies
    ]
    packages = ", ".join(f"{k} {v}" for k, v in ev.primary.manifest.get("packages", {}).items())
    code = git_state()
    return (
        _p(
            "Every figure in this report comes from these run directories. A run id is its "
            "directory name; the manifest hash is the SHA-256 of its manifest.json, which records "
            "the full resolved scenario, seed, replications, versions and host. `ccs-sim "
            "reproduce RUN_DIR` reruns a run and checks that it is bit-identical. Run "
            f"directories are in: {', '.join(folders)}."
        )
        + '<div class="small">'
        + _table(
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
            _table(["Study", "Directory", "study.json SHA-256", "Created"], studies)
            if studies
            else ""
        )
        + _p(f"Packages of the primary run: {packages}.")
        + _p(
            f"Report written {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC} by ccs-sim "
            f"{model_version()} at commit {code.get('git_commit')}"
            f"{' (uncommitted changes)' if code.get('git_dirty') else ''}."
        )
    )


BUILDERS: dict[str, Callable[[_Context], str]] = {
    "summary": _section_summary,
    "scenario": _section_scenario,
    "assumptions": _section_assumptions,
    "results": _section_results,
    "options": _section_options,
    "sensitivity": _section_sensitivity,
    "plan": _section_plan,
    "optimism": _section_optimism,
    "validation": _section_validation,
    "stress": _section_stress,
    "limitations": _section_limitations,
    "provenance": _section_provenance,
}


# --- the page -----------------------------------------------------------------------------------

PAGE = Template(
    """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>$title</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.7em; } h2 { border-bottom: 2px solid #333; padding-top: 0.6em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eee; } td[data-value] { text-align: right; white-space: nowrap; }
.small table { font-size: 0.78em; } .mono { font-family: monospace; word-break: break-all; }
td.assumption { background: #fdecea; } td.sourced { background: #e8f5e9; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
figcaption { font-size: 0.85em; color: #444; } .file { color: #777; }
nav ol { columns: 2; } @media print { nav { display: none; } h2 { page-break-before: auto; } }
</style>
</head>
<body>
<h1>$title</h1>
<p>$subtitle</p>
<nav><ol>$toc</ol></nav>
$sections
</body>
</html>
"""
)


def build_report(
    request: ReportRequest,
    executor: Executor,
    on_progress: Callable[[int, int], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> ReportResult:
    """Write the report for `request.inputs` into `request.out` (see the module docstring)."""
    started = time.monotonic()
    step = on_step or (lambda _text: None)
    evidence = _gather(request.inputs)
    variant = None
    if request.optimism_bias is not None:  # checked before anything is written
        variant = optimism_bias_variant(evidence.primary.scenario, request.optimism_bias)
    request.out.mkdir(parents=True, exist_ok=True)
    ctx = _Context(evidence, _Charts(request.out / "charts"), request)
    if variant is not None:
        step(f"running the optimism-bias variant (+{request.optimism_bias:.0%})")
        ctx.optimism = _optimism_variant(evidence, variant, request.cache, executor, on_progress)
    step("running the theory checks")
    ctx.checks = run_theory_checks()
    sections = []
    for ident, title in SECTIONS:
        step(f"writing '{title}'")
        sections.append(
            f'<section id="{ident}"><h2>{_esc(title)}</h2>{BUILDERS[ident](ctx)}</section>'
        )
    primary = evidence.primary
    title = request.title or f"Capacity evidence: {primary.scenario.name}"
    page = PAGE.substitute(
        title=_esc(title),
        subtitle=_esc(
            f"Crown Commercial Service capacity model (ccs-sim {model_version()}). Primary run "
            f"{primary.path.name}, manifest SHA-256 {_manifest_sha256(primary)}."
        ),
        toc="".join(f'<li><a href="#{i}">{_esc(t)}</a></li>' for i, t in SECTIONS),
        sections="\n".join(sections),
    )
    path = request.out / "report.html"
    _write(path, page.encode())
    return ReportResult(
        path, ctx.charts.paths, [t for _, t in SECTIONS], time.monotonic() - started
    )


def _optimism_variant(
    evidence: _Evidence,
    variant: Scenario,
    cache_root: Path,
    executor: Executor,
    on_progress: Callable[[int, int], None] | None,
) -> tuple[RunTables, pd.DataFrame]:
    """Run the optimism-bias variant (same seed and reps as the primary) and pair it."""
    primary = evidence.primary
    seed = int(primary.manifest["seed"])
    reps = int(primary.manifest["replications_requested"])
    cache = RunCache(cache_root, executor, seed, reps, on_progress)
    cache.expect(1)
    point = cache.run(variant, variant.name, primary.manifest.get("scenario_file", ""))
    run = finished_run(point.run_dir)
    evidence.add_run(run, f"optimism bias: {variant.name}")
    table = with_share_worse(
        paired_differences(primary.kpis, run.kpis), primary.kpis, run.kpis
    ).assign(base=primary.scenario.name, option=variant.name)
    return run, table
