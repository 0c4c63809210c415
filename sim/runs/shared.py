"""One worker budget for a whole server: many runs share one long-lived process pool, fairly.

The planners' app serves many browser sessions from one process. If each run started a pool of
its own, eight planners would start sixteen workers on two cores, each paying the workers'
start-up, and memory would grow with the number of sessions. Instead the server holds one
`SharedPool`, sized to the cores and started once, and each run gets a `SharedRun`: an ordinary
`Executor` (`sim.runs.executors`) whose replications go to the shared workers.

- Fair: a free worker takes the next replication of the next admitted run in turn (round robin),
  so two runs of 40 replications progress side by side rather than one after the other.
- Bounded: at most `max_runs` runs are admitted at once; later ones wait in order of arrival and
  are told their place ("3 runs ahead of yours"). Replications in flight never exceed the number
  of workers, so memory depends on the workers, not on the number of sessions or runs.
- Lean workers: the workers are started by a fork server that has imported only the model
  (`sim.results.replication`), not the program that started it (see `lean_context`).
- Streaming: a run's replications are yielded one by one as they finish, whichever run they
  belong to, so a caller can write or show each one at once.

Results never depend on the pool: a replication's random streams are fixed by (seed, rep).
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.context
import os
import pickle
import queue
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from sim.runs.executors import Task
from sim.runs.rundir import sha256_of

__all__ = ["QueuePlace", "SharedPool", "SharedRun", "WorkerLost", "lean_context", "loaded_packages"]

# Modules a worker needs before its first replication: imported once by the fork server, so each
# worker forked from it starts with them loaded.
WORKER_PRELOAD = ["sim.results.replication", "sim.runs.replog"]
PAYLOADS_KEPT = 4  # unpickled payloads (scenarios) a worker keeps: one per run it serves lately


def lean_context() -> multiprocessing.context.BaseContext:
    """A start method whose workers import the model only.

    'forkserver' where available, with the model as its only preload: its default preload is the
    parent's `__main__`, which in `streamlit run` is the app script. (Each worker still receives
    the parent's main script path; `app.py` guards its body with `if __name__ == "__main__"` so
    that a worker reading it does nothing.) 'spawn' elsewhere.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(WORKER_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


# --- in the worker ------------------------------------------------------------------------------

_PAYLOADS: OrderedDict[str, Any] = OrderedDict()


def _run_one(task: Task, payload_key: str, payload_bytes: bytes, rep: int) -> Any:
    """Run one replication in a worker; a run's payload is unpickled once per worker."""
    payload = _PAYLOADS.get(payload_key)
    if payload is None:
        payload = pickle.loads(payload_bytes)
        _PAYLOADS[payload_key] = payload
        while len(_PAYLOADS) > PAYLOADS_KEPT:
            _PAYLOADS.popitem(last=False)
    else:
        _PAYLOADS.move_to_end(payload_key)
    return task(payload, rep)


def loaded_packages(_payload: object = None, _rep: int = 0) -> list[str]:
    """The top-level packages a worker has imported (a task; for checking workers start lean)."""
    return sorted({name.partition(".")[0] for name in sys.modules})


def _watch_server(server_pid: int) -> None:
    """In each worker: leave when the server has gone (killed, or stopped without shutting the
    pool down). A worker is a child of the fork server, not of the server: nothing else ends it."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                continue

    threading.Thread(target=watch, name="watch-server", daemon=True).start()


def _ready() -> int:
    """A no-op task: makes a worker start before any run needs it."""
    return os.getpid()


# --- in the server ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuePlace:
    """Where a waiting run stands: runs running now, and runs waiting ahead of it."""

    running: int
    waiting_ahead: int

    @property
    def ahead(self) -> int:
        """Runs that will start before this one can."""
        return self.running + self.waiting_ahead


@dataclass(eq=False)
class _Run:
    task: Task
    payload_key: str
    payload_bytes: bytes
    pending: deque[int]
    results: queue.Queue[tuple[int, Future[Any]]] = field(default_factory=queue.Queue)
    in_flight: int = 0
    admitted: threading.Event = field(default_factory=threading.Event)
    closed: bool = False


class SharedPool:
    """A process pool shared by every run of a server; see the module's docstring."""

    def __init__(self, workers: int | None = None, max_runs: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.max_runs = max(1, max_runs or self.workers)
        self._context = lean_context()
        self._pool = self._new_pool()
        self._lock = threading.Condition()
        self._admitted: list[_Run] = []  # round-robin order
        self._waiting: deque[_Run] = deque()
        self._turn = 0
        self._in_flight = 0
        self._closed = False
        self._dispatcher = threading.Thread(
            target=self._dispatch, name="shared-pool-dispatch", daemon=True
        )
        self._dispatcher.start()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            self.workers,
            mp_context=self._context,
            initializer=_watch_server,
            initargs=(os.getpid(),),
        )
        for _ in range(self.workers):  # start the workers now, not when the first run needs them
            pool.submit(_ready)
        return pool

    @property
    def description(self) -> str:
        """How a run's manifest names where it ran."""
        return f"shared process pool, {self.workers} workers"

    def run(self, on_queue: Callable[[QueuePlace], None] | None = None) -> SharedRun:
        """An executor for one run; `on_queue(place)` is called while the run waits its turn."""
        return SharedRun(self, on_queue)

    def status(self) -> tuple[int, int]:
        """(runs running, runs waiting) now."""
        with self._lock:
            return len(self._admitted), len(self._waiting)

    # --- used by SharedRun ------------------------------------------------------------------

    def _enter(self, run: _Run) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the shared pool is closed")
            self._waiting.append(run)
            self._admit()

    def _place(self, run: _Run) -> QueuePlace | None:
        with self._lock:
            if run.admitted.is_set() or run not in self._waiting:
                return None
            return QueuePlace(len(self._admitted), self._waiting.index(run))

    def _leave(self, run: _Run) -> None:
        with self._lock:
            run.closed = True
            run.pending.clear()  # replications in flight finish; their results are dropped
            if run in self._admitted:
                self._admitted.remove(run)
            if run in self._waiting:
                self._waiting.remove(run)
            self._admit()
            self._lock.notify_all()

    def _admit(self) -> None:
        while self._waiting and len(self._admitted) < self.max_runs:
            run = self._waiting.popleft()
            self._admitted.append(run)
            run.admitted.set()
        self._lock.notify_all()

    # --- the dispatcher thread --------------------------------------------------------------

    def _next_run(self) -> _Run | None:
        """The next admitted run with a replication to start, in turn."""
        for _ in range(len(self._admitted)):
            self._turn %= len(self._admitted)
            run = self._admitted[self._turn]
            self._turn += 1
            if run.pending:
                return run
        return None

    def _dispatch(self) -> None:
        with self._lock:
            while not self._closed:
                run = self._next_run() if self._in_flight < self.workers else None
                if run is None:
                    self._lock.wait()
                    continue
                rep = run.pending.popleft()
                if getattr(self._pool, "_broken", False):
                    self._replace_broken_pool()
                try:
                    future = self._pool.submit(
                        _run_one, run.task, run.payload_key, run.payload_bytes, rep
                    )
                except (BrokenProcessPool, RuntimeError) as error:
                    future = Future()
                    future.set_exception(error)  # the run that asked for it reports it
                run.in_flight += 1
                self._in_flight += 1
                future.add_done_callback(functools.partial(self._finished, run, rep))

    def _finished(self, run: _Run, rep: int, future: Future[Any]) -> None:
        with self._lock:
            run.in_flight -= 1
            self._in_flight -= 1
            self._lock.notify_all()
        run.results.put((rep, future))

    def _replace_broken_pool(self) -> None:
        """A worker died (killed, out of memory): later replications get fresh workers. (Done
        by the dispatcher, never in a future's callback, which runs in the old pool's thread.)"""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def close(self) -> None:
        """Stop the dispatcher and the workers (replications in flight are waited for)."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        self._dispatcher.join(timeout=10)
        self._pool.shutdown(wait=True, cancel_futures=True)


class SharedRun:
    """One run's executor on a `SharedPool` (the `sim.runs.executors.Executor` interface)."""

    def __init__(self, pool: SharedPool, on_queue: Callable[[QueuePlace], None] | None) -> None:
        self.pool = pool
        self.on_queue = on_queue
        self.description = pool.description

    def run(self, task: Task, payload: Any, reps: Iterable[int]) -> Iterator[tuple[int, Any]]:
        """Yield (rep, outcome) as this run's replications finish on the shared workers."""
        data = pickle.dumps(payload)
        run = _Run(task, sha256_of(data), data, deque(reps))
        total = len(run.pending)
        if not total:
            return
        self.pool._enter(run)
        try:
            self._wait_for_turn(run)
            for _ in range(total):
                rep, future = run.results.get()
                yield rep, _outcome(future)
        finally:
            self.pool._leave(run)

    def _wait_for_turn(self, run: _Run) -> None:
        shown: QueuePlace | None = None
        while not run.admitted.wait(timeout=0.5):
            place = self.pool._place(run)
            if place is not None and place != shown and self.on_queue is not None:
                self.on_queue(place)
                shown = place

    def close(self) -> None:
        """Nothing to release: the workers belong to the pool, which outlives the run."""


def _outcome(future: Future[Any]) -> Any:
    """A replication's outcome; a worker that died is a fault, named as one."""
    if future.cancelled():
        raise WorkerLost("a replication was cancelled because its worker process stopped")
    error = future.exception()
    if isinstance(error, BrokenProcessPool):
        raise WorkerLost(
            "a worker process stopped unexpectedly (killed, or out of memory); run again to "
            "carry on from the replications already finished"
        ) from error
    return future.result()


class WorkerLost(RuntimeError):
    """A worker process died while running a replication."""
