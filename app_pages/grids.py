"""The Scenario page's editable grids (Streamlit's data editor), each with a form beside it.

A grid shows a list of named items (departments, request types, staff pools, hiring freezes) or
the headcount plan, and writes what is edited back into the session's edited scenario. Under each
grid, `app_pages.grid_form` offers the same rows as ordinary labelled boxes for the keyboard and
screen readers, editing the same list.

A grid keeps the table it was drawn from, and Streamlit applies the planner's edits to that table.
Whenever the data the grid shows were changed elsewhere (its form, another grid of the same list,
a renamed pool among its choices) the grid is rebuilt from the data under a new key, so that it
never writes an old value back over a newer one.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import BaseModel

from app_pages.forms import (
    FieldSpec,
    apply_headcount_plan_frame,
    headcount_plan_frame,
    items_frame,
    items_from_frame,
    nested_spec,
)
from app_pages.grid_form import fingerprint, headcount_plan_form, items_form, table_title
from app_pages.state import widget_key
from app_pages.widgets import EARLIEST, LATEST


def _column(spec: FieldSpec, options: list[Any] | None) -> Any:
    label, help_text = spec.label_with_unit, spec.help_text()
    cc = st.column_config
    if options is not None:
        return cc.SelectboxColumn(label, help=help_text, options=options, required=spec.required)
    if spec.kind == "text":
        return cc.TextColumn(label, help=help_text, required=spec.required)
    if spec.kind == "bool":
        return cc.CheckboxColumn(label, help=help_text)
    if spec.kind == "date":
        return cc.DateColumn(
            label, help=help_text, format="DD MMM YYYY", min_value=EARLIEST, max_value=LATEST
        )
    # No step or format for decimals: a step would limit (and round) what a cell can hold. No
    # minimum or maximum either: the grid would drop a minus sign or clamp what was typed; the
    # schema's validation names the cell and its allowed range instead, and Run waits.
    whole = spec.kind == "int"
    return cc.NumberColumn(
        label,
        help=help_text,
        step=1 if whole else None,
        format="%d" if whole else None,
        required=spec.required,
    )


def _identity(items: list[dict[str, Any]]) -> list[Any]:
    return [item.get("name", i) for i, item in enumerate(items)]


def _shown(items: list[dict[str, Any]], specs: list[FieldSpec]) -> str:
    """What a grid of these columns shows of `items`, as text (to tell whether it changed)."""
    return repr(items_frame(items, specs).values.tolist())


def _list_path(table_path: str, name: str) -> str:
    """The list's place in a scenario file: a grid's path is the list's ('demand.departments'),
    or the list's with a word naming which of its grids it is ('staff_pools.attrition')."""
    if table_path == name or table_path.endswith(f".{name}"):
        return table_path
    return table_path.rsplit(".", 1)[0]


def _grid_alt(title: str) -> str:
    """The grid's accessible name: what it holds, and where its form is."""
    return f"{title.capitalize()}, an editable grid; the form below it edits the same rows"


def items_table(
    model: type[BaseModel],
    fields: list[str],
    parent: dict[str, Any],
    name: str,
    path: str,
    *,
    add_rows: bool = False,
    new_item: dict[str, Any] | None = None,
    options: dict[str, list[Any]] | None = None,
    disabled: list[str] | None = None,
    height: int | None = None,
) -> None:
    """The list `parent[name]` (departments, pools, ...) as an editable grid of some fields, and
    the same fields as a form under it.

    Writes the edited list back into `parent`; fields not in the grid are kept. Several grids
    may show fields of the same list, and one list's names may be another grid's choices (pools
    in the request types grid): a grid is rebuilt from the data whenever what it shows or its
    choices have changed elsewhere, and when this grid adds, removes or renames an item the page
    reruns at once, so that every other grid is drawn from the same data.
    """
    items = list(parent.get(name) or [])
    specs = [nested_spec(model, f) for f in fields]
    state_key = widget_key(f"{path}#table")
    state = _grid_state(state_key, items, specs, repr(sorted((options or {}).items())))
    column_config = {s.name: _column(s, (options or {}).get(s.name)) for s in specs}
    list_path = _list_path(path, name)
    edited = st.data_editor(
        state["frame"],
        key=state["editor"],
        column_config=column_config,
        num_rows="dynamic" if add_rows else "fixed",
        disabled=disabled or False,
        hide_index=True,
        width="stretch",
        height=height if height is not None else "auto",
        alt=_grid_alt(table_title(list_path, path)),
    )
    # Each row label of the editor's output was, in the previous run, items[index_map[label]];
    # labels not in the map are rows just added.
    bases = [
        items[state["index_map"][label]] if label in state["index_map"] else None
        for label in edited.index
    ]
    result = items_from_frame(edited, specs, bases, new_item)
    parent[name] = result
    state["shown"] = _shown(result, specs)
    state["index_map"] = {label: j for j, label in enumerate(edited.index)}
    st.session_state[state_key] = state
    if _identity(result) != _identity(items):
        st.rerun()  # grids drawn earlier in this run showed the old names
    items_form(
        specs,
        result,
        list_path,
        path,
        add_rows=add_rows,
        new_item=new_item,
        options=options or {},
        disabled=disabled or [],
    )


def _grid_state(
    state_key: str, items: list[dict[str, Any]], specs: list[FieldSpec], choices: str
) -> dict[str, Any]:
    """The grid's state from the last run, or a new one (a new editor key, so Streamlit forgets
    the old edits) when what the grid shows or its choices changed elsewhere since."""
    state = st.session_state.get(state_key)
    if (
        state is None
        or state["editor"] not in st.session_state
        or state["shown"] != _shown(items, specs)
        or state["choices"] != choices
    ):
        version = 0 if state is None else state["version"] + 1
        state = {
            "frame": items_frame(items, specs),
            "version": version,
            "editor": f"{state_key}#{version}",
            "choices": choices,
            "index_map": {i: i for i in range(len(items))},
        }
    return dict(state)


def _planned(pools: list[dict[str, Any]]) -> list[int]:
    """Positions of the pools the plan shows, a column each: those with a name of their own (a
    pool just added has none until it is named; two of one name are a problem validation names)."""
    names = [p.get("name") for p in pools]
    return [
        i
        for i, name in enumerate(names)
        if isinstance(name, str) and name and names.index(name) == i
    ]


def _plan(pools: list[dict[str, Any]]) -> str:
    """What the plan grid shows, as text (to tell whether it changed elsewhere)."""
    return fingerprint([(p["name"], p.get("headcount_plan")) for p in pools])


def headcount_plan_table(pools: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    """Every pool's establishment plan as one grid (a row per date, a column per pool), and as a
    form under it. `pools` (the edited scenario's list) is updated in place, and returned."""
    state_key = widget_key(f"{path}#plan")
    positions = _planned(pools)
    planned = [pools[i] for i in positions]
    names = [p["name"] for p in planned]
    state = st.session_state.get(state_key)
    if state is None or state["editor"] not in st.session_state or state["plan"] != _plan(planned):
        version = 0 if state is None else state["version"] + 1
        state = {
            "frame": headcount_plan_frame(planned),
            "version": version,
            "editor": f"{state_key}#{version}",
        }
    config: dict[str, Any] = {
        "date": st.column_config.DateColumn(
            "From date", format="DD MMM YYYY", required=True, min_value=EARLIEST, max_value=LATEST
        )
    }
    for name in names:
        config[name] = st.column_config.NumberColumn(
            f"{name} (posts)",
            step=1,
            format="%d",
            help=f"Establishment of {name} from this date; blank: no step for this pool.",
        )
    edited = st.data_editor(
        state["frame"],
        key=state["editor"],
        column_config=config,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        alt=_grid_alt("headcount plan"),
    )
    planned = apply_headcount_plan_frame(planned, edited)
    state["plan"] = _plan(planned)
    st.session_state[state_key] = state
    from_form = headcount_plan_form(planned, path)
    for i, pool in zip(positions, from_form or planned, strict=True):
        pools[i] = pool
    if from_form is not None:
        st.rerun()  # the grid above was drawn from the plan before this edit
    return pools


__all__ = ["headcount_plan_table", "items_table"]
