"""The report's appendix: the assumptions log, grouped so that it can be read.

`assumptions_log.csv` keeps one row per input. The appendix groups those rows by part of the
scenario (demand, staff pools, recruitment, ...), gives each source text once for the inputs it
covers (a cell spanning their rows, rather than the same sixty words on every row), and folds
each list of many named items (the departments) into one row per field, with the items' values
in a collapsed block beneath.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.report.html_parts import esc, html_table, para, td

__all__ = ["assumptions_appendix"]

FOLD_ITEMS_ABOVE = 6
"""A list with more named items than this (departments) is folded: one row per field."""

GROUP_TITLES = {
    "run": "Simulated period",
    "demand": "Demand and onboarding",
    "staff_pools": "Staff pools",
    "recruitment": "Recruitment",
    "contractors": "Contractors",
    "policies": "Management policies",
    "verdict": "The verdict's thresholds",
    "start_state": "The starting position",
}


def _basis_class(basis: str) -> str:
    return "assumption" if "assumption" in basis or basis == "no source given" else "sourced"


def _folded(log: pd.DataFrame) -> pd.DataFrame:
    """The log with inputs of a long named list (`demand.departments.<name>.<field>`) as one row
    per field: `input` 'demand.departments.*.<field>', `value` 'N values, e.g. ...', `items` the
    (name, value) pairs; other rows have no items."""
    parts = log["input"].str.split(".")
    prefix = parts.map(lambda p: ".".join(p[:2]) if len(p) >= 4 else "")
    counts = {key: len({tuple(p[:3]) for p in parts[prefix == key]}) for key in set(prefix) if key}
    long_lists = {key for key, n in counts.items() if n > FOLD_ITEMS_ABOVE}
    rows: list[dict[str, Any]] = []
    folded: dict[str, dict[str, Any]] = {}
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in log.to_dict("records")
    ]
    for record, p, pre in zip(records, parts, prefix, strict=True):
        if pre not in long_lists:
            rows.append({**record, "items": []})
            continue
        field = ".".join(p[3:])
        key = f"{pre}.*.{field}"
        if key not in folded:
            folded[key] = {**record, "input": key, "items": []}
            rows.append(folded[key])
        folded[key]["items"].append((p[2], record["value"]))
        if record["source"] != folded[key]["source"]:
            folded[key]["source"] = "various (see assumptions_log.csv)"
    for row in folded.values():
        values = {v for _, v in row["items"]}
        row["value"] = (
            f"{len(row['items'])} items, all {row['items'][0][1]}"
            if len(values) == 1
            else f"{len(row['items'])} items, {len(values)} different values"
        )
    return pd.DataFrame(rows)


def _group_rows(rows: pd.DataFrame) -> str:
    """One table for a group; each source cell spans the consecutive inputs it covers."""
    rows = rows.assign(_order=rows.groupby("source_key", sort=False).ngroup()).sort_values(
        "_order", kind="stable"
    )
    out = []
    records = [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")]
    i = 0
    while i < len(records):
        span = 1
        while (
            i + span < len(records)
            and records[i + span]["source_key"] == records[i]["source_key"]
            and records[i + span]["source"] == records[i]["source"]
        ):
            span += 1
        for j in range(i, i + span):
            r = records[j]
            cells = [td(r["input"]), _value_cell(r)]
            if j == i:
                attrs = {"rowspan": str(span)} if span > 1 else {}
                cells += [
                    td(r["basis"], class_=_basis_class(r["basis"]), **attrs),
                    td(r["source"] or "(none)", **attrs),
                ]
            out.append(cells)
        i += span
    return html_table(["Input", "Value", "Basis", "Source"], out)


def _value_cell(r: dict[str, Any]) -> str:
    if not r["items"]:
        return td(r["value"])
    listed = "; ".join(f"{name} {value}" for name, value in r["items"])
    return (
        f"<td>{esc(r['value'])}<details><summary>each</summary>"
        f'<span class="small">{esc(listed)}</span></details></td>'
    )


def assumptions_appendix(scenario_name: str, log: pd.DataFrame) -> str:
    """The appendix: what the log holds, then one table per part of the scenario."""
    counts = log["basis"].value_counts()
    intro = para(
        f"Every input of '{scenario_name}' ({len(log)} in all), its value, and the source its "
        "scenario file gives for it (the most specific entry of its sources map; a row of "
        "docs/calibration.md, or ASSUMPTION), each source given once for the inputs it covers. "
        "By basis: "
        + ", ".join(f"{n} {basis}" for basis, n in counts.items())
        + ". Departments are folded into one row per field (open 'each' for every value). One "
        "row per input in assumptions_log.csv."
    )
    unsourced = log[log["basis"] == "no source given"]
    warning = ""
    if 0 < len(unsourced) <= 20:
        warning = para(f"{len(unsourced)} inputs have no source: " + ", ".join(unsourced["input"]))
    elif len(unsourced):
        warning = para(f"{len(unsourced)} inputs have no source (marked in the tables).")
    folded = _folded(log)
    group = folded["input"].str.split(".").str[0]
    parts = []
    for key in dict.fromkeys(group):
        title = GROUP_TITLES.get(key, key.replace("_", " ").capitalize())
        table = _group_rows(folded[group == key])
        parts.append(f'<h3>{esc(title)}</h3><div class="small">{table}</div>')
    return intro + warning + "".join(parts)
