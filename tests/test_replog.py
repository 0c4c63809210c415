"""The replication log: records read back exactly, torn tails ignored and cut, results so far
readable while a run is written, and runs interrupted by an earlier version resumed."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario
from sim.results.replication import ReplicationOutcome, replicate
from sim.runs.batch import BatchRequest, run_batch
from sim.runs.executors import InProcessExecutor
from sim.runs.replog import LOG_NAME, ReplicationLog, encode_outcome, record_outcome
from sim.runs.rundir import RunDirectory
from sim.runs.tables import RunSoFar, load_finished_so_far

TINY = Path(__file__).parent / "data" / "tiny.yaml"
TABLES = ("kpis.parquet", "monthly.parquet", "monthly_by_pool.parquet", "pools.parquet")


@pytest.fixture(scope="module")
def outcomes() -> list[ReplicationOutcome]:
    scenario = load_scenario(TINY, ["run.horizon_months=4"])
    return [replicate((scenario, 9), rep) for rep in range(2)]


def test_a_record_reads_back_to_exactly_what_the_model_gave(
    outcomes: list[ReplicationOutcome], tmp_path: Path
) -> None:
    log = ReplicationLog(tmp_path / LOG_NAME)
    log.append(encode_outcome(outcomes[0]))
    [record], _ = log.read_from(0)
    assert record_outcome(encode_outcome(outcomes[0])) == (0, False)
    assert record.kpis == json.loads(json.dumps(outcomes[0].kpis, default=float))
    assert outcomes[0].monthly is not None and outcomes[0].monthly_by_pool is not None
    pd.testing.assert_frame_equal(pd.DataFrame(record.monthly), outcomes[0].monthly)
    pd.testing.assert_frame_equal(pd.DataFrame(record.monthly_by_pool), outcomes[0].monthly_by_pool)
    failed = ReplicationOutcome(3, 9, error="Traceback: boom")
    assert record_outcome(encode_outcome(failed)) == (3, True)


def test_a_torn_or_damaged_tail_is_ignored_and_cut_by_the_next_writer(
    outcomes: list[ReplicationOutcome], tmp_path: Path
) -> None:
    path = tmp_path / LOG_NAME
    first, second = (encode_outcome(o) for o in outcomes)
    path.write_bytes(first + second[: len(second) // 2])  # killed part-way through an append
    assert [r.rep for r in ReplicationLog(path).read_from(0)[0]] == [0]
    damaged = bytearray(first + second)
    damaged[-5] ^= 0xFF  # a flipped byte fails the checksum
    path.write_bytes(bytes(damaged))
    assert [r.rep for r in ReplicationLog(path).read_from(0)[0]] == [0]

    path.write_bytes(first + second[:100])
    writer = ReplicationLog(path)
    writer.open_for_append()
    assert path.stat().st_size == len(first)  # the torn tail is gone before anything is added
    writer.append(second)
    writer.close()
    assert [r.rep for r in ReplicationLog(path).read_from(0)[0]] == [0, 1]


def test_results_so_far_grow_during_a_run_and_match_the_final_tables(tmp_path: Path) -> None:
    out = tmp_path / "run"
    reader = RunSoFar(out)
    seen: list[list[int]] = []

    def on_progress(done: int, failed: int, total: int) -> None:
        so_far = reader.read()
        seen.append([] if so_far is None else list(so_far.kpis["rep"]))
        one_shot = load_finished_so_far(out)
        assert seen[-1] == ([] if one_shot is None else list(one_shot.kpis["rep"]))

    run_batch(BatchRequest(load_scenario(TINY), 4, 3, out), InProcessExecutor(), on_progress)
    assert seen == [[], [0], [0, 1], [0, 1, 2]]
    assert not (out / LOG_NAME).exists()
    last = reader.read()  # the log is gone: what was read stays
    assert last is not None and load_finished_so_far(out) is None
    for name in ("kpis", "pools", "monthly", "monthly_by_pool"):
        pd.testing.assert_frame_equal(getattr(last, name), pd.read_parquet(out / f"{name}.parquet"))
    pd.testing.assert_frame_equal(last.summary, pd.read_csv(out / "summary.csv"), check_dtype=False)


def test_a_run_interrupted_by_an_earlier_version_resumes_from_its_parts(
    outcomes: list[ReplicationOutcome], tmp_path: Path
) -> None:
    scenario = load_scenario(TINY)
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    run_batch(BatchRequest(scenario, 8, 3, whole), InProcessExecutor())
    first = replicate((scenario, 8), 0)  # left in parts/ as the earlier runner wrote it
    assert first.monthly is not None and first.monthly_by_pool is not None
    assert first.pool_kpis is not None
    parts = cut / "parts"
    parts.mkdir(parents=True)
    first.monthly.to_parquet(parts / "rep_000000.monthly.parquet", index=False)
    first.monthly_by_pool.to_parquet(parts / "rep_000000.by_pool.parquet", index=False)
    record = {"rep": 0, "seed": 8, "kpis": first.kpis, "pools": first.pool_kpis.to_dict("records")}
    (parts / "rep_000000.json").write_text(json.dumps(record, default=float))
    manifest = json.loads((whole / "manifest.json").read_text())
    (cut / "manifest.json").write_text(json.dumps({**manifest, "status": "interrupted"}))
    assert RunDirectory(cut).completed_reps() == {0}
    run_batch(BatchRequest(scenario, 8, 3, cut, resume=True), InProcessExecutor())
    for name in TABLES:
        assert (cut / name).read_bytes() == (whole / name).read_bytes(), name
    assert not parts.exists()
