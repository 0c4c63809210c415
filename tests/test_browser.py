"""The app in a real browser: Debian's Chromium driven by Playwright, against a live server.

A planner's path: open the app, shorten the run on the Scenario page, run it, read the verdict
and the charts, compare with the base, find the downloads. Screenshots of each page are saved in
tests/artifacts/ (or $CCS_TEST_ARTIFACTS) for a person to look at.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_fixtures import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, LiveApp, app_server

from sim.runs.tables import load_finished_so_far

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"needs Debian's Chromium at {CHROMIUM}", allow_module_level=True)

__all__ = ["app_server"]  # the fixture, imported for pytest

Page = playwright_api.Page
expect = playwright_api.expect
TIMEOUT_MS = 90_000
expect.set_options(timeout=TIMEOUT_MS)  # a busy 2-core machine can be slow to draw a page
VERDICT = "Will the expansion outrun capability?"
CHART = '[data-testid="stVegaLiteChart"]'

VIEW = {"width": 1400, "height": 1000}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium, headless, with no network services of its own."""
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser: object, url: str) -> Page:
    page = browser.new_page(viewport=VIEW)  # type: ignore[attr-defined]
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    expect(page.get_by_role("heading", name="Scenario")).to_be_visible()
    return page


def _settle(page: Page) -> None:
    """Wait until Streamlit has finished the script run triggered by the last action."""
    page.wait_for_timeout(300)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=TIMEOUT_MS)


def _set_number(page: Page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    _settle(page)


def _no_errors(page: Page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def _shot(page: Page, name: str) -> Path:
    """A screenshot of the whole page (Streamlit scrolls inside, so grow the window first)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)  # no tooltip left open by the last click
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 1000"
    )
    page.set_viewport_size({"width": VIEW["width"], "height": min(max(height, 1000), 12000)})
    page.wait_for_timeout(2500)  # let charts re-render at the new size
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEW)
    return path


def _go(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    _settle(page)


def test_a_planner_edits_runs_reads_compares_and_downloads(
    browser: object, app_server: LiveApp
) -> None:
    page = _open(browser, app_server.url)
    # The departments table and the onboarding chart are drawn.
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
    expect(page.locator(f"{CHART} canvas, {CHART} svg").first).to_be_visible()
    _settle(page)
    _no_errors(page)
    _shot(page, "1_scenario")

    # Better pay: more offers accepted. The edit shows as a change from the base.
    page.get_by_role("tab", name="Recruitment").click()
    _set_number(page, "Offer acceptance (%)", 95)
    main = page.locator('[data-testid="stMain"]')  # the sidebar says it too
    expect(main.get_by_text("1 change(s) from 'baseline'")).to_be_visible()
    _no_errors(page)
    _shot(page, "1b_scenario_recruitment")

    _go(page, "Run and results")
    _set_number(page, "Replications (simulated futures)", 4)  # each a 48-month baseline
    page.get_by_role("button", name="Run", exact=True).click()
    expect(
        page.get_by_role("heading", name="Will the expansion outrun capability?")
    ).to_be_visible()
    _settle(page)
    expect(page.get_by_text("simulated futures").first).to_be_visible()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts.first).to_be_visible()
    assert charts.count() >= 10
    expect(
        page.locator(
            '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
        ).first
    ).to_be_visible()
    _no_errors(page)
    _shot(page, "2_results")

    _go(page, "Compare")
    page.get_by_role("button", name="Run the comparison").click()
    expect(page.get_by_role("heading", name="Does it close the gap?")).to_be_visible()
    _settle(page)
    _no_errors(page)
    _shot(page, "3_compare")

    _go(page, "Downloads")
    with page.expect_download() as download:
        page.get_by_role("button", name="The whole run directory (zip)").first.click()
    saved = Path(download.value.path())
    with zipfile.ZipFile(saved) as archive:
        names = {Path(n).name for n in archive.namelist()}
    assert {"manifest.json", "scenario.yaml", "kpis.parquet", "summary.csv"} <= names
    _no_errors(page)
    _shot(page, "4_downloads")
    page.close()


def test_two_sessions_running_the_same_inputs_share_one_run(
    browser: object, app_server: LiveApp
) -> None:
    pages = [_open(browser, app_server.url) for _ in range(2)]
    for page in pages:
        page.get_by_role("tab", name="Run settings").click()
        _set_number(page, "Horizon (months)", 6)
        _go(page, "Run and results")
        _set_number(page, "Seed", 99)
        _set_number(page, "Replications (simulated futures)", 4)
    # Press Run in both sessions at (nearly) the same moment.
    for page in pages:
        page.get_by_role("button", name="Run", exact=True).click()
    for page in pages:
        expect(
            page.get_by_role("heading", name="Will the expansion outrun capability?")
        ).to_be_visible()
        _settle(page)  # finished, not just the first results drawn while the run goes on
        _no_errors(page)
    finished = [p for p in app_server.cache.iterdir() if p.name.endswith("-s99-r4")]
    assert len(finished) == 1
    assert not list(app_server.cache.glob("*.partial"))
    for page in pages:
        page.close()


def _shown_count(page: Page, pattern: str) -> int:
    text = page.get_by_text(re.compile(pattern)).first.inner_text()
    found = re.search(pattern, text)
    assert found is not None, text
    return int(found.group(1).replace(",", ""))


def test_a_long_run_shows_results_as_they_arrive_stops_and_carries_on(
    browser: object, app_server: LiveApp
) -> None:
    """The first results appear while a run goes on; Stop keeps what finished and says so, with
    those results on the page; Run carries on from them."""
    page = _open(browser, app_server.url)
    page.get_by_role("tab", name="Run settings").click()
    _set_number(page, "Horizon (months)", 12)
    _go(page, "Run and results")
    _set_number(page, "Seed", 4242)
    reps = 120
    _set_number(page, "Replications (simulated futures)", reps)
    run = page.get_by_role("button", name="Run", exact=True)
    run.click()
    expect(page.get_by_text(re.compile(r"First results, from \d+ of 120"))).to_be_visible()
    expect(page.get_by_role("heading", name=VERDICT)).to_be_visible()
    _shot(page, "5_results_as_they_arrive")
    page.get_by_role("button", name="Stop this run").click()
    stopped = r"Stopped after (\d[\d,]*) of 120 replications"
    expect(page.get_by_text(re.compile(stopped))).to_be_visible()
    _settle(page)
    done = _shown_count(page, stopped)
    assert 1 <= done < reps
    (partial,) = app_server.cache.glob(f"*-s4242-r{reps}.partial")
    on_disk = load_finished_so_far(partial)
    # What the page counted is kept; replications already under way when Stop was pressed
    # finish in the stopping run's thread (Streamlit starts the new page run at once) and are
    # kept too: at most one per worker more.
    assert on_disk is not None
    assert done <= on_disk.replications <= done + (os.cpu_count() or 1)
    expect(page.get_by_role("heading", name=VERDICT)).to_be_visible()  # the results so far
    expect(page.get_by_text(f"finished so far, not of all {reps}")).to_be_visible()
    _no_errors(page)
    _shot(page, "6_stopped")
    run.click()
    finished = page.get_by_text(re.compile(rf"{reps} replications in "))
    expect(finished).to_be_visible(timeout=3 * TIMEOUT_MS)  # the rest of the run
    _settle(page)
    expect(page.get_by_text(re.compile(stopped))).to_have_count(0)
    assert [p for p in app_server.cache.glob(f"*-s4242-r{reps}") if p.is_dir()]  # finished
    assert not list(app_server.cache.glob(f"*-s4242-r{reps}.partial"))  # and nothing left over
    _no_errors(page)
