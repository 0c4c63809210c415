"""The business-case report: one self-contained HTML file, and its charts as PNG files.

`ccs-sim report DIR...` reads run directories and study directories (`compare`, `sweep`, `plan`)
and writes `report.html`, which opens offline (charts are inline SVG; no scripts, fonts or styles
are fetched), plus `charts/*.png` for pasting into documents and CSV copies of its main tables.
The first run named (or a study's base) is the report's *primary* run. Sections:

    Summary; Results (KPIs with 95% confidence intervals); Forecast against actuals (only with
    `--actuals FILE.csv`: observed monthly series placed in the primary run's fans, as
    `ccs-sim track` places them); Options compared; Sensitivity analysis
    and switching values; Least-cost plan; Optimism bias; The scenario in plain words; Validation
    status; STRESS-DES checklist; Limitations; Provenance; Appendix: assumptions log.

Every number in a table comes from a file of a run or study directory, and the provenance
section names each run with the SHA-256 of its manifest, so every figure traces to a run that
`ccs-sim reproduce` can repeat. Sections with nothing to show say so rather than disappear, so a
reviewer sees what evidence is missing (e.g. no sensitivity analysis).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

import pandas as pd

from sim.report.assumptions import assumptions_log
from sim.report.evidence import (
    ReportRequest,
    gather,
    manifest_sha256,
    optimism_variant,
    write_file,
)
from sim.report.html_parts import Charts, esc
from sim.report.sections_actuals import section_actuals
from sim.report.sections_evidence import (
    section_limitations,
    section_optimism,
    section_plan,
    section_provenance,
    section_sensitivity,
    section_stress,
    section_validation,
)
from sim.report.sections_results import (
    Context,
    section_assumptions,
    section_options,
    section_results,
    section_scenario,
    section_summary,
)
from sim.results.actuals import track_file
from sim.results.history import run_history_checks
from sim.results.theory import run_theory_checks
from sim.runs.batch import git_state, model_version
from sim.runs.executors import Executor
from sim.scenario.levers import optimism_bias_variant

__all__ = ["SECTIONS", "ReportRequest", "ReportResult", "build_report"]


# Results first (a reader of a business case wants the answer, then the options and how sensitive
# they are), then what the scenario is and how far to trust it; the assumptions log, long and
# for checking rather than reading, is an appendix.
SECTIONS = (
    ("summary", "Summary"),
    ("results", "Results: KPIs with 95% confidence intervals"),
    ("actuals", "Forecast against actuals"),  # only when the report is given actuals
    ("options", "Options compared"),
    ("sensitivity", "Sensitivity analysis and switching values"),
    ("plan", "Least-cost plan"),
    ("optimism", "Optimism bias"),
    ("scenario", "The scenario in plain words"),
    ("validation", "Validation status"),
    ("stress", "STRESS-DES checklist"),
    ("limitations", "Limitations"),
    ("provenance", "Provenance"),
    ("assumptions", "Appendix: assumptions log"),
)


@dataclass
class ReportResult:
    """The report written: its HTML file, charts, section titles and how long it took."""

    html: Path
    charts: list[Path]
    sections: list[str]
    seconds: float


BUILDERS: dict[str, Callable[[Context], str]] = {
    "summary": section_summary,
    "scenario": section_scenario,
    "assumptions": section_assumptions,
    "results": section_results,
    "actuals": section_actuals,
    "options": section_options,
    "sensitivity": section_sensitivity,
    "plan": section_plan,
    "optimism": section_optimism,
    "validation": section_validation,
    "stress": section_stress,
    "limitations": section_limitations,
    "provenance": section_provenance,
}


PAGE = Template(
    """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>$title</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #1a1a1a; line-height: 1.45; overflow-wrap: anywhere; }
.table-scroll { max-width: 100%; overflow-x: auto; }
.table-scroll:focus { outline: 3px solid #ffdd00; }
h1 { font-size: 1.7em; } h2 { border-bottom: 2px solid #333; padding-top: 0.6em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eee; } td[data-value] { text-align: right; white-space: nowrap; }
.small table { font-size: 0.78em; } .mono { font-family: monospace; word-break: break-all; }
td.assumption { background: #fdecea; } td.sourced { background: #e8f5e9; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
figcaption { font-size: 0.85em; color: #444; } .file { color: #505a5f; }
nav ol { columns: 2; } @media (max-width: 40em) { nav ol { columns: 1; } }
@media print { nav { display: none; } h2 { page-break-before: auto; } }
</style>
</head>
<body>
<header><h1>$title</h1>
<p>$subtitle</p></header>
<nav aria-label="Contents"><ol>$toc</ol></nav>
<main>
$sections
</main>
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
    evidence = gather(request.inputs)
    variant = None
    if request.optimism_bias is not None:  # checked before anything is written
        variant = optimism_bias_variant(evidence.primary.scenario, request.optimism_bias)
    tracking = None
    if request.actuals is not None:  # checked before anything is written
        primary = evidence.primary
        tracking = track_file(
            request.actuals, primary.scenario, primary.monthly, primary.monthly_by_pool
        )
    request.out.mkdir(parents=True, exist_ok=True)
    ctx = Context(evidence, Charts(request.out / "charts"), request, actuals=tracking)
    if tracking is not None:
        write_file(
            request.out / "actuals_tracked.csv", tracking.tracked.to_csv(index=False).encode()
        )
    if variant is not None:
        step(f"running the optimism-bias variant (+{request.optimism_bias:.0%})")
        ctx.optimism = optimism_variant(evidence, variant, request.cache, executor, on_progress)
    _run_checks(ctx, request.out, step)
    shown = [(i, t) for i, t in SECTIONS if i != "actuals" or tracking is not None]
    sections = []
    for ident, title in shown:
        step(f"writing '{title}'")
        sections.append(
            f'<section id="{ident}"><h2>{esc(title)}</h2>{BUILDERS[ident](ctx)}</section>'
        )
    primary = evidence.primary
    title = request.title or f"Capacity evidence: {primary.scenario.name}"
    page = PAGE.substitute(
        title=esc(title),
        subtitle=esc(
            f"Crown Commercial Service capacity model (ccs-sim {model_version()}). Primary run "
            f"{primary.path.name}, manifest SHA-256 {manifest_sha256(primary)}."
        ),
        toc="".join(f'<li><a href="#{i}">{esc(t)}</a></li>' for i, t in shown),
        sections="\n".join(sections),
    )
    page = unique_region_labels(page)
    path = request.out / "report.html"
    write_file(path, page.encode())
    return ReportResult(path, ctx.charts.paths, [t for _, t in shown], time.monotonic() - started)


def _run_checks(ctx: Context, out: Path, step: Callable[[str], None]) -> None:
    """The theory and history checks, the code's state and the assumptions log: into `ctx`, and
    beside the report as CSV files."""
    step("running the theory checks")
    ctx.checks = run_theory_checks()
    step("running the history checks (the public record of 2014-16)")
    ctx.history = run_history_checks()
    ctx.code = git_state()
    ctx.log = assumptions_log(ctx.evidence.primary.scenario)
    write_file(out / "assumptions_log.csv", ctx.log.to_csv(index=False).encode())
    checks = pd.DataFrame([c.__dict__ for c in ctx.checks])
    write_file(out / "theory_checks.csv", checks.to_csv(index=False).encode())
    history = pd.DataFrame([c.__dict__ for c in ctx.history])
    write_file(out / "history_checks.csv", history.to_csv(index=False).encode())


def unique_region_labels(page: str) -> str:
    """Number the table regions whose names repeat ("..., (2)"): a screen reader lists regions by
    name, and two regions of one name cannot be told apart."""
    seen: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        label = match.group(1)
        seen[label] = seen.get(label, 0) + 1
        return match.group(0) if seen[label] == 1 else f'aria-label="{label} ({seen[label]})"'

    return re.sub(r'aria-label="([^"]*)"', number, page)
