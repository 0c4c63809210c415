"""What one browser session holds, and where the app finds scenarios and keeps its runs.

Each browser session has its own `st.session_state`: the base scenario it started from (a file in
the scenarios folder, or an upload), the planner's edited copy as plain data, and run settings.
Sessions share only the run cache on disk (`sim.runs.cache`), which is safe to share.

The edited copy is the single source of truth for the Scenario page's widgets: each widget starts
from it and writes back into it, so edits survive moving between pages (Streamlit forgets the
state of widgets that are not on the current page).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from app_pages.edits import (
    Difference,
    differences,
    mark_edited_sources,
    overrides_for,
    parse_upload,
    prune_sources,
    readable_path,
    scenario_data,
    scenario_files_in,
)
from app_pages.snapshot_view import start_from_snapshot
from app_pages.wording import edited_name
from sim.errors import Problem, ScenarioError
from sim.runs.cache import CACHE_DIR_ENV, RunOrigin
from sim.runs.rundir import sha256_of
from sim.scenario.files import load_scenario, parse_scenario, yaml_text_to_data
from sim.scenario.schema import Scenario

APP_DIR = Path(__file__).resolve().parent.parent
SCENARIOS_DIR_ENV = "CCS_APP_SCENARIOS_DIR"
"""Environment variable naming the folder of scenario files (default: scenarios/ by app.py)."""

DEFAULT_REPS, DEFAULT_SEED = 20, 2014  # as `ccs-sim run`


def scenarios_dir() -> Path:
    """The folder whose scenario files the app offers."""
    return Path(os.environ.get(SCENARIOS_DIR_ENV) or APP_DIR / "scenarios")


APP_LOG_DIR_ENV = "CCS_APP_LOG_DIR"
"""Environment variable naming the folder of the app's fault logs (default runs/app-logs)."""


def app_log_dir() -> Path:
    """Where the app writes the traceback of a fault (the planner sees only its reference)."""
    return Path(os.environ.get(APP_LOG_DIR_ENV) or APP_DIR / "runs" / "app-logs")


def cache_root() -> Path:
    """The folder of cached run directories."""
    return Path(os.environ.get(CACHE_DIR_ENV) or APP_DIR / "runs" / "app-cache")


@dataclass(frozen=True)
class Base:
    """The scenario a session's edits start from."""

    label: str  # scenario name shown to the planner
    origin: str  # "file" or "upload"
    file_name: str  # e.g. "baseline.yaml" or the uploaded file's name
    sha256: str  # of the file as read
    data: dict[str, Any]  # the resolved, validated scenario as plain data
    parent: str | None = None  # the file it `extends:`, if any (a natural thing to compare with)

    @property
    def shown_file(self) -> str:
        """How the manifest and the pages name the file."""
        if self.origin == "upload":
            return f"upload:{self.file_name}"
        return f"{scenarios_dir().name}/{self.file_name}"


def load_file_base(path: Path) -> Base:
    """A scenario file from the scenarios folder as a base (raises ScenarioError)."""
    scenario = load_scenario(path)
    content = path.read_bytes()
    parent = _extends(content)
    return Base(
        scenario.name, "file", path.name, sha256_of(content), scenario_data(scenario), parent
    )


def load_upload_base(content: bytes, file_name: str) -> Base:
    """An uploaded scenario file as a base (raises ScenarioError naming each problem)."""
    upload = parse_upload(content, file_name, scenarios_dir())
    scenario = upload.scenario
    return Base(
        scenario.name,
        "upload",
        file_name,
        sha256_of(content),
        scenario_data(scenario),
        upload.parent,
    )


def _extends(content: bytes) -> str | None:
    try:
        parent = yaml_text_to_data(content.decode("utf-8")).get("extends")
    except (ScenarioError, UnicodeDecodeError):
        return None
    return parent if isinstance(parent, str) else None


def base() -> Base | None:
    """This session's base scenario, if one is loaded."""
    value = st.session_state.get("base")
    return value if isinstance(value, Base) else None


def set_base(new: Base) -> None:
    """Start editing from `new`: edits are discarded and every scenario widget starts afresh."""
    st.session_state["base"] = new
    st.session_state["edited"] = copy.deepcopy(new.data)
    st.session_state["generation"] = st.session_state.get("generation", 0) + 1
    st.session_state[UNTAKEN_KEY] = {}


UNTAKEN_KEY = "untaken"
"""Session key: {widget key: (field path, problem)} for what a widget shows but the scenario could
not take (an empty box, text that is not a list of numbers)."""


def untaken() -> dict[str, tuple[str, str]]:
    """What the widgets show that the edited scenario does not hold (Run waits for each)."""
    found = st.session_state.get(UNTAKEN_KEY)
    if not isinstance(found, dict):
        found = st.session_state[UNTAKEN_KEY] = {}
    return found


def note_untaken(key: str, path: str, problem: str | None) -> None:
    """Record (or, with None, clear) that widget `key` shows something the scenario cannot take."""
    if problem is None:
        untaken().pop(key, None)
    else:
        untaken()[key] = (path, problem)


def reset_edits() -> None:
    """Throw away this session's edits (back to the base)."""
    current = base()
    if current is not None:
        set_base(current)


def edited() -> dict[str, Any]:
    """The edited scenario as plain data (widgets write into it in place)."""
    data = st.session_state.get("edited")
    if not isinstance(data, dict):
        data = {}
        st.session_state["edited"] = data
    return data


def widget_key(path: str) -> str:
    """A widget's key: its field path in this generation of the base (a new base, new widgets)."""
    return f"w{st.session_state.get('generation', 0)}:{path}"


def ensure_base() -> None:
    """Load the first scenario of the folder (baseline.yaml if present) into a new session."""
    if base() is not None or st.session_state.get("base_load_failed"):
        return
    files = scenario_files_in(scenarios_dir())
    for path in files:
        try:
            set_base(load_file_base(path))
            return
        except ScenarioError:
            continue
    st.session_state["base_load_failed"] = True


# --- the scenario as it now stands --------------------------------------------------------------


@dataclass(frozen=True)
class Current:
    """The edited scenario validated, what differs from the base, and how to describe its origin."""

    scenario: Scenario | None
    problems: list[str]
    diffs: list[Difference] = field(default_factory=list)
    dropped_sources: list[str] = field(default_factory=list)
    origin: RunOrigin = field(default_factory=RunOrigin)
    before_snapshot: Scenario | None = (
        None  # as edited, before a snapshot (app_pages.snapshot_view)
    )

    @property
    def is_edited(self) -> bool:
        """True if anything differs from the base."""
        return bool(self.diffs)


def current() -> Current:
    """Validate this session's edited scenario (cheap: a few milliseconds)."""
    start = base()
    if start is None:
        return Current(None, ["No scenario is loaded: choose one on the Scenario page."])
    data = edited()
    diffs = differences(start.data, data)
    marked = mark_edited_sources(data, diffs, start.label)
    marked, dropped = prune_sources(marked)
    marked["name"] = run_name(start, data, diffs)
    shown_only = [f"**{path}**: {problem}" for path, problem in untaken().values()]
    try:
        scenario = parse_scenario(marked)
    except ScenarioError as error:
        return Current(None, shown_only + problem_lines(error.problems, data), diffs, dropped)
    if shown_only:
        return Current(None, shown_only, diffs, dropped)
    started, snapshot_problems = start_from_snapshot(scenario)
    if started is None:
        return Current(None, snapshot_problems, diffs, dropped, before_snapshot=scenario)
    suffix = " (edited in the planners' app)" if diffs else ""
    if started is not scenario:
        suffix += f", starting from {started.start_state.source}"  # the snapshot, by SHA-256
    origin = RunOrigin(start.shown_file + suffix, start.sha256, overrides_for(diffs))
    return Current(started, [], diffs, dropped, origin, before_snapshot=scenario)


def run_name(start: Base, data: dict[str, Any], diffs: list[Difference]) -> str:
    """The name the scenario runs, downloads and reports under: the name the planner typed, or
    the base's with what was edited ('baseline (edited: offer acceptance 70%)'), so an edited
    scenario is never reported under its base's name."""
    typed = data.get("name")
    if any(d.path == "name" for d in diffs) and isinstance(typed, str) and typed.strip():
        return typed
    edits = [d for d in diffs if d.path not in ("name", "description")]
    return edited_name(start.label, edits) if edits else start.label


def problem_lines(problems: list[Problem], data: Any) -> list[str]:
    """Problems as planners read them: the field (list items by name), given and allowed."""
    return [f"**{readable_path(p.path, data)}**: {p.what}" for p in problems]


# --- run settings -------------------------------------------------------------------------------


def run_settings() -> dict[str, int]:
    """Replications and seed for this session (shared by the Results, Compare and Evidence
    pages). Workers are the server's, shared by every session (`app_pages.running`)."""
    settings = st.session_state.get("run_settings")
    if not isinstance(settings, dict):
        settings = {"reps": DEFAULT_REPS, "seed": DEFAULT_SEED}
        st.session_state["run_settings"] = settings
    return settings
