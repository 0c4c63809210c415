"""Reproduce a run directory from its manifest and scenario, and say whether it is bit-identical.

A reviewer's check a year later: the run is repeated (seed, replications, precision target and
resolved scenario from the directory itself) into a fresh directory, and its tables are compared
byte for byte with the originals; where they differ, the first differing values are reported.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import Problem, ScenarioError
from sim.runs.batch import BatchRequest, run_batch, scenario_digest
from sim.runs.executors import Executor
from sim.runs.rundir import RunDirectory, sha256_of
from sim.scenario.files import parse_scenario, read_run_scenario_data

__all__ = ["Reproduction", "reproduce"]

COMPARED = ("kpis.parquet", "monthly.parquet", "monthly_by_pool.parquet", "pools.parquet")


@dataclass
class Reproduction:
    """The outcome of reproducing a run."""

    identical: bool
    differences: list[str]
    manifest: dict[str, Any]


def reproduce(run_dir: str | Path, executor: Executor) -> Reproduction:
    """Rerun `run_dir` and compare its tables with the originals."""
    original = RunDirectory(run_dir)
    manifest = original.read_manifest()
    if manifest is None:
        raise ScenarioError([Problem("DIR", str(run_dir), "a run directory with manifest.json")])
    if manifest.get("status") != "complete":
        raise ScenarioError(
            [
                Problem(
                    "DIR", str(manifest.get("status")), "a complete run (finish it with --resume)"
                )
            ]
        )
    scenario = parse_scenario(read_run_scenario_data(original.path / "scenario.yaml"))
    with tempfile.TemporaryDirectory(prefix="ccs-reproduce-") as scratch:
        request = BatchRequest(
            scenario=scenario,
            seed=int(manifest["seed"]),
            reps=int(manifest["replications_requested"]),
            out=Path(scratch) / "run",
            precision=manifest.get("precision"),
        )
        run_batch(request, executor)
        differences = [
            d for name in COMPARED for d in _compare(original.path / name, request.out / name)
        ]
    if manifest.get("scenario_sha256") not in (None, scenario_digest(scenario)):
        differences.insert(0, "scenario.yaml no longer matches the manifest's scenario_sha256")
    return Reproduction(not differences, differences, manifest)


def _compare(first: Path, second: Path) -> list[str]:
    if not first.exists():
        return [f"{first.name}: missing from the original run"]
    if sha256_of(first.read_bytes()) == sha256_of(second.read_bytes()):
        return []
    a, b = pd.read_parquet(first), pd.read_parquet(second)
    if a.shape != b.shape or list(a.columns) != list(b.columns):
        return [f"{first.name}: shape {a.shape} became {b.shape}"]
    for column in a.columns:
        left, right = a[column], b[column]
        same = (left == right) | (left.isna() & right.isna())
        if not bool(same.all()):
            row = int((~same).to_numpy().argmax())
            return [
                f"{first.name}: column {column!r} differs first at row {row}: "
                f"{left.iloc[row]!r} was {right.iloc[row]!r} on rerun"
            ]
    return [f"{first.name}: values equal but bytes differ (file format or metadata)"]
