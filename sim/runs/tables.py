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

from sim.scenario.files import parse_scenario
from sim.scenario.schema import Scenario

__all__ = ["RunTables", "load_run"]


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
