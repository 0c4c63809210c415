"""The snapshot verbs and options of `ccs-sim` (docs/snapshot.md): empty templates to fill in,
and the model's own state as a snapshot (`run --snapshot-at`, `snapshot-of`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.errors import Problem, ScenarioError

__all__ = [
    "add_snapshot_run_options",
    "add_snapshot_verbs",
    "check_snapshot_month",
    "write_run_snapshots",
]


def add_snapshot_verbs(verbs: Any) -> None:
    """Add `snapshot-template` and `snapshot-of` to the command line."""
    template = verbs.add_parser(
        "snapshot-template",
        help="write the snapshot's CSV files, each with its header and one example row",
    )
    template.add_argument("folder", type=Path, help="folder to write (new, or without them)")
    template.set_defaults(handler=_template)

    of = verbs.add_parser(
        "snapshot-of",
        help="run one replication to the start of a month and write its state as a snapshot",
    )
    of.add_argument("scenario", help="scenario YAML file")
    of.add_argument("folder", type=Path, help="folder to write the snapshot into")
    of.add_argument("--month", type=int, required=True, help="months after the start (1 or more)")
    of.add_argument("--seed", type=int, default=2014, help="run seed (default 2014)")
    of.add_argument("--rep", type=int, default=0, help="replication (default 0)")
    of.add_argument("--snapshot", type=Path, help="start from this snapshot first")
    of.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    of.set_defaults(handler=_snapshot_of)

    actuals = verbs.add_parser(
        "actuals-of",
        help="write one replication's monthly series as an actuals file (the model's own "
        "'what happened', for examples and tests)",
    )
    actuals.add_argument("scenario", help="scenario YAML file")
    actuals.add_argument("file", type=Path, help="CSV file to write")
    actuals.add_argument("--from-month", type=int, default=0, help="first month (default 0)")
    actuals.add_argument("--months", type=int, default=6, help="months to write (default 6)")
    actuals.add_argument("--seed", type=int, default=2014, help="run seed (default 2014)")
    actuals.add_argument("--rep", type=int, default=0, help="replication (default 0)")
    actuals.set_defaults(handler=_actuals_of)

    track = verbs.add_parser(
        "track", help="place observed monthly series (actuals) in a run's forecast fans"
    )
    track.add_argument("run_dir", type=Path, help="a finished run directory")
    track.add_argument("actuals", type=Path, help="actuals CSV file (docs/snapshot.md)")
    track.add_argument("--out", type=Path, help="also write every observation with its band here")
    track.set_defaults(handler=_track)


def _actuals_of(args: argparse.Namespace) -> int:
    from sim.model.streams import replication_seed_sequence
    from sim.results.actuals import write_actuals
    from sim.results.replication import simulate
    from sim.scenario.files import load_scenario

    scenario = load_scenario(args.scenario)
    horizon = scenario.run.horizon_months
    first, last = args.from_month, args.from_month + args.months
    if not (0 <= first < last <= horizon) or min(args.seed, args.rep) < 0:
        raise ScenarioError(
            [
                Problem(
                    "--from-month/--months",
                    f"{first}/{args.months}",
                    f"months inside the run's 0 to {horizon - 1}",
                )
            ]
        )
    result = simulate(scenario, replication_seed_sequence(args.seed, args.rep))

    def window(table: Any) -> Any:
        return table[(table["month"] >= first) & (table["month"] < last)]

    by_pool = window(result.monthly_by_pool)
    write_actuals(window(result.monthly), by_pool, scenario.run.start_date, args.file)
    print(f"Actuals of replication {args.rep} (seed {args.seed}), months {first} to {last - 1}: "
          f"{args.file}")  # fmt: skip
    return 0


def _track(args: argparse.Namespace) -> int:
    from sim.results.actuals import track_file
    from sim.runs.tables import load_run

    if not (args.run_dir / "manifest.json").is_file():
        raise ScenarioError([Problem("RUN_DIR", str(args.run_dir), "a finished run directory")])
    run = load_run(args.run_dir)
    found = track_file(args.actuals, run.scenario, run.monthly, run.monthly_by_pool)
    if found.left_out:
        print(found.left_out_sentence())
    print(f"{args.actuals} (SHA-256 {found.sha256}) against {args.run_dir} "
          f"({run.replications} replications):")  # fmt: skip
    print(
        f"{'series':<14}{'pool':<22}{'months':>7}{'in P10-P90':>12}{'in P5-P95':>11}"
        "  outside P10-P90"
    )
    for row in found.summary.to_dict("records"):
        print(f"{row['series']:<14}{row['pool']:<22}{row['months']:>7}{row['inside_p10_p90']:>12.0%}"
              f"{row['inside_p5_p95']:>11.0%}  {row['months_outside_p10_p90'] or '-'}")  # fmt: skip
    print(found.sentence())
    if args.out is not None:
        found.tracked.to_csv(args.out, index=False)
        print(f"Every observation with its band: {args.out}")
    return 0


def add_snapshot_run_options(run: argparse.ArgumentParser) -> None:
    """`ccs-sim run`'s snapshot options."""
    run.add_argument(
        "--snapshot",
        type=Path,
        help="start on a snapshot's date in its state: a folder of CSV files (docs/snapshot.md)",
    )
    run.add_argument(
        "--snapshot-at",
        type=int,
        metavar="MONTH",
        help="also write each replication's state at the start of MONTH as a snapshot, into "
        "RUN_DIR/snapshots/month-MONTH/rep-N",
    )
    run.add_argument(
        "--snapshot-rep", type=int, metavar="N", help="with --snapshot-at: only replication N"
    )


def check_snapshot_month(month: int | None, rep: int | None, horizon: int, reps: int) -> None:
    """Refuse a month outside the run, or a replication it does not have, before running."""
    problems = []
    if month is not None and not 1 <= month < horizon:
        problems.append(Problem("--snapshot-at", str(month), f"a month from 1 to {horizon - 1}"))
    if rep is not None and not 0 <= rep < reps:
        problems.append(Problem("--snapshot-rep", str(rep), f"a replication from 0 to {reps - 1}"))
    if rep is not None and month is None:
        problems.append(Problem("--snapshot-rep", str(rep), "only with --snapshot-at MONTH"))
    if problems:
        raise ScenarioError(problems)


def write_run_snapshots(
    scenario: Any, seed: int, reps: list[int], month: int, run_dir: Path
) -> list[Path]:
    """Each chosen replication's state at the start of `month`, under RUN_DIR/snapshots."""
    from sim.model.streams import replication_seed_sequence
    from sim.results.state_snapshot import write_model_snapshot

    written = []
    for rep in reps:
        folder = run_dir / "snapshots" / f"month-{month}" / f"rep-{rep}"
        write_model_snapshot(scenario, replication_seed_sequence(seed, rep), month, folder)
        print(f"Snapshot of replication {rep} at month {month}: {folder}", file=sys.stderr)
        written.append(folder)
    return written


def _template(args: argparse.Namespace) -> int:
    from sim.scenario.snapshot import write_snapshot_template

    for path in write_snapshot_template(args.folder):
        print(f"Wrote {path}")
    print(
        "Replace the example rows with your extract (ids only, no names or e-mail addresses); "
        "the columns are described in docs/snapshot.md."
    )
    return 0


def _snapshot_of(args: argparse.Namespace) -> int:
    from sim.scenario.files import load_scenario
    from sim.scenario.snapshot import apply_snapshot, load_snapshot

    scenario = load_scenario(args.scenario, args.overrides)
    if args.snapshot is not None:
        scenario = apply_snapshot(scenario, load_snapshot(args.snapshot, scenario))
    check_snapshot_month(args.month, None, scenario.run.horizon_months, 1)
    if args.rep < 0 or args.seed < 0:
        raise ScenarioError([Problem("--rep/--seed", f"{args.rep}/{args.seed}", "0 or more")])
    from sim.model.streams import replication_seed_sequence
    from sim.results.state_snapshot import write_model_snapshot

    seeds = replication_seed_sequence(args.seed, args.rep)
    write_model_snapshot(scenario, seeds, args.month, args.folder)
    print(
        f"Snapshot of replication {args.rep} (seed {args.seed}) at month {args.month}: "
        f"{args.folder}"
    )
    return 0
