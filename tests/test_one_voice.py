"""One voice: the app, the command line and the HTML report say the same things about one run.

The same scenario, seed and replications run through the app (Streamlit's AppTest, the real
pages), the command line (`ccs-sim run` / `ccs-sim compare`) and the report (`ccs-sim report`
on the command line's directories). Runs are bit-identical whatever runs them, so every sentence
and number a reader can put side by side must be character for character the same: the verdict
sentence (with the month the shortfall starts), the KPI values, a paired difference (shares in
percentage points) and its judgement.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from app_fixtures import APP, APP_DATA, app_env
from streamlit.testing.v1 import AppTest

from sim.cli import main
from sim.results.kpis import in_group, kpi_label

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("report_checks_once")]

__all__ = ["app_env"]  # the fixture, imported for pytest

SEED, REPS = 11, 6
SMALL, FASTER = APP_DATA / "small.yaml", APP_DATA / "small_faster.yaml"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main([*args, "--reps", str(REPS), "--seed", str(SEED), "--workers", "1"]) == 0
    return capsys.readouterr().out


def _app(app_env: Path, compare: bool) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page("app_pages/results.py").run()
    at.number_input(key="run_settings.reps").set_value(REPS).run()
    at.number_input(key="run_settings.seed").set_value(SEED).run()
    if compare:
        at.switch_page("app_pages/compare.py").run()
        at.selectbox(key="compare.other").set_value(FASTER.name).run()
        [button] = [b for b in at.button if b.label == "Run the comparison"]
    else:
        [button] = [b for b in at.button if b.label == "Run"]
    button.click().run()
    assert not at.exception, at.exception
    return at


def _report(tmp_path: Path, source: Path) -> str:
    out = tmp_path / "report"
    cache = str(tmp_path / "cli-cache")  # not the app's: the app runs its own
    assert main(["report", str(source), "--out", str(out), "--workers", "1", "--cache", cache]) == 0
    return html.unescape((out / "report.html").read_text())


def _plain(markdown: str) -> str:
    return markdown.replace("**", "")


def _cells(page: str, table_id: str) -> list[list[str]]:
    """The rows of one table of the report, as cell texts."""
    table = re.search(rf'<table id="{re.escape(table_id)}">(.*?)</table>', page, re.S)
    assert table, table_id
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [row for row in cells if row]  # the header row has <th> cells


def test_one_run_reads_the_same_in_the_app_the_command_line_and_the_report(
    app_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "cli-run"
    cli = _cli(capsys, "run", str(SMALL), "--out", str(run_dir))
    at = _app(app_env, compare=False)
    app_run = Path(at.session_state["last_run"])
    pd.testing.assert_frame_equal(
        pd.read_parquet(app_run / "kpis.parquet"), pd.read_parquet(run_dir / "kpis.parquet")
    )  # the same run, twice
    page = _report(tmp_path, run_dir)

    # The verdict: the app's sentence is the command line's first line and the report's summary.
    [app_sentence] = [
        _plain(e.value)
        for e in [*at.error, *at.warning, *at.success]
        if "simulated futures" in e.value
    ]
    cli_sentence = cli.strip().splitlines()[0]
    assert app_sentence == cli_sentence
    assert app_sentence in page
    # The month the shortfall starts, where it does, is one date in all three.
    when = re.search(r"starts in (\w{3} \d{4}) \(median", app_sentence)
    assert when, "this seed outruns capability in some futures, so the sentence has a month"
    assert when.group(1) in cli and f"starts in {when.group(1)}" in page

    # The headline KPIs: the app's cards, the command line's table and the report's table.
    metrics = {m.label: m.value for m in at.metric}
    report_means = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<td data-kpi="(\w+)" data-stat="mean"[^>]*>(.*?)</td>', page)
    }
    cli_rows = {line[:38].strip(): line[38:52].strip() for line in cli.splitlines()}
    shown = [k for k in in_group("cards") if kpi_label(k) in metrics]
    assert len(shown) >= 6
    for kpi in shown:
        app_value = metrics[kpi_label(kpi)]
        assert report_means[kpi] == app_value, kpi
        if kpi in in_group("headline"):
            assert cli_rows[kpi_label(kpi)[:37]] == app_value, kpi


def test_one_comparison_reads_the_same_in_the_app_the_command_line_and_the_report(
    app_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "compare"
    # The app's Compare page puts the other file first (the base) and yours second.
    cache = str(tmp_path / "cli-cache")  # not the app's: the app runs its own
    cli = _cli(capsys, "compare", str(FASTER), str(SMALL), "--out", str(study), "--cache", cache)
    at = _app(app_env, compare=True)
    [app_table] = [
        d.value for d in at.table if "Difference" in d.value.columns and "Verdict" in d.value
    ]
    app_rows = app_table.set_index("KPI")
    page = _report(tmp_path, study)
    report_rows = {row[1]: row for row in _cells(page, "comparison-compare")}
    cli_lines = [line for line in cli.splitlines() if line.startswith("small ")]
    for kpi in in_group("comparison"):
        label = kpi_label(kpi)
        difference = app_rows.loc[label, "Difference"]
        interval = app_rows.loc[label, "95% CI of the difference"]
        judgement = app_rows.loc[label, "Verdict"]
        _, _, base, option, shown, shown_ci, shown_judgement, *_ = report_rows[kpi]
        assert (shown, shown_ci, shown_judgement) == (difference, interval, judgement), kpi
        assert (base, option) == (app_rows.loc[label].iloc[0], app_rows.loc[label].iloc[1])
        [line] = [line for line in cli_lines if f" {kpi} " in line]
        assert f"{difference} [{interval}]" in line, kpi
        if kpi in ("outruns_capability", "sla_attainment"):
            assert difference.endswith(" points")  # shares differ in percentage points
