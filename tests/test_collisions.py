"""Writers that start at the same instant never mix their results: each gets its own directory,
or the second is refused with one line naming the directory and the process writing it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario
from sim.cli import main
from sim.errors import ScenarioError
from sim.runs.batch import BatchRequest, run_batch
from sim.runs.executors import InProcessExecutor
from sim.runs.rundir import WRITER_LOCK, claim_directory, new_output_dir

pytestmark = pytest.mark.slow

TINY = Path(__file__).parent / "data" / "tiny.yaml"
TABLES = ("kpis.parquet", "monthly.parquet", "pools.parquet")


def _reference(tmp_path: Path, seed: int, reps: int) -> dict[str, pd.DataFrame]:
    out = tmp_path / f"reference-{seed}"
    run_batch(BatchRequest(load_scenario(TINY), seed, reps, out), InProcessExecutor())
    return {name: pd.read_parquet(out / name) for name in TABLES}


def _assert_same_as(run_dir: Path, reference: dict[str, pd.DataFrame]) -> None:
    for name, frame in reference.items():
        pd.testing.assert_frame_equal(pd.read_parquet(run_dir / name), frame)


def test_two_batches_into_one_directory_at_once_one_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "shared"
    start = threading.Barrier(2)
    results: dict[int, object] = {}

    def writer(seed: int) -> None:
        request = BatchRequest(load_scenario(TINY), seed, 4, out)
        start.wait()
        try:
            results[seed] = run_batch(request, InProcessExecutor())
        except ScenarioError as error:
            results[seed] = error

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    refused = [s for s, r in results.items() if isinstance(r, ScenarioError)]
    finished = [s for s, r in results.items() if not isinstance(r, ScenarioError)]
    assert len(refused) == 1 and len(finished) == 1, results
    message = "\n".join(results[refused[0]].lines())  # type: ignore[union-attr]
    assert len(message.splitlines()) == 1
    assert str(out) in message and "is writing it" in message and "process" in message
    # What is there is wholly the finished writer's run, and says so.
    _assert_same_as(out, _reference(tmp_path, finished[0], 4))
    assert set(pd.read_parquet(out / "kpis.parquet")["seed"]) == {finished[0]}
    assert json.loads((out / "manifest.json").read_text())["seed"] == finished[0]
    assert not (out / WRITER_LOCK).exists()


def test_default_output_names_never_coincide(tmp_path: Path) -> None:
    start = threading.Barrier(8)
    made: list[Path] = []

    def claim() -> None:
        start.wait()
        for _ in range(25):
            made.append(new_output_dir(tmp_path, "baseline"))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == len(set(made)) == 200
    assert all(
        p.is_dir() and re.fullmatch(r"baseline-\d{8}-\d{6}-\d{6}-[0-9a-f]{4}", p.name) for p in made
    )


def test_two_commands_started_together_keep_their_own_results(tmp_path: Path) -> None:
    """The reported bug: `ccs-sim run` twice in the same second, default output folder."""
    commands = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sim",
                "run",
                str(TINY),
                "--reps",
                "3",
                "--seed",
                str(seed),
                "--workers",
                "1",
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    outputs = [c.communicate(timeout=300) for c in commands]
    assert [c.returncode for c in commands] == [0, 0], outputs
    folders = [re.search(r"^Results: (.+)$", out, re.M).group(1) for out, _err in outputs]  # type: ignore[union-attr]
    assert folders[0] != folders[1]
    for seed, folder in zip((1, 2), folders, strict=True):
        _assert_same_as(tmp_path / folder, _reference(tmp_path, seed, 3))


def test_a_study_directory_being_written_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    with claim_directory(out):
        code = main(
            [
                "sweep",
                str(TINY),
                "--vary",
                "demand_scale=1,1.1",
                "--reps",
                "2",
                "--workers",
                "1",
                "--out",
                str(out),
                "--cache",
                str(tmp_path / "cache"),
            ]
        )
    err = capsys.readouterr().err
    assert code == 2
    assert "is writing it" in err and str(out) in err and "Traceback" not in err
    assert not (out / "study.json").exists()


def test_a_killed_writer_leaves_no_lock_behind(tmp_path: Path) -> None:
    """flock dies with its process: a stale lock file does not stop --resume."""
    out = tmp_path / "run"
    out.mkdir()
    (out / WRITER_LOCK).write_text("process 999999 on nowhere since 2014-04-01")
    with claim_directory(out):
        assert "process" in (out / WRITER_LOCK).read_text()
    assert not (out / WRITER_LOCK).exists()
