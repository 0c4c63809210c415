"""A planner's session survives a server restart: the address's token brings back the scenario,
its edits, the seed and the replications, and with them the half-finished run, which Run carries
on to the same results as an uninterrupted run. A full disk in the app is named as one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from app_fixtures import APP, app_env
from streamlit.testing.v1 import AppTest

from sim.runs.batch import BatchRequest, run_batch
from sim.runs.cache import cache_key, run_cached
from sim.runs.executors import InProcessExecutor
from sim.scenario.files import parse_scenario

__all__ = ["app_env"]

pytestmark = [pytest.mark.usefixtures("app_env"), pytest.mark.slow]
RESULTS = "app_pages/results.py"
VERDICT = "Will the expansion outrun capability?"


def _session(token: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    if token is not None:
        at.query_params["session"] = token
    at.run()
    assert not at.exception, at.exception
    return at


class StopsAfter:
    """An executor that dies after `n` replications, as a server killed part-way through."""

    description = "in-process"

    def __init__(self, n: int) -> None:
        self.n = n

    def run(self, task: Any, payload: Any, reps: Iterable[int]) -> Iterator[tuple[int, Any]]:
        for count, rep in enumerate(reps):
            if count == self.n:
                raise KeyboardInterrupt  # the server's process ends
            yield rep, task(payload, rep)

    def close(self) -> None:
        pass


def test_a_reconnected_session_gets_its_inputs_and_half_finished_run_back(
    app_env: Path,
) -> None:
    at = _session()
    [acceptance] = [w for w in at.number_input if w.label == "Offer acceptance (%)"]
    acceptance.set_value(95.0).run()
    at.switch_page(RESULTS).run()
    at.number_input(key="run_settings.seed").set_value(77).run()
    at.number_input(key="run_settings.reps").set_value(5).run()
    token = at.session_state["persist_token"]
    assert at.session_state["edited"]["recruitment"]["offer_acceptance"] == 0.95

    # The server dies two replications into the run of exactly these inputs.
    now_scenario = _current_scenario(at)
    with pytest.raises(KeyboardInterrupt):
        run_cached(app_env / "cache", now_scenario, 77, 5, lambda: StopsAfter(2))
    partial = app_env / "cache" / f"{cache_key(now_scenario, 77, 5)}.partial"
    assert partial.is_dir()

    # A new server: a fresh session, reached with the same address.
    back = _session(token)
    assert back.session_state["run_settings"] == {"reps": 5, "seed": 77}
    assert back.session_state["edited"]["recruitment"]["offer_acceptance"] == 0.95
    back.switch_page(RESULTS).run()
    assert back.number_input(key="run_settings.seed").value == 77
    info = "\n".join(str(i.value) for i in back.info)
    assert "has 2 of 5 replications on disk" in info
    [run] = [b for b in back.button if b.label == "Run"]
    run.click().run()
    assert not back.exception, back.exception
    assert VERDICT in [h.value for h in back.header]

    finished = Path(back.session_state["last_run"])
    reference = app_env / "reference"
    run_batch(BatchRequest(now_scenario, 77, 5, reference), InProcessExecutor())
    for table in ("kpis.parquet", "monthly.parquet", "pools.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(finished / table), pd.read_parquet(reference / table)
        )


def _current_scenario(at: AppTest) -> Any:
    """The scenario the session would run (as `state.current()` builds it)."""
    from app_pages.edits import differences, mark_edited_sources, prune_sources
    from app_pages.state import run_name

    base = at.session_state["base"]
    data = at.session_state["edited"]
    diffs = differences(base.data, data)
    marked = prune_sources(mark_edited_sources(data, diffs, base.label))[0]
    marked["name"] = run_name(base, data, diffs)
    return parse_scenario(marked)


def test_an_address_with_an_unknown_token_starts_afresh() -> None:
    at = _session("0" * 32)
    assert at.session_state["run_settings"] == {"reps": 20, "seed": 2014}
