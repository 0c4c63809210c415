"""Tables of named items (departments, pools, ...) for the app's data editors: items as a table of
fields in widget units and back, and the establishment plan as one table of dates by pool."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pandas as pd

from app_pages.field_specs import FieldSpec, from_widget_value, to_widget_value

__all__ = [
    "apply_headcount_plan_frame",
    "headcount_plan_frame",
    "items_frame",
    "items_from_frame",
]


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
