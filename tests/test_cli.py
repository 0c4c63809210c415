"""The command line: exit codes, messages, and no traceback for a user's mistake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.yaml"


def ccs_sim(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed command line as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=300
    )


def test_validate_accepts_a_good_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(TINY)]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_reports_each_problem_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "extends: " + str(TINY) + "\nrecruitment:\n  offer_acceptance: 2\n  advert_dayz: 3\n"
    )
    done = ccs_sim("validate", str(bad))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2
    assert any("recruitment.offer_acceptance: given 2; less than or equal to 1" in x for x in lines)
    assert any("advert_dayz" in x and "did you mean 'advert_days'?" in x for x in lines)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["validate", "missing.yaml"], "no such scenario file"),
        (["validate", str(TINY), "--set", "run.horizon_months=0"], "greater than or equal to 1"),
        (["validate", str(TINY), "--set", "nonsense"], "KEY=VALUE"),
        (["run", "missing.yaml", "--reps", "2"], "no such scenario file"),
        (["run", str(TINY), "--reps", "0"], "a whole number of 1 or more"),
        (["run", str(TINY), "--precision", "5"], "between 0 and 1"),
        (["run", str(TINY), "--scheduler", "localhost:8786"], "tcp://HOST:PORT"),
    ],
)
def test_user_mistakes_exit_2_without_traceback(args: list[str], expected: str) -> None:
    done = ccs_sim(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert expected in done.stderr


def test_schema_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "staff_pools" in schema["properties"]


def test_run_writes_a_complete_run_directory(tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = ccs_sim(
        "run", str(TINY), "--reps", "3", "--seed", "5", "--out", str(out), "--workers", "1"
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    first = done.stdout.strip().splitlines()[0]
    assert "of 3 simulated futures" in first and "outrun" in first  # the verdict comes first
    assert "By staff pool: buyers" in done.stdout and "strategists" in done.stdout
    assert "3/3 replications" in done.stderr  # plain progress lines when not a terminal
    expected = {
        "manifest.json",
        "scenario.yaml",
        "kpis.parquet",
        "monthly.parquet",
        "summary.csv",
        "monthly_by_pool.parquet",
        "pools.parquet",
    }
    assert expected <= {p.name for p in out.iterdir()}
    kpis = pd.read_parquet(out / "kpis.parquet")
    assert list(kpis["rep"]) == [0, 1, 2]
    assert {"rep", "seed", "mean_wait_days", "outruns_capability", "outrun_month"} <= set(kpis)
    monthly = pd.read_parquet(out / "monthly.parquet")
    assert len(monthly) == 3 * 12
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["seed"] == 5 and manifest["replications_completed"] == 3
    assert manifest["scenario"]["name"] == "tiny"


def test_run_refuses_to_overwrite_without_resume(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert (
        ccs_sim("run", str(TINY), "--reps", "1", "--out", str(out), "--workers", "1").returncode
        == 0
    )
    again = ccs_sim("run", str(TINY), "--reps", "1", "--out", str(out), "--workers", "1")
    assert again.returncode == 2
    assert "--out" in again.stderr and "--resume" in again.stderr


def test_a_reader_that_leaves_early_is_not_reported_as_a_fault(tmp_path: Path) -> None:
    """`ccs-sim schema | head`: the pipe closes before the output ends; nothing to report."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has already gone, so the first write meets a closed pipe
    done = subprocess.run(
        [sys.executable, "-m", "sim", "schema"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    os.close(write_end)
    assert done.returncode == 141, done.stderr  # 128 + SIGPIPE, as a shell reports it
    assert done.stderr == ""  # no crash line, no "Exception ignored" at exit
    assert not (tmp_path / "runs" / "logs").exists()  # and no crash log written
