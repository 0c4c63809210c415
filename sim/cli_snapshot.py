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
