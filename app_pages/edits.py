"""A scenario as plain data, as the planners' app edits it: uploads (size-limited, safely parsed,
`extends:` resolved in the scenarios folder only), what differs from the base scenario (as a
table and as `--set` overrides), the `sources:` notes of edited values, and field paths in words.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.files import path_exists
from sim.scenario.safe_yaml import MAX_DOCUMENT_BYTES
from sim.scenario.schema import Scenario, scenario_fields
from sim.scenario.uploads import Upload, parse_upload_isolated, scenario_files_in

__all__ = [
    "MAX_UPLOAD_BYTES",
    "Difference",
    "differences",
    "mark_edited_sources",
    "overrides_for",
    "parse_upload",
    "prune_sources",
    "readable_path",
    "scenario_data",
    "scenario_files_in",
    "short_value",
]

MAX_UPLOAD_BYTES = MAX_DOCUMENT_BYTES  # the same limit as any scenario file


def parse_upload(content: bytes, file_name: str, scenarios_folder: Path) -> Upload:
    """Validate an uploaded scenario file, or raise ScenarioError with one problem per line.

    Read in a separate process with memory and time limits (`sim.scenario.uploads`), within the
    same limits as any scenario file (`sim.scenario.safe_yaml`: size, nesting, aliases, repeated
    keys), so one hostile upload cannot stall or exhaust the server the other sessions share.
    `extends: NAME` is resolved in `scenarios_folder`, by bare file name only.
    """
    return parse_upload_isolated(content, file_name, scenarios_folder)


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

    'staff_pools.1.initial_headcount' -> 'staff_pools → sourcing → initial_headcount'; an item
    without a name is its row counted from 1, as the grids and their forms count rows:
    'staff_pools.2.name' -> 'staff_pools → row 3 → name'.
    """
    parts, node = [], data
    for key in path.split(".") if path else []:
        at = int(key) if key.lstrip("-").isdigit() else None
        if isinstance(node, list) and at is not None and -len(node) <= at < len(node):
            item = node[at]
            name = item.get("name") if isinstance(item, dict) else None
            parts.append(str(name) if name else f"row {at % len(node) + 1}")
            node = item
            continue
        parts.append(key)
        node = node.get(key) if isinstance(node, dict) else None
    return " → ".join(parts) if parts else "(the whole scenario)"


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """A scenario as plain data (dates as ISO strings): what the app edits."""
    return scenario_fields(scenario)
