"""Shared test settings: Hypothesis profiles (builders for scenarios are in builders.py).

The default profile is derandomized so that the suite gives the same verdict on every run; set
HYPOTHESIS_PROFILE=explore to search many more random examples.
"""

from __future__ import annotations

import os

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser and Dask tests are slow too, so `-m "not slow"` leaves them out."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("dask"):
            item.add_marker(pytest.mark.slow)
