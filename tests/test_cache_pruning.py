"""The run cache is pruned to a size limit, least recently used first, never a run in use."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest

from sim.runs.cache import CACHE_MAX_BYTES_ENV, prune_cache, run_cached
from sim.runs.executors import InProcessExecutor
from sim.scenario.files import load_scenario

TINY = Path(__file__).parent / "data" / "tiny.yaml"
HOUR = 3600.0


def fake_run(root: Path, key: str, size: int, used_seconds_ago: float) -> Path:
    path = root / key
    path.mkdir(parents=True)
    (path / "kpis.parquet").write_bytes(b"x" * size)
    then = time.time() - used_seconds_ago
    os.utime(path, (then, then))
    return path


def test_least_recently_used_runs_go_first_until_under_the_limit(tmp_path: Path) -> None:
    fake_run(tmp_path, "aaaa-s1-r5", 1000, 5 * HOUR)
    fake_run(tmp_path, "bbbb-s1-r5", 1000, 3 * HOUR)
    fake_run(tmp_path, "cccc-s1-r5", 1000, 2 * HOUR)
    (tmp_path / "dddd-s1-r5.partial").mkdir()  # being written: never a candidate
    removed = prune_cache(tmp_path, max_bytes=1500, keep_seconds=HOUR)
    assert removed == ["aaaa-s1-r5", "bbbb-s1-r5"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [
        "cccc-s1-r5",
        "dddd-s1-r5.partial",
    ]


def test_runs_in_use_are_never_pruned(tmp_path: Path) -> None:
    fake_run(tmp_path, "aaaa-s1-r5", 1000, 5 * HOUR)  # locked: a session is writing or reading
    fake_run(tmp_path, "bbbb-s1-r5", 1000, 60)  # used a minute ago
    fd = os.open(tmp_path / "aaaa-s1-r5.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert prune_cache(tmp_path, max_bytes=0, keep_seconds=HOUR) == []
    finally:
        os.close(fd)
    assert prune_cache(tmp_path, max_bytes=0, keep_seconds=HOUR) == ["aaaa-s1-r5"]
    assert (tmp_path / "bbbb-s1-r5").is_dir()


def test_adding_a_run_prunes_and_a_lookup_counts_as_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = fake_run(tmp_path, "aaaa-s1-r5", 10_000, 5 * HOUR)
    monkeypatch.setenv(CACHE_MAX_BYTES_ENV, "1")
    scenario = load_scenario(TINY, ["run.horizon_months=3"])
    run = run_cached(tmp_path, scenario, 1, 2, InProcessExecutor)
    assert not old.exists()  # the old run made room
    assert run.path.is_dir()  # the new one, just used, stays although over the limit
    then = time.time() - 5 * HOUR
    os.utime(run.path, (then, then))
    again = run_cached(tmp_path, scenario, 1, 2, InProcessExecutor)
    assert again.from_cache and time.time() - run.path.stat().st_mtime < HOUR
