"""Switching values: where along one lever a verdict flips, with its Monte Carlo uncertainty.

The Green Book (paras 5.59-5.61) asks for the value of an input at which the proposal fails. Here
it fails when the model's verdict flips: the probability that expansion outruns capability
crosses 50% (criterion `outrun`), or the mean service level crosses its target (criterion `sla`).
The search is pure (arrays in, a `SwitchingValue` out), so it is tested without the model;
`sim.studies.sweep` runs the points it asks for.

Switching-value search. Let g(x) be the criterion's estimate at lever value x (the share of
replications that outrun capability, or the mean service level) minus its threshold. On the OAT
values (and the base value) the first adjacent pair where g changes sign brackets the switch; if g
keeps one sign over the whole range the input has no switching value there, which is itself the
finding (the verdict is robust to it). Otherwise the bracket is bisected `bisect_steps` times,
each midpoint a full run with the same seed (so g moves only because x moved, not because of
fresh noise); integer levers stop at adjacent integers. The estimate is the linear interpolation
of g between the final bracket's ends.

Its uncertainty is Monte Carlo uncertainty, from a paired bootstrap over replications: resample
the replication numbers with replacement (the same resample at every evaluated x, which keeps the
common random numbers paired), recompute g at every evaluated x, find the crossing by the same
rule, and take the 2.5th and 97.5th percentiles. A resample whose g never crosses is placed
beyond the end of the range where its crossing must lie, so an interval can be open ("above the
highest value tried"). The interval does not cover the error of interpolating between evaluated
points (kept small by bisection) or the model's structural uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.scenario.schema import Scenario

__all__ = [
    "CRITERIA",
    "Criterion",
    "SwitchingValue",
    "find_switching_value",
    "switching_interval_text",
    "switching_sentence",
]


@dataclass(frozen=True)
class Criterion:
    """A verdict that can flip: a KPI's across-replication mean against a threshold."""

    name: str
    kpi: str
    description: str

    def threshold(self, scenario: Scenario) -> float:
        """Where the verdict flips for this scenario."""
        return 0.5 if self.kpi == "outruns_capability" else scenario.verdict.sla_attainment_target


CRITERIA = {
    "outrun": Criterion("outrun", "outruns_capability", "probability of outrunning capability"),
    "sla": Criterion("sla", "sla_attainment", "mean service level (share within target)"),
}


@dataclass(frozen=True)
class SwitchingValue:
    """Where a criterion's verdict flips along one lever, with its Monte Carlo uncertainty."""

    lever: str
    criterion: str
    threshold: float
    status: str  # "found", "none_in_range", "not_numeric"
    value: float | None = None
    ci_low: float | None = None  # -inf / +inf: beyond the range tried
    ci_high: float | None = None
    bracket_low: float | None = None
    bracket_high: float | None = None
    direction: str = ""  # "increasing" or "decreasing": how the criterion moves with the lever
    sign_changes: int = 0  # more than 1: not monotone over the range
    range_low: float | None = None
    range_high: float | None = None
    evaluated: int = 0
    message: str = ""


def _first_crossing(xs: np.ndarray, g: np.ndarray) -> tuple[float | None, int]:
    """First x where g reaches 0 (linear between points), and how often g changes sign."""
    signs = np.sign(g[~np.isnan(g)])
    changes = int(np.sum(signs[1:] * signs[:-1] < 0)) if len(signs) > 1 else 0
    for i in range(len(xs)):
        if np.isnan(g[i]):
            continue
        if g[i] == 0:
            return float(xs[i]), changes
        j = i + 1
        if j < len(xs) and not np.isnan(g[j]) and g[i] * g[j] < 0:
            return float(xs[i] + (xs[j] - xs[i]) * (0 - g[i]) / (g[j] - g[i])), changes
    return None, changes


def _response(values: np.ndarray) -> float:
    finite = values[~np.isnan(values)]
    return float(finite.mean()) if len(finite) else math.nan


def find_switching_value(
    evaluate: Callable[[float], np.ndarray],
    xs: list[float],
    threshold: float,
    *,
    integer: bool = False,
    steps: int = 3,
    bootstrap: int = 2000,
    seed: int = 0,
) -> dict[str, Any]:
    """Search for the x where mean(evaluate(x)) crosses `threshold` (see the module docstring).

    `evaluate(x)` returns one value per replication, in replication order, the same replications
    at every x. Returns the fields of a `SwitchingValue` other than lever and criterion.
    """
    cache: dict[float, np.ndarray] = {}

    def g_at(x: float) -> float:
        if x not in cache:
            cache[x] = np.asarray(evaluate(x), dtype=float)
        return _response(cache[x]) - threshold

    grid = sorted(set(xs))
    values = np.array([g_at(x) for x in grid])
    found, changes = _first_crossing(np.array(grid), values)
    result: dict[str, Any] = {
        "threshold": threshold,
        "range_low": grid[0],
        "range_high": grid[-1],
        "sign_changes": changes,
    }
    if found is None:
        result.update(status="none_in_range", evaluated=len(cache))
        return result
    low, high = _bracket(grid, values, found)
    increasing = g_at(high) > g_at(low)
    if found in cache and g_at(found) == 0:
        low = high = found  # the verdict is exactly balanced at a value tried: no search needed
    low, high = _bisect(g_at, low, high, steps, integer)
    xs_all = np.array(sorted(cache))
    matrix = np.vstack([cache[x] for x in xs_all])
    estimate, _ = _first_crossing(xs_all, np.array([_response(row) for row in matrix]) - threshold)
    ci_low, ci_high = _bootstrap_interval(xs_all, matrix, threshold, increasing, bootstrap, seed)
    result.update(
        status="found",
        value=estimate,
        ci_low=ci_low,
        ci_high=ci_high,
        bracket_low=float(low),
        bracket_high=float(high),
        direction="increasing" if increasing else "decreasing",
        evaluated=len(cache),
    )
    return result


def _bisect(
    g_at: Callable[[float], float], low: float, high: float, steps: int, integer: bool
) -> tuple[float, float]:
    """Narrow the bracket [low, high] around g's sign change by up to `steps` halvings (whole
    numbers for an integer lever); stops early when the bracket cannot narrow."""
    for _ in range(steps):
        mid = (low + high) // 2 if integer else round((low + high) / 2, 10)
        if mid in (low, high):
            break
        if (g_at(mid) > 0) == (g_at(high) > 0) and g_at(mid) != 0:
            high = mid
        else:
            low = mid
    return low, high


def _bracket(grid: list[float], g: np.ndarray, found: float) -> tuple[float, float]:
    """The adjacent evaluated values around a crossing found on the grid."""
    for i in range(len(grid) - 1):
        if grid[i] <= found <= grid[i + 1] and g[i] * g[i + 1] <= 0:
            return grid[i], grid[i + 1]
    return found, found


def _bootstrap_interval(
    xs: np.ndarray,
    matrix: np.ndarray,
    threshold: float,
    increasing: bool,
    resamples: int,
    seed: int,
) -> tuple[float, float]:
    """Paired bootstrap over replications of the first crossing; ±inf beyond the range."""
    if resamples <= 0:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    n = matrix.shape[1]
    crossings = np.empty(resamples)
    for b in range(resamples):
        rows = matrix[:, rng.integers(0, n, n)]
        with np.errstate(invalid="ignore"):
            means = np.nanmean(rows, axis=1) if np.isnan(rows).any() else rows.mean(axis=1)
        g = means - threshold
        found, _ = _first_crossing(xs, g)
        if found is None:
            # g kept one sign: the crossing lies beyond the end it was heading for.
            below = bool(np.nanmax(g) < 0)
            found = math.inf if below == increasing else -math.inf
        crossings[b] = found
    return (
        float(np.quantile(crossings, 0.025, method="lower")),
        float(np.quantile(crossings, 0.975, method="higher")),
    )


def switching_sentence(row: Mapping[Any, Any]) -> str:
    """A switching value in words (from a `SwitchingValue` as a dict, or a switching.csv row)."""
    if row["status"] != "found":
        message = row.get("message")  # NaN when read back from switching.csv
        reason = (
            message
            if isinstance(message, str) and message
            else (f"over {row['range_low']:.4g} to {row['range_high']:.4g}")
        )
        return f"{row['lever']} ({row['criterion']}): no switching value {reason}".strip()
    what = (
        "the probability of outrunning capability crosses 50%"
        if row["criterion"] == "outrun"
        else f"the mean service level crosses its target of {row['threshold']:.0%}"
    )
    where = (
        f"reached exactly at {row['bracket_low']:.4g}"
        if row["bracket_low"] == row["bracket_high"]
        else f"the verdict changes between {row['bracket_low']:.4g} and {row['bracket_high']:.4g}"
    )
    return (
        f"Switching value: {what} at {row['lever']} = {row['value']:.4g} (95% interval "
        f"{switching_interval_text(row)}; {where})."
    )


def switching_interval_text(row: Mapping[Any, Any]) -> str:
    """A switching value's interval, saying where it runs beyond the range tried."""

    def bound(value: float) -> str:
        if value == math.inf:
            return f"above {row['range_high']:.4g} (beyond the range tried)"
        if value == -math.inf:
            return f"below {row['range_low']:.4g} (beyond the range tried)"
        return f"{value:.4g}"

    return f"{bound(float(row['ci_low']))} to {bound(float(row['ci_high']))}"
