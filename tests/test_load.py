"""Several planners at once against one app server (marked `slow`; 127.0.0.1 only).

Four browser sessions (Debian's Chromium, one context each) press Run within a second, each with
its own seed, on a server allowed two runs at a time: every session gets its verdict, the later
ones are first told how many runs are ahead of theirs, the server never holds more worker
processes than its cores however many sessions run, its memory stays bounded, worker start-up
leaves no warnings in its log, and each session's results are those of `ccs-sim run`.
The 1, 4 and 8 session timings are measured by benchmarks/app_sessions.py, not here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psutil
import pytest
from app_fixtures import APP, CHROMIUM, CHROMIUM_ARGS, ROOT, _free_port, _wait_healthy

from sim.cli import main as ccs_sim

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"needs Debian's Chromium at {CHROMIUM}", allow_module_level=True)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# Four replications of the 48-month baseline per session (about 1.5 s of CPU each on the CI
# machine): runs long enough that the later sessions wait, and are told so, for seconds.
SESSIONS, REPS, MAX_RUNS = 4, 4, 2
SEEDS = [701 + i for i in range(SESSIONS)]
VERDICT = "Will the expansion outrun capability?"
FINISHED = f"{REPS} replications in "  # the progress line once a run has finished
TIMEOUT_MS = 300_000
# Four sessions with a pool each (before the shared pool) peaked at 2.5 GB here; one server with
# one pool of two workers needs about a third of that.
PEAK_LIMIT_BYTES = 1_600_000_000


class Watch(threading.Thread):
    """Peak resident memory of the server and its children, and the most worker processes at
    once (forked by multiprocessing's fork server; other children, such as `git` asked for the
    manifest's commit, are not workers)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.server = psutil.Process(pid)
        self.peak_bytes = 0
        self.most_workers = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            children = self.server.children(recursive=True)
            total = 0
            for proc in [self.server, *children]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_bytes = max(self.peak_bytes, total)
            self.most_workers = max(self.most_workers, sum(map(_is_worker, children)))
            self.stop.wait(0.2)


def _is_worker(proc: psutil.Process) -> bool:
    try:
        return "multiprocessing.forkserver" in " ".join(proc.cmdline())
    except psutil.Error:
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path, Watch]]:
    cache = tmp_path_factory.mktemp("load-cache")
    log = tmp_path_factory.mktemp("load-log") / "streamlit.log"
    port = _free_port()
    env = {**os.environ, "CCS_APP_CACHE_DIR": str(cache), "CCS_APP_MAX_RUNS": str(MAX_RUNS)}
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        url = f"http://127.0.0.1:{port}"
        watch = Watch(process.pid)
        try:
            _wait_healthy(url, process)
            watch.start()
            yield url, cache, log, watch
        finally:
            watch.stop.set()
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _prepare(browser: object, url: str, seed: int) -> object:
    expect = playwright_api.expect
    page = browser.new_context().new_page()  # type: ignore[attr-defined]
    page.set_default_timeout(TIMEOUT_MS)
    # Straight to the page with the Run button (its address, as a planner's bookmark would):
    # four Chromium sessions drawing the long Scenario page first would only slow the test; the
    # Scenario page's drawing is checked by the other browser tests.
    page.goto(f"{url}/results")
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_visible()
    for label, value in (("Seed", seed), ("Replications (simulated futures)", REPS)):
        box = page.get_by_label(label, exact=True)
        box.fill(str(value))
        box.press("Enter")
        page.wait_for_timeout(300)
        expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
    return page


def test_four_sessions_share_one_worker_budget(
    server: tuple[str, Path, Path, Watch], tmp_path: Path
) -> None:
    url, cache, log, watch = server
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    told_place = False
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = [_prepare(browser, url, seed) for seed in SEEDS]
        for page in pages:
            page.get_by_role("button", name="Run", exact=True).click()  # type: ignore[attr-defined]
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        done: set[int] = set()
        while len(done) < SESSIONS and time.monotonic() < deadline:
            for i, page in enumerate(pages):
                if i in done:
                    continue
                if page.get_by_text("ahead of yours").count():  # type: ignore[attr-defined]
                    told_place = True
                # Finished, not just the first results drawn while the run goes on.
                if page.get_by_text(FINISHED).count():  # type: ignore[attr-defined]
                    done.add(i)
            time.sleep(0.2)
        for page in pages:
            expect(page.get_by_text(FINISHED)).to_be_visible()  # type: ignore[attr-defined]
            expect(page.get_by_role("heading", name=VERDICT)).to_be_visible()  # type: ignore
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)  # type: ignore
            assert page.get_by_text("fault in the model").count() == 0  # type: ignore
        browser.close()

    assert told_place, "no session was told its place in the queue"
    cores = os.cpu_count() or 1
    # The pool's workers and their fork server: never one pool per session (that would be
    # 2 x 4 workers here).
    assert watch.most_workers <= cores + 1, watch.most_workers
    assert watch.peak_bytes < PEAK_LIMIT_BYTES, f"{watch.peak_bytes / 1e6:.0f} MB"
    text = log.read_text(errors="replace")
    assert "ScriptRunContext" not in text and "Traceback" not in text, text[-2000:]

    for seed in SEEDS[:2]:  # two of the four against the command line (each costs a run)
        [app_run] = [p for p in cache.glob(f"*-s{seed}-r{REPS}") if p.is_dir()]
        out = tmp_path / f"cli-{seed}"
        baseline = str(ROOT / "scenarios" / "baseline.yaml")
        assert ccs_sim(
            ["run", baseline, "--seed", str(seed), "--reps", str(REPS), "--workers", "1",
             "--out", str(out)]
        ) == 0  # fmt: skip
        for table in ("kpis.parquet", "monthly.parquet", "pools.parquet"):
            pd.testing.assert_frame_equal(
                pd.read_parquet(app_run / table), pd.read_parquet(out / table)
            )
