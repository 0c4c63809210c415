"""Replications: the pure model function, and a replication as (scenario, run seed, rep).

`simulate(scenario, seed)` runs one replication from a seed; `run_replication(scenario, seed,
rep)` runs replication `rep` of a run seeded `seed`, whose streams are fixed before dispatch so
that a replication gives the same result wherever and in whatever order it runs.
"""

from __future__ import annotations

import numpy as np

from sim.model.simulation import simulate_raw
from sim.recording import ReplicationResult, summarise_run
from sim.scenario import Scenario
from sim.streams import replication_seed_sequence

__all__ = ["run_replication", "simulate"]


def simulate(scenario: Scenario, seed: int | np.random.SeedSequence) -> ReplicationResult:
    """One replication of `scenario`: monthly series, KPIs and the verdict."""
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return summarise_run(simulate_raw(scenario, sequence))


def run_replication(scenario: Scenario, seed: int, rep: int) -> ReplicationResult:
    """Replication `rep` of a run seeded `seed`."""
    return simulate(scenario, replication_seed_sequence(seed, rep))
