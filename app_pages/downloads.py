"""Page 4, Downloads: run directories as zip files, their tables as CSV, and the comparison."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages import running, session_work
from sim.runs.cache import tables_as_csv, zip_run_directory

FILES = {
    "manifest.json": "model version, git commit, scenario file and SHA-256, the full resolved "
    "scenario, seed, replications, start and end time, package versions, host",
    "scenario.yaml": "the resolved scenario as run",
    "summary.csv": "per KPI: mean, 95% confidence interval, P10, P50, P90",
    "kpis": "one row per replication: rep, seed, then every KPI",
    "monthly": "one row per replication and month: the monthly series",
    "monthly_by_pool": "the same by staff pool",
    "pools": "each pool's verdict in each replication",
}


@st.cache_data(max_entries=4, show_spinner="Packing the run directory…")
def _zip(path: str) -> bytes:
    return zip_run_directory(Path(path))


@st.cache_data(max_entries=4, show_spinner=False)
def _csv(path: str) -> dict[str, bytes]:
    return tables_as_csv(Path(path))


def run_downloads(title: str, path: Path) -> None:
    """Download buttons for one run directory."""
    st.header(title)
    manifest = running.load_run_cached(str(path)).manifest
    finished = str(manifest.get("finished_at") or "").replace("T", " at ")[:22]
    st.caption(
        f"Scenario '{manifest.get('scenario_name')}' from {manifest.get('scenario_file') or '?'}: "
        f"{manifest.get('replications_completed')} replications, seed {manifest.get('seed')}, "
        f"finished {finished} (UTC). Folder: `{path}`"
    )
    key = path.name
    st.download_button(
        "The whole run directory (zip)",
        _zip(str(path)),
        file_name=f"{path.name}.zip",
        mime="application/zip",
        type="primary",
        key=f"zip.{key}",
        help="Exactly what `ccs-sim run` writes: manifest.json, scenario.yaml, Parquet tables and "
        "summary.csv. `ccs-sim reproduce DIR` reruns it and checks it is bit-identical.",
    )
    cols = st.columns(4)
    files = {
        "manifest.json": (path / "manifest.json").read_bytes(),
        "scenario.yaml": (path / "scenario.yaml").read_bytes(),
        **_csv(str(path)),
    }
    for i, (name, content) in enumerate(files.items()):
        with cols[i % 4]:
            mime = "application/json" if name.endswith(".json") else "text/plain"
            st.download_button(
                name,
                content,
                file_name=name,
                mime=mime,
                key=f"{name}.{key}",
                help=FILES.get(name.removesuffix(".csv"), ""),
            )


def main() -> None:
    """The Downloads page."""
    st.title("Downloads")
    st.caption(
        "The same files as the command line writes, so a figure in a business case can be traced "
        "to the scenario, seed and model version that produced it."
    )
    last = st.session_state.get("last_run")
    compared = st.session_state.get("compare_runs") or {}
    reports = [w for w in session_work.done() if w.kind == "report"]
    if not last and not compared and not reports:
        st.info("Nothing to download yet: run a scenario on **Run and results** first.")
        return
    for report in reversed(reports):
        st.subheader("Your report" if len(reports) == 1 else f"Report {Path(report.path).name}")
        st.caption(f"{report.title}. Folder: `{report.path}`")
        report_file = Path(report.path) / "report.html"
        st.download_button(
            "report.html",
            report_file.read_bytes(),
            file_name=f"{Path(report.path).name}.html",
            mime="text/html",
            key=f"report.{report.path}",
        )
    if reports:
        st.page_link("app_pages/evidence.py", label="Write another report on Evidence")
    if last and Path(last).is_dir():
        run_downloads("Your latest results", Path(last))
    for label, path in compared.items():
        if Path(path).is_dir() and path != last:
            run_downloads(f"For the comparison: {label}", Path(path))
    table = st.session_state.get("compare_table")
    if table is not None:
        st.header("The comparison")
        st.download_button(
            "Paired differences (CSV)",
            table.to_csv(index=False).encode(),
            file_name="paired_differences.csv",
            mime="text/csv",
            help="Per KPI: both means, the mean paired difference (yours minus the other) with "
            "its 95% CI, and the share of replications in which yours is better.",
        )
    with st.expander("What each file holds"):
        for name, meaning in FILES.items():
            st.markdown(f"- **{name}**: {meaning}")


main()
