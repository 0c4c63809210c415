"""Options appraisal: a base scenario and options run with common random numbers, then compared.

The Green Book compares options against a base case. Here every scenario runs with the same seed
and number of replications, so replication `rep` of each sees the same arrivals, efforts and
contract values (sim/model/streams.py), and each KPI is compared replication by replication
(`sim.results.paired.paired_differences`): the mean paired difference with its 95% confidence
interval
and the share of replications in which the option does better, which is the probability that it
is better in a future drawn from the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import Problem, ScenarioError
from sim.report.assumptions import scenario_differences
from sim.results.paired import paired_differences
from sim.runs.executors import Executor
from sim.runs.rundir import atomic_write_bytes
from sim.scenario.schema import Scenario
from sim.studies.study import DEFAULT_CACHE, PointRun, RunCache, StudyProgress, write_study

__all__ = [
    "COMPARISON_FILE",
    "CompareRequest",
    "Comparison",
    "Option",
    "comparison_table",
    "run_comparison",
    "with_share_worse",
]

COMPARISON_FILE = "comparison.csv"
DIFFERENCES_FILE = "differences.csv"


@dataclass(frozen=True)
class Option:
    """One scenario to appraise: a label, the scenario, and where it came from."""

    label: str
    scenario: Scenario
    scenario_file: str = ""
    overrides: list[str] = field(default_factory=list)


@dataclass
class CompareRequest:
    """A base case (first) and one or more options, all run with one seed and replications."""

    options: list[Option]
    seed: int
    reps: int
    out: Path
    cache: Path = DEFAULT_CACHE


@dataclass
class Comparison:
    """The runs of a comparison and its table (one row per option and KPI)."""

    out: Path
    runs: list[PointRun]
    table: pd.DataFrame


def run_comparison(
    request: CompareRequest, executor: Executor, on_progress: StudyProgress | None = None
) -> Comparison:
    """Run (or reuse) every scenario and write the comparison study into `request.out`."""
    if len(request.options) < 2:
        raise ScenarioError([Problem("compare", "one scenario", "a base and at least one option")])
    labels = [o.label for o in request.options]
    if len(set(labels)) != len(labels):
        raise ScenarioError(
            [Problem("compare", ", ".join(labels), "scenarios with distinct names")]
        )
    cache = RunCache(request.cache, executor, request.seed, request.reps, on_progress)
    cache.expect(len(request.options))
    runs = [cache.run(o.scenario, o.label, o.scenario_file, o.overrides) for o in request.options]
    table = comparison_table(runs[0], runs[1:])
    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / COMPARISON_FILE, table.to_csv(index=False).encode())
    differences = pd.concat(
        [
            scenario_differences(runs[0].scenario, run.scenario).assign(option=run.label)
            for run in runs[1:]
        ],
        ignore_index=True,
    )
    atomic_write_bytes(out / DIFFERENCES_FILE, differences.to_csv(index=False).encode())
    write_study(
        out,
        "compare",
        {
            "seed": request.seed,
            "reps": request.reps,
            "method": "paired differences with common random numbers (same seed, same reps)",
            "base": runs[0].record(out, scenario_file=request.options[0].scenario_file),
            "options": [
                run.record(out, scenario_file=option.scenario_file)
                for run, option in zip(runs[1:], request.options[1:], strict=True)
            ],
            "tables": {"comparison": COMPARISON_FILE, "differences": DIFFERENCES_FILE},
        },
    )
    return Comparison(out, runs, table)


def comparison_table(base: PointRun, options: list[PointRun]) -> pd.DataFrame:
    """Paired differences of every KPI, option by option (`option` column first)."""
    base_kpis = base.kpis()
    frames = [
        with_share_worse(paired_differences(base_kpis, kpis), base_kpis, kpis).assign(
            base=base.label, option=run.label
        )
        for run, kpis in ((run, run.kpis()) for run in options)
    ]
    table = pd.concat(frames, ignore_index=True)
    first = ["base", "option"]
    return table[first + [c for c in table.columns if c not in first]]


def with_share_worse(table: pd.DataFrame, base: pd.DataFrame, option: pd.DataFrame) -> pd.DataFrame:
    """Add `p_option_worse`: the share of replications in which the option does worse. With
    `p_option_better` it shows the ties too (e.g. both always outrun capability: 0% and 0%)."""
    merged = base.merge(option, on="rep", suffixes=("_base", "_option"))
    worse = []
    for kpi, better in zip(table["kpi"], table["better"], strict=True):
        a = pd.to_numeric(merged[f"{kpi}_base"], errors="coerce").to_numpy(dtype=float)
        b = pd.to_numeric(merged[f"{kpi}_option"], errors="coerce").to_numpy(dtype=float)
        diff = (b - a)[~np.isnan(b - a)]
        if not better or len(diff) == 0:
            worse.append(np.nan)
        else:
            worse.append(float(((diff < 0) if better == "higher" else (diff > 0)).mean()))
    return table.assign(p_option_worse=worse)
