"""Running scenarios from the app: through the shared run cache, with a progress bar.

The app runs the same engine as `ccs-sim run` (`sim.runs.batch.run_batch` via `sim.runs.cache`), so
every result is an ordinary run directory. Replications run on a local process pool
(`sim.runs.executors.make_executor`); one worker runs them in the app's own process.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import streamlit as st

from app_pages.state import cache_root
from sim.errors import ScenarioError
from sim.runs.cache import CachedRun, RunOrigin, find_cached, run_cached
from sim.runs.executors import make_executor
from sim.runs.tables import RunTables, load_run
from sim.scenario.schema import Scenario

log = logging.getLogger(__name__)


@st.cache_resource(max_entries=12, show_spinner=False)
def load_run_cached(path: str) -> RunTables:
    """A finished run directory's tables. Cached across sessions: finished runs never change."""
    return load_run(Path(path))


def cached(scenario: Scenario, seed: int, reps: int) -> CachedRun | None:
    """The cached run of exactly these inputs, if any (instant)."""
    return find_cached(cache_root(), scenario, seed, reps)


def run_with_progress(
    scenario: Scenario, seed: int, reps: int, workers: int, origin: RunOrigin, what: str
) -> CachedRun | None:
    """Run (or fetch) a batch, showing progress; None if it could not run (message shown)."""
    bar = st.progress(0.0, text=f"{what}: starting {reps} replications…")
    started = time.monotonic()

    def progress(done: int, failed: int, total: int) -> None:
        elapsed = time.monotonic() - started
        left = ""
        if 0 < done < total:
            left = f", about {_clock(elapsed / done * (total - done))} left"
        failures = f" ({failed} failed)" if failed else ""
        bar.progress(
            done / total if total else 1.0,
            text=f"{what}: {done} of {total} replications{failures}{left}",
        )

    def waiting() -> None:
        bar.progress(0.0, text=f"{what}: another session is running exactly this; waiting for it…")

    try:
        result = run_cached(
            cache_root(),
            scenario,
            seed,
            reps,
            lambda: make_executor(workers),
            origin=origin,
            on_progress=progress,
            on_wait=waiting,
        )
    except ScenarioError as error:
        bar.empty()
        st.error("The run could not start:\n\n" + "\n".join(f"- {line}" for line in error.lines()))
        return None
    except Exception as error:  # a fault of the app, not of the planner: say so, log the details
        log.exception("run failed")
        bar.empty()
        st.error(
            f"The run stopped because of a fault in the model or the app ({type(error).__name__}: "
            f"{error}). The details are in the server's log; please report it."
        )
        return None
    bar.progress(
        1.0,
        text=f"{what}: {result.reps_completed} replications in {_clock(result.seconds)}"
        + (" (from the cache)" if result.from_cache else ""),
    )
    if result.reps_failed:
        st.warning(
            f"{result.reps_failed} replication(s) failed and are left out; their errors are in "
            "failures.csv (Downloads page)."
        )
    return result


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"
