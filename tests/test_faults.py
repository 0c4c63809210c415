"""Faults of the disk or a folder are described as what they are, in one line, and the run is left
"interrupted" so that --resume (or Run again in the app) carries on to identical results.

A full disk and a read-only disk are real: small tmpfs mounts (these tests need root and `mount`,
and are skipped without them). Root is never refused permission, so "permission denied" is an
OSError injected where replications are written.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario
from sim.cli import EXIT_STORAGE, main
from sim.errors import storage_fault
from sim.runs.batch import BatchRequest, run_batch
from sim.runs.executors import InProcessExecutor
from sim.runs.rundir import RunDirectory

TINY = Path(__file__).parent / "data" / "tiny.yaml"
TABLES = ("kpis.parquet", "monthly.parquet", "pools.parquet")


def _mount(path: Path, options: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 96 KiB disk: room for a tiny run's first replications, not for all of them."""
    disk = tmp_path / "disk"
    _mount(disk, "size=96k")
    yield disk
    subprocess.run(["umount", str(disk)], check=False)


def _grow(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=20m", str(disk)], check=True)


def _reference(tmp_path: Path, seed: int, reps: int) -> Path:
    out = tmp_path / "reference"
    run_batch(BatchRequest(load_scenario(TINY), seed, reps, out), InProcessExecutor())
    return out


def _assert_same(left: Path, right: Path) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(left / name), pd.read_parquet(right / name))


def _status(run: Path) -> str:
    return str(json.loads((run / "manifest.json").read_text())["status"])


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "No space left on the disk (/runs/x)"),
        (OSError(errno.EROFS, "Read-only file system"), "The folder is on a read-only disk"),
        (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
        (FileNotFoundError(errno.ENOENT, "No such file"), "A folder is missing"),
        # Arrow's Parquet writer names the errno only in its message.
        (OSError("Error writing bytes to file. Detail: [errno 28] No space left"), "No space"),
    ],
)
def test_each_fault_is_one_line_saying_which_and_what_to_do(error: OSError, expected: str) -> None:
    line = storage_fault(error, "run it again", Path("/runs/x"))
    assert line is not None and expected in line and line.endswith("then run it again.")
    assert "\n" not in line


def test_other_errors_are_not_passed_off_as_faults_of_the_disk() -> None:
    assert storage_fault(OSError(errno.EPIPE, "Broken pipe"), "x") is None
    assert storage_fault(ValueError("no"), "x") is None


@pytest.mark.slow
def test_a_full_disk_stops_the_command_in_one_line_and_resume_finishes_it(
    small_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = small_disk / "run"
    command = ["run", str(TINY), "--reps", "30", "--seed", "5", "--workers", "1", "--out", str(out)]
    assert main(command) == EXIT_STORAGE
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"No space left on the disk ({out}): free some space")
    assert f"--resume --out {out}" in last and "Traceback" not in err
    assert _status(out) == "interrupted"
    kept = len(RunDirectory(out).completed_reps())
    assert 0 < kept < 30

    _grow(small_disk)
    assert main([*command, "--resume"]) == 0
    assert _status(out) == "complete"
    _assert_same(out, _reference(tmp_path, 5, 30))


@pytest.mark.slow
def test_a_read_only_disk_is_named_as_such(tmp_path: Path) -> None:
    disk = tmp_path / "ro"
    _mount(disk, "size=1m,ro")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sim", "run", str(TINY), "--reps", "2", "--workers", "1",
             "--out", str(disk / "run")],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        subprocess.run(["umount", str(disk)], check=False)
    assert done.returncode == EXIT_STORAGE
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1:] == [
        f"The folder is on a read-only disk ({disk / 'run'}): choose a folder you can write to, "
        f"then run the same command again with --resume --out {disk / 'run'} (finished "
        "replications are kept)."
    ]


@pytest.mark.slow
def test_permission_denied_part_way_leaves_the_run_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Injected: root is never refused, so the third replication's write raises EACCES."""
    write = RunDirectory.write_outcome
    calls = {"n": 0}

    def refuse_third(self: RunDirectory, outcome: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise PermissionError(errno.EACCES, "Permission denied", str(self.parts))
        write(self, outcome)  # type: ignore[arg-type]

    monkeypatch.setattr(RunDirectory, "write_outcome", refuse_third)
    out = tmp_path / "run"
    command = ["run", str(TINY), "--reps", "4", "--seed", "6", "--workers", "1", "--out", str(out)]
    assert main(command) == EXIT_STORAGE
    assert "Permission denied" in capsys.readouterr().err.strip().splitlines()[-1]
    assert _status(out) == "interrupted"
    monkeypatch.setattr(RunDirectory, "write_outcome", write)
    assert main([*command, "--resume"]) == 0
    _assert_same(out, _reference(tmp_path, 6, 4))
