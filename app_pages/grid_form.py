"""The form beside each editable grid: the same rows as ordinary labelled boxes.

Streamlit's data editor draws its grid on a canvas. The arrow keys, Enter and Tab move about it,
but a screen reader learns little from it, and its column menus cannot be reached with the keyboard
(docs/accessibility.md names the upstream issues). Under each grid of the Scenario page an expander
therefore offers the same rows as a form: choose a row by its name in a select box, edit each
column in a box labelled with its unit (its help gives the allowed range, as the grid's header
does), and add or remove a row with a button.

The form edits the very list the grid edits, in the session's edited scenario, through the same
`field_input` as every other box on the page: a value out of range is kept as typed and Run waits,
naming the field, exactly as for a cell of the grid. After an edit through the form the page runs
again at once, so the grid above is rebuilt from the data and both show the same values.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any, cast

import pandas as pd
import streamlit as st

from app_pages.forms import (
    FieldSpec,
    apply_headcount_plan_frame,
    field_spec,
    headcount_plan_frame,
)
from app_pages.state import edited, widget_key
from app_pages.widgets import field_input
from sim.scenario.schema import HeadcountStep

FORM_NOTE = (
    "The same rows as the grid above, one at a time, for the keyboard or a screen reader. A "
    "change here changes the grid, and what runs."
)


NOT_CHOSEN = {None: "(not chosen yet)"}
"""How a choice box shows a row's empty choice (a request type just added has no pool yet)."""


def fingerprint(value: Any) -> str:
    """A value as text, to tell whether an edit changed it."""
    return json.dumps(value, default=str, sort_keys=True)


def nouns(list_name: str) -> tuple[str, str]:
    """('staff pools', 'staff pool') from a list's name in a scenario file ('staff_pools')."""
    plural = list_name.replace("_", " ")
    return plural, plural.removesuffix("s")


def table_title(list_path: str, table_key: str) -> str:
    """'staff pools', or 'staff pools (attrition)' for a second grid of the same list."""
    plural, _ = nouns(list_path.rsplit(".", 1)[-1])
    tag = table_key.removeprefix(list_path).strip(".").replace("_", " ")
    return f"{plural} ({tag})" if tag else plural


def _row_label(item: dict[str, Any], index: int, noun: str) -> str:
    name = item.get("name")
    return str(name) if name else f"{noun.capitalize()} {index + 1}"


def _choose(key: str, labels: list[str], label: str) -> int | None:
    """A select box choosing one of `labels` by position (None if there is none).

    A row just added (or the row after one removed) is chosen through `key#pending`, set before
    the page runs again: Streamlit refuses a change to a widget's value once it is drawn. The
    choice is also kept in `key#kept`, since Streamlit forgets a widget's value on another page.
    """
    if not labels:
        return None
    pending = st.session_state.pop(f"{key}#pending", None)
    chosen = st.session_state.get(key, st.session_state.get(f"{key}#kept"))
    if pending is not None:
        chosen = pending
    if not isinstance(chosen, int) or not 0 <= chosen < len(labels):
        chosen = 0 if not isinstance(chosen, int) else min(max(chosen, 0), len(labels) - 1)
    st.session_state[key] = chosen
    shown = st.selectbox(label, range(len(labels)), format_func=lambda i: labels[i], key=key)
    st.session_state[f"{key}#kept"] = int(shown)
    return int(shown)


def _choose_next(key: str, index: int) -> None:
    st.session_state[f"{key}#pending"] = index


def _nested_input(
    spec: FieldSpec, item: dict[str, Any], row_path: str, choices: list[Any] | None
) -> None:
    """`field_input` for a column that may be a field of a sub-model ('ramp_up.weeks_to_full').

    A sub-model the item does not have yet is attached only once a value is written into it, so
    that merely showing the form never adds anything to the scenario.
    """
    *parents, last = spec.name.split(".")
    holder, chain = item, []
    for key in parents:
        child = holder.get(key)
        if not isinstance(child, dict):
            child = {}
        chain.append((holder, key, child))
        holder = child
    leaf = FieldSpec(**{**spec.__dict__, "name": last})
    field_input(leaf, holder, f"{row_path}.{spec.name}", choices=choices, choice_labels=NOT_CHOSEN)
    if holder:
        for parent, key, child in chain:
            parent.setdefault(key, child)


def items_form(
    specs: list[FieldSpec],
    items: list[dict[str, Any]],
    list_path: str,
    table_key: str,
    *,
    add_rows: bool,
    new_item: dict[str, Any] | None,
    options: dict[str, list[Any]],
    disabled: list[str],
) -> None:
    """The form under an `items_table` grid: one item of `items` at a time, edited in place.

    `list_path` is the list's place in a scenario file ('demand.departments'); `table_key` tells
    this grid's form from another grid's form of the same list. Reruns the page after an edit.
    """
    plural, noun = nouns(list_path.rsplit(".", 1)[-1])
    before = fingerprint(items)
    chooser = widget_key(f"{table_key}#form.row")
    columns = [s for s in specs if s.name not in disabled]
    with st.expander(f"Edit the {table_title(list_path, table_key)} as a form"):
        st.caption(FORM_NOTE)
        labels = [_row_label(item, i, noun) for i, item in enumerate(items)]
        chosen = _choose(chooser, labels, f"{noun.capitalize()} to edit")
        if chosen is None:
            st.caption(f"No {plural} yet.")
        else:
            row_path = f"{list_path}.{labels[chosen]}"
            boxes = st.columns(2)
            for i, spec in enumerate(columns):
                with boxes[i % 2]:
                    _nested_input(spec, items[chosen], row_path, options.get(spec.name))
        if add_rows:
            _add_or_remove(items, chosen, labels, noun, chooser, new_item)
    if fingerprint(items) != before:
        st.rerun()  # the grid above was drawn from the values before this edit


def _add_or_remove(
    items: list[dict[str, Any]],
    chosen: int | None,
    labels: list[str],
    noun: str,
    chooser: str,
    new_item: dict[str, Any] | None,
) -> None:
    add, remove = st.columns(2)
    with add:
        if st.button(f"Add a {noun}", key=f"{chooser}#add"):
            items.append(copy.deepcopy(new_item or {}))
            _choose_next(chooser, len(items) - 1)
    if chosen is None:
        return
    with remove:
        if st.button(f"Remove {labels[chosen]}", key=f"{chooser}#remove"):
            del items[chosen]
            _choose_next(chooser, max(chosen - 1, 0))


# --- the headcount plan -------------------------------------------------------------------------


def _count_spec(pool: str) -> FieldSpec:
    """A box for one pool's posts from a date: a whole number in the schema's range, or blank
    (no step for this pool on this date), as a cell of the grid."""
    spec = field_spec(HeadcountStep, "headcount")
    return FieldSpec(
        **{**spec.__dict__, "name": pool, "label": pool, "unit": "posts", "optional": True}
    )


def _date_spec() -> FieldSpec:
    spec = field_spec(HeadcountStep, "date")
    return FieldSpec(**{**spec.__dict__, "label": "From date"})


def _establishment_now(pool: dict[str, Any]) -> int:
    steps = pool.get("headcount_plan") or []
    return int(steps[-1]["headcount"]) if steps else int(pool.get("initial_headcount") or 0)


def _added_row(rows: list[dict[str, Any]], pools: list[dict[str, Any]]) -> dict[str, Any]:
    """A new date a year after the last (the run's start if there is none), with every pool's
    establishment as the plan leaves it: a step that changes nothing until it is edited."""
    if rows:
        last = max(r["date"] for r in rows)
        try:
            date = last.replace(year=last.year + 1)
        except ValueError:  # 29 February
            date = last.replace(year=last.year + 1, day=28)
    else:
        start = edited().get("run", {}).get("start_date")
        date = dt.date.fromisoformat(str(start)[:10]) if start else dt.date.today()
    return {"date": date, **{p["name"]: _establishment_now(p) for p in pools}}


def _plan_row_inputs(row: dict[str, Any], pools: list[dict[str, Any]]) -> None:
    """A date box and a box per pool for one row of the plan; edits `row` in place."""
    iso = row["date"].isoformat()
    values = {"date": iso}
    values |= {p["name"]: None if pd.isna(row[p["name"]]) else int(row[p["name"]]) for p in pools}
    field_input(_date_spec(), values, f"staff_pools.headcount_plan.{iso}.date")
    boxes = st.columns(2)
    for i, pool in enumerate(pools):
        with boxes[i % 2]:
            path = f"staff_pools.{pool['name']}.headcount_plan.{iso}"
            field_input(_count_spec(pool["name"]), values, path)
    row.update(values, date=dt.date.fromisoformat(str(values["date"])))


def headcount_plan_form(pools: list[dict[str, Any]], table_key: str) -> list[dict[str, Any]] | None:
    """The form under the headcount plan grid: one date at a time, a box per staff pool.

    Returns the pools with the plan as edited, through the same conversion as the grid
    (`apply_headcount_plan_frame`), or None if nothing was edited.
    """
    frame = headcount_plan_frame(pools)
    unedited = fingerprint(apply_headcount_plan_frame(pools, frame))
    rows = cast(list[dict[str, Any]], frame.to_dict("records"))
    chooser = widget_key(f"{table_key}#form.row")
    shown: dt.date | None = None  # the date whose row the form shows after this edit
    with st.expander("Edit the headcount plan as a form (posts by date)"):
        st.caption(FORM_NOTE + " A blank box: no step for that pool on that date.")
        labels = [d.strftime("%d %b %Y") for d in frame["date"]]
        chosen = _choose(chooser, labels, "Date to edit")
        if chosen is not None:
            _plan_row_inputs(rows[chosen], pools)
            shown = rows[chosen]["date"]
        add, remove = st.columns(2)
        with add:
            if st.button("Add a date", key=f"{chooser}#add"):
                rows.append(_added_row(rows, pools))
                shown = rows[-1]["date"]
        if chosen is not None:
            with remove:
                if st.button(f"Remove {labels[chosen]}", key=f"{chooser}#remove"):
                    del rows[chosen]
                    shown = rows[max(chosen - 1, 0)]["date"] if rows else None
    result = apply_headcount_plan_frame(pools, pd.DataFrame(rows, columns=frame.columns))
    if fingerprint(result) == unedited:
        return None
    dates = list(headcount_plan_frame(result)["date"])
    _choose_next(chooser, dates.index(shown) if shown in dates else 0)
    return result


__all__ = ["fingerprint", "headcount_plan_form", "items_form", "nouns", "table_title"]
