"""Run directories: self-describing results that a reviewer can trace and reproduce.

While a batch runs, each finished replication is appended at once to the run's replication log
(`replications.log`, `sim.runs.replog`) and synced to disk, so a batch stopped by Ctrl-C,
`kill -9` or a dying worker loses only the replications in flight, and `--resume` runs just the
missing ones. At the end the log is gathered, sorted by replication, into the tables of
docs/outputs.md (and then removed):

    manifest.json  scenario.yaml  kpis.parquet  monthly.parquet  summary.csv
    monthly_by_pool.parquet  pools.parquet  failures.csv (if any replication failed)
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import Problem, ScenarioError
from sim.results.kpis import KPI_NAMES
from sim.results.replication import ReplicationOutcome
from sim.results.summary import summarise_kpis
from sim.runs.replog import (
    LOG_NAME,
    Columns,
    Record,
    ReplicationLog,
    encode_outcome,
    json_default,
)

__all__ = [
    "WRITER_LOCK",
    "RunDirectory",
    "claim_directory",
    "json_default",
    "new_output_dir",
    "sha256_of",
    "tables_of",
]


# Run directories are for sharing with reviewers; mkstemp's private 0600 would hide them.
READABLE = 0o644


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that readers see either nothing or all of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, READABLE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_parquet(path: Path, frame: pd.DataFrame) -> None:
    """Write a DataFrame as Parquet, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.chmod(tmp, READABLE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- one writer per directory -------------------------------------------------------------------

# Held (flock) by the one process writing a run or study directory; removed when it is done. A
# process killed with -9 leaves the file but not the lock, so the next writer (`--resume`) takes it.
WRITER_LOCK = ".writer.lock"


def name_slug(name: str, max_chars: int = 48) -> str:
    """A scenario name as a folder-name part a person can read: lower case letters, digits and
    hyphens ('baseline (edited: offer acceptance 70%)' -> 'baseline-edited-offer-acceptance-70')."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    slug = "-".join(words)[:max_chars].strip("-")
    return slug or "scenario"


def new_output_dir(parent: Path, stem: str) -> Path:
    """Create and return a new directory `parent/stem-<time to the microsecond>-<random>`.

    The name is unique per invocation and the directory is created exclusively (`mkdir` fails if it
    exists), so two commands started in the same second never share a default output folder.
    """
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = parent / f"{stem}-{stamp}-{secrets.token_hex(2)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


@contextmanager
def claim_directory(path: Path) -> Iterator[None]:
    """Hold `path` for one writer: create it if need be and lock it, or refuse with a ScenarioError
    naming the directory and the process already writing it.

    The lock is an `flock` on `path/.writer.lock`, so it dies with its process. The file is removed
    on release; a writer that opened it just before then finds on locking that the file it holds is
    no longer the one at the path, and tries again on a fresh one.
    """
    path.mkdir(parents=True, exist_ok=True)
    lock_path = path / WRITER_LOCK
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, READABLE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 512).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise ScenarioError(
                [
                    Problem(
                        "--out",
                        str(path),
                        f"a directory no other run is writing ({holder} is writing it); wait "
                        "for it to finish or choose another --out",
                    )
                ]
            ) from None
        try:
            if os.fstat(fd).st_ino == os.stat(lock_path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)  # the file was removed by the writer we waited for: lock a fresh one
    try:
        os.ftruncate(fd, 0)
        started = dt.datetime.now().isoformat(timespec="seconds")
        os.write(fd, f"process {os.getpid()} on {socket.gethostname()} since {started}".encode())
        yield
    finally:
        lock_path.unlink(missing_ok=True)
        os.close(fd)


class RunDirectory:
    """One batch run on disk."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.parts = self.path / "parts"  # where earlier versions kept finished replications
        self._log: ReplicationLog | None = None

    # --- finished replications ----------------------------------------------------------------

    @property
    def log(self) -> ReplicationLog:
        """The run's replication log (`sim.runs.replog`)."""
        if self._log is None:
            self._log = ReplicationLog(self.path / LOG_NAME)
        return self._log

    def open_for_writing(self) -> None:
        """Get ready to add replications (the run's one writer): cut off a torn tail left by a
        writer that was killed, and carry over replications an earlier version left."""
        self.log.open_for_append()
        self._import_legacy_parts()

    def write_outcome(self, record: bytes) -> None:
        """Persist one replication (a record from `replicate_encoded`) before going on."""
        self.log.append(record)

    def close(self) -> None:
        """Release the replication log (the writer's, at the end of a run)."""
        if self._log is not None:
            self._log.close()

    def _latest(self) -> dict[int, Record]:
        return self.log.latest()

    def completed_reps(self) -> set[int]:
        """Replications already written in full."""
        return {rep for rep, r in self._latest().items() if not r.failed} | self._legacy_reps()

    def failed_reps(self) -> set[int]:
        """Replications that raised (retried on resume)."""
        return {rep for rep, r in self._latest().items() if r.failed}

    def gather(self, reps: list[int]) -> dict[str, pd.DataFrame]:
        """The run's tables for `reps`, sorted by replication."""
        latest = self._latest()
        missing = sorted(set(reps) - set(latest))
        if missing:  # gone since they were listed: the run finished and its log was removed
            raise FileNotFoundError(f"replication {missing[0]} is not in {self.log.path}")
        return tables_of([latest[rep] for rep in sorted(reps)])

    def failures(self) -> pd.DataFrame:
        """Replications that raised, with seed and error text."""
        rows = [
            {"rep": r.rep, "seed": r.seed, "error": r.error}
            for _, r in sorted(self._latest().items())
            if r.failed
        ]
        return pd.DataFrame(rows, columns=["rep", "seed", "error"])

    def finish(self, reps: list[int]) -> pd.DataFrame:
        """Write the final tables and summary; returns the summary."""
        tables = self.gather(reps)
        for name, frame in tables.items():
            atomic_write_parquet(self.path / f"{name}.parquet", frame)
        summary = summarise_kpis(tables["kpis"])
        atomic_write_bytes(self.path / "summary.csv", summary.to_csv(index=False).encode())
        failures = self.failures()
        if len(failures):
            atomic_write_bytes(self.path / "failures.csv", failures.to_csv(index=False).encode())
        return summary

    def remove_parts(self) -> None:
        """Delete the replication log once the final tables are written."""
        self.close()
        (self.path / LOG_NAME).unlink(missing_ok=True)
        shutil.rmtree(self.parts, ignore_errors=True)

    # --- runs interrupted before the log existed ---------------------------------------------

    def _legacy_reps(self) -> set[int]:
        """Replications finished by an earlier version, one file set each in `parts/`."""
        if not self.parts.is_dir():
            return set()
        return {int(p.name[4:10]) for p in self.parts.glob("rep_*.json") if "failed" not in p.name}

    def _import_legacy_parts(self) -> None:
        """Carry replications an earlier version left in `parts/` into the log, so that resuming
        such a run keeps them (and gives the same tables)."""
        reps = sorted(self._legacy_reps())
        if not reps:
            return
        for rep in reps:
            stem = self.parts / f"rep_{rep:06d}"
            record = json.loads(Path(f"{stem}.json").read_text())
            outcome = ReplicationOutcome(
                rep,
                int(record["seed"]),
                record["kpis"],
                pd.read_parquet(f"{stem}.monthly.parquet"),
                pd.read_parquet(f"{stem}.by_pool.parquet"),
                pd.DataFrame(record["pools"]),
            )
            self.log.append(encode_outcome(outcome))
        shutil.rmtree(self.parts)

    # --- manifest ---------------------------------------------------------------------------

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write manifest.json atomically."""
        text = json.dumps(manifest, indent=2, default=json_default, allow_nan=True)
        atomic_write_bytes(self.path / "manifest.json", text.encode())

    def rewrite_manifest_in_place(self, manifest: dict[str, Any]) -> None:
        """Overwrite manifest.json over its own blocks: the fallback when the disk is full and
        the atomic write has no room for its temporary copy (a status change is a few bytes)."""
        text = json.dumps(manifest, indent=2, default=json_default, allow_nan=True).encode()
        fd = os.open(self.path / "manifest.json", os.O_WRONLY)
        try:
            os.write(fd, text)
            os.ftruncate(fd, len(text))
            os.fsync(fd)
        finally:
            os.close(fd)

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, if the directory has one."""
        path = self.path / "manifest.json"
        return json.loads(path.read_text()) if path.is_file() else None


def tables_of(records: list[Record]) -> dict[str, pd.DataFrame]:
    """The run's tables (docs/outputs.md) from finished replications' records, in their order."""
    kpi_rows: list[dict[str, Any]] = []
    pool_rows: list[dict[str, Any]] = []
    for record in records:
        assert record.kpis is not None, f"replication {record.rep} failed"
        kpi_rows.append({"rep": record.rep, "seed": record.seed, **record.kpis})
        pool_rows.extend({"rep": record.rep, **row} for row in record.pools)
    return {
        "kpis": _kpi_table(kpi_rows),
        "pools": _pool_table(pool_rows),
        "monthly": _stacked(records, "monthly"),
        "monthly_by_pool": _stacked(records, "monthly_by_pool"),
    }


def _stacked(records: list[Record], table: str) -> pd.DataFrame:
    """One table of every replication's rows, `rep` first: each column joined in one go."""
    parts: list[Columns] = [getattr(record, table) for record in records]
    if not parts:
        return pd.DataFrame()
    rows = [len(next(iter(columns.values()))) for columns in parts]
    reps = np.array([record.rep for record in records], dtype=np.int64)
    data: Columns = {"rep": np.repeat(reps, rows)}
    for name, first in parts[0].items():
        if isinstance(first, list):  # text
            data[name] = [value for columns in parts for value in columns[name]]
            continue
        values = np.concatenate([columns[name] for columns in parts])
        if values.dtype.kind == "M":
            # Dates to millisecond precision, as the per-replication Parquet files of earlier
            # versions left them, so a run's tables stay byte-identical to runs written before.
            values = values.astype("datetime64[ms]")
        data[name] = values
    return pd.DataFrame(data)


def _kpi_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["rep", "seed", *KPI_NAMES])
    return _typed_verdict(frame)


POOL_VERDICT_COLUMNS = (
    "outruns_capability",
    "outrun_month",
    "monthly_shortfall",
    "monthly_shortfall_month",
    "first_service_miss_month",
)
_VERDICT_FLAGS = ("outruns_capability", "outruns_capability_pooled", "monthly_shortfall")


def _pool_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["rep", "pool", *POOL_VERDICT_COLUMNS])
    return _typed_verdict(frame)


def _typed_verdict(frame: pd.DataFrame) -> pd.DataFrame:
    """Fixed dtypes whatever the values: bool verdicts, nullable whole-number months."""
    for column in frame.columns:
        if column in _VERDICT_FLAGS:
            frame[column] = frame[column].astype(bool)
        elif column.endswith("_month") or column.startswith("outrun_month"):
            months = [
                None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)
                for v in frame[column]
            ]
            frame[column] = pd.array(months, dtype="Int64")
    return frame
