"""Scenario files from strangers (the app's uploads): read in a child process with hard limits.
Other uploads (an actuals file) are read in the same process, by a function the program names
(`read_isolated`).

An upload is read exactly as a scenario file is (`sim.scenario.safe_yaml`'s size, depth, alias
and repeated-key limits), and in addition in a separate, short-lived process whose memory
(`UPLOAD_MEMORY_BYTES`, an address-space limit) and time (`UPLOAD_SECONDS`, wall clock; CPU
seconds as a backstop) are capped by the operating system. Whatever an upload does (a parser
bug, a pathological document we did not foresee), it cannot take memory or the interpreter's lock
from the app's other sessions: the child is killed, and the planner reads one line.

An upload has no folder of its own, so `extends: NAME` is resolved in the app's scenarios
folder, by bare file name only (no paths), and must name one of the files there.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import select
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from sim.errors import Problem, ScenarioError
from sim.scenario.files import (
    merge_scenario_data,
    parse_scenario,
    read_scenario_data,
    yaml_text_to_data,
)
from sim.scenario.safe_yaml import bounded_text, text_of_scenario_bytes
from sim.scenario.schema import Scenario, scenario_fields

__all__ = [
    "UPLOAD_MEMORY_BYTES",
    "UPLOAD_SECONDS",
    "Upload",
    "parse_upload_here",
    "parse_upload_isolated",
    "read_isolated",
    "scenario_files_in",
]

UPLOAD_SECONDS = 20.0
"""Wall-clock time one upload may take to read, once the reading process has started (the largest
upload the size limit lets through takes about 2 s; starting the process, a few seconds more)."""
UPLOAD_MEMORY_BYTES = 512 * 1024 * 1024
"""Address space of the reading process (Python, numpy and pydantic take under 200 MB of it)."""


class Upload:
    """An upload read and validated: the scenario, and the file it extends (if any)."""

    def __init__(self, scenario: Scenario, parent: str | None) -> None:
        self.scenario = scenario
        self.parent = parent


def scenario_files_in(folder: Path) -> list[Path]:
    """The scenario files of a folder, sorted by name (baseline first if present)."""
    files = sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))
    return sorted(files, key=lambda p: (p.stem != "baseline", p.name))


def parse_upload_here(content: bytes, file_name: str, scenarios_folder: Path) -> Upload:
    """Read and validate an upload in this process (bounded, but not isolated)."""
    data = yaml_text_to_data(text_of_scenario_bytes(content, file_name), file_name)
    parent = data.pop("extends", None)
    if parent is not None:
        data = merge_scenario_data(_upload_parent(parent, scenarios_folder, file_name), data)
    scenario = parse_scenario(data, source=file_name)
    return Upload(scenario, parent if isinstance(parent, str) else None)


def _upload_parent(parent: Any, folder: Path, source: str) -> dict[str, Any]:
    names = [p.name for p in scenario_files_in(folder)]
    listed = ", ".join(names) if names else "(none)"
    wanted = str(parent)
    if not isinstance(parent, str) or Path(wanted).name != wanted:
        raise ScenarioError(
            [Problem("extends", bounded_text(parent), f"a file name in scenarios/: {listed}")],
            source,
        )
    for candidate in (wanted, f"{wanted}.yaml"):
        if candidate in names:
            return read_scenario_data(folder / candidate)
    raise ScenarioError(
        [Problem("extends", bounded_text(wanted), f"one of the scenarios in the app: {listed}")],
        source,
    )


# --- the reading process -----------------------------------------------------------------------
#
# One long-lived child reads uploads one at a time (starting Python with numpy and pydantic takes
# a second or more; reading a scenario, milliseconds). Its address space is capped once, at its
# start; time is capped per upload by the parent, which kills the child if an answer is late and
# starts a fresh one for the next upload. A child that ran out of memory answers so and exits.
# Requests: a JSON line {"file_name", "folder", "size"} then `size` bytes; answers: a JSON line.


READER_START_SECONDS = 300.0  # starting the reader on a very busy machine, before any upload


class _Reader:
    """The reading process, shared by the app's sessions (one upload at a time)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.memory_bytes = 0

    def ask(self, request: dict[str, Any], content: bytes, seconds: float, memory: int) -> Any:
        with self.lock:
            process = self._running(memory)
            if process is None:  # it could not start (its memory is too small to import)
                return None
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(json.dumps(request).encode() + b"\n" + content)
                process.stdin.flush()
                ready, _, _ = select.select([process.stdout], [], [], seconds)
                line = process.stdout.readline() if ready else b""
            except OSError:
                line = b""
            if not ready:
                self.stop()
                return "timeout"
            answer = _answer(line)
            if answer is None:
                self.stop()
            return answer

    def _running(self, memory: int) -> subprocess.Popen[bytes] | None:
        """The reader, started if need be and ready: starting is not counted in an upload's time
        (importing the libraries can take many seconds on a busy machine)."""
        if self.process is None or self.process.poll() is not None or self.memory_bytes != memory:
            self.stop()
            env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
            self.process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(memory)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
            self.memory_bytes = memory
            assert self.process.stdout is not None
            ready, _, _ = select.select([self.process.stdout], [], [], READER_START_SECONDS)
            if not ready or self.process.stdout.readline() != b"ready\n":
                self.stop()
                return None
        return self.process

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


# The address space is capped before anything is imported, so the cap covers the whole process.
_BOOT = (
    "import resource, sys; m = int(sys.argv[1]); "
    "resource.setrlimit(resource.RLIMIT_AS, (m, m)); "
    "from sim.scenario.uploads import _serve; raise SystemExit(_serve())"
)
_READER = _Reader()
atexit.register(_READER.stop)


def read_isolated(
    reader: str,
    content: bytes,
    file_name: str,
    params: dict[str, Any],
    max_bytes: int,
    seconds: float = UPLOAD_SECONDS,
    memory_bytes: int = UPLOAD_MEMORY_BYTES,
) -> Any:
    """Read an upload other than a scenario in the reading process, within its memory and time:
    `reader` names a function ("module:function", chosen by the program, never by the upload)
    called there as `function(content, file_name, **params)`, which returns plain data (JSON) or
    raises ScenarioError. Raises ScenarioError for every problem, including running out of the
    size, time or memory allowed."""
    if len(content) > max_bytes:
        given = f"a file of {len(content):,} bytes"
        raise ScenarioError([Problem(file_name, given, f"at most {max_bytes:,} bytes")])
    request = {"reader": reader, "file_name": file_name, "params": params, "size": len(content)}
    answer = _READER.ask(request, content, seconds, memory_bytes)
    answer = _checked(answer, file_name, seconds, memory_bytes)
    return answer["data"]


def _checked(answer: Any, file_name: str, seconds: float, memory_bytes: int) -> dict[str, Any]:
    """The reading process's answer, or ScenarioError saying what went wrong."""
    if answer == "timeout":
        raise _refused(file_name, f"took longer than {seconds:g} s to read", "UPLOAD_SECONDS")
    if answer is None or answer.get("memory"):
        memory = memory_bytes >> 20
        raise _refused(file_name, f"needed more than {memory} MB to read", "UPLOAD_MEMORY_BYTES")
    if not answer["ok"]:
        raise ScenarioError([Problem(*p) for p in answer["problems"]], file_name)
    return dict(answer)


def parse_upload_isolated(
    content: bytes,
    file_name: str,
    scenarios_folder: Path,
    seconds: float = UPLOAD_SECONDS,
    memory_bytes: int = UPLOAD_MEMORY_BYTES,
) -> Upload:
    """Read an upload in the reading process, within its memory and time; validate the result here.

    Raises ScenarioError for every problem, including running out of the time or memory allowed.
    """
    text_of_scenario_bytes(content, file_name)  # the size limit, before sending anything
    request = {"file_name": file_name, "folder": str(scenarios_folder), "size": len(content)}
    answer = _READER.ask(request, content, seconds, memory_bytes)
    answer = _checked(answer, file_name, seconds, memory_bytes)
    # The child's result is a valid scenario's own data: small, and checked again here.
    scenario = parse_scenario(answer["data"], source=file_name)
    return Upload(scenario, answer["parent"])


def _refused(file_name: str, what: str, limit: str) -> ScenarioError:
    return ScenarioError(
        [Problem("", f"a file that {what}", f"a file the app can read ({limit})")],
        file_name,
    )


def _answer(line: bytes) -> dict[str, Any] | None:
    try:
        answer = json.loads(line)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) and "ok" in answer else None


def _serve() -> int:
    """The reading process: answer requests on stdin until it closes."""
    requests, answers = sys.stdin.buffer, sys.stdout
    answers.write("ready\n")
    answers.flush()
    while header := requests.readline():
        request = json.loads(header)
        content = requests.read(request["size"])
        if "reader" in request:
            answer = _read_other(
                request["reader"], content, request["file_name"], request["params"]
            )
        else:
            answer = _read_one(content, request["file_name"], Path(request["folder"]))
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
        if answer.get("memory"):
            return 1  # start afresh: memory may be fragmented, caches half-built
    return 0


def _read_one(content: bytes, file_name: str, folder: Path) -> dict[str, Any]:
    try:
        upload = parse_upload_here(content, file_name, folder)
        return {"ok": True, "data": scenario_fields(upload.scenario), "parent": upload.parent}
    except ScenarioError as error:
        return {"ok": False, "problems": [[p.path, p.given, p.allowed] for p in error.problems]}
    except MemoryError:
        return {"ok": False, "memory": True}


def _read_other(reader: str, content: bytes, file_name: str, params: dict[str, Any]) -> Any:
    module, name = reader.split(":")
    try:
        function = getattr(importlib.import_module(module), name)
        return {"ok": True, "data": function(content, file_name, **params)}
    except ScenarioError as error:
        return {"ok": False, "problems": [[p.path, p.given, p.allowed] for p in error.problems]}
    except MemoryError:
        return {"ok": False, "memory": True}
