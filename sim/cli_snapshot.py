"""The snapshot verbs of `ccs-sim`: write empty snapshot templates (docs/snapshot.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_snapshot_verbs"]


def add_snapshot_verbs(verbs: Any) -> None:
    """Add `snapshot-template` to the command line."""
    template = verbs.add_parser(
        "snapshot-template",
        help="write the snapshot's CSV files, each with its header and one example row",
    )
    template.add_argument("folder", type=Path, help="folder to write (new, or without them)")
    template.set_defaults(handler=_template)


def _template(args: argparse.Namespace) -> int:
    from sim.scenario.snapshot import write_snapshot_template

    for path in write_snapshot_template(args.folder):
        print(f"Wrote {path}")
    print(
        "Replace the example rows with your extract (ids only, no names or e-mail addresses); "
        "the columns are described in docs/snapshot.md."
    )
    return 0
