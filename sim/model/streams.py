"""Random streams: one seed becomes one independent numpy Generator per stochastic process.

A replication is a `SeedSequence(seed, spawn_key=(rep,))`, decided before dispatch, so results do
not depend on which worker runs it or how many there are. Inside it each process draws from its
own stream, so that changing one mechanism (say, recruitment) leaves the others' draws (say,
arrivals) untouched: common random numbers for comparing scenarios.

`STREAM_NAMES` is append-only: a new process takes a new name at the end; reordering or removing
names would change every existing result.
"""

from __future__ import annotations

import numpy as np

__all__ = ["STREAM_NAMES", "Streams", "replication_seed_sequence"]

STREAM_NAMES: tuple[str, ...] = (
    "demand_multiplier",
    "arrivals",
    "effort",
    "patience",
    "contract_value",
    "attrition",
    "leaver_notice",
    "approval",
    "advert",
    "sift_interview",
    "offer",
    "vetting",
    "joiner_notice",
    "contractor_lead_time",
)


def replication_seed_sequence(seed: int, rep: int) -> np.random.SeedSequence:
    """The seed sequence of replication `rep` of a run seeded `seed` (= spawn child `rep`)."""
    return np.random.SeedSequence(seed, spawn_key=(rep,))


class Streams:
    """Named Generators for one replication: `streams.arrivals`, `streams.effort`, ..."""

    def __init__(self, seed_sequence: np.random.SeedSequence) -> None:
        # Children built from spawn keys rather than `spawn()`, which counts calls on the
        # parent object: the same replication must give the same streams however often it runs.
        self._generators = {
            name: np.random.default_rng(
                np.random.SeedSequence(
                    seed_sequence.entropy, spawn_key=(*seed_sequence.spawn_key, index)
                )
            )
            for index, name in enumerate(STREAM_NAMES)
        }

    def __getattr__(self, name: str) -> np.random.Generator:
        try:
            return self._generators[name]
        except KeyError:
            raise AttributeError(f"no random stream named {name!r}") from None
