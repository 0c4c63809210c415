"""The replication log: one append-only file per run holding every finished replication.

A run used to write four files per replication (two Parquet, one JSON, each fsynced and renamed);
for a quarter-second replication that cost the runner's process about 30 ms of CPU per
replication, competing with the workers for the same cores. Now each replication is one record,
encoded by the worker that ran it (`replicate_encoded`), and the runner only appends the bytes to
`replications.log` and syncs them to disk.

A record is framed so that a reader can tell a whole record from a torn one:

    b"CCSR" | header length (u32) | body length (u64) | CRC-32 of header and body (u32)
    header: JSON  {rep, seed, kpis, pools, error, tables: {name: {rows, columns}}}
    body:   each numeric column's raw bytes, in the header's order

A record is complete only once all of it is on disk with its checksum matching, so a runner killed
(even with -9) part-way through an append leaves at most a torn tail, which readers ignore and the
next writer (`--resume`) cuts off before appending. Records are read back to exactly the numbers
and types the model produced; text columns travel in the header. Later records for the same
replication replace earlier ones (a failed replication retried on resume).
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from sim.results.replication import ReplicationOutcome, replicate
from sim.scenario.schema import Scenario

__all__ = [
    "LOG_NAME",
    "Columns",
    "Record",
    "ReplicationLog",
    "decode_record",
    "encode_outcome",
    "record_outcome",
    "replicate_encoded",
]

LOG_NAME = "replications.log"
MAGIC = b"CCSR"
_FRAME = struct.Struct("<4sIQI")  # magic, header bytes, body bytes, CRC-32
TABLES = ("monthly", "monthly_by_pool")


def json_default(value: Any) -> Any:
    """JSON for numpy scalars (and text for anything else)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return str(value)


Columns = dict[str, Any]
"""A table as its columns: name -> numpy array (numbers, booleans, dates) or list of text."""


@dataclass(frozen=True)
class Record:
    """One replication as read back from the log (its tables as columns, ready to stack)."""

    rep: int
    seed: int
    kpis: dict[str, Any] | None
    pools: list[dict[str, Any]]
    monthly: Columns | None
    monthly_by_pool: Columns | None
    error: str | None

    @property
    def failed(self) -> bool:
        """True if the replication raised instead of finishing."""
        return self.error is not None


# --- encoding (in the worker) -------------------------------------------------------------------


def replicate_encoded(payload: tuple[Scenario, int], rep: int) -> bytes:
    """Run replication `rep` and return it as one log record (the executors' task)."""
    return encode_outcome(replicate(payload, rep))


def encode_outcome(outcome: ReplicationOutcome) -> bytes:
    """One replication's outcome as a framed log record."""
    header: dict[str, Any] = {
        "rep": outcome.rep,
        "seed": outcome.seed,
        "error": outcome.error,
        "kpis": outcome.kpis,
        "pools": None if outcome.pool_kpis is None else outcome.pool_kpis.to_dict("records"),
        "tables": {},
    }
    buffers: list[bytes] = []
    for name in TABLES:
        frame = getattr(outcome, name)
        if frame is not None:
            header["tables"][name] = _encode_table(frame, buffers)
    head = json.dumps(header, default=json_default, allow_nan=True).encode()
    body = b"".join(buffers)
    crc = zlib.crc32(body, zlib.crc32(head))
    return _FRAME.pack(MAGIC, len(head), len(body), crc) + head + body


def _encode_table(frame: pd.DataFrame, buffers: list[bytes]) -> dict[str, Any]:
    columns = []
    for name in frame.columns:
        values = frame[name].to_numpy()
        if values.dtype.kind in "biufcmM":  # numbers, booleans, dates: raw bytes
            data = np.ascontiguousarray(values).tobytes()
            buffers.append(data)
            columns.append({"name": name, "dtype": values.dtype.str, "bytes": len(data)})
        else:  # text (pool names): in the header
            text = values.tolist()
            if not all(isinstance(v, str) for v in text):  # never stored as something else
                raise TypeError(f"column {name!r}: numbers, booleans, dates or text only")
            columns.append({"name": name, "text": text})
    return {"rows": len(frame), "columns": columns}


def record_outcome(record: bytes) -> tuple[int, bool]:
    """(rep, failed) of an encoded record, read from its header alone."""
    _magic, head_len, _body_len, _crc = _FRAME.unpack_from(record, 0)
    header = json.loads(record[_FRAME.size : _FRAME.size + head_len])
    return int(header["rep"]), header["error"] is not None


# --- decoding -----------------------------------------------------------------------------------


def decode_record(head: bytes, body: bytes) -> Record:
    """A record from its header and body bytes (already checked)."""
    header = json.loads(head)
    tables: dict[str, Columns] = {}
    view = memoryview(body)
    at = 0
    for name in TABLES:
        layout = header["tables"].get(name)
        if layout is None:
            continue
        data: Columns = {}
        for column in layout["columns"]:
            if "text" in column:
                data[column["name"]] = column["text"]
                continue
            size = column["bytes"]
            # A copy, so the column owns writable memory and the log's buffer can go.
            data[column["name"]] = np.frombuffer(view[at : at + size], column["dtype"]).copy()
            at += size
        tables[name] = data
    return Record(
        rep=int(header["rep"]),
        seed=int(header["seed"]),
        kpis=header["kpis"],
        pools=header["pools"] or [],
        monthly=tables.get("monthly"),
        monthly_by_pool=tables.get("monthly_by_pool"),
        error=header["error"],
    )


def _whole_records(handle: BinaryIO) -> Iterator[tuple[int, bytes, bytes]]:
    """(record size, header, body) of each whole, intact record from the handle's position on,
    read one at a time (a long run's log is never held in memory at once)."""
    while len(frame := handle.read(_FRAME.size)) == _FRAME.size:
        magic, head_len, body_len, crc = _FRAME.unpack(frame)
        if magic != MAGIC:
            return
        head, body = handle.read(head_len), handle.read(body_len)
        if len(head) < head_len or len(body) < body_len:
            return  # torn (or still being written): stop at the last whole record
        if zlib.crc32(body, zlib.crc32(head)) != crc:
            return
        yield _FRAME.size + head_len + body_len, head, body


# --- the file -----------------------------------------------------------------------------------


class ReplicationLog:
    """A run directory's `replications.log`: read by anyone, appended to by its one writer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def read_from(self, offset: int) -> tuple[list[Record], int]:
        """Whole records from byte `offset` on, and the offset just after the last of them."""
        records = []
        try:
            with open(self.path, "rb") as handle:
                handle.seek(offset)
                for size, head, body in _whole_records(handle):
                    records.append(decode_record(head, body))
                    offset += size
        except FileNotFoundError:
            pass
        return records, offset

    def latest(self) -> dict[int, Record]:
        """The last record of each replication in the log."""
        records, _ = self.read_from(0)
        return {record.rep: record for record in records}

    def open_for_append(self) -> None:
        """Open for appending, first cutting off a torn tail left by a writer that was killed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        whole = 0
        with open(fd, "rb", closefd=False) as handle:
            for size, _head, _body in _whole_records(handle):
                whole += size
        if whole < os.fstat(fd).st_size:
            os.ftruncate(fd, whole)
        os.lseek(fd, whole, os.SEEK_SET)
        self._fd = fd

    def append(self, record: bytes) -> None:
        """Add one record and sync it to disk; on failure (a full disk) leave no torn tail."""
        if self._fd is None:
            self.open_for_append()
        assert self._fd is not None
        start = os.lseek(self._fd, 0, os.SEEK_CUR)
        try:
            view = memoryview(record)
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except BaseException:
            try:
                os.ftruncate(self._fd, start)
                os.lseek(self._fd, start, os.SEEK_SET)
            except OSError:
                pass  # readers and the next writer ignore a torn tail anyway
            raise

    def close(self) -> None:
        """Release the file."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
