"""CCS capacity model: will the expansion of the Crown Commercial Service outrun its capability?

The public API: load a scenario, run replications, read results.
"""

from sim.errors import Problem, ScenarioError
from sim.experiment import run_replication, simulate
from sim.recording import KPI_NAMES, ReplicationResult
from sim.scenario import Scenario
from sim.scenario_files import load_scenario, parse_scenario, scenario_json_schema, scenario_to_yaml

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
