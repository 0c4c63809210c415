"""Streamlit widgets generated from the scenario schema.

Each helper takes a `FieldSpec` (label, unit, limits, help: see `app_pages.forms`), reads the
field's current value from the session's edited scenario, and shows a widget holding it.

The edited scenario is the one place a value lives. A widget writes into it only when the planner
changed that widget (its `on_change` marks it, and the script run that follows stores the new
value); on every other run the widget is set from the edited scenario before it is drawn. A widget
whose state Streamlit lost or reset (a rerun interrupted by an upload, a page change) therefore
shows the scenario's value again and never writes its own default (e.g. a minimum) into it.

Number boxes have no minimum or maximum: Streamlit would refuse a value outside them in the
browser while the box kept showing it, and the run would use the old value. Any value typed is
taken, the schema's validation names the field and its allowed range, and Run is blocked until it
is fixed (the box says so at once).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import BaseModel

from app_pages.forms import (
    DISTRIBUTION_HELP,
    DISTRIBUTION_KINDS,
    FieldSpec,
    as_distribution_data,
    distribution_mean,
    distribution_specs,
    field_spec,
    from_widget_value,
    switch_distribution_kind,
    to_widget_value,
)
from app_pages.state import note_untaken, untaken, widget_key
from app_pages.wording import spec_for_path, value_in_form_units, what_changed
from sim.scenario.schema import Demand

EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
NO_DISTRIBUTION = "none"


CHANGED_KEY = "widgets.changed"
"""Session key: the widgets the planner changed in the interaction being handled."""


def _mark_changed(key: str) -> None:
    """`on_change` of every scenario widget (runs before the script run it causes)."""
    changed = st.session_state.get(CHANGED_KEY)
    if not isinstance(changed, set):
        changed = st.session_state[CHANGED_KEY] = set()
    changed.add(key)


def _bind(key: str, shown: Any) -> bool:
    """True if the widget `key` holds the planner's own value, to be taken: they have just changed
    it, or it shows something not yet taken (an empty box). Otherwise the widget is set to `shown`
    (the edited scenario's value) before it is drawn."""
    changed = st.session_state.get(CHANGED_KEY)
    just_changed = isinstance(changed, set) and key in changed
    if isinstance(changed, set):
        changed.discard(key)
    if (just_changed or key in untaken()) and key in st.session_state:
        return True
    note_untaken(key, "", None)
    st.session_state[key] = shown
    return False


def _out_of_range(spec: FieldSpec, value: Any) -> bool:
    if spec.kind not in ("int", "float", "percent") or not isinstance(value, int | float):
        return False
    low, high = spec.minimum, spec.maximum
    return (low is not None and value < low) or (high is not None and value > high)


def field_input(
    spec: FieldSpec,
    parent: dict[str, Any],
    path: str,
    *,
    source: str = "",
    choices: list[Any] | None = None,
    choice_labels: dict[Any, str] | None = None,
) -> None:
    """One scalar field of `parent` (keyed by `spec.name`) as a widget; writes its value back."""
    key = widget_key(path)
    current = parent.get(spec.name, spec.default)
    shown = to_widget_value(spec, current)
    if choices is not None and shown not in choices:
        choices = [shown, *choices]
    changed = _bind(key, shown)
    label, help_text = spec.label_with_unit, spec.help_text(path, source)
    mark: dict[str, Any] = {"key": key, "on_change": _mark_changed, "args": (key,)}
    value: Any
    if choices is not None:
        labels = choice_labels or {}
        value = st.selectbox(
            label, choices, help=help_text, format_func=lambda c: labels.get(c, str(c)), **mark
        )
    elif spec.kind == "bool":
        value = st.toggle(label, help=help_text, **mark)
    elif spec.kind in ("int", "float", "percent"):
        step = int(spec.step or 1) if spec.kind == "int" else float(spec.step or 0.1)
        value = st.number_input(label, step=step, format=spec.number_format, help=help_text, **mark)
        _number_note(spec, value)
    elif spec.kind == "date":
        value = st.date_input(
            label,
            min_value=min(EARLIEST, shown) if shown else EARLIEST,
            max_value=max(LATEST, shown) if shown else LATEST,
            help=help_text,
            format="DD/MM/YYYY",
            **mark,
        )
    else:
        value = st.text_input(label, help=help_text, **mark)
    if not changed:
        return  # the edited scenario already holds what the widget shows
    stored = from_widget_value(spec, value)
    if stored is None and not spec.optional:
        note_untaken(key, path, "empty; a value is required")
        st.caption(":red[Empty: a value is required. Run waits for this.]")
        return
    note_untaken(key, path, None)
    parent[spec.name] = stored


def _number_note(spec: FieldSpec, value: Any) -> None:
    """Under a number box: a value outside its range, or a large value with its separators
    (a narrow box may not show every digit)."""
    if _out_of_range(spec, value):
        st.caption(f":red[{value:g} is not allowed: {spec.limits_text()}. Run waits for this.]")
    elif isinstance(value, int | float) and abs(value) >= 10_000:
        st.caption(_with_unit(float(value), spec.unit))


def model_fields(
    model: type[BaseModel],
    names: list[str],
    parent: dict[str, Any],
    path: str,
    sources: dict[str, str],
    columns: int = 3,
) -> None:
    """Several scalar fields of one schema model, laid out in columns."""
    cols = st.columns(columns)
    for i, name in enumerate(names):
        with cols[i % columns]:
            spec = field_spec(model, name)
            full = f"{path}.{name}" if path else name
            field_input(spec, parent, full, source=sources.get(full, ""))


def distribution_input(
    spec: FieldSpec, parent: dict[str, Any], path: str, *, source: str = ""
) -> None:
    """A distribution field: a choice of shape, then its parameters; writes the result back.

    Switching shape keeps the scale: the new shape starts centred on the old one's mean.
    """
    current = as_distribution_data(parent.get(spec.name))
    options = [*DISTRIBUTION_KINDS, *([NO_DISTRIBUTION] if spec.optional else [])]
    kind_key = widget_key(f"{path}#kind")
    _bind(kind_key, current["kind"] if current else NO_DISTRIBUTION)
    with st.container(border=True):
        st.markdown(f"**{spec.label_with_unit}**", help=spec.help_text(path, source))
        kind = st.selectbox(
            "Shape",
            options,
            key=kind_key,
            on_change=_mark_changed,
            args=(kind_key,),
            format_func=lambda k: DISTRIBUTION_KINDS[k][0] if k in DISTRIBUTION_KINDS else "None",
            help=DISTRIBUTION_HELP,
        )
        if kind == NO_DISTRIBUTION:
            parent[spec.name] = None
            st.caption(_none_meaning(spec))
            return
        if current is None or current.get("kind") != kind:
            current = switch_distribution_kind(current, kind)
        params = distribution_specs(kind)
        # At most two boxes side by side: three in a third of the page clip a £ value's digits.
        for start in range(0, len(params), 2):
            cols = st.columns(2)
            for col, param in zip(cols, params[start : start + 2], strict=False):
                with col:
                    _distribution_parameter(param, current, f"{path}.{kind}.{param.name}")
        mean = distribution_mean(current)
        st.caption(f"Mean: {_with_unit(mean, spec.unit)}" if mean is not None else "Not valid yet.")
        parent[spec.name] = current


def _with_unit(value: float, unit: str) -> str:
    number = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}"
    if unit.startswith("£"):
        return f"£{number}{unit[1:]}"
    return f"{number} {unit}".strip()


def _none_meaning(spec: FieldSpec) -> str:
    text = spec.description
    if "empty" in text:
        return "None: " + text.split("empty", 1)[1].strip(" ;,").replace("means ", "")
    return "None."


def _distribution_parameter(param: FieldSpec, dist: dict[str, Any], path: str) -> None:
    if param.name in ("values", "weights"):
        key = widget_key(path)
        values = dist.get(param.name)
        changed = _bind(key, ", ".join(f"{v:g}" for v in values) if values else "")
        text = st.text_input(
            param.label,
            key=key,
            on_change=_mark_changed,
            args=(key,),
            help=param.help_text(path),
        )
        numbers = _numbers(text)
        if numbers is None:
            note_untaken(key, path, f"given '{text}'; numbers separated by commas, e.g. 28, 84")
            st.caption(":red[Write numbers separated by commas, e.g. 28, 84. Run waits for this.]")
            return
        if changed:
            note_untaken(key, path, None)
            dist[param.name] = numbers or None
        return
    field_input(param, dist, path)


def _numbers(text: str) -> list[float] | None:
    try:
        return [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        return None


def seasonality_inputs(demand: dict[str, Any], path: str, source: str = "") -> None:
    """The twelve monthly multipliers on arrivals, January first."""
    values = list(demand.get("seasonality_by_month") or [1.0] * 12)
    months = [dt.date(2000, m, 1).strftime("%b") for m in range(1, 13)]
    spec = field_spec_for_seasonality()
    cols = st.columns(12)
    for m, col in enumerate(cols):
        with col:
            item = {"value": values[m]}
            month_spec = FieldSpec(**{**spec.__dict__, "name": "value", "label": months[m]})
            field_input(month_spec, item, f"{path}.{m}", source=source)
            values[m] = item["value"]
    demand["seasonality_by_month"] = values


def field_spec_for_seasonality() -> FieldSpec:
    """A spec for one month's multiplier (the schema bounds each month at 0 or more)."""
    spec = field_spec(Demand, "seasonality_by_month")
    return FieldSpec(
        **{
            **spec.__dict__,
            "kind": "float",
            "unit": "",
            "minimum": 0.0,
            "maximum": None,
            "step": 0.05,
            "number_format": "%g",
        }
    )


def differences_frame(diffs: list[Any]) -> pd.DataFrame:
    """What differs from the base, in the form's words and units (shares as %, £ with
    separators, a distribution by its shape), with the field's path in a scenario file."""
    rows = []
    for d in diffs:
        spec, _ = spec_for_path(d.path)
        rows.append(
            {
                "What": what_changed(d.path),
                "Change": d.kind,
                "Base": "(nothing)" if d.kind == "added" else value_in_form_units(spec, d.base),
                "Now": "(removed)" if d.kind == "removed" else value_in_form_units(spec, d.edited),
                "In the file": d.path,
            }
        )
    return pd.DataFrame(rows, columns=["What", "Change", "Base", "Now", "In the file"])


__all__ = [
    "differences_frame",
    "distribution_input",
    "field_input",
    "model_fields",
    "seasonality_inputs",
]
