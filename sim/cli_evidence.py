"""The evidence verbs of `ccs-sim` (docs/evidence.md): compare options with a base case, sweep
inputs, plan the least-cost lever setting that meets a target, and write the HTML report. Each
claims its folder, shows progress over all its replications and caches finished runs, so an
interrupted study carries on where it stopped."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from sim.cli_options import (
    DEFAULT_CACHE,
    EXIT_FAILED_REPS,
    EXIT_OK,
    add_executor_options,
    add_study_options,
    finite_float,
    fraction,
    non_negative_int,
)
from sim.errors import Problem, ScenarioError
from sim.scenario.files import load_scenario

__all__ = ["add_evidence_verbs"]

_RERUN = "Finished runs are cached: rerun the same command to carry on."


def add_evidence_verbs(verbs: Any) -> None:
    """compare, sweep, plan and report: evidence for business cases (docs/evidence.md)."""
    for add_verb in (_add_compare, _add_sweep, _add_plan, _add_report):
        add_verb(verbs)


def _add_compare(verbs: Any) -> None:
    compare = verbs.add_parser(
        "compare", help="compare options with a base case (common random numbers)"
    )
    compare.add_argument("base", help="the base case's scenario file")
    compare.add_argument("options", nargs="+", metavar="option", help="option scenario files")
    add_study_options(compare)
    compare.set_defaults(handler=_compare, interrupted=_RERUN)


def _add_sweep(verbs: Any) -> None:
    sweep = verbs.add_parser(
        "sweep", help="sensitivity: grids, tornado and switching values over levers"
    )
    sweep.add_argument("scenario")
    _add_required_repeatable(
        sweep,
        "--vary",
        "KEY=V1,V2,...",
        "a lever and its values (field path with * wildcards, or a named lever such as "
        "demand_scale, recruitment_time_scale); KEY=LOW:HIGH[:STEP] also works; repeatable",
    )
    sweep.add_argument("--kpi", default="outruns_capability", help="the tornado's KPI")
    sweep.add_argument(
        "--criterion",
        action="append",
        choices=("outrun", "sla"),
        help="switching-value criterion: outrun (P(outruns) = 50%%) or sla (service level = "
        "target); default both",
    )
    sweep.add_argument("--bisect", type=non_negative_int, default=3, help="bisection steps")
    sweep.add_argument("--no-grid", action="store_true", help="skip the two-way grid")
    sweep.add_argument("--no-switching", action="store_true", help="skip switching values")
    add_study_options(sweep)
    sweep.set_defaults(handler=_sweep, interrupted=_RERUN)


def _add_plan(verbs: Any) -> None:
    plan = verbs.add_parser("plan", help="least-cost lever setting that meets a target")
    plan.add_argument("scenario")
    _add_required_repeatable(
        plan,
        "--target",
        "EXPR",
        "'KPI OP NUMBER', e.g. 'sla_attainment >= 0.9' (repeatable: all must hold)",
    )
    _add_required_repeatable(
        plan,
        "--lever",
        "KEY=LOW:HIGH[:STEP]",
        "a lever and its range (or KEY=V1,V2,...), e.g. headcount_plan_scale=1:1.5:0.1",
    )
    plan.add_argument(
        "--confidence",
        type=fraction,
        default=0.9,
        help="share of replications (futures) that must meet every target (default 0.9)",
    )
    plan.add_argument(
        "--cost",
        default="staff_cost_gbp + contractor_cost_gbp",
        help="cost to minimise: KPI names joined by + and - (default: staff + contractor cost)",
    )
    plan.add_argument(
        "--lever-cost",
        action="append",
        default=[],
        metavar="KEY=GBP",
        help="extra cost per unit of a lever above its value as given (repeatable)",
    )
    plan.add_argument(
        "--strict",
        action="store_true",
        help="require the 95%% interval's lower end of the share meeting the target to reach "
        "the confidence",
    )
    add_study_options(plan)
    plan.set_defaults(handler=_plan, interrupted=_RERUN)


def _add_required_repeatable(
    parser: argparse.ArgumentParser, flag: str, metavar: str, help_text: str
) -> None:
    """An option given at least once, each time adding one more (a lever, a target)."""
    parser.add_argument(
        flag, action="append", default=[], required=True, metavar=metavar, help=help_text
    )


def _add_report(verbs: Any) -> None:
    report = verbs.add_parser("report", help="an offline HTML report with PNG charts")
    report.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="run or study dirs")
    report.add_argument("--out", type=Path, help="report folder (default runs/report-TIMESTAMP)")
    report.add_argument(
        "--optimism-bias",
        type=finite_float,
        metavar="UPLIFT",
        help="add a variant with build-up durations uplifted, e.g. 0.54 for +54%%",
    )
    report.add_argument("--title", default="", help="the report's title")
    report.add_argument(
        "--actuals",
        type=Path,
        metavar="FILE.csv",
        help="observed monthly series: adds 'Forecast against actuals' (docs/snapshot.md)",
    )
    add_executor_options(report)
    report.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="run cache folder")
    report.set_defaults(handler=_report, interrupted=_RERUN)


def _study_out(args: argparse.Namespace, verb: str, name: str) -> Path:
    from sim.runs.rundir import new_output_dir

    return args.out or new_output_dir(Path("runs"), f"{verb}-{name}")


def _run_study(args: argparse.Namespace, what: str, per: str, run: Any, request: Any) -> Any:
    """Run a study, `run(request, executor, on_progress)`, into `request.out` (its replications
    `per` scenario said after `what`), then write its charts."""
    return _with_progress(
        args,
        f"{what}: {args.reps} replications {per}, seed {args.seed} -> {request.out}",
        request.out,
        lambda executor, progress: run(request, executor, progress),
        charts=True,
    )


def _with_progress(args: argparse.Namespace, what: str, out: Path, work: Any, charts: bool) -> Any:
    """Claim `out`, then run `work(executor, on_progress)` with a progress bar over all
    replications, and write the study's charts (`charts`) before letting `out` go."""
    from sim.runs.executors import make_executor
    from sim.runs.progress import Progress
    from sim.runs.rundir import claim_directory

    executor = make_executor(args.workers, args.scheduler)
    progress = Progress(0, "replications (all scenarios)")
    print(f"{what} ({executor.description})", file=sys.stderr)

    def on_progress(done: int, total: int) -> None:
        nonlocal progress
        if total != progress.total:  # a search added points: a new bar, same clock
            started, progress = progress.started, Progress(total, "replications (all scenarios)")
            progress.started = started
        progress.update(done)

    with claim_directory(out):
        try:
            result = work(executor, on_progress)
        finally:
            progress.close()
            executor.close()
        if charts:
            _study_charts(out)
    return result


def _compare(args: argparse.Namespace) -> int:
    from sim.results.formats import (
        format_difference,
        format_difference_interval,
        format_kpi,
        format_probability,
        paired_subset,
    )
    from sim.results.kpis import in_group
    from sim.studies.compare import CompareRequest, Option, run_comparison

    files = [args.base, *args.options]
    scenarios = [load_scenario(f, args.overrides) for f in files]
    names = [s.name for s in scenarios]
    labels = names if len(set(names)) == len(names) else [Path(f).stem for f in files]
    options = [
        Option(label, scenario, str(file), list(args.overrides))
        for label, scenario, file in zip(labels, scenarios, files, strict=True)
    ]
    out = _study_out(args, "compare", labels[0])
    request = CompareRequest(options, args.seed, args.reps, out, args.cache)
    what = f"Comparing {len(options) - 1} option(s) with '{labels[0]}'"
    result = _run_study(args, what, "each", run_comparison, request)
    order = {kpi: i for i, kpi in enumerate(in_group("comparison"))}
    table = result.table[result.table["kpi"].isin(order)]
    table = table.sort_values(
        ["option", "kpi"], key=lambda c: c.map(order) if c.name == "kpi" else c
    )
    print(
        f"\n{'Option':<24}{'KPI':<24}{'base':>16}{'option':>16}{'difference [95% CI]':>40}"
        f"{'better':>8}{'worse':>8}"
    )
    for r in table.to_dict("records"):
        kpi = str(r["kpi"])
        ci = (
            f"{format_difference(kpi, r['difference'])}{paired_subset(r)} "
            f"[{format_difference_interval(kpi, r['ci_low'], r['ci_high'])}]"
        )
        better, worse = (
            "" if r[p] != r[p] else format_probability(r[p])
            for p in ("p_option_better", "p_option_worse")
        )
        print(
            f"{r['option']:<24}{kpi:<24}{format_kpi(kpi, r['base_mean']):>16}"
            f"{format_kpi(kpi, r['option_mean']):>16}{ci:>40}{better:>8}{worse:>8}"
        )
    print(f"Results: {out} (comparison.csv, charts/)")
    return EXIT_OK


def _sweep(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from sim.results.formats import format_difference, format_kpi
    from sim.results.kpis import kpi_label
    from sim.scenario.levers import parse_lever_values
    from sim.studies.sweep import SweepRequest, run_sweep, switching_sentence

    scenario = load_scenario(args.scenario, args.overrides)
    levers = [parse_lever_values(text, "--vary") for text in args.vary]
    out = _study_out(args, "sweep", scenario.name)
    request = SweepRequest(
        scenario=scenario,
        levers=levers,
        seed=args.seed,
        reps=args.reps,
        out=out,
        cache=args.cache,
        scenario_file=str(args.scenario),
        overrides=list(args.overrides),
        kpi=args.kpi,
        two_way=False if args.no_grid else None,
        switching=not args.no_switching,
        criteria=tuple(args.criterion or ("outrun", "sla")),
        bisect_steps=args.bisect,
    )
    what = f"Sweeping '{scenario.name}' over {', '.join(lv.key for lv in levers)}"
    result = _run_study(args, what, "per point", run_sweep, request)
    kpi = args.kpi
    print(
        f"\nOne at a time: {kpi_label(kpi)} at each lever's lowest and highest value (as given: "
        f"{format_kpi(kpi, result.tornado['base_mean'].iloc[0])})"
    )
    for r in result.tornado.to_dict("records"):
        low, high = format_kpi(kpi, r["low_mean"]), format_kpi(kpi, r["high_mean"])
        print(
            f"  {r['lever']:<44} {_value(r['low_value']):>8} -> {low:<14}"
            f"{_value(r['high_value']):>8} -> {high:<14} swing "
            f"{format_difference(kpi, abs(r['swing']))}"
        )
    if result.switching:
        print("Switching values (where the verdict flips):")
    for sv in result.switching:
        print(f"  {switching_sentence(asdict(sv))}")
    print(f"Results: {out} (points.csv, tornado.csv, switching.csv, charts/)")
    return EXIT_OK


def _value(value: Any) -> str:
    """A lever value as typed (2, not 2.0)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _plan(args: argparse.Namespace) -> int:
    from sim.scenario.levers import parse_lever_values
    from sim.studies.plan import PlanRequest, parse_target, run_plan

    scenario = load_scenario(args.scenario, args.overrides)
    levers = [parse_lever_values(text, "--lever") for text in args.lever]
    request = PlanRequest(
        scenario=scenario,
        levers=levers,
        targets=[parse_target(text) for text in args.target],
        confidence=args.confidence,
        seed=args.seed,
        reps=args.reps,
        out=_study_out(args, "plan", scenario.name),
        cache=args.cache,
        scenario_file=str(args.scenario),
        overrides=list(args.overrides),
        cost=args.cost,
        lever_costs=_lever_costs(args.lever_cost),
        strict=args.strict,
    )
    result = _run_study(args, f"Planning '{scenario.name}'", "per setting", run_plan, request)
    print()
    for line in result.explanation:
        print(line)
    print(f"Results: {request.out} (plan.csv, explanation.txt, charts/)")
    return EXIT_OK if result.best is not None else EXIT_FAILED_REPS


def _lever_costs(texts: list[str]) -> dict[str, float]:
    costs = {}
    for text in texts:
        key, _, value = text.partition("=")
        try:
            costs[key.strip()] = float(value)
        except ValueError:
            raise ScenarioError([Problem("--lever-cost", text, "KEY=GBP, e.g. x=1000")]) from None
        if not math.isfinite(costs[key.strip()]):
            raise ScenarioError([Problem("--lever-cost", text, "a finite number of pounds")])
    return costs


def _study_charts(out: Path) -> None:
    from sim.report.charts import write_study_charts

    write_study_charts(out)


def _report(args: argparse.Namespace) -> int:
    from sim.report.html import ReportRequest, build_report
    from sim.runs.rundir import new_output_dir

    out = args.out or new_output_dir(Path("runs"), "report")
    request = ReportRequest(
        list(args.dirs), out, args.optimism_bias, args.cache, args.title, args.actuals
    )
    result = _with_progress(
        args,
        f"Writing a report on {', '.join(str(d) for d in args.dirs)} -> {out}",
        out,
        lambda executor, progress: build_report(
            request, executor, progress, lambda text: print(f"  {text}", file=sys.stderr)
        ),
        charts=False,
    )
    print(
        f"Report: {result.html} ({len(result.charts)} charts as PNG in {out / 'charts'}), "
        f"written in {result.seconds:.1f} s. Sections:"
    )
    for i, title in enumerate(result.sections, 1):
        print(f"  {i:>2}. {title}")
    return EXIT_OK
