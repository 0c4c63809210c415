"""Several planners at once: N browser sessions of one app server each run 40 baseline futures.

    uv run python benchmarks/app_sessions.py --sessions 1 4 8 [--reps 40]

Starts `streamlit run app.py` on 127.0.0.1 with a fresh run cache, opens N sessions in Debian's
Chromium (one browser context each, so N Streamlit sessions), sets a different seed in each (so
that no two share a cached run), and presses Run in all of them within a second. It reports, per
number of sessions:

- time to first replication: from the press of Run to the first replication file of that
  session's run on disk (mean and worst over the sessions);
- time to first result: from the press of Run to the verdict heading drawn in that session's page
  (since results are drawn as they arrive, this is the first answer, from the first replications);
- time to last: from the press of Run to the progress line saying all replications finished;
- the server's peak memory: resident set of the server and all its child processes (workers,
  forkserver), summed, sampled every 0.25 s. Summing RSS counts pages shared by forked workers
  more than once; it is what `ps` and the issue that asked for this measured.

Chromium runs on the same 2 cores and costs some CPU while it draws the progress bars; the
figures are for comparing builds on one machine, not absolute.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
VERDICT = "Will the expansion outrun capability?"
TIMEOUT_MS = 600_000


@dataclass
class Session:
    seed: int
    page: object
    pressed: float = 0.0
    first_rep: float | None = None
    verdict: float | None = None
    finished: float | None = None


class MemorySampler(threading.Thread):
    """Peak summed RSS of the server and its descendants; CPU seconds used by the server's
    processes and by the browsers (this script's other descendants) from `start_cpu()` on."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak = 0
        self.stop = threading.Event()
        self.cpu_server: dict[int, float] = {}
        self.cpu_browsers: dict[int, float] = {}
        self.cpu_at_start: dict[int, float] = {}

    def start_cpu(self) -> None:
        """From now on CPU counts (what each process used before is taken off)."""
        self.cpu_at_start = {**self.cpu_server, **self.cpu_browsers}
        self.cpu_at_start.update(_cpu_seconds(self._server_family() + self._browsers()))

    def cpu_used(self) -> tuple[float, float]:
        """(server's CPU seconds, browsers' CPU seconds) since `start_cpu()`."""

        def used(seen: dict[int, float]) -> float:
            return sum(cpu - self.cpu_at_start.get(pid, 0.0) for pid, cpu in seen.items())

        return used(self.cpu_server), used(self.cpu_browsers)

    def _server_family(self) -> list[psutil.Process]:
        return [self.root, *self.root.children(recursive=True)]

    def _browsers(self) -> list[psutil.Process]:
        server = {p.pid for p in self._server_family()}
        mine = psutil.Process(os.getpid()).children(recursive=True)
        return [p for p in mine if p.pid not in server]

    def run(self) -> None:
        while not self.stop.is_set():
            total = 0
            try:
                family = self._server_family()
                for proc in family:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        continue
                self.cpu_server.update(_cpu_seconds(family))
                self.cpu_browsers.update(_cpu_seconds(self._browsers()))
            except psutil.Error:
                return
            self.peak = max(self.peak, total)
            self.stop.wait(0.25)


def _cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    """User and system CPU seconds of each process still alive, by pid."""
    seconds = {}
    for proc in processes:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        seconds[proc.pid] = times.user + times.system
    return seconds


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    root: Path, cache: Path, log: Path, extra_env: dict[str, str]
) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "CCS_APP_CACHE_DIR": str(cache), **extra_env}
    command = [
        sys.executable, "-m", "streamlit", "run", str(root / "app.py"),
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    out = log.open("wb")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise TimeoutError("the app server did not start")


def _settle(page: object, expect: object) -> None:
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)  # type: ignore


def _set_number(page: object, expect: object, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)  # type: ignore[attr-defined]
    box.fill(str(value))
    box.press("Enter")
    _settle(page, expect)


def prepare(browser: object, expect: object, url: str, seed: int, reps: int) -> object:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    expect(page.get_by_role("heading", name="Scenario")).to_be_visible()  # type: ignore
    page.get_by_role("link", name="Run and results").first.click()
    expect(page.get_by_role("heading", name="Run and results", exact=True)).to_be_visible()  # type: ignore
    _settle(page, expect)
    _set_number(page, expect, "Seed", seed)
    _set_number(page, expect, "Replications (simulated futures)", reps)
    return page


def first_rep_on_disk(cache: Path, seed: int, reps: int) -> bool:
    key = f"*-s{seed}-r{reps}"
    if any(p.is_dir() for p in cache.glob(key)):
        return True
    # A run's replication log (earlier versions: one file set per replication in parts/).
    logs = [p for p in cache.glob(f"{key}.partial/replications.log") if p.stat().st_size > 0]
    return bool(logs) or any(cache.glob(f"{key}.partial/parts/rep_*.json"))


def measure(
    root: Path, n: int, reps: int, extra_env: dict[str, str], timeout_s: float, nice: bool
) -> dict[str, float]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    work = Path(tempfile.mkdtemp(prefix=f"ccs-bench-{n}-"))
    cache = work / "cache"
    server, url = start_server(root, cache, work / "server.log", extra_env)
    sampler = MemorySampler(server.pid)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=_niced_chromium(work) if nice else CHROMIUM, args=CHROMIUM_ARGS
            )
            sessions = [
                Session(seed, prepare(browser, expect, url, seed, reps))
                for seed in range(5001, 5001 + n)
            ]
            sampler.start()
            sampler.start_cpu()  # what the server and browsers used while the pages opened is off
            for session in sessions:
                session.pressed = time.monotonic()
                session.page.get_by_role("button", name="Run", exact=True).click()  # type: ignore
            _watch(sessions, cache, reps, time.monotonic() + timeout_s)
            browser.close()
    finally:
        sampler.stop.set()
        sampler.join(timeout=5)
        orphans = _stop_server(server)
    log = (work / "server.log").read_text(errors="replace")
    warnings = sum("Warning" in line or "WARNING" in line for line in log.splitlines())
    shutil.rmtree(work, ignore_errors=True)
    cpu_server, cpu_browsers = sampler.cpu_used()
    return {
        **_timings(sessions, n),
        "cpu_server": cpu_server,
        "cpu_browsers": cpu_browsers,
        "peak_mb": sampler.peak / 1e6,
        "log_warnings": warnings,
        "orphans": orphans,
    }


def _niced_chromium(work: Path) -> str:
    """A launcher that runs Chromium at the lowest CPU priority (`nice -n 19`), so that the
    browsers, which a planner would run on their own machine, take only what the server leaves."""
    launcher = work / "chromium-niced"
    launcher.write_text(f'#!/bin/sh\nexec nice -n 19 {CHROMIUM} "$@"\n')
    launcher.chmod(0o755)
    return str(launcher)


def _watch(sessions: list[Session], cache: Path, reps: int, deadline: float) -> None:
    """Poll every session until each has finished or `deadline` passes, noting when its first
    replication reached the disk, when its verdict showed, and when its run finished."""
    while any(s.finished is None for s in sessions) and time.monotonic() < deadline:
        now = time.monotonic()
        for s in sessions:
            if s.finished is None:
                done = s.page.get_by_text(f"{reps} replications in ")  # type: ignore
                if done.count():
                    s.finished = now - s.pressed
            if s.first_rep is None and first_rep_on_disk(cache, s.seed, reps):
                s.first_rep = now - s.pressed
            if s.verdict is None:
                heading = s.page.get_by_role("heading", name=VERDICT)  # type: ignore
                if heading.count():
                    s.verdict = now - s.pressed
                    if s.first_rep is None:
                        s.first_rep = s.verdict
        time.sleep(0.25)


def _stop_server(server: subprocess.Popen[bytes]) -> int:
    """Stop the app server; the number of its processes still running after it (killed)."""
    family = _family(server.pid)
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    time.sleep(2)
    orphans = [p for p in family if p.is_running()]
    for proc in orphans:  # workers the server left behind: reported, then stopped
        with contextlib.suppress(psutil.NoSuchProcess):  # it left on its own just now
            proc.kill()
    return len(orphans)


def _timings(sessions: list[Session], n: int) -> dict[str, float]:
    """Mean and worst seconds from Run to the first replication, the verdict and the end; a
    worst is NaN unless every one of the `n` sessions got there."""
    firsts = [s.first_rep for s in sessions if s.first_rep is not None]
    verdicts = [s.verdict for s in sessions if s.verdict is not None]
    lasts = [s.finished for s in sessions if s.finished is not None]
    return {
        "sessions": n,
        "first_mean": sum(firsts) / len(firsts) if firsts else float("nan"),
        "first_max": max(firsts) if len(firsts) == n else float("nan"),
        "verdict_mean": sum(verdicts) / len(verdicts) if verdicts else float("nan"),
        "verdict_max": max(verdicts) if len(verdicts) == n else float("nan"),
        "no_verdict": n - len(verdicts),
        "last_mean": sum(lasts) / len(lasts) if lasts else float("nan"),
        "last_max": max(lasts) if len(lasts) == n else float("nan"),
    }


def _family(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument(
        "--app-root", type=Path, default=ROOT, help="checkout whose app.py to serve (default: this)"
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for verdicts")
    parser.add_argument(
        "--nice-browsers",
        action="store_true",
        help="run Chromium at the lowest CPU priority, as if the planners' browsers were on "
        "their own machines",
    )
    parser.add_argument(
        "--env", action="append", default=[], help="NAME=VALUE for the app server (repeatable)"
    )
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    print(
        "| sessions | first replication: mean / worst (s) | first result (verdict drawn): "
        "mean / worst (s) | last replication drawn: mean / worst (s) | no verdict "
        "| CPU s: server and workers / browsers "
        "| server peak memory (MB) | warning lines in log | workers left behind | load average |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in args.sessions:
        r = measure(
            args.app_root.resolve(), n, args.reps, extra_env, args.timeout, args.nice_browsers
        )
        print(
            f"| {n} | {r['first_mean']:.1f} / {r['first_max']:.1f} "
            f"| {r['verdict_mean']:.1f} / {r['verdict_max']:.1f} "
            f"| {r['last_mean']:.1f} / {r['last_max']:.1f} | {r['no_verdict']} "
            f"| {r['cpu_server']:,.0f} / {r['cpu_browsers']:,.0f} "
            f"| {r['peak_mb']:,.0f} | {r['log_warnings']} | {r['orphans']} "
            f"| {os.getloadavg()[0]:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
