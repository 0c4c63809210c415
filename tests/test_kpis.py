"""The KPI catalogue is the one list of KPIs: what a replication records is exactly it."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.report import charts, figures
from sim.results import formats
from sim.results.kpis import CATALOGUE, KPI_NAMES, KPIS, Group, in_group, kpi_info
from sim.results.summary import summarise_kpis
from sim.runs.batch import BatchRequest, run_batch
from sim.runs.executors import InProcessExecutor
from sim.scenario.files import load_scenario

TINY = Path(__file__).parent / "data" / "tiny.yaml"


def test_a_replication_records_exactly_the_catalogue() -> None:
    result = sim.simulate(load_scenario(TINY), seed=3)
    assert sorted(result.kpis) == sorted(KPI_NAMES)


def test_a_run_directory_has_one_kpi_column_per_catalogue_entry(tmp_path: Path) -> None:
    request = BatchRequest(load_scenario(TINY), seed=1, reps=2, out=tmp_path / "run")
    run_batch(request, InProcessExecutor())
    columns = list(pd.read_parquet(tmp_path / "run" / "kpis.parquet").columns)
    assert columns == ["rep", "seed", *KPI_NAMES]
    summary = pd.read_csv(tmp_path / "run" / "summary.csv")
    assert tuple(summary["kpi"]) == KPI_NAMES


def test_every_entry_is_complete_and_every_group_is_used() -> None:
    assert len(KPIS) == len(CATALOGUE), "a KPI name is catalogued twice"
    for kpi in CATALOGUE:
        assert kpi.label and kpi.description.endswith("."), kpi.name
        assert kpi.label != kpi.name
        if kpi.kind == "gbp":
            assert kpi.name.endswith("_gbp"), "money columns carry their unit in the name"
        if kpi.kind == "days":
            assert kpi.name.endswith("_days")
    for group in typing.get_args(Group):
        assert in_group(group), f"group {group} has no KPI"
    for name in in_group("headline") + in_group("comparison") + in_group("precision"):
        assert "input_draw" not in KPIS[name].groups


def test_paired_comparisons_judge_by_the_catalogue_direction() -> None:
    from sim.results.paired import paired_differences

    base = pd.DataFrame({"rep": [0, 1], "seed": 1, "mean_wait_days": [10.0, 12.0]})
    option = base.assign(mean_wait_days=[8.0, 9.0])
    row = paired_differences(base, option).iloc[0]
    assert row["better"] == KPIS["mean_wait_days"].better == "lower"
    assert row["p_option_better"] == 1.0


def test_no_module_keeps_its_own_kpi_list() -> None:
    for module in (figures, charts, formats):
        for name in ("KPI_INFO", "HEADLINE_KPIS", "SHARE_KPIS", "HEADLINE_COMPARISON_KPIS"):
            assert not hasattr(module, name), f"{module.__name__}.{name}"


def test_an_unknown_column_reads_as_a_plain_number() -> None:
    assert kpi_info("something_new").kind == "number"
    assert formats.format_kpi("something_new", 1234.5) == "1,234.5"


@pytest.mark.parametrize(
    ("months", "median"),
    [([20, 22], 20), ([20, 21, 22], 21), ([5], 5), ([3, 3, 9, 9], 3)],
)
def test_a_month_percentile_is_a_month_some_future_had(months: list[int], median: int) -> None:
    summary = summarise_kpis(pd.DataFrame({"outrun_month": pd.array(months, dtype="Int64")}))
    p10, p50, p90 = summary.iloc[0][["p10", "p50", "p90"]]
    assert p50 == median
    assert {p10, p50, p90} <= set(months)


ROOT = Path(__file__).resolve().parent.parent


def test_the_output_contract_lists_every_kpi() -> None:
    contract = (ROOT / "docs" / "outputs.md").read_text()
    missing = [name for name in KPI_NAMES if f"`{name}`" not in contract]
    assert not missing, f"docs/outputs.md does not describe {missing}"


def test_code_and_documents_cite_only_files_in_the_repository() -> None:
    outside = re.compile(r"(DESIGN|STYLE|RECIPES|CALIBRATION)\.md|\.\./shared|/work/shared")
    files = [
        *(ROOT / "sim").rglob("*.py"),
        *(ROOT / "app_pages").rglob("*.py"),
        ROOT / "app.py",
        *(ROOT / "docs").glob("*.md"),
        ROOT / "README.md",
        *(ROOT / "benchmarks").glob("*"),
        *(ROOT / "scenarios").glob("*.yaml"),
    ]
    cited = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        if path.is_file()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if outside.search(line)
    ]
    assert not cited, f"references outside the repository: {cited}"
