"""Monte Carlo batches: determinism across executors, resume after kill -9, failures, summary."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim.results.replication
from sim import load_scenario
from sim.runs.batch import BatchRequest, run_batch
from sim.runs.executors import DaskExecutor, InProcessExecutor, PoolExecutor
from sim.runs.reproduce import reproduce
from sim.runs.rundir import RunDirectory
from sim.runs.tables import load_finished_so_far

pytestmark = pytest.mark.slow

TINY = Path(__file__).parent / "data" / "tiny.yaml"
TABLES = ("kpis.parquet", "monthly.parquet", "monthly_by_pool.parquet", "pools.parquet")


def digests(run_dir: Path) -> dict[str, str]:
    return {name: hashlib.sha256((run_dir / name).read_bytes()).hexdigest() for name in TABLES}


def batch(out: Path, executor, reps: int = 6, seed: int = 11, **kwargs) -> None:
    request = BatchRequest(load_scenario(TINY), seed, reps, out, **kwargs)
    try:
        run_batch(request, executor)
    finally:
        executor.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six replications run in this process: the result every executor must reproduce."""
    out = tmp_path_factory.mktemp("reference") / "run"
    batch(out, InProcessExecutor())
    return out


def test_process_pool_gives_bit_identical_files(reference: Path, tmp_path: Path) -> None:
    batch(tmp_path / "pool", PoolExecutor(2))
    assert digests(tmp_path / "pool") == digests(reference)


@pytest.mark.dask
def test_dask_local_cluster_gives_bit_identical_files(reference: Path, tmp_path: Path) -> None:
    batch(tmp_path / "dask", DaskExecutor("local", workers=2))
    assert digests(tmp_path / "dask") == digests(reference)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def dask_cluster() -> Iterator[str]:
    """A real `dask scheduler` and `dask worker` pair on 127.0.0.1, stopped afterwards."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dask",
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dashboard-address",
            f"127.0.0.1:{free_port()}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dask",
            "worker",
            address,
            "--host",
            "127.0.0.1",
            "--nworkers",
            "2",
            "--nthreads",
            "1",
            "--dashboard-address",
            "127.0.0.1:0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from dask.distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in (worker, scheduler):
            process.terminate()
        for process in (worker, scheduler):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.mark.dask
def test_real_dask_scheduler_and_workers_match_local_run(
    reference: Path, tmp_path: Path, dask_cluster: str
) -> None:
    batch(tmp_path / "remote", DaskExecutor(dask_cluster))
    assert digests(tmp_path / "remote") == digests(reference)


def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    args = [
        sys.executable,
        "-m",
        "sim",
        "run",
        str(TINY),
        "--reps",
        "40",
        "--seed",
        "3",
        "--workers",
        "2",
        "--set",
        "run.horizon_months=60",
    ]
    whole = tmp_path / "whole"
    assert subprocess.run([*args, "--out", str(whole)], capture_output=True).returncode == 0
    cut = tmp_path / "cut"
    process = subprocess.Popen(
        [*args, "--out", str(cut)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    parts = RunDirectory(cut)
    deadline = time.monotonic() + 120
    while len(parts.completed_reps()) < 8 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the runner and its pool workers, mid-run
    process.wait()
    done_when_killed = len(parts.completed_reps())
    assert 8 <= done_when_killed < 40, "the run must be killed part-way"
    assert not (cut / "kpis.parquet").exists()
    resumed = subprocess.run([*args, "--out", str(cut), "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert digests(cut) == digests(whole)


def test_a_failing_replication_is_recorded_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = sim.results.replication.run_replication

    def flaky(scenario, seed, rep):
        if rep == 2:
            raise RuntimeError("boom in replication 2")
        return real(scenario, seed, rep)

    monkeypatch.setattr(sim.results.replication, "run_replication", flaky)
    out = tmp_path / "run"
    request = BatchRequest(load_scenario(TINY), 11, 5, out)
    report = run_batch(request, InProcessExecutor())
    assert (report.reps_completed, report.reps_failed) == (4, 1)
    failures = pd.read_csv(out / "failures.csv")
    assert list(failures["rep"]) == [2] and list(failures["seed"]) == [11]
    assert "boom in replication 2" in failures["error"][0]
    assert list(pd.read_parquet(out / "kpis.parquet")["rep"]) == [0, 1, 3, 4]

    monkeypatch.setattr(sim.results.replication, "run_replication", real)  # the fault is fixed
    report = run_batch(
        BatchRequest(load_scenario(TINY), 11, 5, out, resume=True), InProcessExecutor()
    )
    assert (report.reps_completed, report.reps_failed) == (5, 0)
    assert list(pd.read_parquet(out / "kpis.parquet")["rep"]) == [0, 1, 2, 3, 4]


def test_summary_matches_an_independent_computation(reference: Path) -> None:
    kpis = pd.read_parquet(reference / "kpis.parquet")
    summary = pd.read_csv(reference / "summary.csv").set_index("kpi")
    for name in ("mean_wait_days", "backlog_end", "utilisation"):
        values = kpis[name].to_numpy(dtype=float)
        n, mean, sd = len(values), values.mean(), values.std(ddof=1)
        half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
        row = summary.loc[name]
        assert row["mean"] == pytest.approx(mean)
        assert row["ci_low"] == pytest.approx(mean - half)
        assert row["ci_high"] == pytest.approx(mean + half)
        assert row["p10"] == pytest.approx(np.percentile(values, 10))
        assert row["p90"] == pytest.approx(np.percentile(values, 90))
    share = kpis["outruns_capability"].mean()
    assert summary.loc["outruns_capability", "mean"] == pytest.approx(share)
    low, high = summary.loc["outruns_capability", ["ci_low", "ci_high"]]
    assert 0 <= low <= share <= high <= 1


def test_precision_stops_early_and_reports_it(tmp_path: Path) -> None:
    out = tmp_path / "run"
    request = BatchRequest(load_scenario(TINY), 4, 200, out, precision=0.2)
    report = run_batch(request, InProcessExecutor())
    assert report.precision_met is True
    assert report.reps_completed % 10 == 0 and report.reps_completed < 200
    kpis = pd.read_parquet(out / "kpis.parquet")
    assert list(kpis["rep"]) == list(range(report.reps_completed))
    values = kpis["mean_wait_days"].to_numpy()
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    assert half <= 0.2 * values.mean()


def test_reproduce_confirms_a_run_and_detects_a_changed_result(
    reference: Path, tmp_path: Path
) -> None:
    assert reproduce(reference, InProcessExecutor()).identical
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    for item in reference.iterdir():
        if item.is_file():
            (tampered / item.name).write_bytes(item.read_bytes())
    kpis = pd.read_parquet(tampered / "kpis.parquet")
    kpis.loc[3, "mean_wait_days"] += 0.5
    kpis.to_parquet(tampered / "kpis.parquet", index=False)
    result = reproduce(tampered, InProcessExecutor())
    assert not result.identical
    assert "column 'mean_wait_days' differs first at row 3" in result.differences[0]


class StopAfter(Exception):
    """Raised from the progress callback, as the app's Stop does."""


def test_the_replications_finished_so_far_read_as_the_finished_runs_do(
    reference: Path, tmp_path: Path
) -> None:
    """A run stopped after 3 of 6 replications reads as a run of those 3: the same rows as the
    complete run's, and a summary computed from them alone (the app shows these while a run is
    going, and after Stop)."""
    out = tmp_path / "stopped"
    assert load_finished_so_far(out) is None  # nothing yet

    def stop_at_three(done: int, failed: int, total: int) -> None:
        if done == 3:
            raise StopAfter

    with pytest.raises(StopAfter):
        run_batch(BatchRequest(load_scenario(TINY), 11, 6, out), InProcessExecutor(), stop_at_three)
    so_far = load_finished_so_far(out)
    assert so_far is not None and so_far.replications == 3
    whole = pd.read_parquet(reference / "kpis.parquet")
    pd.testing.assert_frame_equal(so_far.kpis, whole.iloc[:3].reset_index(drop=True))
    monthly = pd.read_parquet(reference / "monthly.parquet")
    pd.testing.assert_frame_equal(
        so_far.monthly, monthly[monthly["rep"] < 3].reset_index(drop=True)
    )
    mean = so_far.summary.set_index("kpi").loc["service_by_arrival", "mean"]
    assert mean == pytest.approx(whole["service_by_arrival"].iloc[:3].mean())
