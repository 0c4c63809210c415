"""One worker budget per server (sim.runs.shared): runs share one pool fairly, wait their turn in
order, start lean, and give exactly the results of any other executor."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psutil
import pytest

from sim import load_scenario
from sim.results.replication import replicate
from sim.runs.batch import BatchRequest, run_batch
from sim.runs.executors import InProcessExecutor
from sim.runs.shared import QueuePlace, SharedPool, WorkerLost, loaded_packages

ROOT = Path(__file__).resolve().parent.parent
TINY = Path(__file__).parent / "data" / "tiny.yaml"

pytestmark = pytest.mark.slow  # starts worker processes


@pytest.fixture(scope="module")
def pool() -> Iterator[SharedPool]:
    shared = SharedPool(workers=1, max_runs=2)
    yield shared
    shared.close()


def _die(_payload: object, _rep: int) -> None:
    os._exit(3)  # a worker killed mid-replication (as by the kernel when memory runs out)


def test_a_batch_on_the_shared_pool_is_identical_to_one_in_process(
    tmp_path: Path, pool: SharedPool
) -> None:
    scenario = load_scenario(TINY)
    run_batch(BatchRequest(scenario, 7, 4, tmp_path / "shared"), pool.run())
    run_batch(BatchRequest(scenario, 7, 4, tmp_path / "alone"), InProcessExecutor())
    for table in ("kpis.parquet", "monthly.parquet", "pools.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "shared" / table),
            pd.read_parquet(tmp_path / "alone" / table),
        )


def test_two_runs_take_turns_on_the_workers(pool: SharedPool) -> None:
    """Round robin: with one worker, neither run waits for the other to finish."""
    payload = (load_scenario(TINY), 1)
    order: list[str] = []
    lock = threading.Lock()
    started = threading.Barrier(2)

    def consume(name: str) -> None:
        started.wait()
        for _rep, _outcome in pool.run().run(replicate, payload, range(6)):
            with lock:
                order.append(name)

    threads = [threading.Thread(target=consume, args=(name,)) for name in "AB"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(order) == ["A"] * 6 + ["B"] * 6
    # Run by run, one after the other, the first six would all be one run's.
    assert set(order[:6]) == {"A", "B"}, order
    assert set(order[-6:]) == {"A", "B"}, order


def test_runs_beyond_the_limit_wait_in_order_and_are_told_their_place(pool: SharedPool) -> None:
    payload = (load_scenario(TINY), 2)
    places: dict[str, list[QueuePlace]] = {"C": [], "D": []}
    finished: dict[str, int] = {}
    release = threading.Event()

    def hold(name: str) -> None:  # a run that stays admitted until told to finish
        stream = pool.run().run(replicate, payload, range(2))
        next(stream)
        release.wait(timeout=300)
        finished[name] = 1 + sum(1 for _ in stream)

    def queued(name: str) -> None:
        reps = pool.run(places[name].append).run(replicate, payload, range(2))
        finished[name] = sum(1 for _ in reps)

    holders = [threading.Thread(target=hold, args=(n,)) for n in "AB"]
    for thread in holders:
        thread.start()
    while pool.status() != (2, 0):
        threading.Event().wait(0.05)
    waiting_c = threading.Thread(target=queued, args=("C",))
    waiting_c.start()
    while pool.status() != (2, 1):
        threading.Event().wait(0.05)
    waiting_d = threading.Thread(target=queued, args=("D",))
    waiting_d.start()
    while pool.status() != (2, 2):
        threading.Event().wait(0.05)
    threading.Event().wait(1.2)  # the waiting runs look at their place twice a second
    release.set()
    for thread in [*holders, waiting_c, waiting_d]:
        thread.join(timeout=300)
    assert finished == {"A": 2, "B": 2, "C": 2, "D": 2}
    assert places["C"][0] == QueuePlace(running=2, waiting_ahead=0)
    assert places["D"][0] == QueuePlace(running=2, waiting_ahead=1)
    assert places["D"][0].ahead == 3


def test_a_run_that_stops_listening_frees_its_place(pool: SharedPool) -> None:
    payload = (load_scenario(TINY), 3)
    stream = pool.run().run(replicate, payload, range(50))
    next(stream)
    stream.close()  # the session went away after one replication
    assert pool.status() == (0, 0)
    assert len(list(pool.run().run(replicate, payload, range(2)))) == 2


def test_workers_import_the_model_not_the_program_that_started_them() -> None:
    """Under `streamlit run` the parent's `__main__` is app.py; a worker must not run it again."""
    app = types.ModuleType("__main__")
    app.__file__ = str(ROOT / "app.py")
    real_main = sys.modules["__main__"]
    sys.modules["__main__"] = app
    try:
        lean = SharedPool(workers=1)
        try:
            [(_rep, packages)] = list(lean.run().run(loaded_packages, None, [0]))
        finally:
            lean.close()
    finally:
        sys.modules["__main__"] = real_main
    assert "sim" in packages
    assert "streamlit" not in packages and "app_pages" not in packages


def test_a_worker_that_dies_is_reported_and_the_pool_carries_on() -> None:
    lonely = SharedPool(workers=1)
    try:
        with pytest.raises(WorkerLost, match="stopped unexpectedly"):
            list(lonely.run().run(_die, None, [0]))
        payload = (load_scenario(TINY), 4)
        assert len(list(lonely.run().run(replicate, payload, range(2)))) == 2
    finally:
        lonely.close()


def test_workers_leave_when_their_server_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "server.py"
    script.write_text(
        "import os, sys, time\n"
        "from sim.runs.shared import SharedPool\n"
        "def worker_pid(_payload, _rep):\n"
        "    time.sleep(0.2)\n"
        "    return os.getpid()\n"
        "if __name__ == '__main__':\n"
        "    pool = SharedPool(workers=2)\n"
        "    pids = {pid for _, pid in pool.run().run(worker_pid, None, range(8))}\n"
        "    print(' '.join(str(pid) for pid in pids), flush=True)\n"
        "    time.sleep(600)\n"
    )
    server = subprocess.Popen(
        [sys.executable, str(script)], cwd=tmp_path, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    workers = [int(pid) for pid in server.stdout.readline().split()]
    assert workers and all(psutil.pid_exists(pid) for pid in workers)
    server.kill()  # as `kill -9` of the app server: no shutdown of the pool
    server.wait()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
