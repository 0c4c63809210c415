"""Replications: the pure model function, and a replication as (scenario, run seed, rep).

`simulate(scenario, seed)` runs one replication from a seed; `run_replication(scenario, seed,
rep)` runs replication `rep` of a run seeded `seed`, whose streams are fixed before dispatch so
that a replication gives the same result wherever and in whatever order it runs.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.model.simulation import simulate_raw
from sim.model.streams import replication_seed_sequence
from sim.results.recording import ReplicationResult, summarise_run
from sim.scenario.schema import Scenario

__all__ = ["ReplicationOutcome", "replicate", "run_replication", "simulate"]


def simulate(scenario: Scenario, seed: int | np.random.SeedSequence) -> ReplicationResult:
    """One replication of `scenario`: monthly series, KPIs and the verdict."""
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return summarise_run(simulate_raw(scenario, sequence))


def run_replication(scenario: Scenario, seed: int, rep: int) -> ReplicationResult:
    """Replication `rep` of a run seeded `seed`."""
    return simulate(scenario, replication_seed_sequence(seed, rep))


@dataclass(frozen=True)
class ReplicationOutcome:
    """What one replication sends back to the runner: its tables, or the error it raised."""

    rep: int
    seed: int
    kpis: dict[str, Any] | None = None
    monthly: pd.DataFrame | None = None
    monthly_by_pool: pd.DataFrame | None = None
    pool_kpis: pd.DataFrame | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        """True if the replication raised instead of finishing."""
        return self.error is not None


def replicate(payload: tuple[Scenario, int], rep: int) -> ReplicationOutcome:
    """Run replication `rep` of (scenario, seed); an exception is recorded, not raised."""
    scenario, seed = payload
    try:
        result = run_replication(scenario, seed, rep)
    except Exception:  # a failing replication must not stop the batch
        return ReplicationOutcome(rep, seed, error=traceback.format_exc(limit=20))
    return ReplicationOutcome(
        rep, seed, result.kpis, result.monthly, result.monthly_by_pool, result.pool_kpis
    )
