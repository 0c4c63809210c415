"""Fixtures for the app's tests: an isolated run cache, a small scenarios folder, a live server.

Imported by tests/test_app.py and tests/test_browser.py (`from app_fixtures import ...`), so the
shared conftest.py stays untouched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
APP_DATA = Path(__file__).resolve().parent / "data" / "app"
ARTIFACTS = Path(os.environ.get("CCS_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts")


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private run cache and a scenarios folder with small, fast scenarios (for AppTest)."""
    scenarios = tmp_path / "scenarios"
    shutil.copytree(APP_DATA, scenarios)
    monkeypatch.setenv("CCS_APP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CCS_APP_SCENARIOS_DIR", str(scenarios))
    return tmp_path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not become healthy in {timeout} s")


@dataclass(frozen=True)
class LiveApp:
    """A running app server: its URL and its private run cache."""

    url: str
    cache: Path


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """`streamlit run app.py` on a free 127.0.0.1 port with its own run cache.

    It serves the real scenarios/ folder, as a planner would see it.
    """
    cache = tmp_path_factory.mktemp("app-cache")
    port = _free_port()
    log = tmp_path_factory.mktemp("app-log") / "streamlit.log"
    env = {**os.environ, "CCS_APP_CACHE_DIR": str(cache)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, server)
            yield LiveApp(url, cache)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
