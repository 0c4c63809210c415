"""Running scenarios from the app: through the shared run cache, on the server's shared workers.

The app runs the same engine as `ccs-sim run` (`sim.runs.batch.run_batch` via `sim.runs.cache`), so
every result is an ordinary run directory. Every session's replications go to one process pool per
server (`sim.runs.shared.SharedPool`), started with the server's first session and sized to its
cores; runs take turns on it, and a run waiting for a place is told how many are ahead of it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from app_pages import persist
from app_pages.state import cache_root
from sim.errors import Problem, ScenarioError, storage_fault
from sim.runs.cache import (
    CachedRun,
    RunOrigin,
    cache_key,
    find_cached,
    partial_dir,
    replications_on_disk,
    run_cached,
)
from sim.runs.limits import CONFIRM_ABOVE_SECONDS, estimated_seconds, estimated_text
from sim.runs.shared import QueuePlace, SharedPool, WorkerLost
from sim.runs.tables import RunSoFar, RunTables, load_finished_so_far, load_run
from sim.scenario.schema import Scenario

log = logging.getLogger(__name__)

WORKERS_ENV = "CCS_APP_WORKERS"
"""Worker processes for the whole server (default: one per processor core)."""
MAX_RUNS_ENV = "CCS_APP_MAX_RUNS"
"""Runs that share the workers at once (default 4); later runs wait their turn, in order."""
DEFAULT_MAX_RUNS = 4


def _setting(name: str, default: int) -> int:
    """A whole number of 1 or more from the server's environment (a wrong one stops the app)."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise ScenarioError([Problem(name, text, "a whole number of 1 or more")], "server setting")


@st.cache_resource(show_spinner=False)
def _pool(workers: int, max_runs: int) -> SharedPool:
    return SharedPool(workers, max_runs)


def shared_pool() -> SharedPool | None:
    """The server's one pool of workers (started on first use); None if its settings are wrong,
    in which case the page says so."""
    try:
        workers = _setting(WORKERS_ENV, os.cpu_count() or 1)
        max_runs = _setting(MAX_RUNS_ENV, DEFAULT_MAX_RUNS)
    except ScenarioError as error:
        st.error("The app server is misconfigured: " + "; ".join(error.lines()))
        return None
    return _pool(workers, max_runs)


@st.cache_resource(max_entries=12, show_spinner=False)
def load_run_cached(path: str) -> RunTables:
    """A finished run directory's tables. Cached across sessions: finished runs never change."""
    return load_run(Path(path))


def cached(scenario: Scenario, seed: int, reps: int) -> CachedRun | None:
    """The cached run of exactly these inputs, if any (instant)."""
    return find_cached(cache_root(), scenario, seed, reps)


def kept(scenario: Scenario, seed: int, reps: int) -> int:
    """Replications of these inputs already on disk from a run that has not finished."""
    return replications_on_disk(cache_root(), scenario, seed, reps)


def finished_so_far(scenario: Scenario, seed: int, reps: int) -> RunTables | None:
    """The replications of these inputs finished so far by a run that has not finished (stopped,
    or going on in this or another session), as a run's tables; None if there are none."""
    return load_finished_so_far(partial_dir(cache_root(), scenario, seed, reps))


IN_FLIGHT = "running.in_flight"
"""Session key: the cache key of the run this session started and has not seen finish. A run
stops when its page is left or rerun (the Stop button, another click, another page): the next
page run finds this key still set and says the run stopped, rather than nothing."""


def stopped_here(scenario: Scenario, seed: int, reps: int) -> bool:
    """True if this session started a run of these inputs that stopped before it finished."""
    return st.session_state.get(IN_FLIGHT) == cache_key(scenario, seed, reps)


def stopped_text(done: int, total: int) -> str:
    """What a planner reads after stopping a run (or coming back to one that stopped)."""
    return (
        f"Stopped after {done:,} of {total:,} replications. The results of those {done:,} are "
        "below, with their confidence intervals; press **Run** to carry on from them (nothing "
        "finished is lost: replications under way when you pressed Stop are kept too)."
    )


REDRAW_EVERY_SECONDS = 2.0
"""Shortest time between two redraws of a run's results while it goes on."""
REDRAW_COST_SHARE = 0.25
"""Most of the server's time that redrawing runs' results may take, whatever the number of
sessions: drawing competes with the replications for the same cores."""


def redraw_interval(redraw_seconds: float, runs_running: int) -> float:
    """Seconds until a session redraws its run's results again, after a redraw that took
    `redraw_seconds`, while `runs_running` runs (its own included) share the server.

    Every running session redraws, so each waits in proportion to their number: with four
    sessions, each redraws a quarter as often as one alone would, and together they spend at
    most `REDRAW_COST_SHARE` of the time drawing rather than four times that."""
    runs = max(1, runs_running)
    return max(REDRAW_EVERY_SECONDS, redraw_seconds * runs / REDRAW_COST_SHARE)


class SoFar:
    """Redraws the results of the replications finished so far while a run is going: first as
    soon as two have finished (or one, for a run of one), then no more often than
    `redraw_interval` allows (drawing grows with the run and with the sessions drawing), so
    that drawing never holds the runs back. Reading is incremental (`RunSoFar`)."""

    FIRST_AFTER = 2

    def __init__(
        self,
        directory: Path,
        show: Callable[[RunTables, int], None],
        runs_running: Callable[[], int],
    ) -> None:
        self.run = RunSoFar(directory)
        self.show = show
        self.runs_running = runs_running
        self.slot = st.empty()
        self.due = 0.0
        self.shown = 0

    def update(self, done: int, total: int) -> None:
        if done >= total or done < min(self.FIRST_AFTER, total) or done == self.shown:
            return
        started = time.monotonic()
        if started < self.due:
            return
        so_far = self.run.read()
        if so_far is None:
            return
        with self.slot.container():
            self.show(so_far, total)
        self.shown = done
        cost = time.monotonic() - started
        self.due = time.monotonic() + redraw_interval(cost, self.runs_running())

    def clear(self) -> None:
        self.slot.empty()


class TimeLeft:
    """Time left, from the rate since this session's first replication finished: the workers'
    start-up and any wait for a place are not counted."""

    def __init__(self) -> None:
        self.first: tuple[float, int] | None = None
        self.start_done: int | None = None

    def text(self, done: int, total: int) -> str:
        now = time.monotonic()
        if self.start_done is None:
            self.start_done = done  # replications kept from an earlier attempt
            return ""
        if self.first is None:
            if done > self.start_done:
                self.first = (now, done)
            return ""
        since, at = self.first
        if done <= at or done >= total:
            return ""
        return f", about {clock((now - since) / (done - at) * (total - done))} left"


def run_with_progress(
    scenario: Scenario,
    seed: int,
    reps: int,
    origin: RunOrigin,
    what: str,
    show_so_far: Callable[[RunTables, int], None] | None = None,
) -> CachedRun | None:
    """Run (or fetch) a batch, showing progress and a Stop button; None if it could not run or
    was stopped (message shown). `show_so_far(tables, total)` draws the replications finished so
    far while the run goes on."""
    pool = shared_pool()
    if pool is None:
        return None
    persist.save()  # a server restart during the run finds these inputs again
    _stop_button(what)
    bar = _RunBar(what, reps)
    so_far = None
    if show_so_far is not None:
        directory = partial_dir(cache_root(), scenario, seed, reps)
        so_far = SoFar(directory, show_so_far, lambda: pool.status()[0])
    st.session_state[IN_FLIGHT] = cache_key(scenario, seed, reps)

    def progress(done: int, failed: int, total: int) -> None:
        bar.progress(done, failed, total)
        if so_far is not None:
            so_far.update(done, total)

    try:
        result = run_cached(
            cache_root(),
            scenario,
            seed,
            reps,
            lambda: pool.run(bar.queued),
            origin=origin,
            on_progress=progress,
            on_wait=bar.waiting,
        )
    except ScenarioError as error:
        bar.empty()
        st.session_state.pop(IN_FLIGHT, None)
        st.error("The run could not start:\n\n" + "\n".join(f"- {line}" for line in error.lines()))
        return None
    except Exception as error:
        bar.empty()
        show_fault(error)
        return None
    st.session_state.pop(IN_FLIGHT, None)
    if so_far is not None:
        so_far.clear()
    bar.finished(result)
    return result


def _stop_button(what: str) -> None:
    # Pressing it reruns the page, which stops the run; the page then shows what finished.
    st.button(
        "Stop this run",
        icon=":material/stop_circle:",
        key=f"running.stop.{what}",
        help="Stops the run after the replications under way; those finished are kept and "
        "shown, and Run carries on from them.",
    )


class _RunBar:
    """A run's progress bar: replications done and time left, its place in the queue, waiting
    for another session's identical run, and what it came to."""

    def __init__(self, what: str, reps: int) -> None:
        self.what = what
        self.bar = st.progress(0.0, text=f"{what}: starting {reps:,} replications…")
        self.left = TimeLeft()

    def progress(self, done: int, failed: int, total: int) -> None:
        failures = f" ({failed:,} failed)" if failed else ""
        self.bar.progress(
            done / total if total else 1.0,
            text=f"{self.what}: {done:,} of {total:,} replications{failures}"
            f"{self.left.text(done, total)}",
        )

    def queued(self, place: QueuePlace) -> None:
        self.bar.progress(0.0, text=f"{self.what}: waiting for a free place, {queue_text(place)}")

    def waiting(self) -> None:
        self.bar.progress(
            0.0, text=f"{self.what}: another session is running exactly this; waiting for it…"
        )

    def empty(self) -> None:
        self.bar.empty()

    def finished(self, result: CachedRun) -> None:
        self.bar.progress(
            1.0,
            text=f"{self.what}: {result.reps_completed} replications in {clock(result.seconds)}"
            + (" (from the cache)" if result.from_cache else ""),
        )
        if result.reps_failed:
            st.warning(
                f"{result.reps_failed} replication(s) failed and are left out; their errors are "
                "in failures.csv (Downloads page)."
            )


def show_fault(error: Exception) -> None:
    """A run stopped by something other than the planner's input: say what, and what to do."""
    carry_on = "press Run again to carry on from the replications already finished"
    line = storage_fault(error, carry_on, cache_root())
    if line is not None:
        log.warning("run stopped: %s (%s)", line, error)
        st.error(f"The run stopped. {line}", icon=":material/hard_drive:")
    elif isinstance(error, WorkerLost):
        log.warning("run stopped: %s", error)
        st.error(f"The run stopped: {error}.")
    else:  # a fault of the app, not of the planner or the machine: say so, log the details
        log.error("run failed", exc_info=error)
        st.error(
            f"The run stopped because of a fault in the model or the app "
            f"({type(error).__name__}: {error}). The details are in the server's log; please "
            "report it."
        )


def queue_text(place: QueuePlace) -> str:
    """'3 runs ahead of yours (2 running, 1 waiting)'."""
    runs = "run" if place.ahead == 1 else "runs"
    return (
        f"{place.ahead} {runs} ahead of yours ({place.running} running, "
        f"{place.waiting_ahead} waiting)"
    )


def clock(seconds: float) -> str:
    """'2 min 05 s' or '40 s'."""
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def long_work_confirmed(scenario: Scenario, runs: int, reps: int, key: str) -> bool:
    """True unless `runs` runs of `reps` replications would take long and are not yet confirmed.

    Work estimated to take more than `CONFIRM_ABOVE_SECONDS` on the server's workers shows its
    estimate and a box to tick; the action runs only once it is ticked (an extra zero typed by
    mistake costs nothing).
    """
    workers = _setting(WORKERS_ENV, os.cpu_count() or 1)
    seconds = estimated_seconds(scenario, runs * reps, workers)
    if seconds <= CONFIRM_ABOVE_SECONDS:
        return True
    text = estimated_text(seconds)
    st.warning(
        f"This would simulate {runs * reps:,} futures and take up to about {text} on the "
        f"server's {workers} worker(s), which other sessions share. Fewer replications give a "
        "quicker, rougher answer.",
        icon=":material/schedule:",
    )
    return bool(st.checkbox(f"Yes, run for up to about {text}", key=f"confirm.{key}"))
