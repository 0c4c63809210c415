"""The assumptions log: every input of a scenario, its value, and where that value comes from.

The Aqua Book asks for an assumptions log; the Green Book for the basis of every figure. Each
scenario file carries a `sources:` map from dotted field paths to a row of docs/calibration.md or
the word ASSUMPTION. This module walks every input (leaf field) of a resolved scenario, finds the
most specific source entry that covers it (an entry for `demand.departments` covers each
department's onboarding date), and classifies the basis. Inputs that no entry covers are listed
as such, because an unsourced number is exactly what a reviewer needs to see.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from sim.scenario.schema import Scenario, scenario_fields

__all__ = ["assumptions_log", "basis_of", "describe_value", "leaf_values", "scenario_differences"]

# Fields that describe the scenario rather than being inputs to the model.
_NOT_INPUTS = ("name", "description", "sources")


def leaf_values(scenario: Scenario) -> dict[str, Any]:
    """Every input of the scenario by dotted path (list items by name; a distribution, a
    headcount plan or a list of numbers counts as one input)."""
    data = scenario_fields(scenario)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _NOT_INPUTS:
            _walk(value, key, out)
    return out


def _walk(node: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(node, dict) and "kind" not in node and node:
        for key, value in node.items():
            _walk(value, f"{path}.{key}", out)
    elif _is_named_list(node):
        for item in node:
            for key, value in item.items():
                if key != "name":
                    _walk(value, f"{path}.{item['name']}.{key}", out)
    else:
        out[path] = node


def _is_named_list(node: Any) -> bool:
    return (
        isinstance(node, list)
        and len(node) > 0
        and all(isinstance(i, dict) and "name" in i and "kind" not in i for i in node)
    )


def source_for(path: str, sources: dict[str, str]) -> tuple[str, str]:
    """The most specific sources entry covering `path`: (its key, its text), or ("", "")."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        if key in sources:
            return key, sources[key]
    return "", ""


def basis_of(text: str) -> str:
    """The kind of basis a source text gives: cited/derived calibration, assumption, or none."""
    if not text.strip():
        return "no source given"
    head = text.lstrip().upper()
    if head.startswith("ASSUMPTION"):
        return "assumption"
    if head.startswith("DERIVED"):
        return "derived"
    mentions_assumption = "ASSUMPTION" in head or "(A" in head or " A)" in head
    return "calibration + assumption" if mentions_assumption else "calibration"


def describe_value(value: Any) -> str:
    """A short plain rendering of an input's value (distributions with their mean)."""
    if isinstance(value, dict) and "kind" in value:
        kind = value["kind"]
        if kind == "fixed":
            return f"{_num(value['value'])}"
        params = ", ".join(f"{k} {_num(v)}" for k, v in value.items() if k != "kind")
        return f"{kind}({params})"
    if isinstance(value, list) and value and isinstance(value[0], dict) and "date" in value[0]:
        first, last = value[0], value[-1]
        return (
            f"{len(value)} steps: {first['headcount']} from {first['date']} "
            f"to {last['headcount']} from {last['date']}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(_num(v) for v in value) + "]" if value else "none"
    if value is None:
        return "none"
    return _num(value)


def _num(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value if isinstance(value, str) else json.dumps(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.6g}"


def assumptions_log(scenario: Scenario) -> pd.DataFrame:
    """One row per input: `input`, `value`, `basis`, `source_key`, `source`."""
    rows = []
    for path, value in leaf_values(scenario).items():
        key, text = source_for(path, scenario.sources)
        rows.append(
            {
                "input": path,
                "value": describe_value(value),
                "basis": basis_of(text),
                "source_key": key,
                "source": text,
            }
        )
    return pd.DataFrame(rows, columns=["input", "value", "basis", "source_key", "source"])


def scenario_differences(base: Scenario, option: Scenario) -> pd.DataFrame:
    """Inputs whose values differ: `input`, `base`, `option`, and the option's source."""
    a, b = leaf_values(base), leaf_values(option)
    rows = []
    for path in [*a, *[p for p in b if p not in a]]:
        if a.get(path) != b.get(path):
            _, text = source_for(path, option.sources)
            rows.append(
                {
                    "input": path,
                    "base": describe_value(a.get(path)) if path in a else "(absent)",
                    "option": describe_value(b.get(path)) if path in b else "(absent)",
                    "option_source": text,
                }
            )
    return pd.DataFrame(rows, columns=["input", "base", "option", "option_source"])
