"""The command line, `ccs-sim`: a thin layer over the same functions the app uses.

    ccs-sim run SCENARIO --reps N --seed S --out DIR [--workers K] [--scheduler ADDR]
                [--set KEY=VALUE ...] [--resume] [--precision REL]
    ccs-sim validate SCENARIO [--set KEY=VALUE ...]
    ccs-sim reproduce RUN_DIR
    ccs-sim schema
    ccs-sim compare BASE OPTION... [--reps N] [--seed S] [--out DIR]
    ccs-sim sweep SCENARIO --vary KEY=V1,V2,... [--vary KEY2=...] [--out DIR]
    ccs-sim plan SCENARIO --target "KPI >= X" --lever KEY=LOW:HIGH[:STEP] [--confidence C]
    ccs-sim report DIR... [--optimism-bias UPLIFT] [--actuals FILE.csv] [--out DIR]

A user's mistake (a bad file, value, override or option) prints one line per problem and exits
with status 2, never a traceback. Anything unexpected (a fault of the program, not of the user)
is also one line, with a reference to a log file holding the traceback (`sim.crash_log`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli_snapshot import (
    add_snapshot_run_options,
    add_snapshot_verbs,
    check_snapshot_month,
    write_run_snapshots,
)
from sim.crash_log import record_crash
from sim.errors import Problem, ScenarioError, storage_fault
from sim.runs.limits import MAX_REPS
from sim.scenario.files import load_scenario, scenario_json_schema
from sim.scenario.schema import scenario_notes

# = sim.studies.study.DEFAULT_CACHE, without importing pandas
DEFAULT_CACHE = Path("runs") / "cache"

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["main"]

EXIT_OK, EXIT_FAILED_REPS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_FAULT = 3  # the program's fault, not the user's: reported with a log reference
EXIT_STORAGE = 74  # sysexits' EX_IOERR: the disk or a folder, not the input or the model
EXIT_READER_GONE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader left


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `ccs-sim`; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.handler(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the edge, not at interpreter exit
        return status
    except BrokenPipeError:
        # The reader left (`ccs-sim schema | head`): not a fault. Stop writing, say nothing.
        _silence_stdout()
        return EXIT_READER_GONE
    except ScenarioError as error:
        for line in error.lines():
            print(line, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"\nInterrupted. {args.interrupted}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # the edge: whatever escaped is one line and a log, not a traceback
        fault = storage_fault(error, _how_to_carry_on(args), getattr(args, "resume_out", None))
        if fault is not None:  # the disk's or a folder's fault: say which, and how to carry on
            print(fault, file=sys.stderr)
            return EXIT_STORAGE
        out = getattr(args, "out", None)
        report = record_crash(
            error,
            f"ccs-sim {' '.join(sys.argv[1:] if argv is None else argv)}",
            out if isinstance(out, Path) and out.is_dir() else None,
        )
        print(f"ccs-sim: {report.line()}", file=sys.stderr)
        return EXIT_FAULT


def _silence_stdout() -> None:
    """Point stdout at the null device, so the flush at exit does not meet the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file descriptor (a test capture)
        pass


def _how_to_carry_on(args: argparse.Namespace) -> str:
    """After a fault of the disk: how to pick up where the command stopped."""
    out = getattr(args, "resume_out", None)
    if out is not None:
        return (
            f"run the same command again with --resume --out {out} (finished replications are kept)"
        )
    return "run the same command again (finished runs are kept)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccs-sim",
        description="Will the expansion of the Crown Commercial Service outrun its capability?",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")

    run = verbs.add_parser("run", help="run a Monte Carlo batch into a run directory")
    run.add_argument("scenario", help="scenario YAML file, e.g. scenarios/baseline.yaml")
    run.add_argument(
        "--reps", type=_reps, default=20, help=f"replications (default 20, at most {MAX_REPS:,})"
    )
    run.add_argument("--seed", type=_non_negative_int, default=2014, help="run seed")
    run.add_argument("--out", type=Path, help="run directory (default runs/NAME-TIMESTAMP)")
    run.add_argument("--workers", type=_positive_int, help="local processes (default: all cores)")
    run.add_argument("--scheduler", help="Dask scheduler tcp://HOST:PORT, or 'local'")
    run.add_argument("--resume", action="store_true", help="finish an interrupted run in --out")
    add_snapshot_run_options(run)
    run.add_argument(
        "--precision",
        type=_fraction,
        help="stop once each headline KPI's 95%% CI half-width is within this share of its "
        "mean (e.g. 0.05), up to --reps",
    )
    _add_overrides(run)
    run.set_defaults(handler=_run)

    validate = verbs.add_parser("validate", help="check a scenario file; exit 2 if it has problems")
    validate.add_argument("scenario")
    _add_overrides(validate)
    validate.set_defaults(handler=_validate)

    again = verbs.add_parser(
        "reproduce", help="rerun a run directory and report whether results are bit-identical"
    )
    again.add_argument("run_dir", type=Path)
    again.add_argument("--workers", type=_positive_int, help="local processes (default: all)")
    again.add_argument("--scheduler", help="Dask scheduler tcp://HOST:PORT, or 'local'")
    again.set_defaults(handler=_reproduce)

    schema = verbs.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.set_defaults(handler=_schema)
    _add_evidence_verbs(verbs)
    add_snapshot_verbs(verbs)
    parser.set_defaults(
        interrupted="Finished replications are saved; add --resume to complete the run."
    )
    return parser


def _add_overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field, e.g. --set recruitment.offer_acceptance=0.8 (repeatable)",
    )


def _add_evidence_verbs(verbs: Any) -> None:
    """compare, sweep, plan and report: evidence for business cases (docs/evidence.md)."""
    rerun = "Finished runs are cached: rerun the same command to carry on."
    compare = verbs.add_parser(
        "compare", help="compare options with a base case (common random numbers)"
    )
    compare.add_argument("base", help="the base case's scenario file")
    compare.add_argument("options", nargs="+", metavar="option", help="option scenario files")
    _add_study_options(compare)
    compare.set_defaults(handler=_compare, interrupted=rerun)

    sweep = verbs.add_parser(
        "sweep", help="sensitivity: grids, tornado and switching values over levers"
    )
    sweep.add_argument("scenario")
    sweep.add_argument(
        "--vary",
        action="append",
        default=[],
        required=True,
        metavar="KEY=V1,V2,...",
        help="a lever and its values (field path with * wildcards, or a named lever such as "
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
    sweep.add_argument("--bisect", type=_non_negative_int, default=3, help="bisection steps")
    sweep.add_argument("--no-grid", action="store_true", help="skip the two-way grid")
    sweep.add_argument("--no-switching", action="store_true", help="skip switching values")
    _add_study_options(sweep)
    sweep.set_defaults(handler=_sweep, interrupted=rerun)

    plan = verbs.add_parser("plan", help="least-cost lever setting that meets a target")
    plan.add_argument("scenario")
    plan.add_argument(
        "--target",
        action="append",
        default=[],
        required=True,
        metavar="EXPR",
        help="'KPI OP NUMBER', e.g. 'sla_attainment >= 0.9' (repeatable: all must hold)",
    )
    plan.add_argument(
        "--lever",
        action="append",
        default=[],
        required=True,
        metavar="KEY=LOW:HIGH[:STEP]",
        help="a lever and its range (or KEY=V1,V2,...), e.g. headcount_plan_scale=1:1.5:0.1",
    )
    plan.add_argument(
        "--confidence",
        type=_fraction,
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
    _add_study_options(plan)
    plan.set_defaults(handler=_plan, interrupted=rerun)

    report = verbs.add_parser("report", help="an offline HTML report with PNG charts")
    report.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="run or study dirs")
    report.add_argument("--out", type=Path, help="report folder (default runs/report-TIMESTAMP)")
    report.add_argument(
        "--optimism-bias",
        type=_finite_float,
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
    report.add_argument("--workers", type=_positive_int, help="local processes (default: all)")
    report.add_argument("--scheduler", help="Dask scheduler tcp://HOST:PORT, or 'local'")
    report.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="run cache folder")
    report.set_defaults(handler=_report, interrupted=rerun)


def _add_study_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reps",
        type=_reps,
        default=20,
        help=f"replications per scenario (default 20, at most {MAX_REPS:,})",
    )
    parser.add_argument("--seed", type=_non_negative_int, default=2014, help="seed, shared by all")
    parser.add_argument("--out", type=Path, help="study folder (default runs/VERB-NAME-TIMESTAMP)")
    parser.add_argument("--workers", type=_positive_int, help="local processes (default: all)")
    parser.add_argument("--scheduler", help="Dask scheduler tcp://HOST:PORT, or 'local'")
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"folder of cached run directories (default {DEFAULT_CACHE})",
    )
    _add_overrides(parser)


def _reps(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_REPS:
        raise argparse.ArgumentTypeError(
            f"given {_typed(text)}; allowed: at most {MAX_REPS:,} replications (MAX_REPS)"
        )
    return value


def _typed(text: str) -> str:
    """What the user typed, cut short: a pasted megabyte is not echoed back."""
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} characters)"


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"given {_typed(text)}; allowed: a whole number of 1 or more"
        )
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"given {_typed(text)!r}; allowed: a whole number"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"given {_typed(text)}; allowed: 0 or more")
    return value


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"given {_typed(text)!r}; allowed: a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"given {_typed(text)}; allowed: a finite number")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"given {_typed(text)!r}; allowed: a number") from None
    if not 0 < value < 1:  # NaN fails this too
        raise argparse.ArgumentTypeError(
            f"given {_typed(text)}; allowed: between 0 and 1, e.g. 0.05"
        )
    return value


# --- verbs --------------------------------------------------------------------------------------


def _validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, args.overrides)
    pools = ", ".join(scenario.pool_names)
    print(
        f"{args.scenario}: valid. Scenario '{scenario.name}': "
        f"{len(scenario.demand.departments)} departments, "
        f"{len(scenario.demand.request_types)} request types, staff pools: {pools}; "
        f"{scenario.run.horizon_months} months from {scenario.run.start_date}."
    )
    for note in scenario_notes(scenario):
        print(f"{args.scenario}: note: {note}.")
    return EXIT_OK


def _schema(_args: argparse.Namespace) -> int:
    print(json.dumps(scenario_json_schema(), indent=2))
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, args.overrides)  # refuse a bad file before the imports
    if args.snapshot is not None:
        from sim.scenario.snapshot import apply_snapshot, load_snapshot

        scenario = apply_snapshot(scenario, load_snapshot(args.snapshot, scenario))
    check_snapshot_month(
        args.snapshot_at, args.snapshot_rep, scenario.run.horizon_months, args.reps
    )
    from sim.runs.batch import BatchRequest, run_batch
    from sim.runs.executors import make_executor
    from sim.runs.progress import Progress
    from sim.runs.rundir import new_output_dir, sha256_of

    out = args.out or new_output_dir(Path("runs"), scenario.name)
    args.resume_out = out
    request = BatchRequest(
        scenario=scenario,
        seed=args.seed,
        reps=args.reps,
        out=out,
        scenario_file=str(args.scenario),
        scenario_file_sha256=sha256_of(Path(args.scenario).read_bytes()),
        overrides=list(args.overrides),
        resume=args.resume,
        precision=args.precision,
    )
    executor = make_executor(args.workers, args.scheduler)
    progress = Progress(args.reps)
    print(
        f"Running '{scenario.name}': {args.reps} replications, seed {args.seed}, "
        f"{executor.description} -> {out}",
        file=sys.stderr,
    )
    try:
        report = run_batch(
            request, executor, lambda done, failed, _t: progress.update(done, failed)
        )
    finally:
        progress.close()
        executor.close()
    if args.snapshot_at is not None:
        done = range(report.reps_completed)
        reps = list(done) if args.snapshot_rep is None else [args.snapshot_rep]
        write_run_snapshots(scenario, args.seed, reps, args.snapshot_at, report.run_dir)
    _print_summary(report.summary, report.reps_completed, report.run_dir, scenario)
    if report.precision_met is not None:
        state = "met" if report.precision_met else "NOT met"
        print(f"Precision {args.precision:.1%} {state} after {report.reps_completed} replications.")
    print(f"Results: {report.run_dir}")
    if report.reps_failed:
        print(
            f"{report.reps_failed} replication(s) failed: see {report.run_dir / 'failures.csv'}; "
            "--resume retries them.",
            file=sys.stderr,
        )
        return EXIT_FAILED_REPS
    return EXIT_OK


def _reproduce(args: argparse.Namespace) -> int:
    from sim.runs.executors import make_executor
    from sim.runs.reproduce import reproduce

    executor = make_executor(args.workers, args.scheduler)
    try:
        result = reproduce(args.run_dir, executor)
    finally:
        executor.close()
    m = result.manifest
    what = f"{args.run_dir}: {m['replications_requested']} replications, seed {m['seed']}"
    if result.identical:
        print(f"{what}: reproduced, bit-identical.")
        return EXIT_OK
    print(f"{what}: NOT reproduced.")
    for line in result.differences:
        print(f"  {line}")
    if m.get("model_version") or m.get("git_commit"):
        print(f"  (original: ccs-sim {m.get('model_version')}, commit {m.get('git_commit')})")
    return EXIT_FAILED_REPS


# --- evidence verbs: compare, sweep, plan, report -----------------------------------------------


def _study_out(args: argparse.Namespace, verb: str, name: str) -> Path:
    from sim.runs.rundir import new_output_dir

    return args.out or new_output_dir(Path("runs"), f"{verb}-{name}")


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
    result = _with_progress(
        args,
        f"Comparing {len(options) - 1} option(s) with '{labels[0]}': {args.reps} replications "
        f"each, seed {args.seed} -> {out}",
        out,
        lambda executor, progress: run_comparison(request, executor, progress),
        charts=True,
    )
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
    result = _with_progress(
        args,
        f"Sweeping '{scenario.name}' over {', '.join(lv.key for lv in levers)}: "
        f"{args.reps} replications per point, seed {args.seed} -> {out}",
        out,
        lambda executor, progress: run_sweep(request, executor, progress),
        charts=True,
    )
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
    result = _with_progress(
        args,
        f"Planning '{scenario.name}': {args.reps} replications per setting, seed {args.seed} "
        f"-> {request.out}",
        request.out,
        lambda executor, progress: run_plan(request, executor, progress),
        charts=True,
    )
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


def _print_summary(summary: pd.DataFrame, reps: int, run_dir: Path, scenario: Any) -> None:
    """The verdict first (CCS and each staff pool), then the headline KPIs with intervals."""
    import pandas as pd

    from sim.results.formats import format_band, format_interval, format_kpi, format_probability
    from sim.results.kpis import in_group, kpi_label
    from sim.results.outrun import verdict_sentence, verdicts

    found = verdicts(
        pd.read_parquet(run_dir / "kpis.parquet"),
        pd.read_parquet(run_dir / "pools.parquet"),
        scenario.run.start_date,
    )
    print("\n" + verdict_sentence(found[0], scenario.verdict.consecutive_months, bold=""))
    if len(found) > 1:
        shares = ", ".join(f"{v.scope} {format_probability(v.probability)}" for v in found[1:])
        print(f"By staff pool: {shares}.")
    rows = {str(r["kpi"]): r for r in summary.to_dict("records")}
    shown = [k for k in in_group("headline") if k in rows and k not in in_group("verdict")]
    print(f"\n{'KPI':<38}{'mean':>14}  {'95% CI':>30}  {'P10 to P90':>30}")
    for kpi in shown:
        r = rows[kpi]
        ci = format_interval(kpi, r["ci_low"], r["ci_high"])
        band = format_band(kpi, r["p10"], r["p90"])
        print(f"{kpi_label(kpi)[:37]:<38}{format_kpi(kpi, r['mean']):>14}  {ci:>30}  {band:>30}")
    print(f"({reps} replications; every KPI, with its interval, is in summary.csv)")


if __name__ == "__main__":
    raise SystemExit(main())
