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
    "KPI_NAMES": "sim.recording",
    "ReplicationResult": "sim.recording",
    "Problem": "sim.errors",
    "ScenarioError": "sim.errors",
    "Scenario": "sim.scenario",
    "load_scenario": "sim.scenario_files",
    "parse_scenario": "sim.scenario_files",
    "scenario_json_schema": "sim.scenario_files",
    "scenario_to_yaml": "sim.scenario_files",
    "run_replication": "sim.experiment",
    "simulate": "sim.experiment",
}

if TYPE_CHECKING:
    from sim.errors import Problem, ScenarioError
    from sim.experiment import run_replication, simulate
    from sim.recording import KPI_NAMES, ReplicationResult
    from sim.scenario import Scenario
    from sim.scenario_files import (
        load_scenario,
        parse_scenario,
        scenario_json_schema,
        scenario_to_yaml,
    )


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)
