"""Tracking a forecast against what then happened: the actuals file and its place in the fans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.errors import ScenarioError
from sim.results.actuals import coverage, parse_actuals_upload, read_actuals, track, track_observed
from sim.scenario.files import load_scenario

TINY = Path(__file__).parent / "data" / "tiny.yaml"  # 12 months from April 2014


def actuals(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "actuals.csv"
    path.write_text(text)
    return path


def test_observations_are_read_by_month_and_pool(tmp_path: Path) -> None:
    path = actuals(tmp_path, "month,pool,headcount,backlog,service_level\n"
                             "2014-05,,6,12,0.8\n2014-05,buyers,4,,\n")  # fmt: skip
    observed = read_actuals(path, load_scenario(TINY))
    assert observed.to_dict("records") == [
        {"series": "headcount", "pool": "", "month": "2014-05", "month_index": 1, "observed": 6.0},
        {"series": "backlog", "pool": "", "month": "2014-05", "month_index": 1, "observed": 12.0},
        {"series": "service_level", "pool": "", "month": "2014-05", "month_index": 1,
         "observed": 0.8},
        {"series": "headcount", "pool": "buyers", "month": "2014-05", "month_index": 1,
         "observed": 4.0},
    ]  # fmt: skip


def test_each_mistake_in_actuals_is_named_by_row_and_column(tmp_path: Path) -> None:
    path = actuals(tmp_path, "month,pool,headcount,service_level\n"
                             "2014-05,,6,1.5\n2013-01,,6,\n2014-06,lawyers,6,\n"
                             "2014-07,,-1,\n2014-05,,7,\n")  # fmt: skip
    with pytest.raises(ScenarioError) as error:
        read_actuals(path, load_scenario(TINY))
    assert [str(p) for p in error.value.problems] == [
        "actuals.csv row 2, column service_level: given '1.5'; blank or a share from 0 to 1",
        "actuals.csv row 3, column month: given '2013-01'; a month of the run written YYYY-MM: "
        "2014-04 to 2015-03",
        "actuals.csv row 4, column pool: given 'lawyers'; blank (all pools) or one of: buyers, "
        "strategists",
        "actuals.csv row 5, column headcount: given '-1'; blank or a number, 0 or more",
        "actuals.csv row 6, column month: given '2014-05'; once per pool (row 2 has it)",
    ]
    with pytest.raises(ScenarioError, match="column staff: given an unknown column"):
        read_actuals(actuals(tmp_path, "month,staff\n2014-05,3\n"), load_scenario(TINY))


def test_an_uploaded_actuals_file_is_read_in_the_capped_process_as_a_file_is(
    tmp_path: Path,
) -> None:
    text = "month,pool,headcount,backlog\n2014-05,,6,12\n2014-05,buyers,4,\n"
    scenario = load_scenario(TINY)
    uploaded = parse_actuals_upload(text.encode(), "actuals.csv", scenario, 10_000)
    assert uploaded.equals(read_actuals(actuals(tmp_path, text), scenario))
    with pytest.raises(ScenarioError) as error:
        parse_actuals_upload(b"month,backlog\n2014-05,x\n", "up.csv", scenario, 10_000)
    assert [str(p) for p in error.value.problems] == [
        "up.csv row 2, column backlog: given 'x'; blank or a number, 0 or more"
    ]
    with pytest.raises(ScenarioError, match="given a file of 101 bytes; at most 100 bytes"):
        parse_actuals_upload(b"x" * 101, "big.csv", scenario, 100)
    # A file of blanks says nothing: refused rather than tracked as 'no observations'.
    with pytest.raises(ScenarioError, match="given no observed values"):
        read_actuals(actuals(tmp_path, "month,backlog\n2014-05,\n"), scenario)


def test_series_a_run_lacks_are_left_out_and_said_so() -> None:
    monthly = pd.DataFrame({"rep": [0, 1], "month": 0, "backlog": [3.0, 5.0]})
    observed = pd.DataFrame(
        [("backlog", "", "2014-04", 0, 4.0), ("fte", "", "2014-04", 0, 2.0)],
        columns=["series", "pool", "month", "month_index", "observed"],
    )
    found = track_observed(observed, monthly, monthly.assign(pool="buyers"), "a.csv", "ab")
    assert found.left_out == ("fte",)
    assert found.observed["series"].tolist() == ["backlog"]
    assert found.summary[["series", "months", "inside_p10_p90"]].values.tolist() == [
        ["backlog", 1, 1.0]
    ]
    assert found.sentence() == (
        "All 1 observations: 100% inside P10-P90 (80% expected), 100% inside P5-P95 (90% expected)."
    )
    assert "fte; left out" in found.left_out_sentence()


def test_each_observation_is_placed_in_its_month_s_band() -> None:
    reps = np.arange(1, 21)  # 20 replications forecasting 1, 2, ..., 20 in month 0
    monthly = pd.DataFrame({"rep": reps, "month": 0, "headcount_in_post": reps.astype(float)})
    by_pool = monthly.assign(pool="buyers", headcount_in_post=reps * 10.0)
    observed = pd.DataFrame(
        [("headcount", "", "2014-04", 0, 10.0), ("headcount", "", "2014-04", 0, 18.5),
         ("headcount", "buyers", "2014-04", 0, 250.0)],
        columns=["series", "pool", "month", "month_index", "observed"],
    )  # fmt: skip
    tracked = track(observed, monthly, by_pool)
    assert tracked["p10"].tolist() == pytest.approx([2.9, 2.9, 29.0])
    assert tracked["p90"].tolist() == pytest.approx([18.1, 18.1, 181.0])
    assert tracked["inside_p10_p90"].tolist() == [True, False, False]
    assert tracked["inside_p5_p95"].tolist() == [True, True, False]
    summary = coverage(tracked)
    assert summary[["pool", "months", "inside_p10_p90"]].values.tolist() == [
        ["all", 2, 0.5],
        ["buyers", 1, 0.0],
    ]
    assert summary["months_outside_p10_p90"].tolist() == ["2014-04", "2014-04"]


@pytest.mark.slow
def test_track_places_a_replication_s_own_months_in_the_run_s_fans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.cli import main

    run = tmp_path / "run"
    assert main(["run", str(TINY), "--reps", "5", "--workers", "1", "--out", str(run)]) == 0
    observed = tmp_path / "actuals.csv"
    assert main(["actuals-of", str(TINY), str(observed), "--from-month", "2", "--months", "4"]) == 0
    out = tmp_path / "tracked.csv"
    assert main(["track", str(run), str(observed), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    tracked = pd.read_csv(out, keep_default_na=False)
    assert f"All {len(tracked)} observations" in printed
    # The observed months are the run's own replication 0 (same seed): each is that
    # replication's value for the month, so the months and pools line up.
    monthly = pd.read_parquet(run / "monthly.parquet")
    rep0 = monthly.loc[(monthly["rep"] == 0) & monthly["month"].between(2, 5), "backlog"]
    heads = tracked[(tracked["series"] == "backlog") & (tracked["pool"] == "all")]
    assert heads["observed"].tolist() == rep0.astype(float).tolist()
    assert heads["month"].tolist() == ["2014-06", "2014-07", "2014-08", "2014-09"]
    assert main(["track", str(run), str(tmp_path / "missing.csv")]) == 2
