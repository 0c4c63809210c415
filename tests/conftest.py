"""Shared test settings: Hypothesis profiles (builders for scenarios are in builders.py).

The default profile is derandomized so that the suite gives the same verdict on every run; set
HYPOTHESIS_PROFILE=explore to search many more random examples.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "explore",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def _weight(item: pytest.Item) -> int:
    """0 for a browser test, 1 for another slow one, 2 for a quick one."""
    if item.get_closest_marker("browser"):
        return 0
    return 1 if item.get_closest_marker("slow") else 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser and Dask tests are slow too, so `-m "not slow"` leaves them out.

    The files are then put in order of their heaviest test, browser files first, then slow ones,
    then quick ones (in name order within each): `--dist loadfile` hands files to the two
    processes in this order, so the longest files start first and the many quick files fill in
    the ends; files in name order could leave one process running a browser file alone at the
    end while the other had finished."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("dask"):
            item.add_marker(pytest.mark.slow)
    heaviest: dict[str, int] = {}
    for item in items:
        heaviest[item.nodeid.split("::")[0]] = min(
            heaviest.get(item.nodeid.split("::")[0], 2), _weight(item)
        )
    items.sort(key=lambda item: heaviest[item.nodeid.split("::")[0]])  # stable: order kept within


@pytest.fixture(scope="session")
def report_checks_once() -> Iterator[None]:
    """The report's theory and history checks, run once per test process and shared by every
    report written in it.

    Both are deterministic (fixed seeds, their own scenarios) and do not depend on the runs a
    report is written from, so every report gets the figures it would compute itself; computing
    them costs about 20 s of CPU per report on the CI machine. They still run, for real, in the
    first report of each test process.
    """
    import sim.report.html as report_html

    theory, history = report_html.run_theory_checks, report_html.run_history_checks
    memo: dict[str, list[Any]] = {}

    def theory_once() -> list[Any]:
        if "theory" not in memo:
            memo["theory"] = theory()
        return list(memo["theory"])

    def history_once() -> list[Any]:
        if "history" not in memo:
            memo["history"] = history()
        return list(memo["history"])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_html, "run_theory_checks", theory_once)
        patch.setattr(report_html, "run_history_checks", history_once)
        yield
