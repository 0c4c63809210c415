"""The command line, `ccs-sim`: a thin layer over the same functions the app uses.

    ccs-sim run SCENARIO --reps N --seed S --out DIR [--workers K] [--scheduler ADDR]
                [--set KEY=VALUE ...] [--resume] [--precision REL]
    ccs-sim validate SCENARIO [--set KEY=VALUE ...]
    ccs-sim schema

A user's mistake (a bad file, value, override or option) prints one line per problem and exits
with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ScenarioError
from sim.scenario_files import load_scenario, scenario_json_schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["main"]

EXIT_OK, EXIT_FAILED_REPS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# KPIs shown in the terminal after a run (all of them are in summary.csv).
SHOWN_KPIS = (
    ("outruns_capability", "Outruns capability (probability)", "{:.0%}"),
    ("sla_attainment", "Completed within target", "{:.1%}"),
    ("demand_met_share", "Demand met (not given up)", "{:.1%}"),
    ("mean_wait_days", "Mean wait to start (days)", "{:,.1f}"),
    ("p95_wait_days", "95th percentile wait (days)", "{:,.1f}"),
    ("backlog_end", "Backlog at end (requests)", "{:,.0f}"),
    ("utilisation", "Staff utilisation", "{:.1%}"),
    ("headcount_end", "Headcount in post at end", "{:,.0f}"),
    ("effective_fte_end", "Effective FTE at end", "{:,.0f}"),
    ("mean_time_to_fill_days", "Vacancy to start (days)", "{:,.0f}"),
    ("departments_onboarded_end", "Departments onboarded", "{:,.1f}"),
    ("staff_cost_gbp", "Staff cost (GBP)", "{:,.0f}"),
    ("contractor_cost_gbp", "Contractor cost (GBP)", "{:,.0f}"),
    ("savings_delivered_gbp", "Savings delivered (GBP)", "{:,.0f}"),
    ("savings_foregone_gbp", "Savings foregone (GBP)", "{:,.0f}"),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `ccs-sim`; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ScenarioError as error:
        for line in error.lines():
            print(line, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(
            "\nInterrupted. Finished replications are saved; add --resume to complete the run.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccs-sim",
        description="Will the expansion of the Crown Commercial Service outrun its capability?",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")

    run = verbs.add_parser("run", help="run a Monte Carlo batch into a run directory")
    run.add_argument("scenario", help="scenario YAML file, e.g. scenarios/baseline.yaml")
    run.add_argument("--reps", type=_positive_int, default=20, help="replications (default 20)")
    run.add_argument("--seed", type=_non_negative_int, default=2014, help="run seed")
    run.add_argument("--out", type=Path, help="run directory (default runs/NAME-TIMESTAMP)")
    run.add_argument("--workers", type=_positive_int, help="local processes (default: all cores)")
    run.add_argument("--scheduler", help="Dask scheduler tcp://HOST:PORT, or 'local'")
    run.add_argument("--resume", action="store_true", help="finish an interrupted run in --out")
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


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"given {text}; allowed: a whole number of 1 or more")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"given {text!r}; allowed: a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"given {text}; allowed: 0 or more")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"given {text!r}; allowed: a number") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"given {text}; allowed: between 0 and 1, e.g. 0.05")
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
    return EXIT_OK


def _schema(_args: argparse.Namespace) -> int:
    print(json.dumps(scenario_json_schema(), indent=2))
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from sim.batch import BatchRequest, run_batch
    from sim.executors import make_executor
    from sim.progress import Progress
    from sim.rundir import sha256_of

    scenario = load_scenario(args.scenario, args.overrides)
    out = args.out or Path("runs") / f"{scenario.name}-{dt.datetime.now():%Y%m%d-%H%M%S}"
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
    _print_summary(report.summary, report.reps_completed)
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
    from sim.executors import make_executor
    from sim.reproduce import reproduce

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


def _print_summary(summary: pd.DataFrame, reps: int) -> None:
    import pandas as pd

    rows: dict[str, dict[str, Any]] = {
        str(r["kpi"]): {str(k): v for k, v in r.items()} for r in summary.to_dict("records")
    }
    print(f"\n{'KPI':<34}{'mean':>16}  {'95% CI':>27}  {'P10 - P90':>27}")
    for kpi, label, fmt in SHOWN_KPIS:
        if kpi not in rows:
            continue
        r = rows[kpi]

        def show(value: float, fmt: str = fmt) -> str:
            return "-" if pd.isna(value) else fmt.format(value)

        ci = f"{show(r['ci_low'])} - {show(r['ci_high'])}"
        band = f"{show(r['p10'])} - {show(r['p90'])}"
        if kpi == "outruns_capability":
            band = ""
        print(f"{label:<34}{show(r['mean']):>16}  {ci:>27}  {band:>27}")
    if "outrun_month" in rows and rows["outrun_month"]["n"] > 0:
        r = rows["outrun_month"]
        band = f"{r['p10']:.0f} - {r['p90']:.0f}"
        print(f"{'First short month (if it outruns)':<34}{r['p50']:>16.0f}  {'':>27}  {band:>27}")
    print(f"({reps} replications)")


if __name__ == "__main__":
    raise SystemExit(main())
