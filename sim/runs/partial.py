"""Results so far: the replications a run has finished, read while it is still running.

A run directory being written holds its finished replications in its replication log
(`sim.runs.replog`). `RunSoFar` reads them into the same tables a finished run has
(`sim.runs.rundir.tables_of`: `kpis`, `pools`, `monthly`, `monthly_by_pool`), so a caller can
draw the verdict, the KPI cards and the fans from the first few replications and redraw them as
the rest come in. Reading is incremental: each `read()` decodes only the records appended since
the previous one, so polling after every replication costs about a millisecond per new
replication, not a re-read of the run.

A reader never disturbs the writer: it opens the log read-only and stops at the last whole
record (one being appended is picked up next time). Once the run finishes, its log is removed
(and, in the app's cache, the directory renamed); the reader keeps what it has read and
`finished` says the final tables are ready to load with `sim.runs.tables.load_run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.runs.replog import LOG_NAME, Record, ReplicationLog
from sim.runs.rundir import tables_of

__all__ = ["ResultsSoFar", "RunSoFar"]


@dataclass(frozen=True)
class ResultsSoFar:
    """The finished replications of a run, as the run's own tables, sorted by replication."""

    reps: list[int]
    failed: list[int]
    kpis: pd.DataFrame
    pools: pd.DataFrame
    monthly: pd.DataFrame
    monthly_by_pool: pd.DataFrame

    @property
    def replications(self) -> int:
        """Replications finished so far (failed ones not counted)."""
        return len(self.reps)


class RunSoFar:
    """Incremental reader of a run directory that may still be being written."""

    def __init__(self, run_dir: str | Path) -> None:
        self.run_dir = Path(run_dir)
        self._log = ReplicationLog(self.run_dir / LOG_NAME)
        self._offset = 0
        self._latest: dict[int, Record] = {}
        self._cached: ResultsSoFar | None = None

    @property
    def finished(self) -> bool:
        """True once the run's final tables are written (read them with `load_run`)."""
        return (self.run_dir / "summary.csv").is_file() and not self._log.path.exists()

    def read(self) -> ResultsSoFar:
        """The replications finished so far (only new records are decoded)."""
        records, self._offset = self._log.read_from(self._offset)
        if records or self._cached is None:
            for record in records:
                self._latest[record.rep] = record
            done = sorted(rep for rep, r in self._latest.items() if not r.failed)
            tables = tables_of([self._latest[rep] for rep in done])
            self._cached = ResultsSoFar(
                reps=done,
                failed=sorted(rep for rep, r in self._latest.items() if r.failed),
                kpis=tables["kpis"],
                pools=tables["pools"],
                monthly=tables["monthly"],
                monthly_by_pool=tables["monthly_by_pool"],
            )
        return self._cached
