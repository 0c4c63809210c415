"""Paired comparisons: differences, intervals and the probability that an option is better."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.results.paired import paired_differences


def test_paired_difference_matches_a_paired_t_interval() -> None:
    base = pd.DataFrame({"rep": range(5), "seed": 1, "mean_wait_days": [10.0, 12, 9, 15, 11]})
    option = pd.DataFrame({"rep": range(5), "seed": 1, "mean_wait_days": [8.0, 11, 9.5, 12, 10]})
    row = paired_differences(base, option).set_index("kpi").loc["mean_wait_days"]
    diff = option["mean_wait_days"] - base["mean_wait_days"]
    half = stats.t.ppf(0.975, 4) * diff.std(ddof=1) / np.sqrt(5)
    assert row["difference"] == pytest.approx(diff.mean())
    assert row["ci_low"] == pytest.approx(diff.mean() - half)
    assert row["ci_high"] == pytest.approx(diff.mean() + half)
    assert row["better"] == "lower"
    assert row["p_option_better"] == pytest.approx(4 / 5)  # shorter waits in 4 of 5 pairs


def test_pairs_by_replication_not_by_position() -> None:
    base = pd.DataFrame({"rep": [0, 1, 2], "sla_attainment": [0.5, 0.6, 0.7]})
    option = pd.DataFrame({"rep": [2, 0, 1], "sla_attainment": [0.8, 0.6, 0.7]})
    row = paired_differences(base, option).set_index("kpi").loc["sla_attainment"]
    assert row["difference"] == pytest.approx(0.1)
    assert row["p_option_better"] == 1.0 and row["better"] == "higher"


def test_no_common_replications_is_an_error() -> None:
    with pytest.raises(ValueError, match="no replication"):
        paired_differences(
            pd.DataFrame({"rep": [0], "x": [1]}), pd.DataFrame({"rep": [1], "x": [1]})
        )
