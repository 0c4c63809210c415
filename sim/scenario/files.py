"""Scenario files: YAML in (safe loading, `extends:`, dotted overrides), YAML and JSON Schema out.

Every user mistake becomes a `ScenarioError` listing each problem with its field path, the value
given and what is allowed, so the command line and the app never show a traceback for one.
"""

from __future__ import annotations

import copy
import difflib
import stat
import types
import typing
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import FieldProblem, Problem, ScenarioError
from sim.scenario.safe_yaml import (
    MAX_DOCUMENT_BYTES,
    MAX_EXPANDED_NODES,
    MAX_RUN_SCENARIO_BYTES,
    YamlSyntaxError,
    bounded_text,
    count_values,
    load_yaml,
    text_of_scenario_bytes,
)
from sim.scenario.schema import Scenario, scenario_fields

__all__ = [
    "apply_overrides",
    "load_scenario",
    "merge_scenario_data",
    "parse_scenario",
    "path_exists",
    "read_run_scenario_data",
    "read_scenario_data",
    "scenario_json_schema",
    "scenario_to_yaml",
]

MAX_EXTENDS_DEPTH = 20


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read a scenario file (following `extends:`), apply `key=value` overrides, validate."""
    data = read_scenario_data(path)
    if overrides:
        data = apply_overrides(data, overrides, source=str(path))
    return parse_scenario(data, source=str(path))


def parse_scenario(data: Any, source: str = "") -> Scenario:
    """Validate plain data into a Scenario, or raise ScenarioError naming every problem."""
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem("", _show(data), "a scenario must be a mapping of keys to values")], source
        )
    if count_values(data) > MAX_EXPANDED_NODES:  # e.g. a long extends: chain of large files
        raise ScenarioError(
            [Problem("", f"more than {MAX_EXPANDED_NODES:,} values", "a smaller scenario")], source
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError([_problem(e, data) for e in error.errors()], source) from None
    problems = _unknown_source_keys(scenario)
    if problems:
        raise ScenarioError(problems, source)
    return scenario


def read_scenario_data(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Plain data of a scenario file with its `extends:` chain merged in (no validation)."""
    path = Path(path)
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError for a symbolic link loop
        problem = Problem("", str(path), "a readable file (Too many levels of symbolic links)")
        raise ScenarioError([problem], str(path)) from None
    if resolved in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, resolved))
        raise ScenarioError([Problem("extends", cycle, "extends must not form a cycle")], str(path))
    if len(_chain) > MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            [Problem("extends", str(len(_chain)), f"at most {MAX_EXTENDS_DEPTH} levels")], str(path)
        )
    data = _read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(
            [Problem("extends", _show(parent), "the file name of another scenario")], str(path)
        )
    parent_path = _sibling(path, parent)
    base = read_scenario_data(parent_path, (*_chain, resolved))
    return merge_scenario_data(base, data)


def read_run_scenario_data(path: str | Path) -> dict[str, Any]:
    """Plain data of a run directory's resolved scenario (no extends:; it may carry a snapshot
    item by item, so it may be larger than a scenario file: `MAX_RUN_SCENARIO_BYTES`)."""
    return _read_yaml(Path(path), MAX_RUN_SCENARIO_BYTES)


def _read_yaml(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> dict[str, Any]:
    try:
        # stat first: a folder or a named pipe would fail or block when read.
        if not stat.S_ISREG(path.stat().st_mode):
            problem = Problem("", str(path), "a scenario file, not a folder or device")
            raise ScenarioError([problem], str(path))
        with path.open("rb") as file:
            content = file.read(max_bytes + 1)  # no more than the limit is ever read
    except FileNotFoundError:
        raise ScenarioError([Problem("", str(path), "no such scenario file")]) from None
    except OSError as error:  # unreadable, a symbolic link loop, ...
        reason = error.strerror or type(error).__name__
        problem = Problem("", str(path), f"a readable file ({reason})")
        raise ScenarioError([problem], str(path)) from None
    text = text_of_scenario_bytes(content, str(path), max_bytes)
    return yaml_text_to_data(text, str(path), max_bytes)


def yaml_text_to_data(
    text: str, source: str = "", max_bytes: int = MAX_DOCUMENT_BYTES
) -> dict[str, Any]:
    """Parse YAML within `sim.scenario.safe_yaml`'s limits; a syntax error names its line."""
    data = load_yaml(text, source, max_bytes)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError([Problem("", _show(data), "a mapping of keys to values")], source)
    return data


def _sibling(path: Path, name: str) -> Path:
    candidate = path.parent / name
    if not candidate.suffix and not candidate.exists():
        candidate = candidate.with_suffix(".yaml")
    if not candidate.is_file():
        raise ScenarioError(
            [Problem("extends", name, f"a scenario file beside {path.name}; none found")],
            str(path),
        )
    return candidate


def merge_scenario_data(base: Any, change: Any) -> Any:
    """Deep merge: mappings key by key, lists of named items by name, anything else replaced."""
    if isinstance(base, dict) and isinstance(change, dict):
        if change.get("kind", base.get("kind")) != base.get("kind"):
            return copy.deepcopy(change)  # a different distribution: its fields do not mix
        merged = dict(base)
        for key, value in change.items():
            merged[key] = merge_scenario_data(base[key], value) if key in base else value
        return merged
    if _is_named_list(base) and _is_named_list(change):
        merged_items = [dict(item) for item in base]
        index = {item["name"]: i for i, item in enumerate(merged_items)}
        for item in change:
            if item["name"] in index:
                i = index[item["name"]]
                merged_items[i] = merge_scenario_data(merged_items[i], item)
            else:
                merged_items.append(item)
        return merged_items
    return copy.deepcopy(change)


def _is_named_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(item, dict) and "name" in item for item in value)
    )


# --- overrides ----------------------------------------------------------------------------------


def apply_overrides(data: dict[str, Any], overrides: list[str], source: str = "") -> dict[str, Any]:
    """Apply `dotted.path=value` settings; list items are chosen by index or by name."""
    data = copy.deepcopy(data)
    problems: list[Problem] = []
    for text in overrides:
        try:
            _apply_one(data, text)
        except _OverrideProblem as problem:
            problems.append(problem.problem)
    if problems:
        raise ScenarioError(problems, source)
    return data


class _OverrideProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _apply_one(data: dict[str, Any], text: str) -> None:
    if "=" not in text:
        raise _OverrideProblem(Problem("--set", text, "KEY=VALUE, e.g. run.horizon_months=36"))
    path, raw = (part.strip() for part in text.split("=", 1))
    keys = [k for k in path.split(".") if k]
    if not keys:
        raise _OverrideProblem(Problem("--set", text, "a dotted field path before '='"))
    try:
        value = load_yaml(raw, "--set") if raw else ""
    except YamlSyntaxError:
        value = raw  # not YAML: the text as typed (e.g. a name with a colon)
    node: Any = data
    model: Any = Scenario
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            index = _list_index(node, key, where)
            if last:
                node[index] = value
                return
            node = node[index]
            model = _item_model(model)
            continue
        if not isinstance(node, dict):
            raise _OverrideProblem(Problem(where, text, "a path into the scenario's mappings"))
        fields = _field_names(model)
        if fields is not None and key not in fields:
            raise _OverrideProblem(Problem(where, key, _unknown_key_hint(key, fields)))
        if last:
            node[key] = value
            return
        if key not in node:
            node[key] = {}
        node = node[key]
        model = _field_model(model, key)


def _list_index(items: list[Any], key: str, where: str) -> int:
    if key.lstrip("-").isdigit():
        index = int(key)
        if -len(items) <= index < len(items):
            return index % len(items)
        raise _OverrideProblem(Problem(where, key, f"an index from 0 to {len(items) - 1}"))
    names = [item.get("name") for item in items if isinstance(item, dict)]
    if key in names:
        return names.index(key)
    allowed = ", ".join(str(n) for n in names if n is not None)
    raise _OverrideProblem(Problem(where, key, f"an index or one of: {allowed}"))


# --- walking the schema (for hints about unknown keys) ------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """The pydantic model class inside Optional[...]/Annotated[...], if there is exactly one."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        models = [_unwrap(a) for a in typing.get_args(annotation) if a is not type(None)]
        models = [m for m in models if m is not None]
        return models[0] if len(models) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return annotation if origin in (list, dict) else None


def _field_model(model: Any, key: str) -> Any:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    field = model.model_fields.get(key)
    return _unwrap(field.annotation) if field else None


def _item_model(model: Any) -> Any:
    origin = typing.get_origin(model)
    if origin is list:
        return _unwrap(typing.get_args(model)[0])
    if origin is dict:
        return _unwrap(typing.get_args(model)[1])
    return None


def _field_names(model: Any) -> list[str] | None:
    if isinstance(model, type) and issubclass(model, BaseModel):
        names = []
        for name, field in model.model_fields.items():
            names.append(field.alias or name)
        return names
    return None


def _model_at(loc: tuple[Any, ...]) -> Any:
    model: Any = Scenario
    for key in loc:
        if model is None:
            return None
        if isinstance(key, int) or typing.get_origin(model) in (list, dict):
            model = _item_model(model)
        else:
            model = _field_model(model, str(key))
    return model


def _unknown_key_hint(key: str, fields: list[str]) -> str:
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key; {hint}allowed: {', '.join(fields)}"


# --- pydantic errors to problems ----------------------------------------------------------------


def _problem(error: Any, data: Any) -> Problem:
    loc, given = _user_location(tuple(error["loc"]), data)
    path = ".".join(str(k) for k in loc)
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        fields = _field_names(_model_at(loc[:-1])) or []
        return Problem(path, _show(given), _unknown_key_hint(str(loc[-1]), fields))
    if error["type"] == "missing":
        return Problem(path, "", "required but missing")
    if error["type"] == "union_tag_invalid":
        return Problem(path, _show(given), message.replace("Input tag", "kind"))
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblem):
        # A validator of several fields names the deepest one, relative to where it ran.
        relative = tuple(int(k) if k.isdigit() else k for k in cause.field.split("."))
        deep, deep_given = _user_location(tuple(error["loc"]) + relative, data)
        plain = deep_given is not None and not isinstance(deep_given, dict | list)
        shown = _show(deep_given) if plain else ""  # a whole section is noise beside the message
        return Problem(".".join(str(k) for k in deep), shown, cause.message)
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
        inner, _, rest = message.partition(": ")
        if rest and " " not in inner and "." in inner:
            return Problem(inner, "", rest)
        return Problem(path, _show(given), message)
    allowed = message.removeprefix("Input should be ")
    return Problem(path, _show(given), allowed)


def _user_location(loc: tuple[Any, ...], data: Any) -> tuple[tuple[Any, ...], Any]:
    """Drop pydantic's union-member tags from a location; return it with the value given."""
    kept: list[Any] = []
    node = data
    for key in loc:
        if _is_number(node) and key in ("fixed", "value"):
            continue  # a bare number stands for {kind: fixed, value: number}
        if (isinstance(node, dict) and key in node) or (
            isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        ):
            node = node[key]
            kept.append(key)
        elif isinstance(node, dict) and key not in node and isinstance(key, str):
            if node.get("kind") == key or key in ("function-after", "function-before"):
                continue
            if key.startswith(("tagged-union", "nullable")):
                continue
            kept.append(key)
            node = None
        else:
            kept.append(key)
            node = None
    return tuple(kept), node


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unknown_source_keys(scenario: Scenario) -> list[Problem]:
    data = scenario_fields(scenario)
    problems = []
    for key in scenario.sources:
        if not path_exists(data, key.split(".")):
            problems.append(Problem(f"sources.{key}", key, "a dotted path to a scenario field"))
    return problems


def path_exists(node: Any, keys: list[str]) -> bool:
    """True if the dotted `keys` lead to a value in plain scenario data (list items by name)."""
    for key in keys:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list):
            names = [i.get("name") for i in node if isinstance(i, dict)]
            if key in names:
                node = node[names.index(key)]
            elif key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return False
        else:
            return False
    return True


def _show(value: Any) -> str:
    return bounded_text(value)


# --- writing ------------------------------------------------------------------------------------


def scenario_to_yaml(scenario: Scenario) -> str:
    """The full resolved scenario as YAML, in schema order; loading it gives an equal Scenario."""
    return yaml.safe_dump(scenario_fields(scenario), sort_keys=False, allow_unicode=True)


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of a scenario file, for editors and other tools."""
    return Scenario.model_json_schema(by_alias=True)
