"""Executors: where replications run. One interface, the same replication function in each.

- `InProcessExecutor`: in this process, one after another (debugging, tests, tiny runs).
- `PoolExecutor`: a local process pool, all cores by default.
- `DaskExecutor`: a Dask distributed cluster: an existing scheduler (`tcp://host:port`) or a
  LocalCluster on 127.0.0.1 (`local`).

Every executor takes a function of a replication number and yields `(rep, outcome)` pairs as
replications finish, in any order; the caller writes each one as it arrives. The scenario is sent
to each worker once, not once per replication. Because a replication's random streams are fixed by
(seed, rep) before dispatch, which executor ran it never changes its result.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

__all__ = ["DaskExecutor", "Executor", "InProcessExecutor", "PoolExecutor", "make_executor"]

Task = Callable[[Any, int], Any]  # (shared payload, rep) -> outcome


class Executor(Protocol):
    """Runs `task(payload, rep)` for each rep and yields `(rep, outcome)` as each finishes."""

    description: str

    def run(self, task: Task, payload: Any, reps: Iterable[int]) -> Iterator[tuple[int, Any]]:
        """Yield (rep, outcome) pairs as replications finish."""
        ...

    def close(self) -> None:
        """Release workers and connections."""
        ...


class InProcessExecutor:
    """Replications one after another in this process."""

    description = "in-process"

    def run(self, task: Task, payload: Any, reps: Iterable[int]) -> Iterator[tuple[int, Any]]:
        for rep in reps:
            yield rep, task(payload, rep)

    def close(self) -> None:
        pass


_WORKER_PAYLOAD: Any = None


def _set_payload(payload: Any) -> None:
    global _WORKER_PAYLOAD
    _WORKER_PAYLOAD = payload


def _call_with_payload(task: Task, rep: int) -> tuple[int, Any]:
    return rep, task(_WORKER_PAYLOAD, rep)


def _start_method() -> multiprocessing.context.BaseContext:
    """'fork' (fast) from a single-threaded program such as the command line; 'forkserver' when
    other threads are running (the app's server), since forking a threaded process can copy a
    lock another thread holds and deadlock the worker."""
    if threading.active_count() > 1 and "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context()


class PoolExecutor:
    """A local process pool; keeps a bounded number of replications in flight."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.description = f"process pool, {self.workers} workers"
        self._pool: ProcessPoolExecutor | None = None

    def run(self, task: Task, payload: Any, reps: Iterable[int]) -> Iterator[tuple[int, Any]]:
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=_start_method(),
            initializer=_set_payload,
            initargs=(payload,),
        )
        pending: set[Future[tuple[int, Any]]] = set()
        queue = iter(reps)
        limit = 4 * self.workers
        try:
            while True:
                for rep in queue:
                    pending.add(self._pool.submit(_call_with_payload, task, rep))
                    if len(pending) >= limit:
                        break
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            # Waiting (for at most the replications in flight) lets the workers exit cleanly
            # rather than be torn down at interpreter exit.
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """A Dask distributed cluster: `address` of a running scheduler, or 'local'."""

    def __init__(self, address: str, workers: int | None = None) -> None:
        from dask.distributed import Client, LocalCluster  # only imported when used

        self._cluster = None
        if address == "local":
            self._cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,  # otherwise it binds 0.0.0.0
            )
            self.client = Client(self._cluster)
        else:
            self.client = _connect(Client, address)
        n = len(self.client.scheduler_info().get("workers", {}))
        self.description = f"dask {address} ({n} workers)"

    def run(self, task: Task, payload: Any, reps: Iterable[int]) -> Iterator[tuple[int, Any]]:
        from dask.distributed import as_completed

        # A fresh key per call (hash=False): with content hashing, a second run of the same
        # scenario would share the first run's key just as that run releases it.
        shared = self.client.scatter(payload, broadcast=True, hash=False)
        futures = {self.client.submit(task, shared, rep, pure=False): rep for rep in reps}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _connect(client_class: Any, address: str) -> Any:
    """A client of the scheduler at `address`; a wrong or unreachable address is a user's
    mistake, reported as one line rather than a traceback."""
    from sim.errors import Problem, ScenarioError

    if not address.startswith(("tcp://", "tls://", "ucx://", "inproc://")):
        raise ScenarioError(
            [Problem("--scheduler", address, "tcp://HOST:PORT of a Dask scheduler, or 'local'")]
        )
    try:
        return client_class(address, timeout="15s")
    except (OSError, TimeoutError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ScenarioError(
            [
                Problem(
                    "--scheduler",
                    address,
                    f"a running Dask scheduler reachable from here ({reason})",
                )
            ]
        ) from None


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor a user asked for: Dask if a scheduler is given, else a pool or in-process."""
    if scheduler:
        return DaskExecutor(scheduler, workers)
    if workers == 1:
        return InProcessExecutor()
    return PoolExecutor(workers)
