"""A cache of run directories: a rerun of the same scenario, seed and replications is instant.

The planners' app runs batches with `sim.runs.batch.run_batch`, exactly as `ccs-sim run` does, into
run directories kept under a cache folder, one per (scenario digest, seed, replications):

    <root>/<slug>-<digest[:16]>-s<seed>-r<reps>/          a finished run directory, never changed
    <root>/<slug>-<digest[:16]>-s<seed>-r<reps>.partial/  the same run while it is being written
    <root>/<slug>-<digest[:16]>-s<seed>-r<reps>.lock      held by the one process writing it

The slug is the scenario's name in folder-name letters ('baseline-edited-offer-acceptance-70'), so
a person can tell runs apart; the digest (of the whole scenario, name included) makes the key.

Several app sessions (threads of one server, or several servers) may ask for the same run at
once. The first takes an exclusive lock (`flock`) on the key's lock file and writes into the
`.partial` directory; the others wait on the lock and then find the finished directory. A run
appears under its final name only through one atomic `rename` after its manifest says complete,
so a reader never sees half a run. A run stopped half-way (the browser closed, the server killed)
leaves its `.partial` directory, and the next request for the same key resumes it: `run_batch`'s
resume gives files identical to an uninterrupted run.

The cache is pruned to a size limit (`CCS_CACHE_MAX_BYTES`, default 2 GiB), least recently used
first, each time a new run is added (`prune_cache`; docs/limits.md). A run's "use" is any lookup
that finds it (the app looks up the current run on every page it shows), recorded as the
directory's modification time. Pruning never removes a run used in the last hour
(`CCS_CACHE_KEEP_SECONDS`) nor one whose key is locked (being written, or being pruned by
another process), so a run a session is showing or downloading stays on disk.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import shutil
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.runs.batch import BatchRequest, run_batch, scenario_digest
from sim.runs.executors import Executor
from sim.runs.rundir import RunDirectory, name_slug
from sim.scenario.schema import Scenario

__all__ = [
    "CACHE_DIR_ENV",
    "CACHE_KEEP_SECONDS_ENV",
    "CACHE_MAX_BYTES_ENV",
    "CachedRun",
    "RunOrigin",
    "cache_key",
    "find_cached",
    "partial_dir",
    "prune_cache",
    "replications_on_disk",
    "run_cached",
    "tables_as_csv",
    "zip_run_directory",
]

CACHE_DIR_ENV = "CCS_APP_CACHE_DIR"
"""Environment variable naming the cache folder (tests point it at a temporary folder)."""

CACHE_MAX_BYTES_ENV = "CCS_CACHE_MAX_BYTES"
"""Environment variable: the most bytes of finished runs a cache folder keeps (default 2 GiB)."""
CACHE_KEEP_SECONDS_ENV = "CCS_CACHE_KEEP_SECONDS"
"""Environment variable: runs used this recently are never pruned (default 3600 seconds)."""
DEFAULT_CACHE_MAX_BYTES = 2 * 1024**3
DEFAULT_CACHE_KEEP_SECONDS = 3600.0

FINISHED = ("complete", "complete_with_failures")


@dataclass(frozen=True)
class RunOrigin:
    """Where a scenario came from, for the run's manifest (a reviewer's trail)."""

    scenario_file: str = ""
    scenario_file_sha256: str = ""
    overrides: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CachedRun:
    """A finished run directory and how it was obtained."""

    path: Path
    key: str
    from_cache: bool
    seconds: float
    reps_completed: int
    reps_failed: int


def cache_key(scenario: Scenario, seed: int, reps: int) -> str:
    """The cache folder name of a run: the scenario's name as a slug, its digest (16 hex
    digits), seed and replications."""
    return f"{name_slug(scenario.name)}-{scenario_digest(scenario)[:16]}-s{seed}-r{reps}"


def find_cached(root: Path, scenario: Scenario, seed: int, reps: int) -> CachedRun | None:
    """The finished run of exactly this scenario, seed and replications, if the cache has it."""
    started = time.monotonic()
    key = cache_key(scenario, seed, reps)
    manifest = RunDirectory(root / key).read_manifest()
    if manifest is None or manifest.get("status") not in FINISHED:
        return None
    # The folder name holds 16 hex digits; the manifest holds all 64.
    if manifest.get("scenario_sha256") != scenario_digest(scenario):
        return None
    _mark_used(root / key)
    return CachedRun(
        root / key,
        key,
        True,
        time.monotonic() - started,
        int(manifest.get("replications_completed", 0)),
        int(manifest.get("replications_failed", 0)),
    )


def partial_dir(root: Path, scenario: Scenario, seed: int, reps: int) -> Path:
    """Where the run of (scenario, seed, reps) is written while it runs: read its finished
    replications from there with `sim.runs.tables.RunSoFar` (say, in `on_progress`)."""
    return root / f"{cache_key(scenario, seed, reps)}.partial"


def replications_on_disk(root: Path, scenario: Scenario, seed: int, reps: int) -> int:
    """Replications of (scenario, seed, reps) already written by a run that has not finished
    (stopped, or running in another session): the next request for it carries on from them."""
    partial = RunDirectory(partial_dir(root, scenario, seed, reps))
    manifest = partial.read_manifest()
    if manifest is None or manifest.get("scenario_sha256") != scenario_digest(scenario):
        return 0
    return len(partial.completed_reps())


def run_cached(
    root: Path,
    scenario: Scenario,
    seed: int,
    reps: int,
    make_executor: Callable[[], Executor],
    *,
    origin: RunOrigin | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> CachedRun:
    """The run directory of (scenario, seed, reps): from the cache, or run now and cached.

    `make_executor` is called only if the run is not cached. `on_wait()` is called once if
    another session is already running the same key (this call then waits for it).
    """
    hit = find_cached(root, scenario, seed, reps)
    if hit is not None:
        return hit
    root.mkdir(parents=True, exist_ok=True)
    key = cache_key(scenario, seed, reps)
    with _exclusive(root / f"{key}.lock", on_wait):
        hit = find_cached(root, scenario, seed, reps)  # finished while we waited
        if hit is not None:
            return hit
        run = _run_into_cache(root, key, scenario, seed, reps, make_executor, origin, on_progress)
    prune_cache(root)
    return run


def _run_into_cache(
    root: Path,
    key: str,
    scenario: Scenario,
    seed: int,
    reps: int,
    make_executor: Callable[[], Executor],
    origin: RunOrigin | None,
    on_progress: Callable[[int, int, int], None] | None,
) -> CachedRun:
    started = time.monotonic()
    partial = root / f"{key}.partial"
    resumable = (partial / "manifest.json").is_file()
    if partial.exists() and not resumable:
        shutil.rmtree(partial)  # stopped before its manifest was written: nothing to keep
    origin = origin or RunOrigin()
    request = BatchRequest(
        scenario=scenario,
        seed=seed,
        reps=reps,
        out=partial,
        scenario_file=origin.scenario_file,
        scenario_file_sha256=origin.scenario_file_sha256,
        overrides=list(origin.overrides),
        resume=resumable,
    )
    executor = make_executor()
    try:
        report = run_batch(request, executor, on_progress)
    finally:
        executor.close()
    final = root / key
    os.rename(partial, final)  # atomic: readers see the whole run or none of it
    return CachedRun(
        final,
        key,
        False,
        time.monotonic() - started,
        report.reps_completed,
        report.reps_failed,
    )


@contextmanager
def _exclusive(lock_path: Path, on_wait: Callable[[], None] | None) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path`, between threads as well as processes.

    `flock` locks belong to an open file description, so two sessions (threads) of one server
    each opening the file exclude each other too; the lock dies with its process.
    """
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


# --- pruning -------------------------------------------------------------------------------------


def _mark_used(path: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only cache still serves its runs
        os.utime(path)  # metadata only: the run's files are never changed


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value >= 0 else default


def _size_of(path: Path) -> int:
    total = 0
    for file in path.rglob("*"):
        try:
            total += file.stat().st_size if file.is_file() else 0
        except OSError:
            continue
    return total


def prune_cache(
    root: Path, max_bytes: int | None = None, keep_seconds: float | None = None
) -> list[str]:
    """Remove least recently used finished runs until the cache holds at most `max_bytes`.

    Runs used in the last `keep_seconds`, and runs whose key is locked, are never removed.
    Returns the keys removed. Defaults come from `CCS_CACHE_MAX_BYTES` and
    `CCS_CACHE_KEEP_SECONDS`.
    """
    if max_bytes is None:
        max_bytes = int(_env_number(CACHE_MAX_BYTES_ENV, DEFAULT_CACHE_MAX_BYTES))
    if keep_seconds is None:
        keep_seconds = _env_number(CACHE_KEEP_SECONDS_ENV, DEFAULT_CACHE_KEEP_SECONDS)
    runs = []
    for path in root.iterdir() if root.is_dir() else []:
        if path.is_dir() and "." not in path.name:  # finished runs only, not .partial
            try:
                runs.append((path.stat().st_mtime, path, _size_of(path)))
            except OSError:
                continue
    total = sum(size for _, _, size in runs)
    removed: list[str] = []
    now = time.time()
    for used, path, size in sorted(runs):
        if total <= max_bytes:
            break
        if now - used < keep_seconds or not _remove_unless_locked(path):
            continue
        total -= size
        removed.append(path.name)
    return removed


def _remove_unless_locked(path: Path) -> bool:
    """Remove a finished run if nobody holds its key's lock (taking the lock meanwhile)."""
    fd = os.open(path.parent / f"{path.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        doomed = path.parent / f"{path.name}.pruning"
        try:
            os.rename(path, doomed)  # atomic: a reader sees the whole run or none of it
        except OSError:
            return False
        shutil.rmtree(doomed, ignore_errors=True)
        return True
    finally:
        os.close(fd)


# --- downloads ----------------------------------------------------------------------------------


def zip_run_directory(path: Path) -> bytes:
    """A run directory as a zip file (in memory), inside a folder of the run's own name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            archive.write(file, Path(path.name) / file.relative_to(path))
    return buffer.getvalue()


def tables_as_csv(path: Path) -> dict[str, bytes]:
    """Each table of a run directory as CSV: `summary.csv` as written, Parquet tables converted."""
    tables: dict[str, bytes] = {}
    summary = path / "summary.csv"
    if summary.is_file():
        tables["summary.csv"] = summary.read_bytes()
    for name in ("kpis", "monthly", "monthly_by_pool", "pools"):
        parquet = path / f"{name}.parquet"
        if parquet.is_file():
            tables[f"{name}.csv"] = pd.read_parquet(parquet).to_csv(index=False).encode()
    failures = path / "failures.csv"
    if failures.is_file():
        tables["failures.csv"] = failures.read_bytes()
    return tables
