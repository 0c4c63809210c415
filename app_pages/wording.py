"""Edits in the form's words and units: "offer acceptance 70%", not `recruitment.offer_acceptance
0.7`.

Used by the Scenario page's "What differs" table and by the name an edited scenario runs under
("baseline (edited: offer acceptance 70%)"), so the two always say the same thing.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel

from app_pages.edits import Difference, short_value
from app_pages.forms import (
    DISTRIBUTION_KINDS,
    FieldSpec,
    as_distribution_data,
    distribution_specs,
    field_spec,
)
from sim.scenario.bounds import MAX_NAME_CHARS
from sim.scenario.schema import Scenario

SHOWN_IN_NAME = 2
"""Changes spelled out in an edited scenario's name; the rest are counted ("+3 more")."""


def _submodel(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The schema model inside a field's type, and whether its items are named (a list or map)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, dict):
        inner, _ = _submodel(args[-1])
        return inner, True
    for member in args or [annotation]:
        if isinstance(member, type) and issubclass(member, BaseModel):
            if member.__name__ in {cls.__name__ for _, cls in DISTRIBUTION_KINDS.values()}:
                return None, False
            return member, False
        if typing.get_args(member):
            inner, named = _submodel(member)
            if inner is not None:
                return inner, named
    return None, False


def spec_for_path(path: str) -> tuple[FieldSpec | None, list[str]]:
    """The field spec at a dotted scenario path ('staff_pools.sourcing.initial_headcount'), and
    the names of the items on the way (['sourcing']); None if the path is not a plain field."""
    model: type[BaseModel] | None = Scenario
    items: list[str] = []
    parts = path.split(".")
    i = 0
    while i < len(parts) and model is not None:
        name = parts[i]
        if name not in model.model_fields:
            return None, items
        if i == len(parts) - 1:
            return field_spec(model, name), items
        inner, named = _submodel(model.model_fields[name].annotation)
        if inner is None:
            return None, items
        if named:
            i += 1
            if i < len(parts):
                items.append(parts[i])
        elif model is not Scenario:  # a part of a group: 'pause onboarding', 'ramp up'
            items.append(name.replace("_", " "))
        model = inner
        i += 1
    return None, items


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"


def value_in_form_units(spec: FieldSpec | None, value: Any) -> str:
    """A value as the form shows it: shares as %, money with £ and separators, a distribution by
    its shape and parameters."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        names = [str(v.get("name", "")) for v in value if v.get("name")]
        listed = f": {', '.join(names[:6])}{', ...' if len(names) > 6 else ''}" if names else ""
        return f"{len(value)} item(s){listed}"
    if spec is None or value is None or (isinstance(value, list | dict) and not value):
        return short_value(value) if value is not None else "(none)"
    if spec.kind == "distribution" or (isinstance(value, dict) and "kind" in value):
        return _distribution_words(spec, value)
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int | float):
        if spec.kind == "percent":
            return f"{value * 100:,.4g}%"
        if spec.unit.startswith("£"):
            return f"£{value:,.0f}{spec.unit[1:]}"
        unit = f" {spec.unit}" if spec.unit and spec.unit != "%" else spec.unit
        return f"{_number(value)}{unit}"
    return short_value(value)


def _distribution_words(spec: FieldSpec, value: Any) -> str:
    data = as_distribution_data(value)
    if not data or data.get("kind") not in DISTRIBUTION_KINDS:
        return short_value(value)
    kind = str(data["kind"])
    money = spec.unit.startswith("£")
    unit = f" {spec.unit}" if spec.unit and not money else ""

    def amount(number: float) -> str:
        return f"£{number:,.0f}" if money else _number(number)

    if kind == "fixed":
        return f"{amount(float(data.get('value', 0)))}{unit}"
    parts = []
    for param in distribution_specs(kind):
        given = data.get(param.name)
        if given is None:
            continue
        if isinstance(given, list):
            shown = ", ".join(_number(v) if param.name == "weights" else amount(v) for v in given)
        elif param.kind == "percent":
            shown = f"{given * 100:,.4g}%"
        else:
            shown = amount(given)
        parts.append(f"{param.label.split(' (')[0].lower()} {shown}")
    return f"{DISTRIBUTION_KINDS[kind][0].lower()}: {', '.join(parts)}{unit}"


def what_changed(path: str) -> str:
    """The field of a difference in the form's words: 'Sourcing: initial headcount'."""
    spec, items = spec_for_path(path)
    label = spec.label if spec is not None else path.rsplit(".", 1)[-1].replace("_", " ")
    if items:
        return f"{': '.join(items)}: {label[:1].lower()}{label[1:]}"
    return label


def change_words(diff: Difference) -> str:
    """One difference in a few words: 'offer acceptance 70%', 'sourcing: initial headcount 60'."""
    spec, _ = spec_for_path(diff.path)
    what = what_changed(diff.path)
    what = what[:1].lower() + what[1:]
    if diff.kind == "removed":
        return f"{what} removed"
    return f"{what} {value_in_form_units(spec, diff.edited)}"


def edited_name(base_label: str, diffs: list[Difference]) -> str:
    """The name an edited scenario runs under: 'baseline (edited: offer acceptance 70%)'."""
    shown = [change_words(d) for d in diffs[:SHOWN_IN_NAME]]
    more = len(diffs) - len(shown)
    if more:
        shown.append(f"+{more} more")
    name = f"{base_label} (edited: {', '.join(shown)})"
    if len(name) <= MAX_NAME_CHARS:
        return name
    return f"{base_label[: MAX_NAME_CHARS - 40]} (edited: {len(diffs)} changes)"
