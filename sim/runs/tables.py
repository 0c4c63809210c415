"""Reading a finished run directory: its tables, manifest and scenario.

The files are those `sim.runs.batch.run_batch` writes (docs/outputs.md). The app, the report and
the studies read runs through `load_run`, so none of them needs chart code to get at a run.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.results.summary import summarise_kpis
from sim.runs.rundir import RunDirectory
from sim.scenario.files import parse_scenario
from sim.scenario.schema import Scenario

__all__ = ["RunTables", "load_finished_so_far", "load_run"]


@dataclass(frozen=True)
class RunTables:
    """A run directory's tables, manifest and scenario, as written by `sim.runs.batch.run_batch`."""

    path: Path
    manifest: dict[str, Any]
    scenario: Scenario
    summary: pd.DataFrame
    kpis: pd.DataFrame
    monthly: pd.DataFrame
    monthly_by_pool: pd.DataFrame
    pools: pd.DataFrame

    @property
    def start_date(self) -> dt.date:
        """First day of the simulated period."""
        return self.scenario.run.start_date

    @property
    def replications(self) -> int:
        """Replications that finished."""
        return len(self.kpis)


def load_run(path: str | Path) -> RunTables:
    """Read a finished run directory."""
    path = Path(path)
    manifest = json.loads((path / "manifest.json").read_text())
    return RunTables(
        path=path,
        manifest=manifest,
        scenario=parse_scenario(manifest["scenario"], source=str(path / "manifest.json")),
        summary=pd.read_csv(path / "summary.csv"),
        kpis=pd.read_parquet(path / "kpis.parquet"),
        monthly=pd.read_parquet(path / "monthly.parquet"),
        monthly_by_pool=pd.read_parquet(path / "monthly_by_pool.parquet"),
        pools=pd.read_parquet(path / "pools.parquet"),
    )


def load_finished_so_far(path: str | Path) -> RunTables | None:
    """The replications of a run that has not finished (still being written, or stopped) that are
    complete on disk, as the same tables a finished run has; None if none has finished yet.

    Safe while the run's writer is working: a replication counts once its record, written last,
    is in place. None too if the run finished and moved meanwhile (read it with `load_run`).
    """
    run_dir = RunDirectory(path)
    try:
        manifest = run_dir.read_manifest()
        reps = sorted(run_dir.completed_reps())
        if manifest is None or not reps:
            return None
        tables = run_dir.gather(reps)
    except FileNotFoundError:  # the run finished and its parts were removed or moved
        return None
    return RunTables(
        path=Path(path),
        manifest=manifest,
        scenario=parse_scenario(manifest["scenario"], source=str(Path(path) / "manifest.json")),
        summary=summarise_kpis(tables["kpis"]),
        kpis=tables["kpis"],
        monthly=tables["monthly"],
        monthly_by_pool=tables["monthly_by_pool"],
        pools=tables["pools"],
    )
