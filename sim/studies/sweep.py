"""Sensitivity analysis: one- and two-way grids, one-at-a-time sensitivities, switching values.

The Green Book (paras 5.59-5.61) asks for sensitivity analysis and switching values: the value of
an input at which the recommended option changes or the proposal fails. Here the proposal fails
when the model's verdict flips: the probability that expansion outruns capability crosses 50%
(criterion `outrun`), or the mean service level crosses its target (criterion `sla`).

Every point of a sweep is an ordinary run directory with the same seed and replications (common
random numbers: replication `rep` of every point sees the same arrivals), cached by scenario
digest, so points shared with other studies are not run twice.

Design, given levers L1..Lk each with a list of values:

- the scenario as given (the base point);
- one-at-a-time (OAT): each lever at each of its values, the others as given. The tornado chart
  shows, for each lever, a KPI at its lowest and highest value, sorted by the swing between them;
- with exactly two levers, the full two-way grid as well (a heat map of the probability of
  outrunning capability);
- switching values, for each numeric lever and each criterion, by the search below.

Switching values are searched for by `sim.studies.switching` (its docstring gives the method).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import Problem, ScenarioError
from sim.results.kpis import KPI_NAMES
from sim.runs.executors import Executor
from sim.runs.rundir import atomic_write_bytes
from sim.scenario.levers import (
    Lever,
    LeverSetting,
    base_value,
    check_levers,
    grid_settings,
)
from sim.scenario.schema import Scenario
from sim.studies.study import DEFAULT_CACHE, PointRun, RunCache, StudyProgress, write_study
from sim.studies.switching import (
    CRITERIA,
    Criterion,
    SwitchingValue,
    find_switching_value,
    switching_interval_text,
    switching_sentence,
)

__all__ = [
    "CRITERIA",
    "Criterion",
    "SweepRequest",
    "SweepResult",
    "SwitchingValue",
    "find_switching_value",
    "run_sweep",
    "switching_interval_text",
    "switching_sentence",
    "tornado_table",
]
# The switching-value search lives in sim.studies.switching; its names stay importable from here.

POINTS_FILE = "points.csv"
TORNADO_FILE = "tornado.csv"
SWITCHING_FILE = "switching.csv"


@dataclass
class SweepRequest:
    """A sensitivity study of one scenario over one or more levers."""

    scenario: Scenario
    levers: list[Lever]
    seed: int
    reps: int
    out: Path
    cache: Path = DEFAULT_CACHE
    scenario_file: str = ""
    overrides: list[str] = field(default_factory=list)
    kpi: str = "outruns_capability"  # the tornado's KPI
    two_way: bool | None = None  # None: when there are exactly two levers
    switching: bool = True
    criteria: tuple[str, ...] = ("outrun", "sla")
    bisect_steps: int = 3
    bootstrap: int = 2000


@dataclass
class SweepResult:
    """What a sweep found: its points, tornado and switching values."""

    out: Path
    points: pd.DataFrame
    tornado: pd.DataFrame
    switching: list[SwitchingValue]


# --- running a sweep ----------------------------------------------------------------------------


class _Points:
    """The sweep's points: settings -> run, in the order they were first asked for."""

    def __init__(self, request: SweepRequest, cache: RunCache) -> None:
        self.request = request
        self.cache = cache
        self.runs: dict[LeverSetting, PointRun] = {}
        self.roles: dict[LeverSetting, list[str]] = {}
        self._vectors: dict[tuple[Path, str], np.ndarray] = {}

    def run(self, setting: LeverSetting, role: str) -> PointRun:
        if setting not in self.runs:
            request = self.request
            self.runs[setting] = self.cache.run_setting(
                request.scenario, setting, request.scenario_file, request.overrides
            )
        roles = self.roles.setdefault(setting, [])
        if role not in roles:
            roles.append(role)
        return self.runs[setting]

    def vector(self, setting: LeverSetting, kpi: str, role: str) -> np.ndarray:
        """Per-replication values of a KPI at a point, in replication order."""
        run = self.run(setting, role)
        key = (run.run_dir, kpi)
        if key not in self._vectors:
            kpis = run.kpis().sort_values("rep")
            self._vectors[key] = pd.to_numeric(kpis[kpi], errors="coerce").to_numpy(dtype=float)
        return self._vectors[key]


def run_sweep(
    request: SweepRequest, executor: Executor, on_progress: StudyProgress | None = None
) -> SweepResult:
    """Run every point of the sweep (reusing cached runs) and write its study directory."""
    _check_request(request)
    cache = RunCache(request.cache, executor, request.seed, request.reps, on_progress)
    points = _Points(request, cache)
    two_way = request.two_way if request.two_way is not None else len(request.levers) == 2
    oat = [LeverSetting(((lever.key, v),)) for lever in request.levers for v in lever.values]
    grid = grid_settings(request.levers) if two_way else []
    cache.expect(1 + len(oat) + len(grid))
    points.run(LeverSetting(), "base")
    for setting in oat:
        points.run(setting, "oat")
    for setting in grid:
        points.run(setting, "grid")
    switching = _switching_values(request, points) if request.switching else []
    table = _points_table(request, points)
    tornado = tornado_table(table, request.levers, request.kpi, request.scenario)
    _write(request, points, table, tornado, switching, two_way)
    return SweepResult(request.out, table, tornado, switching)


def _check_request(request: SweepRequest) -> None:
    problems = []
    if not request.levers:
        problems.append(Problem("--vary", "", "at least one KEY=V1,V2,..."))
    keys = [lever.key for lever in request.levers]
    if len(set(keys)) != len(keys):
        problems.append(Problem("--vary", ", ".join(keys), "each lever once"))
    if request.kpi not in KPI_NAMES:
        problems.append(Problem("--kpi", request.kpi, f"one of: {', '.join(KPI_NAMES)}"))
    for name in request.criteria:
        if name not in CRITERIA:
            problems.append(Problem("--criterion", name, f"one of: {', '.join(CRITERIA)}"))
    if problems:
        raise ScenarioError(problems)
    check_levers(request.scenario, request.levers)


def _switching_values(request: SweepRequest, points: _Points) -> list[SwitchingValue]:
    found = []
    for lever in request.levers:
        for name in request.criteria:
            found.append(_switching_value(request, points, lever, CRITERIA[name]))
    return found


def _switching_value(
    request: SweepRequest, points: _Points, lever: Lever, criterion: Criterion
) -> SwitchingValue:
    threshold = criterion.threshold(request.scenario)
    if not lever.numeric or len(lever.values) < 2:
        return SwitchingValue(
            lever.key,
            criterion.name,
            threshold,
            "not_numeric",
            message="a switching value needs two or more numeric values",
        )
    xs = [float(v) for v in lever.values]
    base = base_value(request.scenario, lever.key)
    if isinstance(base, int | float) and not isinstance(base, bool):
        xs.append(float(base))

    def evaluate(x: float) -> np.ndarray:
        value: Any = round(x) if lever.integer else x
        if value == base:
            setting = LeverSetting()
            role = "base"
        else:
            setting = LeverSetting(((lever.key, value),))
            role = "oat" if value in lever.values else "bisect"
        return points.vector(setting, criterion.kpi, role)

    points.cache.expect(request.bisect_steps)
    result = find_switching_value(
        evaluate,
        xs,
        threshold,
        integer=lever.integer,
        steps=request.bisect_steps,
        bootstrap=request.bootstrap,
        seed=request.seed,
    )
    return SwitchingValue(lever.key, criterion.name, **result)


def _points_table(request: SweepRequest, points: _Points) -> pd.DataFrame:
    """One row per point and KPI: the point's settings and its run's summary.csv row."""
    frames = []
    keys = [lever.key for lever in request.levers]
    for i, (setting, run) in enumerate(points.runs.items()):
        summary = run.summary()
        values = setting.as_dict()
        summary.insert(0, "point", f"p{i:03d}")
        summary.insert(1, "label", setting.label())
        summary.insert(2, "roles", "+".join(points.roles[setting]))
        for j, key in enumerate(keys):
            summary.insert(3 + j, key, values.get(key))
        summary["run_dir"] = os.path.relpath(run.run_dir.resolve(), request.out.resolve())
        frames.append(summary)
    return pd.concat(frames, ignore_index=True)


def tornado_table(
    points: pd.DataFrame, levers: list[Lever], kpi: str, scenario: Scenario
) -> pd.DataFrame:
    """For each lever: the KPI at its lowest and highest value (others as given), the base, and
    the swing between them; largest swing first."""
    rows = []
    by_kpi = points[points["kpi"] == kpi]
    base = by_kpi[by_kpi["roles"].str.contains("base")].iloc[0]
    for lever in levers:
        ordered = sorted(lever.values) if lever.numeric else list(lever.values)
        low_value, high_value = ordered[0], ordered[-1]
        low, high = (_oat_row(by_kpi, lever.key, v) for v in (low_value, high_value))
        rows.append(
            {
                "lever": lever.key,
                "kpi": kpi,
                "base_value": base_value(scenario, lever.key),
                "low_value": low_value,
                "high_value": high_value,
                "base_mean": base["mean"],
                "low_mean": low["mean"],
                "low_ci_low": low["ci_low"],
                "low_ci_high": low["ci_high"],
                "high_mean": high["mean"],
                "high_ci_low": high["ci_low"],
                "high_ci_high": high["ci_high"],
                "swing": abs(high["mean"] - low["mean"]),
            }
        )
    table = pd.DataFrame(rows)
    return table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def _oat_row(by_kpi: pd.DataFrame, key: str, value: Any) -> pd.Series:
    label = LeverSetting(((key, value),)).label()
    return by_kpi[by_kpi["label"] == label].iloc[0]


def _write(
    request: SweepRequest,
    points: _Points,
    table: pd.DataFrame,
    tornado: pd.DataFrame,
    switching: list[SwitchingValue],
    two_way: bool,
) -> None:
    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / POINTS_FILE, table.to_csv(index=False).encode())
    atomic_write_bytes(out / TORNADO_FILE, tornado.to_csv(index=False).encode())
    frame = pd.DataFrame(
        [asdict(s) for s in switching], columns=list(SwitchingValue.__annotations__)
    )
    atomic_write_bytes(out / SWITCHING_FILE, frame.to_csv(index=False).encode())
    write_study(
        out,
        "sweep",
        {
            "seed": request.seed,
            "reps": request.reps,
            "scenario_file": request.scenario_file,
            "overrides": request.overrides,
            "levers": [
                {
                    "key": lever.key,
                    "values": list(lever.values),
                    "base_value": base_value(request.scenario, lever.key),
                    "description": lever.named.description if lever.named else "field path",
                }
                for lever in request.levers
            ],
            "tornado_kpi": request.kpi,
            "two_way": two_way,
            "bisect_steps": request.bisect_steps,
            "bootstrap_resamples": request.bootstrap,
            "criteria": {
                name: {
                    "kpi": CRITERIA[name].kpi,
                    "threshold": CRITERIA[name].threshold(request.scenario),
                    "description": CRITERIA[name].description,
                }
                for name in request.criteria
            },
            "points": [
                run.record(out, id=f"p{i:03d}", settings=s.as_dict(), roles=points.roles[s])
                for i, (s, run) in enumerate(points.runs.items())
            ],
            "tables": {"points": POINTS_FILE, "tornado": TORNADO_FILE, "switching": SWITCHING_FILE},
        },
    )
