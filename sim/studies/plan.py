"""Plans: the least-cost setting of chosen levers that meets a service target with confidence.

A planner asks, for example, "what is the cheapest scale on the headcount plan for which the
service level is at least 90% in nine futures out of ten?":

    ccs-sim plan scenarios/plan_2014.yaml --target "sla_attainment >= 0.9" --confidence 0.9 \
        --lever headcount_plan_scale=1.0:1.5:0.1

Targets are `KPI OP NUMBER` (OP one of >=, <=, >, <), read by a small parser, never evaluated
as code. Each replication is one possible future; a setting *meets the target with confidence
c* when the share of replications in which every target holds is at least c (a chance
constraint). That share is itself an estimate: its 95% Wilson interval is reported, a setting
whose interval contains c is flagged as marginal, and `strict` requires the interval's lower end
to reach c.

The search is a full grid over the levers' values (one or two levers keep it small), every point
an ordinary cached run with the same seed, so that settings are compared under common random
numbers. Cost is the mean over replications of a sum of cost KPIs (default: staff cost plus
contractor cost, both in GBP over the run) plus, where given, a cost per unit of a lever above
its value in the scenario. The least-cost setting that meets the target is the answer; the
explanation names the cheaper settings that fail and by how much.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import Problem, ScenarioError
from sim.results.formats import format_money
from sim.results.kpis import KPI_NAMES
from sim.results.summary import mean_ci, wilson_interval
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

__all__ = [
    "DEFAULT_COST",
    "PlanRequest",
    "PlanResult",
    "Target",
    "parse_cost",
    "parse_target",
    "run_plan",
]

PLAN_FILE = "plan.csv"
MAX_POINTS = 400
DEFAULT_COST = "staff_cost_gbp + contractor_cost_gbp"

_TARGET = re.compile(
    r"^\s*(?P<kpi>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>>=|<=|>|<)\s*"
    r"(?P<number>[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)\s*(?P<percent>%?)\s*$"
)
_COST_TERM = re.compile(r"\s*([+-]?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*")


@dataclass(frozen=True)
class Target:
    """`kpi op threshold`, checked in each replication (a missing value never meets it)."""

    kpi: str
    op: str
    threshold: float

    def met(self, values: np.ndarray) -> np.ndarray:
        """Per replication: does the KPI meet the target?"""
        values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            result = {
                ">=": values >= self.threshold,
                "<=": values <= self.threshold,
                ">": values > self.threshold,
                "<": values < self.threshold,
            }[self.op]
        return result & ~np.isnan(values)

    def __str__(self) -> str:
        return f"{self.kpi} {self.op} {self.threshold:g}"


def parse_target(text: str) -> Target:
    """Read `KPI OP NUMBER` (e.g. `sla_attainment >= 0.9`, or `90%`); anything else is refused."""
    match = _TARGET.match(text)
    if match is None:
        raise ScenarioError(
            [
                Problem(
                    "--target",
                    text,
                    "KPI OP NUMBER with OP one of >=, <=, >, <; e.g. 'sla_attainment >= 0.9'",
                )
            ]
        )
    kpi = match["kpi"]
    _check_kpi(kpi, "--target")
    number = float(match["number"]) / (100 if match["percent"] else 1)
    return Target(kpi, match["op"], number)


def parse_cost(text: str) -> list[tuple[int, str]]:
    """Read a cost as KPI names joined by + and - (e.g. `staff_cost_gbp + contractor_cost_gbp`)."""
    terms: list[tuple[int, str]] = []
    position = 0
    while position < len(text):
        match = _COST_TERM.match(text, position)
        if match is None or match.end() == position or (terms and not match[1]):
            raise ScenarioError(
                [Problem("--cost", text, "KPI names joined by + or -, e.g. " + DEFAULT_COST)]
            )
        _check_kpi(match[2], "--cost")
        terms.append((-1 if match[1] == "-" else 1, match[2]))
        position = match.end()
    if not terms:
        raise ScenarioError([Problem("--cost", text, "at least one KPI name")])
    return terms


def _check_kpi(kpi: str, option: str) -> None:
    if kpi not in KPI_NAMES:
        close = difflib.get_close_matches(kpi, KPI_NAMES, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ScenarioError([Problem(option, kpi, f"{hint}a KPI: {', '.join(KPI_NAMES)}")])


@dataclass
class PlanRequest:
    """Find the least-cost lever setting meeting every target with `confidence`."""

    scenario: Scenario
    levers: list[Lever]
    targets: list[Target]
    confidence: float
    seed: int
    reps: int
    out: Path
    cache: Path = DEFAULT_CACHE
    scenario_file: str = ""
    overrides: list[str] = field(default_factory=list)
    cost: str = DEFAULT_COST
    lever_costs: dict[str, float] = field(default_factory=dict)  # GBP per unit above base
    strict: bool = False


@dataclass
class PlanResult:
    """The table of every setting tried, the chosen one (if any) and the explanation."""

    out: Path
    table: pd.DataFrame
    best: dict[str, Any] | None
    explanation: list[str]


def run_plan(
    request: PlanRequest, executor: Executor, on_progress: StudyProgress | None = None
) -> PlanResult:
    """Run every setting of the levers (reusing cached runs), choose, explain, write the study."""
    cost_terms = _check_request(request)
    settings = grid_settings(request.levers)
    cache = RunCache(request.cache, executor, request.seed, request.reps, on_progress)
    cache.expect(len(settings) + 1)
    base_run = cache.run(
        request.scenario, "as given", request.scenario_file, list(request.overrides)
    )
    runs = []
    for setting in settings:
        run = cache.run_setting(request.scenario, setting, request.scenario_file, request.overrides)
        runs.append((setting, run))
    bases = {lever.key: base_value(request.scenario, lever.key) for lever in request.levers}
    rows = [
        _evaluate(request, cost_terms, bases, setting, run, request.out) for setting, run in runs
    ]
    base_row = _evaluate(request, cost_terms, bases, LeverSetting(), base_run, request.out)
    table = pd.DataFrame(rows)
    best = _choose(table)
    explanation = explain(
        request,
        table,
        best,
        base_row,
        _paired_cost(request, cost_terms, bases, runs, base_run, best),
    )
    _write(request, table, base_row, best, explanation, base_run, runs, bases)
    return PlanResult(request.out, table, best, explanation)


def _check_request(request: PlanRequest) -> list[tuple[int, str]]:
    problems = []
    if not request.levers:
        problems.append(Problem("--lever", "", "at least one KEY=LOW:HIGH[:STEP] or KEY=V1,V2"))
    if not request.targets:
        problems.append(
            Problem("--target", "", "at least one target, e.g. 'sla_attainment >= 0.9'")
        )
    if not 0 < request.confidence < 1:
        problems.append(Problem("--confidence", f"{request.confidence}", "between 0 and 1"))
    for lever in request.levers:
        if not lever.numeric:
            problems.append(Problem("--lever", lever.key, "numeric values"))
    for key in request.lever_costs:
        if key not in {lever.key for lever in request.levers}:
            problems.append(Problem("--lever-cost", key, "the key of a --lever"))
    count = math.prod(len(lever.values) for lever in request.levers)
    if count > MAX_POINTS:
        problems.append(
            Problem("--lever", f"{count} settings", f"at most {MAX_POINTS}: coarser steps")
        )
    if problems:
        raise ScenarioError(problems)
    check_levers(request.scenario, request.levers)
    return parse_cost(request.cost)


def _cost_per_rep(
    kpis: pd.DataFrame,
    terms: list[tuple[int, str]],
    request: PlanRequest,
    bases: dict[str, Any],
    setting: LeverSetting,
) -> np.ndarray:
    cost = np.zeros(len(kpis))
    for sign, kpi in terms:
        cost += sign * pd.to_numeric(kpis[kpi], errors="coerce").to_numpy(dtype=float)
    values = setting.as_dict()
    for key, rate in request.lever_costs.items():
        value = values.get(key, bases.get(key))
        cost += rate * (float(value or 0.0) - float(bases[key] or 0.0))
    return cost


def _evaluate(
    request: PlanRequest,
    terms: list[tuple[int, str]],
    bases: dict[str, Any],
    setting: LeverSetting,
    run: PointRun,
    out: Path,
) -> dict[str, Any]:
    kpis = run.kpis().sort_values("rep")
    met = np.ones(len(kpis), dtype=bool)
    shares = {}
    for i, target in enumerate(request.targets):
        ok = target.met(pd.to_numeric(kpis[target.kpi], errors="coerce").to_numpy(dtype=float))
        shares[f"target_{i + 1}_share_met"] = float(ok.mean())
        met &= ok
    k, n = int(met.sum()), len(met)
    low, high = wilson_interval(k, n)
    share = k / n
    feasible = low >= request.confidence if request.strict else share >= request.confidence
    cost_mean, cost_low, cost_high = mean_ci(_cost_per_rep(kpis, terms, request, bases, setting))
    values = setting.as_dict()
    return {
        "label": setting.label(),
        **{lever.key: values.get(lever.key) for lever in request.levers},
        "reps": n,
        "reps_meeting": k,
        "share_meeting": share,
        "share_low": low,
        "share_high": high,
        **shares,
        "feasible": bool(feasible),
        "marginal": bool(low < request.confidence <= high),
        "cost_mean_gbp": cost_mean,
        "cost_ci_low_gbp": cost_low,
        "cost_ci_high_gbp": cost_high,
        "run_dir": os.path.relpath(run.run_dir.resolve(), out.resolve()),
    }


def _choose(table: pd.DataFrame) -> dict[str, Any] | None:
    """The feasible setting of least mean cost (ties: the one met in more replications)."""
    feasible = table[table["feasible"]]
    if feasible.empty:
        return None
    ordered = feasible.sort_values(
        ["cost_mean_gbp", "share_meeting"], ascending=[True, False], kind="stable"
    )
    return dict(ordered.iloc[0])


def _paired_cost(
    request: PlanRequest,
    terms: list[tuple[int, str]],
    bases: dict[str, Any],
    runs: list[tuple[LeverSetting, PointRun]],
    base_run: PointRun,
    best: dict[str, Any] | None,
) -> tuple[float, float, float] | None:
    """Cost of the chosen setting minus the scenario as given, paired by replication."""
    if best is None:
        return None
    setting, run = next((s, r) for s, r in runs if s.label() == best["label"])
    chosen = _cost_per_rep(run.kpis().sort_values("rep"), terms, request, bases, setting)
    given = _cost_per_rep(base_run.kpis().sort_values("rep"), terms, request, bases, LeverSetting())
    return mean_ci(chosen - given)


def explain(
    request: PlanRequest,
    table: pd.DataFrame,
    best: dict[str, Any] | None,
    given: dict[str, Any],
    extra_cost: tuple[float, float, float] | None,
) -> list[str]:
    """The answer in plain sentences: what meets the target, at what cost, and what does not."""
    lines = _the_question(request, table, given)
    if best is None:
        closest = table.sort_values("share_meeting", ascending=False).iloc[0]
        lines.append(
            f"No setting tried meets the target with {request.confidence:.0%} confidence. The "
            f"closest is {closest['label']}, meeting it in {closest['share_meeting']:.0%} of "
            "replications: widen the lever ranges or add another lever."
        )
        return lines
    return lines + _the_answer(request, table, best, extra_cost)


def _the_question(request: PlanRequest, table: pd.DataFrame, given: dict[str, Any]) -> list[str]:
    """What was asked, what was searched, and how the scenario as given fares."""
    targets = " and ".join(f"`{t}`" for t in request.targets)
    rule = "the lower end of its 95% interval" if request.strict else "the share of replications"
    lines = [
        f"Target: {targets} in at least {request.confidence:.0%} of futures ({rule} meeting "
        f"every target must reach {request.confidence:.0%}); {request.reps} replications, "
        f"seed {request.seed}, the same random numbers for every setting.",
        f"Searched {len(table)} settings of "
        + "; ".join(f"{lv.key} over {_values(lv.values)}" for lv in request.levers)
        + f". Cost: mean of {request.cost}"
        + "".join(
            f" + {format_money(r)} per unit of {k} above its value as given"
            for k, r in request.lever_costs.items()
        )
        + ".",
        f"As given, the scenario meets the target in {given['reps_meeting']} of "
        f"{given['reps']} replications ({given['share_meeting']:.0%}); expected cost "
        f"{format_money(given['cost_mean_gbp'])}.",
    ]
    return lines


def _the_answer(
    request: PlanRequest,
    table: pd.DataFrame,
    best: dict[str, Any],
    extra_cost: tuple[float, float, float] | None,
) -> list[str]:
    """The least-cost setting, its cost against the scenario as given, and what is close."""
    lines = []
    lines.append(
        f"Least-cost setting that meets it: {best['label']}. It meets the target in "
        f"{best['reps_meeting']} of {best['reps']} replications ({best['share_meeting']:.0%}; "
        f"95% interval {best['share_low']:.0%} to {best['share_high']:.0%}), at an expected "
        f"cost of {format_money(best['cost_mean_gbp'])} (95% CI "
        f"{format_money(best['cost_ci_low_gbp'])} to {format_money(best['cost_ci_high_gbp'])})."
    )
    if extra_cost is not None:
        mean, low, high = extra_cost
        lines.append(
            f"That is {format_money(mean)} more than the scenario as given (paired by "
            f"replication; 95% CI {format_money(low)} to {format_money(high)})."
        )
    if best["marginal"]:
        lines.append(
            f"Marginal: {request.confidence:.0%} lies inside the 95% interval of the share "
            "meeting the target, so the answer is within Monte Carlo error; rerun with more "
            "replications (--reps) or with --strict."
        )
    cheaper = table[(~table["feasible"]) & (table["cost_mean_gbp"] < best["cost_mean_gbp"])]
    for _, row in cheaper.sort_values("cost_mean_gbp", ascending=False).head(3).iterrows():
        lines.append(
            f"Cheaper but short of the target: {row['label']} meets it in "
            f"{row['share_meeting']:.0%} of replications (cost "
            f"{format_money(row['cost_mean_gbp'])})."
        )
    if len(request.targets) > 1:
        shares = {str(t): best[f"target_{i + 1}_share_met"] for i, t in enumerate(request.targets)}
        binding = min(shares, key=lambda k: shares[k])
        lines.append(f"The binding target is `{binding}` (met in {shares[binding]:.0%}).")
    return lines


def _values(values: tuple[Any, ...]) -> str:
    if len(values) > 4:
        return f"{values[0]:g} to {values[-1]:g} ({len(values)} values)"
    return ", ".join(f"{v:g}" for v in values)


def _write(
    request: PlanRequest,
    table: pd.DataFrame,
    given: dict[str, Any],
    best: dict[str, Any] | None,
    explanation: list[str],
    base_run: PointRun,
    runs: list[tuple[LeverSetting, PointRun]],
    bases: dict[str, Any],
) -> None:
    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / PLAN_FILE, table.to_csv(index=False).encode())
    atomic_write_bytes(out / "explanation.txt", ("\n".join(explanation) + "\n").encode())
    write_study(
        out,
        "plan",
        {
            "seed": request.seed,
            "reps": request.reps,
            "scenario_file": request.scenario_file,
            "overrides": request.overrides,
            "targets": [str(t) for t in request.targets],
            "confidence": request.confidence,
            "strict": request.strict,
            "cost": request.cost,
            "lever_costs_gbp_per_unit": request.lever_costs,
            "levers": [
                {
                    "key": lever.key,
                    "values": list(lever.values),
                    "base_value": bases[lever.key],
                    "description": lever.named.description if lever.named else "field path",
                }
                for lever in request.levers
            ],
            "as_given": {**base_run.record(out), **_plain(given)},
            "best": _plain(best) if best is not None else None,
            "explanation": explanation,
            "points": [run.record(out, settings=s.as_dict()) for s, run in runs],
            "tables": {"plan": PLAN_FILE},
        },
    )


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
