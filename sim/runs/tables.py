"""Reading a run directory: its tables, manifest and scenario (finished, or so far).

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
from sim.runs.replog import LOG_NAME, Record, ReplicationLog
from sim.runs.rundir import RunDirectory, tables_of
from sim.scenario.files import parse_scenario
from sim.scenario.schema import Scenario

__all__ = ["RunSoFar", "RunTables", "load_finished_so_far", "load_run"]


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

    Safe while the run's writer is working: a replication counts once its whole record is in the
    run's replication log. None too if the run finished and moved meanwhile (read it with
    `load_run`). To follow a run as it goes, keep a `RunSoFar` and call its `read()` instead:
    it decodes only the replications added since its last call.
    """
    return RunSoFar(path).read()


class RunSoFar:
    """The finished replications of a run still being written, read incrementally.

    Each `read()` decodes only the records appended to the run's replication log since the
    previous one (about a millisecond per new replication), so it can be called after every
    replication (say, from `run_batch`'s `on_progress`). A reader never disturbs the writer: it
    opens the log read-only and stops at the last whole record. Once the run has finished and its
    log is gone, it keeps returning what it read last.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._log = ReplicationLog(self.path / LOG_NAME)
        self._offset = 0
        self._latest: dict[int, Record] = {}
        self._manifest: dict[str, Any] | None = None
        self._tables: RunTables | None = None

    def read(self) -> RunTables | None:
        """The replications finished so far, sorted by replication; None before the first."""
        if self._manifest is None:
            self._manifest = RunDirectory(self.path).read_manifest()
            if self._manifest is None:
                return None
        records, self._offset = self._log.read_from(self._offset)
        for record in records:
            self._latest[record.rep] = record
        if records or self._tables is None:
            latest = self._latest
            done = [latest[rep] for rep in sorted(latest) if not latest[rep].failed]
            self._tables = self._as_run(tables_of(done)) if done else None
        return self._tables

    def _as_run(self, tables: dict[str, pd.DataFrame]) -> RunTables:
        manifest = self._manifest
        assert manifest is not None
        return RunTables(
            path=self.path,
            manifest=manifest,
            scenario=parse_scenario(manifest["scenario"], source=str(self.path / "manifest.json")),
            summary=summarise_kpis(tables["kpis"]),
            kpis=tables["kpis"],
            monthly=tables["monthly"],
            monthly_by_pool=tables["monthly_by_pool"],
            pools=tables["pools"],
        )
