"""Comparing options with a base case under common random numbers (`ccs-sim compare`)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from evidence_builders import mmc

from sim.results.paired import paired_differences
from sim.runs.executors import InProcessExecutor
from sim.studies.compare import CompareRequest, Option, run_comparison

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("compare")
    request = CompareRequest(
        [Option("three", mmc(3, 2.4, horizon_months=12)), Option("four", mmc(4, 2.4, 1.0, 12))],
        seed=9,
        reps=8,
        out=root / "study",
        cache=root / "cache",
    )
    return run_comparison(request, InProcessExecutor()), request


def test_common_random_numbers_pair_the_same_arrivals(comparison) -> None:
    result, _ = comparison
    arrivals = result.table.set_index("kpi").loc["arrivals"]
    # Only staff differ, so every replication sees exactly the same requests.
    assert arrivals["difference"] == 0 and arrivals["ci_low"] == arrivals["ci_high"] == 0
    wait = result.table.set_index("kpi").loc["mean_wait_days"]
    assert wait["difference"] < 0 and wait["ci_high"] < 0
    assert wait["p_option_better"] == 1.0 and wait["p_option_worse"] == 0.0


def test_the_table_is_the_paired_difference_of_the_runs_on_disk(comparison) -> None:
    _result, request = comparison
    study = json.loads((request.out / "study.json").read_text())
    base = pd.read_parquet(request.out / study["base"]["run_dir"] / "kpis.parquet")
    option = pd.read_parquet(request.out / study["options"][0]["run_dir"] / "kpis.parquet")
    expected = paired_differences(base, option)
    written = pd.read_csv(request.out / "comparison.csv")
    pd.testing.assert_series_equal(
        written["difference"], expected["difference"], check_names=False, rtol=1e-12
    )
    differences = pd.read_csv(request.out / "differences.csv")
    assert list(differences["input"]) == ["staff_pools.staff.initial_headcount"]


def test_a_second_comparison_reuses_the_cached_runs(comparison, tmp_path: Path) -> None:
    result, request = comparison
    again = run_comparison(
        CompareRequest(request.options, request.seed, request.reps, tmp_path, request.cache),
        InProcessExecutor(),
    )
    assert all(run.cached for run in again.runs)
    assert [r.run_dir for r in again.runs] == [r.run_dir for r in result.runs]
    pd.testing.assert_frame_equal(again.table, result.table)
