"""A planner's session that outlives the server: scenario, edits, seed and replications.

Streamlit keeps a session's state in the server's memory, so a restart (or a lost connection to a
new server) would forget the planner's work. Each session therefore has a random token in its
address (`?session=<token>`), and its base scenario, edited copy and run settings are written to a
small file named by the token beside the run cache (`<cache>-sessions/<token>.json`) before every
run and after every interaction that changed them. A browser that reconnects with the same address
gets them back, and with them the same cache key: the half-finished run is found and carried on.

The file holds what the planner typed, not results; the newest `SESSIONS_KEPT` are kept. Two tabs
open on one address share one file: the last to change something wins.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import asdict
from pathlib import Path
from typing import Any

import streamlit as st

from app_pages import state
from sim.runs.rundir import atomic_write_bytes, json_default, sha256_of

log = logging.getLogger(__name__)

SESSION_PARAM = "session"
SESSIONS_KEPT = 500
_TOKEN = re.compile(r"[0-9a-f]{32}")


def store_dir() -> Path:
    """Where sessions are kept: beside the run cache they refer to (`runs/app-cache-sessions/`),
    not inside it, where every folder is a run."""
    cache = state.cache_root()
    return cache.with_name(f"{cache.name}-sessions")


def _token_in_address() -> str | None:
    token = st.query_params.get(SESSION_PARAM)
    return token if isinstance(token, str) and _TOKEN.fullmatch(token) else None


def restore() -> bool:
    """Once per browser session: take back the scenario and settings saved under the address's
    token, if any. True if something was restored."""
    if st.session_state.get("persist_checked"):
        return False
    st.session_state["persist_checked"] = True
    token = _token_in_address()
    if token is None:
        return False
    st.session_state["persist_token"] = token
    try:
        saved = json.loads((store_dir() / f"{token}.json").read_text())
        base = state.Base(**saved["base"])
        edited = saved["edited"]
        settings = {name: int(saved["run_settings"][name]) for name in ("reps", "seed")}
    except (OSError, ValueError, KeyError, TypeError):
        return False  # never saved, pruned, or unreadable: start afresh
    if not isinstance(edited, dict):
        return False
    state.set_base(base)
    st.session_state["edited"] = edited
    st.session_state["run_settings"] = settings
    st.session_state["persist_digest"] = sha256_of(_text(base, edited, settings))
    return True


def _text(base: state.Base, edited: dict[str, Any], settings: dict[str, int]) -> bytes:
    snapshot = {
        "base": asdict(base),
        "edited": edited,
        "run_settings": {name: settings[name] for name in ("reps", "seed")},
    }
    return json.dumps(snapshot, sort_keys=True, default=json_default).encode()


def save() -> None:
    """Write this session's scenario and settings if they changed, and keep the token in the
    address. A fault of the disk here is logged, not shown: the run that needs the disk says it."""
    base = state.base()
    if base is None:
        return
    token = st.session_state.get("persist_token") or _token_in_address() or secrets.token_hex(16)
    st.session_state["persist_token"] = token
    if st.query_params.get(SESSION_PARAM) != token:
        st.query_params[SESSION_PARAM] = token
    text = _text(base, state.edited(), state.run_settings())
    digest = sha256_of(text)
    if st.session_state.get("persist_digest") == digest:
        return
    try:
        atomic_write_bytes(store_dir() / f"{token}.json", text)
        _prune()
    except OSError as error:
        log.warning("could not keep session %s: %s", token, error)
        return
    st.session_state["persist_digest"] = digest


def _prune() -> None:
    saved = sorted(store_dir().glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in saved[SESSIONS_KEPT:]:
        old.unlink(missing_ok=True)
