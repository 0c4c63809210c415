"""A snapshot uploaded to the app: a zip of the snapshot folder (or of its five CSV files), or
the files themselves (packed into a zip by `pack_files`), read and checked in the app's capped
reading process (`sim.scenario.uploads.read_isolated`) exactly as `load_snapshot` reads a folder
for `ccs-sim run --snapshot`: the same checks, the same problems (file, row, column), the same
SHA-256 over the five files, so `apply_snapshot` gives the same scenario.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sim.errors import Problem, ScenarioError
from sim.scenario.files import parse_scenario
from sim.scenario.schema import Scenario, scenario_fields
from sim.scenario.snapshot import SNAPSHOT_FILES, Snapshot, load_snapshot
from sim.scenario.snapshot_csv import MAX_SNAPSHOT_FILE_BYTES
from sim.scenario.uploads import read_isolated

__all__ = [
    "MAX_SNAPSHOT_UPLOAD_BYTES",
    "pack_files",
    "read_snapshot_upload",
    "snapshot_upload_answer",
]

MAX_SNAPSHOT_UPLOAD_BYTES = 20 * 1024 * 1024
"""An upload (the zip, or the files together): tens of thousands of people and cases fit."""
READER = "sim.scenario.snapshot_upload:snapshot_upload_answer"


def pack_files(files: dict[str, bytes]) -> bytes:
    """Files uploaded one by one (name -> bytes), as the zip a folder would give."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(Path(name).name, content)
    return buffer.getvalue()


def _members(archive: zipfile.ZipFile, file_name: str) -> dict[str, zipfile.ZipInfo]:
    """The snapshot's files in a zip, found by name in any one folder of it."""
    found: dict[str, zipfile.ZipInfo] = {}
    problems = []
    for info in archive.infolist():
        name = Path(info.filename).name
        if info.is_dir() or name not in SNAPSHOT_FILES:
            continue
        if name in found:
            given = f"{found[name].filename} and {info.filename}"
            problems.append(Problem(f"{file_name}: {name}", given, "one file of each name"))
        elif info.file_size > MAX_SNAPSHOT_FILE_BYTES:
            size = f"{info.file_size:,} bytes unpacked"
            problems.append(Problem(name, size, f"at most {MAX_SNAPSHOT_FILE_BYTES:,} bytes"))
        found[name] = info
    if problems:
        raise ScenarioError(problems)
    return found


def snapshot_upload_answer(
    content: bytes, file_name: str, scenario: dict[str, Any]
) -> dict[str, Any]:
    """In the reading process: the zip's five files checked against the scenario (its data) by
    `load_snapshot`; the date, the rows and the SHA-256, as plain data."""
    checked = parse_scenario(scenario, source="the scenario")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        allowed = "a zip of the snapshot folder, or its five CSV files (docs/snapshot.md)"
        raise ScenarioError([Problem(file_name, "a file that is not a zip", allowed)]) from None
    with archive, tempfile.TemporaryDirectory(prefix="ccs-snapshot-") as folder:
        for name, info in _members(archive, file_name).items():
            (Path(folder) / name).write_bytes(archive.read(info))
        snapshot = load_snapshot(folder, checked)
    return {"date": snapshot.date.isoformat(), "rows": snapshot.rows, "sha256": snapshot.sha256}


def read_snapshot_upload(content: bytes, file_name: str, scenario: Scenario) -> Snapshot:
    """An uploaded snapshot (a zip), checked against `scenario` in the capped reading process;
    ScenarioError names each problem by file, row and column. The snapshot is named after the
    upload without its suffix ('snapshot.zip' -> 'snapshot', as the folder it was made from)."""
    params = {"scenario": scenario_fields(scenario)}
    data = read_isolated(READER, content, file_name, params, MAX_SNAPSHOT_UPLOAD_BYTES)
    folder = Path(Path(file_name).stem or "snapshot")
    return Snapshot(folder, dt.date.fromisoformat(data["date"]), data["rows"], data["sha256"])
