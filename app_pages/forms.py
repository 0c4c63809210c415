"""Forms from the scenario schema: what the planners' app needs to edit a scenario, bar widgets.

The app's labels, units, limits and help text are read here from the pydantic field metadata of
`sim.scenario.schema` (names carry units, `Field(ge=..., le=..., description=...)` carries limits
and
meaning), so the app and the scenario files cannot drift apart. Nothing here imports Streamlit:
`app_pages/widgets.py` turns a `FieldSpec` into a widget, and tests can check the specs directly.

Also here, because they work on a scenario as plain data: uploads (size-limited, safely parsed,
`extends:` resolved in the scenarios folder only), what differs from the base scenario, and
tables of named items for the app's data editors.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union

import annotated_types
import pandas as pd
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.scenario import distributions as dists
from sim.scenario.files import (
    path_exists,
)
from sim.scenario.safe_yaml import MAX_DOCUMENT_BYTES
from sim.scenario.schema import Scenario, scenario_fields
from sim.scenario.uploads import Upload, parse_upload_isolated, scenario_files_in

__all__ = [
    "DISTRIBUTION_HELP",
    "DISTRIBUTION_KINDS",
    "MAX_UPLOAD_BYTES",
    "Difference",
    "FieldSpec",
    "apply_headcount_plan_frame",
    "as_distribution_data",
    "differences",
    "distribution_mean",
    "distribution_specs",
    "field_spec",
    "field_specs",
    "from_widget_value",
    "headcount_plan_frame",
    "items_frame",
    "items_from_frame",
    "label_and_unit",
    "mark_edited_sources",
    "nested_spec",
    "overrides_for",
    "parse_upload",
    "prune_sources",
    "readable_path",
    "scenario_data",
    "scenario_files_in",
    "short_value",
    "switch_distribution_kind",
    "to_widget_value",
]

MAX_UPLOAD_BYTES = MAX_DOCUMENT_BYTES  # the same limit as any scenario file

Kind = Literal["int", "float", "percent", "bool", "date", "text", "distribution", "other"]

# Name endings that carry a unit, longest first: (ending, unit shown to the planner).
_UNIT_ENDINGS = (
    ("_gbp_per_year", "£ per year"),
    ("_person_days", "person-days"),
    ("_per_month", "per month"),
    ("_per_year", "per year"),
    ("_gbp", "£"),
    ("_days", "days"),
    ("_weeks", "weeks"),
    ("_months", "months"),
)
# The few names that do not read well when split mechanically.
_LABELS = {
    "sla_target_days": ("Service-level target", "days"),
    "sla_attainment_target": ("Service-level target", "%"),
    "sift_interview_days": ("Sift and interview", "days"),
    "min_elapsed_days": ("Shortest elapsed time", "days"),
    "warmup_days": ("Warm-up", "days"),
    "weeks_to_full": ("Time to full productivity", "weeks"),
    "consecutive_months": ("Short months in a row", "months"),
    "working_days_per_year": ("Working days in a year", "days"),
    "max_concurrent_campaigns": ("Campaigns the team can run at once", ""),
    "multiplier": ("Demand multiplier", "x plan"),
    "non_productive_share": ("Non-productive time", "%"),
    "on_cost_share": ("On-costs", "% of salary"),
}
_PERCENT_WORDS = (
    "share",
    "rate",
    "acceptance",
    "attainment",
    "productivity",
    "growth",
    "percentile",
)
_ACRONYMS = {"sla": "SLA", "gbp": "GBP", "fte": "FTE"}


# --- field specs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """How to edit one scenario field: label, unit, limits and help, read from the schema.

    `minimum`/`maximum` are in the widget's units (percent fields are shown x100); an exclusive
    bound (`gt`, `lt`) is nudged inwards by one `step` / 100 so the widget cannot reach it.
    """

    name: str
    label: str
    unit: str
    kind: Kind
    description: str
    minimum: float | None
    maximum: float | None
    step: float | None
    number_format: str | None
    optional: bool
    required: bool
    default: Any

    @property
    def label_with_unit(self) -> str:
        """'Attrition rate (% per year)'; a label without unit stays bare."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def help_text(self, path: str = "", source: str = "") -> str:
        """Description, limits, where the field lives in a scenario file, and its source."""
        parts = [self.description.rstrip(".") + "." if self.description else ""]
        limits = self.limits_text()
        if limits:
            parts.append(f"Allowed: {limits}.")
        if path:
            parts.append(f"In the file: `{path}`.")
        if source:
            parts.append(f"Source of the base value: {source}")
        return " ".join(p for p in parts if p)

    def limits_text(self) -> str:
        """'0 to 100 %', 'at least 1', ... (empty if unlimited)."""
        unit = (
            self.unit.split(" ")[0] if self.unit.startswith(("%", "day", "week", "month")) else ""
        )
        unit = f" {unit}" if unit else ""
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f"{_num(low)} to {_num(high)}{unit}"
        if low is not None:
            return f"at least {_num(low)}{unit}"
        if high is not None:
            return f"at most {_num(high)}{unit}"
        return ""


def _num(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"


def label_and_unit(name: str) -> tuple[str, str]:
    """A plain-English label and the unit, from a snake_case field name with its unit in it."""
    if name in _LABELS:
        return _LABELS[name]
    stem, unit = name, ""
    for ending, shown in _UNIT_ENDINGS:
        if name.endswith(ending) and len(name) > len(ending):
            stem, unit = name[: -len(ending)], shown
            break
    words = [_ACRONYMS.get(w, w) for w in stem.split("_")]
    label = " ".join(words)
    return label[:1].upper() + label[1:], unit


def _bounds(info: FieldInfo) -> dict[str, float]:
    found: dict[str, float] = {}
    for item in info.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            value = getattr(item, attr, None)
            if isinstance(item, annotated_types.BaseMetadata) and value is not None:
                found[attr] = float(value)
    return found


def _flatten_union(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _flatten_union(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [a for arg in typing.get_args(annotation) for a in _flatten_union(arg)]
    return [annotation]


def _kind_of(annotation: Any) -> tuple[Kind, bool]:
    members = _flatten_union(annotation)
    optional = type(None) in members
    members = [m for m in members if m is not type(None)]
    if dists.Fixed in members:
        return "distribution", optional
    if len(members) != 1:
        return "other", optional
    simple: dict[Any, Kind] = {
        bool: "bool",
        int: "int",
        float: "float",
        dt.date: "date",
        str: "text",
    }
    return simple.get(members[0], "other"), optional


def field_spec(model: type[BaseModel], name: str) -> FieldSpec:
    """The spec of field `name` of a schema model (e.g. `field_spec(StaffPool, 'salary_...')`)."""
    info = model.model_fields[name]
    kind, optional = _kind_of(info.annotation)
    bounds = _bounds(info)
    label, unit = label_and_unit(name)
    high = bounds.get("le", bounds.get("lt"))
    if (
        kind == "float"
        and high is not None
        and high <= 2
        and any(w in name for w in _PERCENT_WORDS)
        and "gbp" not in name
    ):
        kind = "percent"
        unit = "%" if unit in ("", "%") else f"% {unit}"
    scale = 100.0 if kind == "percent" else 1.0
    step = _step(kind, unit)
    nudge = (step or 1.0) / 100
    minimum = _bound(bounds, "ge", "gt", scale, nudge)
    maximum = _bound(bounds, "le", "lt", scale, -nudge)
    if kind == "int":
        minimum = None if minimum is None else float(math.ceil(minimum))
        maximum = None if maximum is None else float(math.floor(maximum))
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    return FieldSpec(
        name=name,
        label=label,
        unit=unit,
        kind=kind,
        description=info.description or "",
        minimum=minimum,
        maximum=maximum,
        step=step,
        number_format=_format(kind, unit),
        optional=optional,
        required=info.is_required(),
        default=default,
    )


def _bound(
    bounds: dict[str, float], inclusive: str, exclusive: str, scale: float, nudge: float
) -> float | None:
    if inclusive in bounds:
        return bounds[inclusive] * scale
    if exclusive in bounds:
        return bounds[exclusive] * scale + nudge
    return None


def _step(kind: Kind, unit: str) -> float | None:
    if kind == "int":
        return 1.0
    if kind == "percent":
        return 1.0
    if kind != "float":
        return None
    if unit.startswith("£"):
        return 1000.0
    if unit in ("days", "weeks", "months"):
        return 1.0
    return 0.1


def _format(kind: Kind, unit: str) -> str | None:
    """A printf format that shows the stored value exactly ('%g'), except whole pounds."""
    if kind == "int":
        return "%d"
    if kind == "float" and unit.startswith("£"):
        return "%.0f"
    if kind in ("float", "percent"):
        return "%g"
    return None


def field_specs(model: type[BaseModel], names: Iterable[str] | None = None) -> list[FieldSpec]:
    """Specs of the named fields of `model` (all fields, in schema order, if none are named)."""
    return [field_spec(model, n) for n in (names or model.model_fields)]


def to_widget_value(spec: FieldSpec, value: Any) -> Any:
    """A stored value as the widget shows it (shares x100, ISO dates as dates, ints as ints)."""
    if value is None:
        return None
    if spec.kind == "percent":
        return round(float(value) * 100, 9)
    if spec.kind == "float":
        return float(value)
    if spec.kind == "int":
        return int(value)
    if spec.kind == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return value


def from_widget_value(spec: FieldSpec, value: Any) -> Any:
    """A widget's value as the scenario stores it (the inverse of `to_widget_value`)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if spec.kind == "percent":
        return round(float(value) / 100, 9)
    if spec.kind == "float":
        return float(value)
    if spec.kind == "int":
        return int(value)
    if spec.kind == "date":
        if hasattr(value, "date") and not isinstance(value, dt.date | str):
            value = value.date()  # a pandas Timestamp from a data editor
        return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]
    return value


# --- distributions ------------------------------------------------------------------------------

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


# --- uploads ------------------------------------------------------------------------------------


def parse_upload(content: bytes, file_name: str, scenarios_folder: Path) -> Upload:
    """Validate an uploaded scenario file, or raise ScenarioError with one problem per line.

    Read in a separate process with memory and time limits (`sim.scenario.uploads`), within the
    same limits as any scenario file (`sim.scenario.safe_yaml`: size, nesting, aliases, repeated
    keys), so one hostile upload cannot stall or exhaust the server the other sessions share.
    `extends: NAME` is resolved in `scenarios_folder`, by bare file name only.
    """
    return parse_upload_isolated(content, file_name, scenarios_folder)


# --- differences from the base ------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One field (or whole list) whose value differs from the base scenario."""

    path: str
    base: Any
    edited: Any

    @property
    def kind(self) -> str:
        """'changed', 'added' or 'removed'."""
        if self.base is _MISSING:
            return "added"
        if self.edited is _MISSING:
            return "removed"
        return "changed"


class _Missing:
    def __repr__(self) -> str:
        return "(none)"


_MISSING: Any = _Missing()


def differences(base: dict[str, Any], edited: dict[str, Any]) -> list[Difference]:
    """What differs between two scenarios given as plain data, by dotted path.

    Mappings are compared key by key and lists of named items item by item (by name, when both
    have the same names in the same order; otherwise the whole list differs). A distribution
    (a mapping with `kind`) and any other list are compared as a whole. `sources` is skipped:
    it is documentation, not a parameter.
    """
    found: list[Difference] = []
    _diff(base, edited, [], found)
    return [d for d in found if not d.path.startswith("sources")]


def _diff(base: Any, edited: Any, path: list[str], out: list[Difference]) -> None:
    if _is_mapping(base) and _is_mapping(edited):
        for key in dict.fromkeys([*base, *edited]):
            _diff(base.get(key, _MISSING), edited.get(key, _MISSING), [*path, str(key)], out)
        return
    if _named(base) and _named(edited):
        names_a, names_b = [i["name"] for i in base], [i["name"] for i in edited]
        if names_a == names_b:
            for item_a, item_b in zip(base, edited, strict=True):
                _diff(item_a, item_b, [*path, str(item_a["name"])], out)
            return
    if not _same(base, edited):
        out.append(Difference(".".join(path), base, edited))


def _is_mapping(value: Any) -> bool:
    return isinstance(value, dict) and "kind" not in value


def _named(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, dict) and "name" in i for i in value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def overrides_for(diffs: list[Difference]) -> list[str]:
    """The differences as `--set KEY=VALUE` overrides (for the manifest and `ccs-sim run`).

    Removed fields cannot be written as overrides and are left out; values are JSON, which the
    command line reads as YAML.
    """
    return [
        f"{d.path}={json.dumps(d.edited, default=str, ensure_ascii=False)}"
        for d in diffs
        if d.kind != "removed"
    ]


def mark_edited_sources(
    data: dict[str, Any], diffs: list[Difference], base_name: str
) -> dict[str, Any]:
    """Note in `sources` that each edited field no longer has its base value's source.

    A business case cites `sources`; an edited value must not keep the citation of the value it
    replaced. The base value and its old source stay in the note, so a reviewer can see both.
    """
    data = copy.deepcopy(data)
    sources = dict(data.get("sources") or {})
    for diff in diffs:
        if diff.path in ("name", "description") or diff.kind == "removed":
            continue
        old = sources.get(diff.path)
        note = (
            f"EDITED in the planners' app; base scenario '{base_name}' had {short_value(diff.base)}"
        )
        keep_old = old and not old.startswith("EDITED")
        sources[diff.path] = f"{note} (source: {old})" if keep_old else note
    data["sources"] = sources
    return data


def prune_sources(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Drop `sources` entries whose field no longer exists (e.g. a renamed or removed pool).

    Returns the data and the keys dropped, so the app can say what it did.
    """
    sources = dict(data.get("sources") or {})
    dropped = [key for key in sources if not path_exists(data, key.split("."))]
    if not dropped:
        return data, []
    data = dict(data)
    data["sources"] = {k: v for k, v in sources.items() if k not in dropped}
    return data, dropped


def short_value(value: Any) -> str:
    """A value as at most 60 characters of JSON, for tables and notes."""
    if value is _MISSING:
        return "(nothing)"
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def readable_path(path: str, data: Any) -> str:
    """A problem's field path with list positions replaced by item names, for planners.

    'staff_pools.1.initial_headcount' -> 'staff_pools → sourcing → initial_headcount'.
    """
    parts, node = [], data
    for key in path.split(".") if path else []:
        at = int(key) if key.lstrip("-").isdigit() else None
        if isinstance(node, list) and at is not None and -len(node) <= at < len(node):
            item = node[at]
            parts.append(str(item.get("name", key)) if isinstance(item, dict) else f"item {key}")
            node = item
            continue
        parts.append(key)
        node = node.get(key) if isinstance(node, dict) else None
    return " → ".join(parts) if parts else "(the whole scenario)"


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """A scenario as plain data (dates as ISO strings): what the app edits."""
    return scenario_fields(scenario)


# --- tables of named items, for data editors ----------------------------------------------------


def items_frame(items: list[dict[str, Any]], specs: list[FieldSpec]) -> pd.DataFrame:
    """Items (departments, pools, ...) as a table of the given fields, in widget units."""
    rows = [{s.name: to_widget_value(s, _get(item, s.name)) for s in specs} for item in items]
    frame = pd.DataFrame(rows, columns=[s.name for s in specs])
    for spec in specs:
        if spec.kind == "date":
            frame[spec.name] = pd.to_datetime(frame[spec.name]).dt.date
    return frame


def items_from_frame(
    frame: pd.DataFrame,
    specs: list[FieldSpec],
    bases: list[dict[str, Any] | None],
    new_item: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Items back from an edited table: row k updates `bases[k]` (None: a new `new_item`).

    Fields not in the table are kept from the base item. Empty cells are left out, so the
    schema's default applies, or validation names the missing field.
    """
    items = []
    for (_, row), base in zip(frame.iterrows(), bases, strict=True):
        item = copy.deepcopy(base if base is not None else (new_item or {}))
        for spec in specs:
            value = from_widget_value(spec, row[spec.name])
            if isinstance(value, str) and not value.strip():
                value = None
            if value is None:
                _pop(item, spec.name)
            else:
                _put(item, spec.name, value)
        items.append(item)
    return items


def _get(item: dict[str, Any], dotted: str) -> Any:
    node: Any = item
    for key in dotted.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _put(item: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = item
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


def _pop(item: dict[str, Any], dotted: str) -> None:
    *parents, last = dotted.split(".")
    node: Any = item
    for key in parents:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(last, None)


def nested_spec(model: type[BaseModel], dotted: str) -> FieldSpec:
    """The spec of a field inside a sub-model, named by its dotted path ('ramp_up.weeks_to_full').

    The spec's name is the dotted path, so tables can hold fields of sub-models as columns.
    """
    *parents, last = dotted.split(".")
    current: Any = model
    for key in parents:
        members = _flatten_union(current.model_fields[key].annotation)
        current = next(m for m in members if isinstance(m, type) and issubclass(m, BaseModel))
    spec = field_spec(current, last)
    return FieldSpec(**{**spec.__dict__, "name": dotted})


def headcount_plan_frame(pools: list[dict[str, Any]]) -> pd.DataFrame:
    """The establishment plan as one table: a row per date, a column per staff pool.

    A blank cell means the pool has no step on that date (its previous step still holds).
    """
    dates = sorted({step["date"] for pool in pools for step in pool.get("headcount_plan") or []})
    frame = pd.DataFrame({"date": [dt.date.fromisoformat(str(d)[:10]) for d in dates]})
    for pool in pools:
        steps = {str(s["date"]): s["headcount"] for s in pool.get("headcount_plan") or []}
        frame[pool["name"]] = pd.array([steps.get(str(d)) for d in dates], dtype="Int64")
    return frame


def apply_headcount_plan_frame(
    pools: list[dict[str, Any]], frame: pd.DataFrame
) -> list[dict[str, Any]]:
    """Pools with their `headcount_plan` read back from `headcount_plan_frame`'s table.

    Rows without a date are ignored; steps are put in date order (the schema requires it).
    """
    pools = copy.deepcopy(pools)
    rows = frame.dropna(subset=["date"]).copy()
    rows["date"] = [from_widget_value(_DATE_SPEC, d) for d in rows["date"]]
    rows = rows.sort_values("date", kind="stable")
    for pool in pools:
        if pool["name"] not in rows:
            continue
        steps = [
            {"date": date, "headcount": _whole_if_whole(count)}
            for date, count in zip(rows["date"], rows[pool["name"]], strict=True)
            if not pd.isna(count)
        ]
        pool["headcount_plan"] = steps
    return pools


def _whole_if_whole(count: Any) -> Any:
    """A cell's count as an int when it is whole; otherwise as typed, for the schema to refuse
    (never rounded or truncated out of sight)."""
    number = float(count)
    return int(number) if number.is_integer() else number


_DATE_SPEC = FieldSpec("date", "Date", "", "date", "", None, None, None, None, False, True, None)
