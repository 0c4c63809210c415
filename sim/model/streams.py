"""Random streams: one seed becomes one independent numpy Generator per stochastic process.

A replication is a `SeedSequence(seed, spawn_key=(rep,))`, decided before dispatch, so results do
not depend on which worker runs it or how many there are. Inside it each process draws from its
own stream, so that changing one mechanism (say, recruitment) leaves the others' draws (say,
arrivals) untouched: common random numbers for comparing scenarios.

The streams are the attributes `Streams` declares (append-only; see its docstring).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = ["STREAM_NAMES", "RecruitmentStream", "Streams", "replication_seed_sequence"]


class Streams:
    """Named Generators for one replication: `streams.arrivals`, `streams.effort`, ...

    Each stream is a declared attribute, so a misspelt stream (`streams.arivals`) is a type error
    that mypy reports, not a draw from the wrong stream. The declarations are the one list of
    streams: `STREAM_NAMES` is read from them, in order, and the order gives each stream its
    seed. APPEND-ONLY: a new stream goes at the end; reordering or removing one would change
    every existing result.
    """

    demand_multiplier: np.random.Generator
    arrivals: np.random.Generator
    effort: np.random.Generator
    patience: np.random.Generator
    contract_value: np.random.Generator
    attrition: np.random.Generator
    leaver_notice: np.random.Generator
    approval: np.random.Generator
    advert: np.random.Generator
    sift_interview: np.random.Generator
    offer: np.random.Generator
    vetting: np.random.Generator
    joiner_notice: np.random.Generator
    contractor_lead_time: np.random.Generator
    start_cases: np.random.Generator
    start_tenure: np.random.Generator
    start_vacancies: np.random.Generator
    transferred_work: np.random.Generator

    def __init__(self, seed_sequence: np.random.SeedSequence) -> None:
        # Children built from spawn keys rather than `spawn()`, which counts calls on the
        # parent object: the same replication must give the same streams however often it runs.
        for index, name in enumerate(STREAM_NAMES):
            child = np.random.SeedSequence(
                seed_sequence.entropy, spawn_key=(*seed_sequence.spawn_key, index)
            )
            setattr(self, name, np.random.default_rng(child))


STREAM_NAMES: tuple[str, ...] = tuple(Streams.__annotations__)
"""Every stream, in the order that seeds them (append-only: see `Streams`)."""

RecruitmentStream = Literal["approval", "advert", "sift_interview", "offer", "vetting"]
"""The streams a recruitment stage draws from by name (`Recruitment.draw`, `Recruitment.passes`)."""


def replication_seed_sequence(seed: int, rep: int) -> np.random.SeedSequence:
    """The seed sequence of replication `rep` of a run seeded `seed` (= spawn child `rep`)."""
    return np.random.SeedSequence(seed, spawn_key=(rep,))
