"""Every `ccs-sim` command in the README's command blocks runs as written.

A reader copies these lines; a renamed option or a missing file would fail them at once. Each
command is run in-process (`sim.cli.main`) with changes that keep the test cheap without changing
what is exercised: replications cut to 2, the simulated period to 6 months (`--set
run.horizon_months=6`), replications run in this process (`--workers 1`). It runs in a temporary
folder holding links to `scenarios/` and `examples/`, so `runs/` and the files written land there.
Commands for other programs (pytest, Streamlit, a Dask cluster on other machines) are checked to be
those and left out.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from sim.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("report_checks_once")]

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
NOT_CCS_SIM = ("pytest", "streamlit", "dask")
"""Programs other than ccs-sim that README blocks start (not run here)."""
NEEDS_A_CLUSTER = "--scheduler"
"""A command naming a Dask scheduler on other machines (tests never leave 127.0.0.1)."""


def readme_commands() -> list[str]:
    """The commands of the README's bash blocks, continuation lines joined, comments dropped."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.S)
    commands = []
    for block in blocks:
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def ccs_sim_commands() -> list[str]:
    """The README's `uv run ccs-sim ...` commands, in order (a later one may use an earlier's
    output, as `--resume` does)."""
    return [
        c for c in readme_commands() if c.startswith("uv run ccs-sim") and NEEDS_A_CLUSTER not in c
    ]


def cheap(command: str, tmp: Path) -> tuple[list[str], Path | None]:
    """The command's arguments with few replications and a short period, and the file its
    output is redirected to, if any."""
    words = shlex.split(command)
    redirect = ""
    if ">" in words:  # a shell redirection (a quoted '>' inside --target stays in its word)
        at = words.index(">")
        words, redirect = words[:at], words[at + 1]
    args = words[3:]  # after `uv run ccs-sim`
    for i, arg in enumerate(args[:-1]):
        if arg == "--reps":
            args[i + 1] = "2"
    verb = args[0]
    if verb in ("run", "compare", "sweep", "plan"):
        args += ["--set", "run.horizon_months=6"]
        if "--reps" not in args:
            args += ["--reps", "2"]
    if verb in ("run", "compare", "sweep", "plan", "report"):
        args += ["--workers", "1"]  # in this process: no pool of workers to start per command
    output = tmp / redirect if redirect else None
    return args, output


def test_the_readme_names_its_commands() -> None:
    """The parser finds the README's examples (a test over no commands would prove nothing)."""
    verbs = {shlex.split(c)[3] for c in ccs_sim_commands()}
    assert {"run", "validate", "compare", "sweep", "report", "plan", "schema"} <= verbs
    others = [c for c in readme_commands() if not c.startswith("uv run ccs-sim")]
    assert all(any(p in c for p in NOT_CCS_SIM) for c in others), others


def test_every_readme_command_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for folder in ("scenarios", "examples"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    monkeypatch.chdir(tmp_path)  # the README's paths (scenarios/, runs/) are relative
    for command in ccs_sim_commands():
        args, output = cheap(command, tmp_path)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(args)
        assert status == 0, f"{command}\n-> {args}\nexit {status}\n{err.getvalue()[-2000:]}"
        if output is not None:
            output.write_text(out.getvalue())
            assert output.stat().st_size > 0
