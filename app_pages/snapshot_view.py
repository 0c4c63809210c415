"""Start from today, on the Scenario page: the planner uploads a snapshot (a zip of the snapshot
folder, or its five CSV files; docs/snapshot.md) and the scenario starts on its date in its
state, exactly as `ccs-sim run SCENARIO --snapshot DIR` does (`load_snapshot`'s checks and
`apply_snapshot`, the snapshot's SHA-256 in the scenario, so in the run cache's key and the
manifest: a different snapshot never reuses a cached run).

An upload is read in the app's capped reading process (`sim.scenario.snapshot_upload`). A
snapshot with a mistake is refused whole, each problem named by file, row and column; one that
no longer fits the edited scenario (a pool removed, say) stops Run with its problems named.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.chart_view import show_table
from sim.errors import ScenarioError
from sim.runs.batch import scenario_digest
from sim.scenario.schema import Scenario
from sim.scenario.snapshot import Snapshot, apply_snapshot
from sim.scenario.snapshot_upload import (
    MAX_SNAPSHOT_UPLOAD_BYTES,
    pack_files,
    read_snapshot_upload,
)

__all__ = ["show_snapshot", "start_from_snapshot"]


@dataclass(frozen=True)
class Upload:
    """The snapshot in use in this session: the upload's name and its bytes (a zip)."""

    name: str
    content: bytes


def _accepted() -> Upload | None:
    found = st.session_state.get("snapshot.accepted")
    return found if isinstance(found, Upload) else None


def _problem_lines(name: str, error: ScenarioError) -> list[str]:
    return [f"**{name}**: {p.path or error.source}: {p.what}" for p in error.problems]


def _read(upload: Upload, scenario: Scenario) -> tuple[Snapshot, Scenario] | list[str]:
    """The snapshot checked against `scenario` and the scenario started from it (once per
    snapshot and scenario in a session), or the problems as lines."""
    key = (upload.name, hash(upload.content), scenario_digest(scenario))
    cache = st.session_state.setdefault("snapshot.read", {})
    if key in cache:
        return cache[key]  # type: ignore[no-any-return]
    found: tuple[Snapshot, Scenario] | list[str]
    try:
        snapshot = read_snapshot_upload(upload.content, upload.name, scenario)
        found = (snapshot, apply_snapshot(scenario, snapshot))
    except ScenarioError as error:
        found = _problem_lines(upload.name, error)
    if len(cache) >= 4:  # the scenario as edited and one to compare with, and recent edits
        cache.pop(next(iter(cache)))
    cache[key] = found
    return found


def start_from_snapshot(scenario: Scenario) -> tuple[Scenario | None, list[str]]:
    """The scenario as it runs: started from the session's snapshot if there is one; None and
    the problems if the snapshot does not fit it (Run waits for them)."""
    upload = _accepted()
    if upload is None:
        return scenario, []
    found = _read(upload, scenario)
    if isinstance(found, list):
        return None, found
    return found[1], []


def _content(files: list[Any]) -> tuple[str, bytes]:
    """One zip uploaded as it is; CSV files (or several files) packed into one."""
    if len(files) == 1 and files[0].name.lower().endswith(".zip"):
        return files[0].name, files[0].getvalue()
    return "snapshot.zip", pack_files({f.name: f.getvalue() for f in files})


def _upload(before: Scenario | None) -> None:
    files = st.file_uploader(
        f"Snapshot: a zip of the folder, or its five CSV files (at most "
        f"{MAX_SNAPSHOT_UPLOAD_BYTES >> 20} MB in all)",
        type=["zip", "csv"],
        accept_multiple_files=True,
        key="snapshot.upload",
        max_upload_size=MAX_SNAPSHOT_UPLOAD_BYTES >> 20,
        help="snapshot.csv, staff.csv, vacancies.csv, work.csv and departments.csv, as "
        "`ccs-sim snapshot-template` writes them; ids only, no names or e-mail addresses "
        "(docs/snapshot.md).",
    )
    seen = tuple(f.file_id for f in files or [])
    if not seen or st.session_state.get("snapshot.seen") == seen:
        return
    st.session_state["snapshot.seen"] = seen
    if before is None:
        st.session_state["snapshot.problems"] = [
            "The scenario has problems (above): fix them, then upload the snapshot again."
        ]
        return
    upload = Upload(*_content(list(files or [])))
    found = _read(upload, before)
    if isinstance(found, list):
        st.session_state["snapshot.problems"] = found
        return
    st.session_state["snapshot.problems"] = None
    st.session_state["snapshot.accepted"] = upload
    st.rerun()  # the status and every page now describe the scenario started from it


def show_snapshot(before: Scenario | None) -> None:
    """Upload a snapshot; the starting state in brief. `before`: the edited scenario as it would
    start without a snapshot (what the snapshot is checked against)."""
    st.subheader("Start from today (a snapshot)")
    st.caption(
        "Without a snapshot the run starts on the scenario's start date with its round numbers. "
        "A snapshot (the HR extract, recruitment tracker and casework list of one day) starts it "
        "on that day, in that state; the scenario still supplies the future."
    )
    _upload(before)
    refused = st.session_state.get("snapshot.problems")
    if refused:
        st.error(
            "**The snapshot cannot be used**: nothing of it is used. Fix these and upload it "
            "again:\n\n" + "\n".join(f"- {line}" for line in refused),
            icon=":material/block:",
        )
    upload = _accepted()
    if upload is None or before is None:
        return
    found = _read(upload, before)
    if isinstance(found, list):
        return  # the status above names the problems; Run waits for them
    _show_state(upload, found[0])
    if st.button("Stop using this snapshot", key="snapshot.remove"):
        st.session_state["snapshot.accepted"] = None
        st.rerun()


def _show_state(upload: Upload, snapshot: Snapshot) -> None:
    """The starting state in brief: date, heads and FTE by pool, vacancies by stage, work."""
    rows = snapshot.rows
    st.success(
        f"Starting from **{upload.name}** (SHA-256 `{snapshot.sha256[:16]}…`) on "
        f"**{snapshot.date:%d %B %Y}**: {len(rows['staff.csv']):,} staff in post, "
        f"{len(rows['vacancies.csv']):,} vacancies being filled, {len(rows['work.csv']):,} "
        "cases in hand.",
        icon=":material/today:",
    )
    staff = pd.DataFrame(rows["staff.csv"])
    if len(staff):
        staff["fte"] = staff["fte"].astype(float)
        by_pool = staff.groupby("pool", sort=True).agg(heads=("id", "size"), fte=("fte", "sum"))
        show_table(
            by_pool.reset_index()
            .rename(columns={"pool": "Staff pool", "heads": "Staff in post", "fte": "FTE"})
            .round({"FTE": 1})
        )
    stages = Counter(row["stage"] for row in rows["vacancies.csv"])
    waiting = sum(1 for row in rows["work.csv"] if not row.get("started_date"))
    st.markdown(
        "**Vacancies by stage:** "
        + (", ".join(f"{stage} {n:,}" for stage, n in stages.items()) or "none")
        + f"  \n**Work in hand:** {waiting:,} waiting, "
        f"{len(rows['work.csv']) - waiting:,} under way."
    )
