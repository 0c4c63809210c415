"""Accessible to every planner (WCAG 2.2 AA): text equivalents of charts, colours, and the app and
its report in a real browser (docs/accessibility.md).

The quick tests check that every chart says in words what it shows, written from its data, that
its table view holds the same numbers, and that its colours keep 3:1 against white. The browser
test is one session on the shared app server: a planner's journey with the keyboard alone
(choose a scenario, change a value in a box and one of a grid through the form under it, run,
read the verdict, compare, write and download the report), then axe-core on every page with the
results showing and on the downloaded report, and reflow at 320 CSS pixels and at 200% zoom.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from app_fixtures import APP_DATA, ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, LiveApp, app_server

from sim.report import figures as report
from sim.report.chart_common import SERIES_COLOURS, chart_table, chart_title
from sim.report.charts import comparison_chart as study_comparison_chart
from sim.report.charts import plan_chart, tornado_chart
from sim.runs.cache import run_cached
from sim.runs.executors import InProcessExecutor
from sim.runs.tables import RunTables, load_run
from sim.scenario.files import load_scenario

__all__ = ["app_server"]  # the fixture, imported for pytest

# --- colour -------------------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_on_white(colour: str) -> float:
    """WCAG contrast ratio of a #rrggbb colour against white."""
    return 1.05 / (_luminance(colour) + 0.05)


def _spec_colours(spec: Any) -> list[str]:
    """Every #rrggbb colour a chart spec names (scale ranges, mark colours), nested anywhere."""
    if isinstance(spec, dict):
        return [c for value in spec.values() for c in _spec_colours(value)]
    if isinstance(spec, list):
        return [c for value in spec for c in _spec_colours(value)]
    if isinstance(spec, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", spec):
        return [spec]
    return []


def test_the_contrast_ratio_is_the_wcag_one() -> None:
    assert contrast_on_white("#000000") == pytest.approx(21.0)
    assert contrast_on_white("#767676") == pytest.approx(4.54, abs=0.01)  # the classic 4.5 grey


# --- charts of a run ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> RunTables:
    scenario = load_scenario(APP_DATA / "small.yaml")
    path = run_cached(tmp_path_factory.mktemp("runs"), scenario, 2014, 4, InProcessExecutor).path
    return load_run(path)


def _backlog(months: int = 48, peak_month: int = 24) -> pd.DataFrame:
    """A backlog fan that rises to a median of 750 in its peak month, then falls."""
    dates = pd.date_range("2014-04-30", periods=months, freq="ME")
    p50 = 750 - 20 * np.abs(np.arange(months) - peak_month)
    return pd.DataFrame(
        {
            "month": range(months),
            "date": dates,
            "series": "Backlog",
            "p10": p50 * 0.8,
            "p50": p50.astype(float),
            "p90": p50 * 1.25,
            "mean": p50.astype(float),
        }
    )


def test_a_fan_chart_says_in_words_what_it_shows_and_tables_the_same_numbers() -> None:
    chart = report.fan_chart(_backlog(), title="Backlog", y_title="Requests")
    spec = chart.to_dict()
    text = spec["description"]
    assert "Backlog, April 2014 to March 2018" in text
    assert "highest 750 in April 2016" in text
    assert "median 270 in April 2014" in text  # 750 - 20 * 24
    assert "290 in March 2018" in text  # 750 - 20 * 23
    assert "P10 to P90 at the end 232 to 362" in text  # 0.8 and 1.25 times the median
    table = chart_table(chart)
    assert list(table.columns) == ["Series", "Month", "P10", "P50 (median)", "P90"]
    assert len(table) == 48
    peak = table[table["Month"] == "Apr 2016"].iloc[0]
    assert (peak["P10"], peak["P50 (median)"], peak["P90"]) == ("600.0", "750.0", "937.5")
    assert chart_title(chart) == "Backlog"


def test_observed_values_on_a_fan_are_told_by_shape_and_legend_and_in_words_and_table() -> None:
    fan = _backlog(months=6)
    dates = fan["date"]
    observed = pd.DataFrame(
        {"series": "Backlog", "date": dates.iloc[[1, 2]], "observed": [1200.0, 33.0]}
    )
    chart = report.fan_chart(fan, title="Backlog", y_title="Requests", observed=observed)
    spec = chart.to_dict()
    text = spec["description"]
    assert (
        "Observed (actuals) of Backlog (dark points): 1,200 in May 2014, 33 in June 2014." in text
    )
    table = chart_table(chart)
    assert list(table.columns) == [
        "Series", "Month", "P10", "P50 (median)", "P90", "Observed (actuals)"
    ]  # fmt: skip
    assert table["Observed (actuals)"].tolist() == ["", "1,200.0", "33.0", "", "", ""]
    # Not by colour alone: the observed points have a shape and a legend entry of their own.
    points = [layer for layer in spec["layer"] if "shape" in layer.get("encoding", {})]
    assert len(points) == 1
    shape = points[0]["encoding"]["shape"]
    assert shape["scale"] == {"domain": ["Observed: Backlog"], "range": ["diamond"]}
    assert shape["legend"] is not None
    assert contrast_on_white(report.OBSERVED_COLOUR) >= 4.5
    # Without observations the chart is as before: no observed column, no extra layers.
    plain = report.fan_chart(fan, title="Backlog", y_title="Requests", observed=observed[:0])
    assert "Observed" not in " ".join(chart_table(plain).columns)
    assert len(plain.to_dict()["layer"]) == 2


def _run_charts(run: RunTables) -> dict[str, Any]:
    target = run.scenario.verdict.sla_attainment_target
    charts = {
        spec.title: report.monthly_chart(spec, run.monthly, target)
        for spec in report.MONTHLY_CHARTS
        if spec.drawable(run.monthly)
    }
    charts["outrun"] = report.outrun_chart(report.outrun_by_month(run.kpis, run.pools, run.monthly))
    charts["pipeline"] = report.pipeline_chart(report.pipeline_by_stage(run.monthly))
    charts["money"] = report.money_chart(report.money_by_financial_year(run.monthly))
    flow = report.recruitment_flow(run.scenario)
    assert flow is not None
    charts["flow"] = report.sankey_chart(flow, title="What happens to 100 vacancies")
    charts["plan"] = report.plan_step_chart(
        report.headcount_plan(
            [p.model_dump(mode="json") for p in run.scenario.staff_pools],
            run.scenario.run.start_date,
        ),
        title="Establishment by pool",
        y_title="Posts",
    )
    return charts


def test_every_chart_of_a_run_has_words_a_table_and_contrasting_colours(
    small_run: RunTables,
) -> None:
    charts = _run_charts(small_run)
    assert len(charts) >= 10
    for name, chart in charts.items():
        spec = chart.to_dict()
        assert len(spec.get("description", "")) > 40, name
        assert re.search(r"\d", spec["description"]), name  # it gives numbers, not only a title
        assert len(chart_table(chart)) > 0, name
        for colour in _spec_colours(spec):
            assert contrast_on_white(colour) >= 3, (name, colour)
    # The numbers in the words are those of the data: the chance by the end, per scope.
    found = report.outrun_by_month(small_run.kpis, small_run.pools, small_run.monthly)
    last = found[found["date"] == found["date"].max()]
    for scope, chance in zip(last["scope"], last["probability"], strict=True):
        assert f"{scope} {chance:.0%}" in charts["outrun"].to_dict()["description"]
    assert "campaigns per hire" in charts["flow"].to_dict()["description"]


def test_series_colours_are_the_analysis_function_palette_at_3_to_1() -> None:
    assert SERIES_COLOURS[:2] == ["#12436D", "#28A197"]
    assert all(contrast_on_white(c) >= 3 for c in SERIES_COLOURS)


def _paired() -> pd.DataFrame:
    rows = [
        ("sla_attainment", 0.70, 0.80, 0.10, 0.05, 0.15, 0.9, 0.1, "higher"),
        ("backlog_end", 100.0, 140.0, 40.0, 10.0, 70.0, 0.1, 0.9, "lower"),
        ("hires", 50.0, 51.0, 1.0, -3.0, 5.0, 0.5, 0.5, "higher"),
    ]
    columns = ["kpi", "base_mean", "option_mean", "difference", "ci_low", "ci_high"]
    columns += ["p_option_better", "p_option_worse", "better"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(n_pairs=20)


def test_better_and_worse_are_told_by_shape_and_in_words_not_by_colour_alone() -> None:
    chart = report.comparison_chart(_paired())
    spec = chart.to_dict()
    text = spec["description"]
    assert "clearly better (1): Service level" in text or "clearly better (1)" in text
    assert "clearly worse (1)" in text and "no clear difference (1)" in text
    points = [layer for layer in spec["layer"] if "shape" in layer.get("encoding", {})]
    assert points and points[0]["encoding"]["shape"]["field"] == "verdict"
    assert set(chart_table(chart)["Verdict"]) == {
        "clearly better",
        "clearly worse",
        "no clear difference",
    }
    table = _paired().assign(option="more staff")
    study = study_comparison_chart(table, ["sla_attainment", "backlog_end", "hires"]).to_dict()
    assert "clearly worse (1)" in study["description"]
    assert study["spec"]["layer"][2]["encoding"]["shape"]["field"] == "judgement"


def test_study_charts_say_what_they_show() -> None:
    tornado = pd.DataFrame(
        {
            "kpi": "outruns_capability",
            "lever": ["demand_scale", "attrition_scale"],
            "low_value": [0.9, 0.6],
            "high_value": [1.2, 1.6],
            "low_mean": [0.1, 0.3],
            "high_mean": [0.8, 0.5],
            "base_mean": 0.4,
        }
    )
    text = tornado_chart(tornado).to_dict()["description"]
    assert "demand_scale from 10% (at 0.9) to 80% (at 1.2)" in text
    plan = pd.DataFrame(
        {
            "headcount_plan_scale": [1.0, 1.1, 1.2],
            "share_meeting": [0.5, 0.92, 0.97],
            "cost_mean_gbp": [1e8, 1.1e8, 1.2e8],
            "cost_ci_low_gbp": [0.9e8, 1.0e8, 1.1e8],
            "cost_ci_high_gbp": [1.1e8, 1.2e8, 1.3e8],
            "feasible": [False, True, True],
        }
    )
    text = plan_chart(plan, ["headcount_plan_scale"], 0.9).to_dict()["description"]
    assert "3 settings" in text and "2 meet the target" in text
    assert "headcount_plan_scale 1.1 at 110,000,000 GBP" in text


# --- the app and the report in a browser ----------------------------------------------------------

SERIOUS = {"serious", "critical"}
STREAMLIT_LIMITS: dict[str, str] = {}
"""axe rules that fail because of Streamlit itself, with the upstream issue (none at present:
docs/accessibility.md lists what axe cannot see)."""

PAGES = ("Scenario", "Run and results", "Compare", "Evidence", "Downloads", "Accessibility")
HEADINGS = {"Evidence": "Evidence for a business case", "Accessibility": "Accessibility statement"}
VERDICT = "Will the expansion outrun capability?"
TIMEOUT_MS = 120_000


def _settle(page: Any) -> None:
    """Wait until Streamlit has finished the script run triggered by the last action."""
    from playwright.sync_api import expect

    page.wait_for_timeout(300)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=TIMEOUT_MS)
    # Elements of the previous run fade while the page redraws: axe would count them as faint.
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=TIMEOUT_MS)


def _focused(page: Any) -> str:
    return str(
        page.evaluate(
            "() => { const e = document.activeElement; return e.tagName + ' ' + "
            "(e.getAttribute('aria-label') || e.innerText || '').slice(0, 60); }"
        )
    )


_HAS_FOCUS = "el => el === document.activeElement || el.contains(document.activeElement)"


def _tab_to(page: Any, target: Any, *, back: bool = False, limit: int = 400) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus: the locator is only looked at."""
    target.wait_for()
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate(_HAS_FOCUS, handle):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"Tab never reached {target}; the focus is on {_focused(page)}")


def _type_number(page: Any, label: str, value: int) -> None:
    _tab_to(page, page.get_by_label(label, exact=True))
    page.keyboard.press("Control+a")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")
    _settle(page)


def _go_by_keyboard(page: Any, title: str) -> None:
    from playwright.sync_api import expect

    _tab_to(page, page.get_by_role("link", name=title).first, back=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=HEADINGS.get(title, title), exact=True)).to_be_visible()
    _settle(page)


def _press(page: Any, name: str) -> None:
    _tab_to(page, page.get_by_role("button", name=name, exact=True))
    page.keyboard.press("Enter")


def _edit_a_grid_by_its_form(page: Any) -> None:
    """A value of the departments grid, changed through the form under it: open the form, choose
    a department by typing its name, type its new weight."""
    from playwright.sync_api import expect

    _tab_to(page, page.locator("summary", has_text="Edit the departments as a form"))
    page.keyboard.press("Enter")
    _tab_to(page, page.get_by_role("combobox", name="Department to edit"))
    page.keyboard.type("dept_04")
    page.keyboard.press("Enter")
    _settle(page)
    _type_number(page, "Demand weight", 1)  # dept_04 is a small department (0.6)
    expect(page.get_by_text("1 change(s)").first).to_be_visible()
    named = re.compile(r"edited: dept_04: demand weight 1\b")  # the name it runs under
    expect(page.get_by_text(named).first).to_be_visible()


def _journey_by_keyboard(page: Any) -> Path:
    """Choose, change, run, read, compare, write and download the report: keys only."""
    from playwright.sync_api import expect

    _tab_to(page, page.get_by_role("combobox", name="Scenario file"))
    page.keyboard.type("faster_hiring")
    page.keyboard.press("Enter")
    _settle(page)
    _press(page, "Use this scenario")
    _settle(page)
    expect(page.get_by_text("Scenario: faster_hiring")).to_be_visible()
    _edit_a_grid_by_its_form(page)
    _tab_to(page, page.get_by_role("tab", name="Demand and onboarding"))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    _settle(page)
    _type_number(page, "Offer acceptance (%)", 90)
    expect(page.get_by_text("2 change(s)").first).to_be_visible()

    _go_by_keyboard(page, "Run and results")
    _type_number(page, "Replications (simulated futures)", 4)
    _type_number(page, "Seed", 7)  # not the other browser tests' seed: their runs stay unrun
    _press(page, "Run")
    expect(page.get_by_role("heading", name=VERDICT)).to_be_visible(timeout=TIMEOUT_MS)
    _settle(page)
    # The verdict by pool is an HTML table with column headers, read by a screen reader.
    verdict_table = page.locator('[data-testid="stTable"] table').first
    expect(verdict_table.locator("th", has_text="Staff pool")).to_be_visible()
    expect(verdict_table.locator("td", has_text="CCS as a whole")).to_be_visible()
    # Each chart's accessible name is its description: the verdict over time, in words.
    named = '[data-testid="stVegaLiteChart"][aria-label*="Chance that demand has outrun"]'
    expect(page.locator(named)).to_have_count(1)
    expect(page.get_by_text(re.compile("^Table view: Chance that demand")).first).to_be_visible()

    _go_by_keyboard(page, "Compare")
    _press(page, "Run the comparison")
    expect(page.get_by_role("heading", name="Does it close the gap?")).to_be_visible()
    _settle(page)

    _go_by_keyboard(page, "Evidence")
    _tab_to(page, page.get_by_role("tab", name="Sensitivity and switching values"))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    _settle(page)
    _type_number(page, "Optimism bias: uplift on recruitment and ramp-up durations (0 for none)", 0)
    _press(page, "Write the report")
    expect(page.get_by_role("button", name="Download report.html")).to_be_visible()
    _settle(page)
    _tab_to(page, page.get_by_role("button", name="Download report.html"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    return Path(download.value.path())


def _axe(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    return list(Axe().run(page).response["violations"])


def _overflow(page: Any) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: it reflows)."""
    return int(
        page.evaluate(
            "() => Math.max(...[document.scrollingElement, "
            "document.querySelector('[data-testid=\"stMain\"]')]"
            ".filter(Boolean).map(e => e.scrollWidth - e.clientWidth))"
        )
    )


@pytest.mark.browser
def test_a_planner_using_only_the_keyboard_and_axe_finds_nothing_serious(
    app_server: LiveApp,
) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("axe_playwright_python")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM}")
    playwright.expect.set_options(timeout=TIMEOUT_MS)
    findings: dict[str, list[dict[str, Any]]] = {}
    overflow: dict[str, int] = {}
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(app_server.url)
        playwright.expect(page.get_by_role("heading", name="Scenario")).to_be_visible()
        _settle(page)
        downloaded = _journey_by_keyboard(page)
        for title in PAGES:
            page.get_by_role("link", name=title).first.click()
            heading = page.get_by_role("heading", name=HEADINGS.get(title, title), exact=True)
            playwright.expect(heading).to_be_visible()
            _settle(page)
            findings[title] = _axe(page)
            # 320 CSS px wide, and a 1280 px window at 200% zoom (640 CSS px).
            for width, height in ((320, 640), (640, 450)):
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_timeout(800)
                overflow[f"{title} at {width} px"] = _overflow(page)
            page.set_viewport_size({"width": 1280, "height": 900})
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        report_html = ARTIFACTS / "report.html"  # a name ending .html, so it opens as a page
        report_html.write_bytes(downloaded.read_bytes())
        page.goto(report_html.as_uri())
        playwright.expect(page.locator("main h2").first).to_be_visible()
        findings["report.html"] = _axe(page)
        page.set_viewport_size({"width": 320, "height": 640})
        overflow["report.html at 320 px"] = _overflow(page)
        browser.close()
    summary = {
        where: {
            f"{v['id']} ({v['impact']})": [
                [n["target"], n["html"][:200], n.get("failureSummary", "")] for n in v["nodes"]
            ]
            for v in found
        }
        for where, found in findings.items()
    }
    (ARTIFACTS / "axe.json").write_text(
        json.dumps({"axe": summary, "overflow": overflow}, indent=1)
    )
    serious = {
        where: [
            f"{v['id']}: {v['help']}"
            for v in found
            if v["impact"] in SERIOUS and v["id"] not in STREAMLIT_LIMITS
        ]
        for where, found in findings.items()
    }
    assert set(findings) == {*PAGES, "report.html"}
    assert all(not s for s in serious.values()), serious
    assert all(px <= 1 for px in overflow.values()), overflow
