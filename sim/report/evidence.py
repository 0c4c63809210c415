"""The report's evidence, gathered before anything is written: the runs and studies named,
the primary run, and the optimism-bias variant run and paired against it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import Problem, ScenarioError
from sim.results.paired import paired_differences
from sim.runs.executors import Executor
from sim.runs.rundir import atomic_write_bytes, sha256_of
from sim.runs.tables import RunTables
from sim.scenario.schema import Scenario
from sim.studies.compare import with_share_worse
from sim.studies.study import DEFAULT_CACHE, RunCache, finished_run, read_study, study_run_dir

__all__ = [
    "WIDTH",
    "Evidence",
    "ReportRequest",
    "Study",
    "base_label",
    "gather",
    "manifest_sha256",
    "optimism_variant",
    "study_records",
    "write_file",
]


WIDTH = 640  # pixels, for charts made to stretch in the app


@dataclass
class ReportRequest:
    """What to report on and where to write it."""

    inputs: list[Path]
    out: Path
    optimism_bias: float | None = None
    cache: Path = DEFAULT_CACHE
    title: str = ""
    actuals: Path | None = None  # observed monthly series: the "Forecast against actuals" section


@dataclass
class Study:
    """A study directory as read: its study.json (and its SHA-256), runs and tables."""

    path: Path
    study: dict[str, Any]
    runs: dict[str, RunTables]  # point label -> run
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sha256: str = ""

    @property
    def kind(self) -> str:
        return str(self.study["kind"])

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]


@dataclass
class Evidence:
    primary: RunTables
    runs: dict[Path, tuple[RunTables, list[str]]] = field(default_factory=dict)  # roles
    studies: list[Study] = field(default_factory=list)

    def add_run(self, run: RunTables, role: str) -> None:
        _, roles = self.runs.setdefault(run.path, (run, []))
        if role not in roles:
            roles.append(role)

    def of_kind(self, kind: str) -> list[Study]:
        return [s for s in self.studies if s.kind == kind]


def gather(inputs: list[Path]) -> Evidence:
    """Read every input; the first input's run (or its study's base) is the primary run."""
    if not inputs:
        raise ScenarioError([Problem("report", "", "at least one run or study directory")])
    evidence: Evidence | None = None
    for path in inputs:
        study = read_study(path)
        if study is None:
            run = finished_run(path)
            evidence = evidence or Evidence(run)
            evidence.add_run(run, "run")
            continue
        runs = {r["label"]: finished_run(study_run_dir(path, r)) for r in study_records(study)}
        tables = {name: pd.read_csv(Path(path) / f) for name, f in study["tables"].items()}
        digest = sha256_of((Path(path) / "study.json").read_bytes())
        item = Study(Path(path), study, runs, tables, digest)
        evidence = evidence or Evidence(runs[base_label(study)])
        evidence.studies.append(item)
        for label, run in runs.items():
            evidence.add_run(run, f"{study['kind']} {Path(path).name}: {label}")
    assert evidence is not None
    return evidence


def study_records(study: dict[str, Any]) -> list[dict[str, Any]]:
    if study["kind"] == "compare":
        return [study["base"], *study["options"]]
    if study["kind"] == "plan":
        return [study["as_given"], *study["points"]]
    return list(study["points"])


def base_label(study: dict[str, Any]) -> str:
    if study["kind"] == "compare":
        return str(study["base"]["label"])
    if study["kind"] == "plan":
        return str(study["as_given"]["label"])
    return "as given"


def manifest_sha256(run: RunTables) -> str:
    """The SHA-256 of a run's manifest.json: how the report names the exact run it used."""
    return sha256_of((run.path / "manifest.json").read_bytes())


def write_file(path: Path, data: bytes) -> None:
    """Write a report file atomically, readable by others (it is meant to be shared)."""
    atomic_write_bytes(path, data)
    path.chmod(0o644)


def optimism_variant(
    evidence: Evidence,
    variant: Scenario,
    cache_root: Path,
    executor: Executor,
    on_progress: Callable[[int, int], None] | None,
) -> tuple[RunTables, pd.DataFrame]:
    """Run the optimism-bias variant (same seed and reps as the primary) and pair it."""
    primary = evidence.primary
    seed = int(primary.manifest["seed"])
    reps = int(primary.manifest["replications_requested"])
    cache = RunCache(cache_root, executor, seed, reps, on_progress)
    cache.expect(1)
    point = cache.run(variant, variant.name, primary.manifest.get("scenario_file", ""))
    run = finished_run(point.run_dir)
    evidence.add_run(run, f"optimism bias: {variant.name}")
    table = with_share_worse(
        paired_differences(primary.kpis, run.kpis), primary.kpis, run.kpis
    ).assign(base=primary.scenario.name, option=variant.name)
    return run, table
