"""Studies: comparisons, sweeps and plans on disk, each point an ordinary, cached run directory.

A study (`ccs-sim compare`, `sweep` or `plan`) runs several scenarios with one seed and one number
of replications, so that replication `rep` of every scenario sees the same arrivals (common random
numbers). Each scenario it runs is a plain run directory written by `run_batch`, with its own
manifest, so every figure a report draws from a study traces to a run that `ccs-sim reproduce`
can repeat. The study directory adds `study.json` (what was asked, and which run each point is)
and the tables and charts of its results.

Runs are cached (`sim.runs.cache`, shared with the app) by what determines their results: the
resolved scenario's digest, the seed and the number of replications. A sweep that meets a
scenario another study (or an earlier point) already ran reuses that run directory instead of
running it again, and an interrupted run is resumed. The cache lives under `runs/cache/` unless
`--cache` says otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import Problem, ScenarioError
from sim.runs.batch import model_version, scenario_digest
from sim.runs.cache import RunOrigin, run_cached
from sim.runs.executors import Executor, Task
from sim.runs.limits import MAX_STUDY_REPLICATIONS
from sim.runs.rundir import RunDirectory, atomic_write_bytes, json_default, sha256_of
from sim.runs.tables import RunTables, load_run
from sim.scenario.levers import LeverSetting, apply_levers
from sim.scenario.schema import Scenario

__all__ = [
    "DEFAULT_CACHE",
    "PointRun",
    "RunCache",
    "finished_run",
    "read_study",
    "study_run_dir",
    "write_study",
]

DEFAULT_CACHE = Path("runs") / "cache"
STUDY_FILE = "study.json"

# (replications done so far in the study, replications the study needs as known so far)
StudyProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class PointRun:
    """One scenario of a study and the run directory that holds its results."""

    label: str
    run_dir: Path
    scenario: Scenario
    scenario_sha256: str
    manifest_sha256: str
    cached: bool

    def kpis(self) -> pd.DataFrame:
        """One row per replication (`rep`, `seed`, KPIs)."""
        return pd.read_parquet(self.run_dir / "kpis.parquet")

    def summary(self) -> pd.DataFrame:
        """The run's `summary.csv`."""
        return pd.read_csv(self.run_dir / "summary.csv")

    def record(self, study_dir: Path, **extra: Any) -> dict[str, Any]:
        """How `study.json` names this run (its path relative to the study directory)."""
        return {
            "label": self.label,
            **extra,
            "run_dir": os.path.relpath(self.run_dir.resolve(), study_dir.resolve()),
            "scenario_name": self.scenario.name,
            "scenario_sha256": self.scenario_sha256,
            "manifest_sha256": self.manifest_sha256,
            "cached": self.cached,
        }


class _Lent:
    """The study's executor lent to `run_cached`, which closes what it is given after each run;
    the study keeps one executor (one Dask client, say) for all its points and closes it itself."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.description = executor.description

    def run(self, task: Task, payload: Any, reps: Iterable[int]) -> Iterator[tuple[int, Any]]:
        return self.executor.run(task, payload, reps)

    def close(self) -> None:
        pass


class RunCache:
    """Runs scenarios with one seed and number of replications through the shared run cache
    (`sim.runs.cache`, also used by the app), so a finished run is never run again."""

    def __init__(
        self,
        root: Path,
        executor: Executor,
        seed: int,
        reps: int,
        on_progress: StudyProgress | None = None,
    ) -> None:
        self.root = Path(root)
        self.executor = executor
        self.seed = seed
        self.reps = reps
        self.on_progress = on_progress
        self.done = 0  # replications finished in this study, cached ones included
        self.planned = 0

    def expect(self, points: int) -> None:
        """Say that `points` more scenarios are coming (for the progress total).

        Raises ScenarioError, before any of them runs, if the study would then need more than
        `MAX_STUDY_REPLICATIONS` replications in all."""
        if self.planned + points * self.reps > MAX_STUDY_REPLICATIONS:
            raise ScenarioError(
                [
                    Problem(
                        "--reps",
                        f"{points:,} scenario runs x {self.reps:,} replications "
                        f"(+{self.planned:,} already planned)",
                        f"at most {MAX_STUDY_REPLICATIONS:,} replications in one study "
                        "(MAX_STUDY_REPLICATIONS): fewer values, levers or replications",
                    )
                ]
            )
        self.planned += points * self.reps
        self._report(self.done)

    def run(
        self,
        scenario: Scenario,
        label: str,
        scenario_file: str = "",
        overrides: list[str] | None = None,
    ) -> PointRun:
        """The finished run of `scenario`: from the cache, resumed, or run now."""
        start = self.done
        origin = RunOrigin(scenario_file, _file_sha256(scenario_file), list(overrides or []))
        cached = run_cached(
            self.root,
            scenario,
            self.seed,
            self.reps,
            lambda: _Lent(self.executor),
            origin=origin,
            on_progress=lambda done, _failed, _total: self._report(start + done),
        )
        if cached.reps_failed:
            raise ScenarioError(
                [
                    Problem(
                        label,
                        f"{cached.reps_failed} failed replication(s)",
                        f"every replication to finish; see {cached.path / 'failures.csv'}",
                    )
                ]
            )
        self.done = start + self.reps
        self._report(self.done)
        return PointRun(
            label,
            cached.path,
            scenario,
            scenario_digest(scenario),
            sha256_of((cached.path / "manifest.json").read_bytes()),
            cached.from_cache,
        )

    def run_setting(
        self, scenario: Scenario, setting: LeverSetting, scenario_file: str, overrides: list[str]
    ) -> PointRun:
        """The finished run of `scenario` with its levers set as `setting`, labelled by the
        setting; its origin is the scenario file with the setting's values as further overrides."""
        setting_overrides = [*overrides, *(f"{k}={v}" for k, v in setting.values)]
        return self.run(
            apply_levers(scenario, setting), setting.label(), scenario_file, setting_overrides
        )

    def _report(self, done: int) -> None:
        if self.on_progress is not None:
            self.on_progress(done, max(self.planned, done))


def _file_sha256(path: str) -> str:
    try:
        return sha256_of(Path(path).read_bytes()) if path else ""
    except OSError:
        return ""


# --- study directories --------------------------------------------------------------------------


def write_study(out: Path, kind: str, body: dict[str, Any]) -> Path:
    """Write `study.json` (kind, when, model version, then `body`) into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    study = {
        "kind": kind,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model_version": model_version(),
        **body,
    }
    text = json.dumps(study, indent=2, default=json_default, allow_nan=True)
    atomic_write_bytes(out / STUDY_FILE, text.encode())
    return out / STUDY_FILE


def read_study(path: Path) -> dict[str, Any] | None:
    """The study a directory holds, or None if it holds none."""
    file = Path(path) / STUDY_FILE
    return json.loads(file.read_text()) if file.is_file() else None


def study_run_dir(study_dir: Path, record: dict[str, Any]) -> Path:
    """The run directory a point of a study refers to (checked to exist)."""
    run_dir = (Path(study_dir) / record["run_dir"]).resolve()
    if not (run_dir / "manifest.json").is_file():
        raise ScenarioError(
            [
                Problem(
                    str(study_dir),
                    record["run_dir"],
                    "the run directories a study used (keep runs/cache with the study, or "
                    "rerun the study to rebuild them)",
                )
            ]
        )
    return run_dir


def finished_run(path: Path) -> RunTables:
    """A finished run directory's tables (`sim.runs.tables.load_run`), or a ScenarioError saying
    why
    the directory cannot be used."""
    path = Path(path)
    manifest = RunDirectory(path).read_manifest()
    if manifest is None:
        raise ScenarioError([Problem(str(path), "", "a run or study directory (no manifest.json)")])
    if not str(manifest.get("status", "")).startswith("complete"):
        raise ScenarioError(
            [Problem(str(path), str(manifest.get("status")), "a finished run (add --resume)")]
        )
    return load_run(path)
