"""CCS capacity model: will the expansion of the Crown Commercial Service outrun its capability?

The public API: load a scenario, run replications, read results. Names are imported on first
use, so that `ccs-sim validate` does not pay for loading pandas and the model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "KPI_NAMES",
    "Problem",
    "ReplicationResult",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "parse_scenario",
    "run_replication",
    "scenario_json_schema",
    "scenario_to_yaml",
    "simulate",
]

__version__ = "0.1.0"

_HOME = {
    "KPI_NAMES": "sim.results.kpis",
    "ReplicationResult": "sim.results.recording",
    "Problem": "sim.errors",
    "ScenarioError": "sim.errors",
    "Scenario": "sim.scenario.schema",
    "load_scenario": "sim.scenario.files",
    "parse_scenario": "sim.scenario.files",
    "scenario_json_schema": "sim.scenario.files",
    "scenario_to_yaml": "sim.scenario.files",
    "run_replication": "sim.results.replication",
    "simulate": "sim.results.replication",
}

if TYPE_CHECKING:
    from sim.errors import Problem, ScenarioError
    from sim.results.kpis import KPI_NAMES
    from sim.results.recording import ReplicationResult
    from sim.results.replication import run_replication, simulate
    from sim.scenario.files import (
        load_scenario,
        parse_scenario,
        scenario_json_schema,
        scenario_to_yaml,
    )
    from sim.scenario.schema import Scenario


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)
