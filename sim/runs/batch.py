"""Monte Carlo batches: run replications on an executor into a run directory, resumably.

The command line's `ccs-sim run` and the app both call `run_batch`. Replication seeds are fixed
before dispatch (replication `rep` of seed `S` is always the same), every finished replication is
on disk at once, and the final tables are sorted by replication, so the files are bit-identical
whatever the executor, the number of workers, or how often the run was interrupted and resumed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import socket
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import Problem, ScenarioError
from sim.results.kpis import in_group
from sim.results.summary import mean_ci
from sim.runs.executors import Executor
from sim.runs.replog import record_outcome, replicate_encoded
from sim.runs.rundir import WRITER_LOCK, RunDirectory, claim_directory, sha256_of
from sim.scenario.files import scenario_to_yaml
from sim.scenario.schema import Scenario, scenario_fields

__all__ = ["BatchReport", "BatchRequest", "run_batch"]

PRECISION_BATCH = 10  # replications between precision checks: fixed, so results never depend
# on the number of workers

PACKAGES = ("simpy", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "pyyaml", "dask")


@dataclass
class BatchRequest:
    """What to run and where to write it."""

    scenario: Scenario
    seed: int
    reps: int
    out: Path
    scenario_file: str = ""
    scenario_file_sha256: str = ""
    overrides: list[str] = field(default_factory=list)
    resume: bool = False
    precision: float | None = None


@dataclass
class BatchReport:
    """How a batch ended."""

    reps_completed: int
    reps_failed: int
    summary: pd.DataFrame
    precision_met: bool | None
    run_dir: Path


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario's YAML: equal scenarios, equal digests."""
    return sha256_of(scenario_to_yaml(scenario).encode())


def run_batch(
    request: BatchRequest,
    executor: Executor,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> BatchReport:
    """Run (or resume) a batch; `on_progress(done, failed, total)` after each replication.

    The run directory is claimed for this process first: a second writer is refused at once.
    """
    with claim_directory(Path(request.out)):
        return _run_claimed(request, executor, on_progress)


def _run_claimed(
    request: BatchRequest,
    executor: Executor,
    on_progress: Callable[[int, int, int], None] | None,
) -> BatchReport:
    run_dir = RunDirectory(request.out)
    existing = run_dir.read_manifest()
    if request.resume and existing is not None and existing.get("status") == "complete":
        return _already_complete(request, run_dir, existing)
    manifest = _start(request, run_dir, executor)
    run_dir.open_for_writing()
    done = run_dir.completed_reps()
    failed: set[int] = set()

    def report(record: bytes) -> None:
        run_dir.write_outcome(record)
        rep, rep_failed = record_outcome(record)
        (failed.add if rep_failed else done.add)(rep)
        if not rep_failed:
            failed.discard(rep)
        if on_progress:
            on_progress(len(done) + len(failed), len(failed), request.reps)

    if on_progress:
        on_progress(len(done), 0, request.reps)
    precision_met = None
    payload = (request.scenario, request.seed)
    try:
        if request.precision is None:
            _run_reps(executor, payload, [r for r in range(request.reps) if r not in done], report)
        else:
            precision_met = _run_to_precision(request, executor, payload, done, report, run_dir)
        finished = sorted(r for r in done if r < _reps_used(request, done))
        summary = run_dir.finish(finished)  # a full disk shows here too: the tables are large
    except BaseException:
        run_dir.close()
        _mark_interrupted(run_dir, manifest, len(done))
        raise
    run_dir.close()
    manifest.update(
        status="complete" if not failed else "complete_with_failures",
        finished_at=_now(),
        replications_completed=len(finished),
        replications_failed=len(failed),
        precision_met=precision_met,
    )
    run_dir.write_manifest(manifest)
    if not failed:
        run_dir.remove_parts()
    return BatchReport(len(finished), len(failed), summary, precision_met, run_dir.path)


def _mark_interrupted(run_dir: RunDirectory, manifest: dict[str, Any], completed: int) -> None:
    """Say in the manifest that the run stopped part-way, so that --resume carries on. If even
    that cannot be written, the manifest keeps saying "running", which --resume treats the same
    way; the error that stopped the run is the one to report, so this one is not raised."""
    manifest.update(status="interrupted", replications_completed=completed)
    try:
        run_dir.write_manifest(manifest)
    except OSError:
        with contextlib.suppress(OSError):
            run_dir.rewrite_manifest_in_place(manifest)


def _already_complete(
    request: BatchRequest, run_dir: RunDirectory, existing: dict[str, Any]
) -> BatchReport:
    _check_resumable(existing, request, scenario_digest(request.scenario))
    if existing.get("replications_requested") != request.reps:
        raise ScenarioError(
            [
                Problem(
                    "--reps",
                    str(request.reps),
                    f"{existing.get('replications_requested')}, as the finished run had; "
                    "start a new --out directory for a different number",
                )
            ],
            str(request.out),
        )
    return BatchReport(
        int(existing.get("replications_completed", 0)),
        int(existing.get("replications_failed", 0)),
        pd.read_csv(run_dir.path / "summary.csv"),
        existing.get("precision_met"),
        run_dir.path,
    )


def _reps_used(request: BatchRequest, done: set[int]) -> int:
    if request.precision is None:
        return request.reps
    return max(done) + 1 if done else 0


def _run_reps(
    executor: Executor,
    payload: tuple[Scenario, int],
    reps: Iterable[int],
    report: Callable[[bytes], None],
) -> None:
    reps = list(reps)
    if reps:
        for _rep, record in executor.run(replicate_encoded, payload, reps):
            report(record)


def _run_to_precision(
    request: BatchRequest,
    executor: Executor,
    payload: tuple[Scenario, int],
    done: set[int],
    report: Callable[[bytes], None],
    run_dir: RunDirectory,
) -> bool:
    """Add replications in fixed-size batches until every headline KPI is precise enough."""
    upto = 0
    while upto < request.reps:
        upto = min(upto + PRECISION_BATCH, request.reps)
        _run_reps(executor, payload, [r for r in range(upto) if r not in done], report)
        if _precise_enough(run_dir, sorted(r for r in done if r < upto), request.precision):
            # Drop any replications beyond this point left by an earlier, longer attempt.
            done.intersection_update(range(upto))
            return True
    return False


def _precise_enough(run_dir: RunDirectory, reps: list[int], relative: float | None) -> bool:
    if relative is None or len(reps) < 2:
        return False
    kpis = run_dir.gather(reps)["kpis"]
    for name in in_group("precision"):
        mean, low, high = mean_ci(kpis[name].to_numpy(dtype=float))
        if np.isnan(mean) or mean == 0:
            continue
        if np.isnan(low) or (high - low) / 2 > relative * abs(mean):
            return False
    return True


def _start(request: BatchRequest, run_dir: RunDirectory, executor: Executor) -> dict[str, Any]:
    digest = scenario_digest(request.scenario)
    existing = run_dir.read_manifest()
    if existing is not None and not request.resume:
        raise ScenarioError(
            [Problem("--out", str(run_dir.path), "an empty or new directory, or add --resume")]
        )
    if existing is not None:
        _check_resumable(existing, request, digest)
    if (
        existing is None
        and request.resume
        and run_dir.path.exists()
        and any(p.name != WRITER_LOCK for p in run_dir.path.iterdir())
    ):
        raise ScenarioError(
            [Problem("--resume", str(run_dir.path), "a run directory written by ccs-sim run")]
        )
    run_dir.path.mkdir(parents=True, exist_ok=True)
    (run_dir.path / "scenario.yaml").write_text(scenario_to_yaml(request.scenario))
    manifest = {
        "model": "ccs-sim",
        "model_version": model_version(),
        **git_state(),
        "scenario_name": request.scenario.name,
        "scenario_file": request.scenario_file,
        "scenario_file_sha256": request.scenario_file_sha256,
        "scenario_sha256": digest,
        "overrides": request.overrides,
        "seed": request.seed,
        "replications_requested": request.reps,
        "precision": request.precision,
        "replication_seeding": "numpy SeedSequence(seed, spawn_key=(rep,))",
        "started_at": (existing or {}).get("started_at", _now()),
        "resumed_at": _now() if existing else None,
        "finished_at": None,
        "status": "running",
        "executor": executor.description,
        "packages": _package_versions(),
        "host": _host(),
        "scenario": scenario_fields(request.scenario),
    }
    run_dir.write_manifest(manifest)
    return manifest


def _check_resumable(existing: dict[str, Any], request: BatchRequest, digest: str) -> None:
    problems = []
    if existing.get("scenario_sha256") != digest:
        problems.append(
            Problem("--resume", "a different scenario", "the scenario the run started with")
        )
    if existing.get("seed") != request.seed:
        problems.append(
            Problem("--seed", str(request.seed), f"the run's own seed, {existing.get('seed')}")
        )
    if problems:
        raise ScenarioError(problems, str(request.out))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def model_version() -> str:
    """The installed ccs-sim version."""
    try:
        return metadata.version("ccs-sim")
    except metadata.PackageNotFoundError:
        return "unknown"


def git_state() -> dict[str, Any]:
    """The commit this code came from and whether the tree had changes (None if unknown)."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": None, "git_dirty": None}
    return {"git_commit": commit, "git_dirty": bool(dirty)}


def _package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _host() -> dict[str, Any]:
    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }
