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
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli_evidence import add_evidence_verbs
from sim.cli_options import (
    EXIT_FAILED_REPS,
    EXIT_FAULT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_READER_GONE,
    EXIT_STORAGE,
    EXIT_USAGE,
    add_batch_options,
    add_executor_options,
    add_overrides,
    fraction,
)
from sim.cli_snapshot import (
    add_snapshot_run_options,
    add_snapshot_verbs,
    check_snapshot_month,
    write_run_snapshots,
)
from sim.crash_log import record_crash
from sim.errors import ScenarioError, storage_fault
from sim.scenario.files import load_scenario, scenario_json_schema
from sim.scenario.schema import scenario_notes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXIT_STORAGE", "main"]


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
    add_batch_options(
        run, "replications", "run seed", "run directory (default runs/NAME-TIMESTAMP)"
    )
    add_executor_options(run, "all cores")
    run.add_argument("--resume", action="store_true", help="finish an interrupted run in --out")
    add_snapshot_run_options(run)
    run.add_argument(
        "--precision",
        type=fraction,
        help="stop once each headline KPI's 95%% CI half-width is within this share of its "
        "mean (e.g. 0.05), up to --reps",
    )
    add_overrides(run)
    run.set_defaults(handler=_run)

    validate = verbs.add_parser("validate", help="check a scenario file; exit 2 if it has problems")
    validate.add_argument("scenario")
    add_overrides(validate)
    validate.set_defaults(handler=_validate)

    again = verbs.add_parser(
        "reproduce", help="rerun a run directory and report whether results are bit-identical"
    )
    again.add_argument("run_dir", type=Path)
    add_executor_options(again)
    again.set_defaults(handler=_reproduce)

    schema = verbs.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.set_defaults(handler=_schema)
    add_evidence_verbs(verbs)
    add_snapshot_verbs(verbs)
    parser.set_defaults(
        interrupted="Finished replications are saved; add --resume to complete the run."
    )
    return parser


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
