"""The business-case report: every section, numbers that match the run files, offline, traced.

The studies are made the way an analyst makes them, through the command line's verbs (in this
process, one worker), from two scenario files: compare, sweep, plan, then report.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.report.html import SECTIONS
from sim.results.formats import format_kpi
from sim.results.kpis import in_group
from sim.runs.rundir import sha256_of
from sim.runs.tables import load_run

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("report_checks_once")]

TINY = Path(__file__).parent / "data" / "tiny.yaml"

BASE = f"""extends: {TINY}
name: base
sources:
  staff_pools.buyers.initial_headcount: "calibration.md test row (C: T1)"
  recruitment: "ASSUMPTION: test pipeline"
"""
OPTION = f"""extends: {TINY}
name: more-buyers
staff_pools:
  - name: buyers
    initial_headcount: 6
sources:
  staff_pools.buyers.initial_headcount: "ASSUMPTION: the option hires two more buyers"
"""


def ccs_sim(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("case")
    (root / "base.yaml").write_text(BASE)
    (root / "option.yaml").write_text(OPTION)
    common = ["--reps", "6", "--seed", "4", "--workers", "1", "--cache", str(root / "cache")]
    base = str(root / "base.yaml")
    actuals = str(root / "actuals.csv")  # another future of the base: 'what then happened'
    steps = [
        ["actuals-of", base, actuals, "--from-month", "3", "--months", "6", "--seed", "9"],
        ["compare", base, str(root / "option.yaml"), "--out", str(root / "compare"), *common],
        ["sweep", base, "--vary", "demand_scale=0.5,1.0", "--bisect", "1",
         "--out", str(root / "sweep"), *common],
        ["plan", base, "--lever", "staff_pools.buyers.initial_headcount=4:8:2",
         "--target", "sla_attainment >= 0.5", "--confidence", "0.5",
         "--out", str(root / "plan"), *common],
        ["report", str(root / "compare"), str(root / "sweep"), str(root / "plan"),
         "--optimism-bias", "0.54", "--actuals", actuals, "--out", str(root / "report"),
         "--workers", "1", "--cache", str(root / "cache")],
    ]  # fmt: skip
    outputs = []
    for args in steps:
        status, out, err = ccs_sim(*args)
        assert status == 0, (args[0], err)
        outputs.append(out)
    html = (root / "report" / "report.html").read_text()
    return root, html, outputs[-1]


class Cells(HTMLParser):
    """Collects table cells carrying data-kpi/data-stat/data-value, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.table = ""
        self.cells: dict[str, list[dict[str, str]]] = {}
        self.current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.table = values.get("id", "")
        if tag == "td" and "data-value" in values:
            self.current = values | {"text": ""}
            self.cells.setdefault(self.table, []).append(self.current)

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.current = None


def test_the_report_has_every_section_in_order(report) -> None:
    _, html, out = report
    positions = [html.index(f'<section id="{ident}"><h2>{title}</h2>') for ident, title in SECTIONS]
    assert positions == sorted(positions)
    for _, title in SECTIONS:
        assert title in out  # the command lists the sections it wrote
    assert "No options were compared" not in html and "Not requested" not in html


def test_kpi_tables_match_summary_csv(report) -> None:
    root, html, _ = report
    parser = Cells()
    parser.feed(html)
    study = json.loads((root / "compare" / "study.json").read_text())
    for record in (study["base"], *study["options"]):
        run_dir = (root / "compare" / record["run_dir"]).resolve()
        summary = pd.read_csv(run_dir / "summary.csv").set_index("kpi")
        start = load_run(run_dir).start_date
        cells = parser.cells[f"kpis-{run_dir.name}"]
        assert len(cells) == 6 * len(summary)
        for cell in cells:
            expected = summary.loc[cell["data-kpi"], cell["data-stat"]]
            shown = float(cell["data-value"])
            assert shown == expected or (math.isnan(shown) and math.isnan(expected))
            assert cell["text"] == format_kpi(cell["data-kpi"], expected, start)


def test_comparison_numbers_match_comparison_csv(report) -> None:
    root, html, _ = report
    parser = Cells()
    parser.feed(html)
    table = pd.read_csv(root / "compare" / "comparison.csv").set_index("kpi")
    shown = {c["data-kpi"]: float(c["data-value"]) for c in parser.cells["comparison-compare"]}
    assert set(shown) == set(in_group("comparison"))
    for kpi, value in shown.items():
        assert value == table.loc[kpi, "difference"]


def test_assumptions_log_lists_sources_and_gaps(report) -> None:
    root, html, _ = report
    log = pd.read_csv(root / "report" / "assumptions_log.csv")
    row = log.set_index("input").loc["staff_pools.buyers.initial_headcount"]
    assert row["basis"] == "calibration" and row["source"] == "calibration.md test row (C: T1)"
    assert log.set_index("input").loc["recruitment.offer_acceptance", "basis"] == "assumption"
    assert (log["basis"] == "no source given").any()
    assert "calibration.md test row (C: T1)" in html
    assert "ASSUMPTION: the option hires two more buyers" in html  # the option's differences


def test_every_run_is_traced_by_its_manifest_hash(report) -> None:
    root, html, _ = report
    manifests = list((root / "cache").glob("*/manifest.json"))
    assert len(manifests) >= 6  # base, option, sweep points, plan points, optimism variant
    for manifest in manifests:
        assert sha256_of(manifest.read_bytes()) in html
        assert manifest.parent.name in html
    assert "base-ob54" in html  # the optimism-bias variant was run and traced


def test_the_report_opens_offline_and_its_charts_are_files(report) -> None:
    root, html, _ = report
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html
    charts = sorted((root / "report" / "charts").glob("*.png"))
    assert len(charts) == html.count("<figure>") >= 8
    for chart in charts:
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"charts/{chart.name}" in html


def test_every_figure_says_in_words_what_it_shows_and_the_page_has_landmarks(report) -> None:
    _, html, _ = report
    figures = re.findall(r'<figure><img alt="([^"]*)"[^>]*><figcaption>([^<]*)<', html)
    assert len(figures) == html.count("<figure>") >= 8
    for alt, caption in figures:
        # The alt text is the chart's description, written from its data; the caption names it.
        assert alt.strip() != caption.strip()
        assert len(alt) > 60 and re.search(r"\d", alt), alt
    alts = " ".join(alt for alt, _ in figures)
    assert "highest" in alts and "Tornado: " in alts and "Least-cost plan: " in alts
    assert html.count("<main>") == 1 and '<nav aria-label="Contents">' in html
    assert "<th>" not in html  # every header cell says it heads a column
    assert html.count('<th scope="col">') > 50
    regions = re.findall(r'role="region" aria-label="([^"]*)"', html)
    assert len(regions) == len(set(regions)) > 5  # each scrolling table named apart


def test_validation_checklist_and_limitations_are_filled_from_the_run(report) -> None:
    root, html, _ = report
    checks = pd.read_csv(root / "report" / "theory_checks.csv")
    assert len(checks) == 9 and checks["passed"].all()
    assert "9 of 9 checks pass" in html
    stress = html[html.index('id="stress-des"') : html.index('<section id="limitations">')]
    assert stress.count("<tr>") == 1 + 24  # header and the 24 items of STRESS-DES 1.0
    assert "Independent replications: 6 in this run (seed 4)" in stress
    assert "6 replications in the primary run" in html


def test_a_single_run_directory_is_enough_and_says_what_is_missing(report, tmp_path: Path) -> None:
    root, _, _ = report
    study = json.loads((root / "compare" / "study.json").read_text())
    run_dir = (root / "compare" / study["base"]["run_dir"]).resolve()
    status, out, _ = ccs_sim("report", str(run_dir), "--out", str(tmp_path), "--workers", "1")
    assert status == 0 and "Sections:" in out
    html = (tmp_path / "report.html").read_text()
    assert "No options were compared" in html and "No sensitivity analysis" in html
    assert "Not requested" in html  # optimism bias
    # Without actuals there is no section for them (and no empty one).
    assert 'id="actuals"' not in html and "Forecast against actuals" not in html + out
    # Actuals with a mistake stop the report before anything is written, naming row and column.
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("month,backlog\n2001-01,5\n")
    out_dir = tmp_path / "not-written"
    status, _, err = ccs_sim("report", str(run_dir), "--actuals", str(wrong), "--out", str(out_dir))
    assert status == 2 and "wrong.csv row 2, column month: given '2001-01'" in err
    assert "Traceback" not in err
    assert not out_dir.exists() or not any(out_dir.iterdir())  # claimed by the command, empty


def _track_rows(printed: str) -> list[list[str]]:
    """The coverage rows `ccs-sim track` prints: series, pool, months, the two shares, and the
    months outside P10-P90 (one cell)."""
    lines = printed.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("series")) + 1
    rows = []
    for line in lines[first:]:
        if line.startswith("All "):
            break
        words = line.split()
        outside = " ".join(words[5:])
        rows.append([*words[:5], "none" if outside == "-" else outside])
    return rows


def test_the_forecast_against_actuals_is_track_s_own(report) -> None:
    root, html, _ = report
    study = json.loads((root / "compare" / "study.json").read_text())
    run_dir = (root / "compare" / study["base"]["run_dir"]).resolve()
    actuals = root / "actuals.csv"
    status, printed, _ = ccs_sim("track", str(run_dir), str(actuals), "--out", str(root / "t.csv"))
    assert status == 0
    section = html[html.index('<section id="actuals">') : html.index('<section id="options">')]
    table = section[section.index('<table id="actuals-coverage">') :]
    table = table[: table.index("</table>")]
    shown = [re.findall(r"<td>([^<]*)</td>", row) for row in table.split("<tr>")[2:]]
    expected = _track_rows(printed)
    assert len(expected) >= 9  # nine series at least for CCS (and for the pools when observed)
    assert shown == expected
    # The same observations in the same bands, from the one function.
    assert (root / "report" / "actuals_tracked.csv").read_bytes() == (root / "t.csv").read_bytes()
    everything = next(line for line in printed.splitlines() if line.startswith("All "))
    assert everything in section
    # Which file: its name and SHA-256.
    assert f"actuals.csv (SHA-256 {sha256_of(actuals.read_bytes())})" in section
    # The observed values are drawn: over the Results section's backlog fan, and over a fan of
    # their own in this section for series the Results section has no chart of (hires).
    alts = re.findall(r'<img alt="([^"]*)"', html)
    backlog = next(a for a in alts if a.startswith("Backlog: requests waiting"))
    observed = pd.read_csv(actuals, keep_default_na=False)
    first = observed[observed["pool"] == ""].iloc[0]
    assert "Observed (actuals) of Backlog (dark points): " in backlog
    assert f"{first['backlog']:,.0f} in July 2014" in backlog
    assert "Observed (actuals) of Hires (dark points)" in section


def test_a_directory_that_is_not_a_run_is_a_user_error(tmp_path: Path) -> None:
    status, _, err = ccs_sim("report", str(tmp_path), "--out", str(tmp_path / "r"))
    assert status == 2
    assert "a run or study directory" in err and "Traceback" not in err
