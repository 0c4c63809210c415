"""Field specs from the scenario schema: how the planners' app edits one field.

The app's labels, units, limits and help text are read here from the pydantic field metadata of
`sim.scenario.schema` (names carry units, `Field(ge=..., le=..., description=...)` carries limits
and meaning), so the app and the scenario files cannot drift apart. Nothing here imports
Streamlit: `app_pages/widgets.py` turns a `FieldSpec` into a widget, and tests can check the specs
directly.
"""

from __future__ import annotations

import datetime as dt
import math
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Union

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.scenario import distributions as dists

__all__ = [
    "FieldSpec",
    "Kind",
    "field_spec",
    "field_specs",
    "from_widget_value",
    "label_and_unit",
    "nested_spec",
    "to_widget_value",
]

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
    """The field's numeric bounds: its own `Field(ge=..., ...)` and those of a bound type
    (`Share`, `Days`, ...) it is declared with, also inside `| None`, the stricter where both
    state one (pydantic enforces both)."""
    found: dict[str, float] = {}
    for item in [*info.metadata, *_optional_type_metadata(info.annotation)]:
        if not isinstance(item, annotated_types.BaseMetadata):
            continue
        for attr in ("ge", "gt", "le", "lt"):
            value = getattr(item, attr, None)
            if value is None:
                continue
            stricter = max if attr in ("ge", "gt") else min
            found[attr] = stricter(found.get(attr, float(value)), float(value))
    return found


def _optional_type_metadata(annotation: Any) -> list[Any]:
    """The metadata of `Annotated[...]` inside `X | None`. Pydantic lifts a top-level Annotated's
    metadata into `FieldInfo.metadata`, but leaves it in the annotation when it is a member of a
    union, so `Share | None` would otherwise show no limits (and not as a percent)."""
    members = [m for m in typing.get_args(annotation) if m is not type(None)]
    if typing.get_origin(annotation) not in (Union, types.UnionType) or len(members) != 1:
        return []
    found: list[Any] = []
    member = members[0]
    while typing.get_origin(member) is typing.Annotated:
        member, *extras = typing.get_args(member)
        for extra in extras:
            found.extend(extra.metadata if isinstance(extra, FieldInfo) else [extra])
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
    candidates = [bounds[inclusive] * scale] if inclusive in bounds else []
    if exclusive in bounds:
        candidates.append(bounds[exclusive] * scale + nudge)
    if not candidates:
        return None
    # Both stated (a bound type's `ge` and the field's own `gt`): the stricter one holds.
    return max(candidates) if nudge > 0 else min(candidates)


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
