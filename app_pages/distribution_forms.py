"""Distributions as the planners' app edits them: the kinds a scenario may use, their parameters
as field specs, and a switch of kind that keeps the scale."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from app_pages.field_specs import FieldSpec, field_spec
from sim.scenario import distributions as dists

__all__ = [
    "DISTRIBUTION_HELP",
    "DISTRIBUTION_KINDS",
    "as_distribution_data",
    "distribution_mean",
    "distribution_specs",
    "switch_distribution_kind",
]

DISTRIBUTION_KINDS: dict[str, tuple[str, type[BaseModel]]] = {
    "fixed": ("Fixed value", dists.Fixed),
    "triangular": ("Triangular", dists.Triangular),
    "uniform": ("Uniform", dists.Uniform),
    "exponential": ("Exponential", dists.Exponential),
    "lognormal": ("Lognormal (mean, sd)", dists.Lognormal),
    "lognormal_percentile": ("Lognormal (median, percentile)", dists.LognormalPercentile),
    "empirical": ("Observed values", dists.Empirical),
}
"""Each distribution kind a scenario may use: a short label and its schema class."""

DISTRIBUTION_HELP = (
    "The shape of the uncertainty. Fixed: always the same value. Triangular: lowest, most "
    "likely and highest. Uniform: anywhere between low and high. Exponential: by its mean, "
    "many small values and a few large. Lognormal: skewed to the right, by mean and standard "
    "deviation, or by its median and the value at one percentile (e.g. 85% within 25 days). "
    "Observed values: drawn from a list, optionally weighted."
)
"""Help text for a distribution's shape selector."""

_PARAM_LABELS = {
    "value": "Value",
    "mean": "Mean",
    "low": "Lowest",
    "mode": "Most likely",
    "high": "Highest",
    "sd": "Standard deviation",
    "median": "Median",
    "percentile": "Percentile",
    "values": "Values (comma-separated)",
    "weights": "Weights (comma-separated, optional)",
}


def distribution_specs(kind: str) -> list[FieldSpec]:
    """The parameters of a distribution kind, in its file spelling ('mean', not 'mean_value')."""
    model = DISTRIBUTION_KINDS[kind][1]
    specs = []
    for name, info in model.model_fields.items():
        if name == "kind":
            continue
        spec = field_spec(model, name)
        file_name = info.alias or name
        label = _PARAM_LABELS.get(file_name, spec.label)
        if kind == "lognormal_percentile" and file_name == "value":
            label = "Value at that percentile"
        specs.append(FieldSpec(**{**spec.__dict__, "name": file_name, "label": label, "unit": ""}))
    return specs


def distribution_mean(data: Any) -> float | None:
    """Mean of a distribution given as plain data, or None if it is not valid yet."""
    spec = as_distribution_data(data)
    if spec is None or spec.get("kind") not in DISTRIBUTION_KINDS:
        return None
    try:
        dist: Any = DISTRIBUTION_KINDS[str(spec["kind"])][1].model_validate(spec)
    except ValueError:  # invalid parameters: the caller shows the validation problem instead
        return None
    return float(dist.mean)


def switch_distribution_kind(data: Any, kind: str) -> dict[str, Any]:
    """A distribution of `kind` centred on the mean of `data`, so a switch keeps the scale."""
    mean = distribution_mean(data)
    m = mean if mean is not None and mean > 0 else 1.0
    shapes: dict[str, dict[str, Any]] = {
        "fixed": {"kind": "fixed", "value": m},
        "exponential": {"kind": "exponential", "mean": m},
        "uniform": {"kind": "uniform", "low": m * 0.5, "high": m * 1.5},
        "triangular": {"kind": "triangular", "low": m * 0.5, "mode": m, "high": m * 1.5},
        "lognormal": {"kind": "lognormal", "mean": m, "sd": m * 0.5},
        "lognormal_percentile": {
            "kind": "lognormal_percentile",
            "median": m,
            "percentile": 0.9,
            "value": m * 2,
        },
        "empirical": {"kind": "empirical", "values": [m], "weights": None},
    }
    return shapes[kind]


def as_distribution_data(value: Any) -> dict[str, Any] | None:
    """A distribution as a mapping with its `kind` (a bare number is a fixed value)."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"kind": "fixed", "value": float(value)}
    return dict(value)
