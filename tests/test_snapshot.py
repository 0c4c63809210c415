"""A snapshot of today: the CSV folder, its checks, and the model started in its state."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from builders import base_data, build, raw_run

from sim.cli import main
from sim.errors import ScenarioError
from sim.model.recruitment import remaining_after
from sim.model.start_state import work_in_hand
from sim.model.state import PoolState, Worker
from sim.model.streams import Streams
from sim.scenario.distributions import Fixed, Uniform
from sim.scenario.files import load_scenario
from sim.scenario.schema import scenario_fields
from sim.scenario.snapshot import (
    SNAPSHOT_FILES,
    apply_snapshot,
    load_snapshot,
    snapshot_sha256,
    write_snapshot_template,
)

TINY = Path(__file__).parent / "data" / "tiny.yaml"
BASELINE = Path(__file__).parent.parent / "scenarios" / "baseline.yaml"

# A snapshot of the tiny scenario on 1 October 2014 (pools buyers and strategists).
GOOD = {
    "snapshot.csv": [{"snapshot_date": "2014-10-01"}],
    "staff.csv": [
        {"id": "P1", "pool": "buyers", "grade": "SEO", "fte": "1", "start_date": "2010-01-04",
         "leaving_date": ""},
        {"id": "P2", "pool": "buyers", "grade": "", "fte": "0.5", "start_date": "2014-09-01",
         "leaving_date": ""},
        {"id": "P3", "pool": "buyers", "grade": "", "fte": "1", "start_date": "2012-05-01",
         "leaving_date": "2014-10-20"},
        {"id": "P4", "pool": "strategists", "grade": "", "fte": "0.8", "start_date": "2013-02-01",
         "leaving_date": ""},
    ],
    "vacancies.csv": [
        {"id": "V1", "pool": "buyers", "grade": "", "stage": "advert",
         "stage_entered_date": "2014-09-25"},
    ],
    "work.csv": [
        {"id": "C1", "request_type": "call_off", "department": "alpha",
         "arrival_date": "2014-09-20", "started_date": "", "effort_remaining_person_days": ""},
        {"id": "C2", "request_type": "call_off", "department": "beta",
         "arrival_date": "2014-09-25", "started_date": "2014-09-28",
         "effort_remaining_person_days": "2.5"},
        {"id": "C3", "request_type": "strategy", "department": "alpha",
         "arrival_date": "2014-08-01", "started_date": "", "effort_remaining_person_days": ""},
    ],
    "departments.csv": [
        {"department": "beta", "status": "onboarded", "date": "2014-07-01"},
    ],
}  # fmt: skip


def write_snapshot(folder: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = list(rows[0]) if rows else list(SNAPSHOT_FILES[name])
        with (folder / name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ScenarioError) as error:
        load_snapshot(folder, load_scenario(TINY))
    return [str(p) for p in error.value.problems]


def test_a_good_snapshot_becomes_the_start_of_the_run(tmp_path: Path) -> None:
    folder = write_snapshot(tmp_path / "snap", GOOD)
    tiny = load_scenario(TINY)
    s = apply_snapshot(tiny, load_snapshot(folder, tiny))
    assert s.run.start_date == dt.date(2014, 10, 1)
    assert [p.initial_headcount for p in s.staff_pools] == [3, 1]
    people = {p.id: p for p in s.start_state.people}
    assert people["P2"].fte == 0.5 and people["P2"].tenure_days == 30
    assert people["P3"].leaves_in_days == 20  # leaves at the end of their last day
    assert people["P1"].leaves_in_days is None
    (vacancy,) = s.start_state.vacancies_in_flight
    assert (vacancy.stage, vacancy.days_in_stage) == ("advert", 6)
    cases = {c.id: c for c in s.start_state.cases}
    assert cases["C2"].started_days_ago == 3 and cases["C2"].effort_remaining_person_days == 2.5
    assert cases["C1"].started_days_ago is None and cases["C1"].age_days == 11
    assert s.start_state.snapshot_sha256 == snapshot_sha256(folder)


@pytest.mark.parametrize(
    "file, row, change, expected",
    [
        ("staff.csv", 0, {"pool": "lawyers"}, "staff.csv row 2, column pool: given 'lawyers'; "
         "one of: buyers, strategists"),
        ("staff.csv", 1, {"start_date": "2014-11-03"}, "staff.csv row 3, column start_date: given "
         "'2014-11-03'; on or before the snapshot date 2014-10-01"),
        ("staff.csv", 3, {"fte": "1.4"}, "staff.csv row 5, column fte: given '1.4'; a number more "
         "than 0 and at most 1"),
        ("staff.csv", 2, {"id": "P1"}, "staff.csv row 4, column id: given 'P1'; an id not used "
         "before (row 2 has it)"),
        ("staff.csv", 0, {"leaving_date": "2014-09-30"}, "staff.csv row 2, column leaving_date"),
        ("staff.csv", 0, {"start_date": "1/4/2010"}, "a date written YYYY-MM-DD"),
        ("vacancies.csv", 0, {"stage": "interview"}, "vacancies.csv row 2, column stage: given "
         "'interview'; one of: approval, advert, sift_interview, offer, vetting, notice"),
        ("work.csv", 1, {"started_date": "2014-09-01"}, "work.csv row 3, column started_date"),
        ("work.csv", 0, {"request_type": "audit"}, "work.csv row 2, column request_type"),
        ("work.csv", 0, {"effort_remaining_person_days": "-2"}, "column effort_remaining"),
        ("departments.csv", 0, {"status": "planned"}, "departments.csv row 2, column date: given "
         "'2014-07-01'; after the snapshot date 2014-10-01"),
        ("staff.csv", 0, {"id": "jo.bloggs@example.gov.uk"}, "looks like an e-mail address"),
    ],
)  # fmt: skip
def test_each_mistake_is_named_by_file_row_and_column(
    tmp_path: Path, file: str, row: int, change: dict[str, str], expected: str
) -> None:
    tables = {name: [dict(r) for r in rows] for name, rows in GOOD.items()}
    tables[file][row].update(change)
    problems = problems_of(write_snapshot(tmp_path / "snap", tables))
    assert any(expected in p for p in problems), problems


def test_a_department_not_yet_onboarded_cannot_own_work(tmp_path: Path) -> None:
    tables = {**GOOD, "departments.csv": []}  # beta keeps the scenario's date: 2014-07-01
    tables["snapshot.csv"] = [{"snapshot_date": "2014-06-01"}]
    tables["staff.csv"] = [{**r, "start_date": "2010-01-04", "leaving_date": ""}
                           for r in GOOD["staff.csv"]]  # fmt: skip
    tables["vacancies.csv"] = []
    tables["work.csv"] = [{**GOOD["work.csv"][1], "arrival_date": "2014-05-01",
                           "started_date": ""}]  # fmt: skip
    problems = problems_of(write_snapshot(tmp_path / "snap", tables))
    assert problems == [
        "work.csv row 2, column department: given 'beta'; a department onboarded by 2014-06-01: "
        "alpha"
    ]


def test_personal_data_columns_are_refused(tmp_path: Path) -> None:
    tables = {name: [dict(r) for r in rows] for name, rows in GOOD.items()}
    for person in tables["staff.csv"]:
        person["Name"], person["email"] = "someone", "x"
    problems = problems_of(write_snapshot(tmp_path / "snap", tables))
    assert len(problems) == 2
    assert all("pseudonymous ids only" in p and "personal data" in p for p in problems)
    assert problems[0].startswith("staff.csv row 1, column Name")


def test_missing_files_and_columns_are_named(tmp_path: Path) -> None:
    tables = {name: rows for name, rows in GOOD.items() if name != "vacancies.csv"}
    tables["staff.csv"] = [{k: v for k, v in r.items() if k != "fte"} for r in GOOD["staff.csv"]]
    problems = problems_of(write_snapshot(tmp_path / "snap", tables))
    assert "vacancies.csv: given missing; a file vacancies.csv (see docs/snapshot.md)" in problems
    assert any(p.startswith("staff.csv row 1, column fte: given missing") for p in problems)


def test_the_template_loads_against_the_baseline(tmp_path: Path) -> None:
    written = write_snapshot_template(tmp_path / "t")
    assert [p.name for p in written] == list(SNAPSHOT_FILES)
    baseline = load_scenario(BASELINE)
    s = apply_snapshot(baseline, load_snapshot(tmp_path / "t", baseline))
    assert len(s.start_state.people) == 1 and len(s.start_state.cases) == 1
    with pytest.raises(ScenarioError, match="without snapshot files"):
        write_snapshot_template(tmp_path / "t")  # never overwrites a planner's extract


# --- the model started from a snapshot's state -------------------------------------------------


def person(pid: str, tenure: float, fte: float = 1.0, leaves: float | None = None) -> dict:
    return {"id": pid, "pool": "staff", "fte": fte, "tenure_days": tenure, "leaves_in_days": leaves}


def test_people_on_notice_leave_on_their_day_and_draw_no_attrition() -> None:
    people = [person("a", 5000), person("b", 5000, leaves=17.0), person("c", 400, leaves=40.5)]
    s = build(
        base_data(staff=3, arrivals_per_month=0, horizon_months=3),
        {"start_state": {"people": people}, "staff_pools.0.attrition_rate_per_year": 0.0},
    )
    raw = raw_run(s)
    assert raw.workforce.left[0] == [17.0, 40.5]
    assert raw.workforce.resigned[0] == []  # they resigned before the run


def test_part_time_staff_deliver_in_proportion() -> None:
    pool = PoolState(0, build(base_data()).staff_pools[0], 225 / 365.25)
    full, half = Worker(pool, 0.0), Worker(pool, 0.0, fte=0.5)
    assert half.days_to_deliver(3.0, 10.0) == pytest.approx(2 * full.days_to_deliver(3.0, 10.0))
    assert half.output_fte(10.0) == pytest.approx(0.5 * full.output_fte(10.0))
    ramping = Worker(pool, -5.0, ramp_weeks=10, fte=0.5)
    ramping_full = Worker(pool, -5.0, ramp_weeks=10)
    assert ramping.days_to_deliver(3.0, 0.0) > ramping_full.days_to_deliver(3.0, 0.0)


def test_fte_below_one_reduces_effective_fte_but_not_heads() -> None:
    people = [person("a", 5000, fte=0.5), person("b", 5000, fte=0.6), person("c", 5000)]
    s = build(base_data(staff=3, arrivals_per_month=0, horizon_months=2),
              {"start_state": {"people": people}})  # fmt: skip
    pools = raw_run(s).workforce.pools
    assert pools[0].staff_in_post.level == 3
    assert pools[0].fte_in_post.level == pytest.approx(2.1)
    assert pools[0].effective_fte(0.0) == pytest.approx(2.1)


def test_tenure_carries_on_at_the_start() -> None:
    ramp = {"start_productivity": 0.5, "weeks_to_full": 10}
    people = [person("new", 14), person("old", 3000)]
    s = build(base_data(staff=2, arrivals_per_month=0, horizon_months=1),
              {"start_state": {"people": people}, "staff_pools.0.ramp_up": ramp})  # fmt: skip
    pool = raw_run(s).workforce.pools[0]
    # 14 days in of 70: the joiner is part-way up the ramp, and still ramping after a month.
    (joiner,) = pool.ramping
    assert joiner.start_day == -14 and joiner.full_productivity_day == pytest.approx(56.0)
    assert pool.n_experienced == 1


def test_a_vacancy_resumes_with_the_rest_of_its_stage() -> None:
    rng = np.random.default_rng(1)
    assert remaining_after(Fixed(value=30), 10.0, rng) == 20.0
    assert remaining_after(Fixed(value=30), 45.0, rng) == 0.0  # overdue: ends at once
    rests = [remaining_after(Uniform(low=0, high=100), 90.0, rng) for _ in range(500)]
    assert min(rests) > 0 and max(rests) <= 10
    assert np.mean(rests) == pytest.approx(5.0, abs=0.5)  # uniform over what is left


def test_work_in_progress_is_taken_on_first_then_waiting_work_in_arrival_order() -> None:
    cases = [
        {"id": "w1", "request_type": "work", "department": "dept", "age_days": 30},
        {"id": "s1", "request_type": "work", "department": "dept", "age_days": 5,
         "started_days_ago": 2, "effort_remaining_person_days": 1.5},
        {"id": "w2", "request_type": "work", "department": "dept", "age_days": 40},
        {"id": "s2", "request_type": "work", "department": "dept", "age_days": 50,
         "started_days_ago": 20},
    ]  # fmt: skip
    changes = {"start_state": {"cases": cases}, "demand.request_types.0.min_elapsed_days": 10}
    s = build(base_data(staff=1, arrivals_per_month=0), changes)
    book = work_in_hand(s, Streams(np.random.SeedSequence(1)))
    assert list(-book.arrival_day) == [50, 5, 40, 30]  # s2, s1 (started earlier first), w2, w1
    assert book.effort_person_days[1] == 1.5
    assert list(book.min_elapsed_days) == [0.0, 8.0, 10.0, 10.0]
    assert book.pre_start.all() and np.isinf(book.patience_days).all()


def test_the_people_must_match_the_headcount() -> None:
    with pytest.raises(ScenarioError, match="initial_headcount is 2"):
        build(base_data(staff=2), {"start_state": {"people": [person("a", 10)]}})


# --- the command line ----------------------------------------------------------------------------


@pytest.mark.slow
def test_run_from_a_snapshot_records_it_and_reproduces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_snapshot(tmp_path / "snap", GOOD)
    out = tmp_path / "run"
    args = ["run", str(TINY), "--snapshot", str(folder), "--reps", "2", "--workers", "1"]
    assert main([*args, "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    start = manifest["scenario"]["start_state"]
    assert start["snapshot_sha256"] == snapshot_sha256(folder)
    assert manifest["scenario"]["run"]["start_date"] == "2014-10-01"
    assert len(start["people"]) == 4
    assert main(["reproduce", str(out), "--workers", "1"]) == 0
    assert "bit-identical" in capsys.readouterr().out


@pytest.mark.slow
def test_a_bad_snapshot_stops_the_run_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = {**GOOD, "staff.csv": [{**GOOD["staff.csv"][0], "fte": "1.4"}]}
    folder = write_snapshot(tmp_path / "snap", tables)
    assert main(["run", str(TINY), "--snapshot", str(folder), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "staff.csv row 2, column fte: given '1.4'" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_heads_and_fte_are_reported_separately_and_pay_follows_fte() -> None:
    from sim.results.replication import simulate

    part = [person("a", 5000, fte=0.5), person("b", 5000, fte=0.6), person("c", 5000)]
    full = [person("a", 5000), person("b", 5000), person("c", 5000)]
    base = base_data(staff=3, arrivals_per_month=0, horizon_months=2)
    pay = {"staff_pools.0.salary_gbp_per_year": 50_000}
    part_time = simulate(build(base, {**pay, "start_state": {"people": part}}), 1).monthly
    full_time = simulate(build(base, {**pay, "start_state": {"people": full}}), 1).monthly
    assert part_time["headcount_in_post"].tolist() == [3, 3]
    assert part_time["fte_in_post"].tolist() == pytest.approx([2.1, 2.1])
    assert full_time["fte_in_post"].tolist() == [3.0, 3.0]
    cost_share = part_time["staff_cost_gbp"] / full_time["staff_cost_gbp"]
    assert cost_share.tolist() == pytest.approx([0.7, 0.7])


def _zip_of(folder: Path, inside: str = "snapshot/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.writestr(inside + path.name, path.read_bytes())
    return buffer.getvalue()


def test_an_uploaded_snapshot_is_the_folder_s_snapshot_exactly() -> None:
    """The app's upload (a zip of the folder, or the files) is read in the capped process and
    checked as `load_snapshot` checks the folder: the same date, rows and SHA-256, so the same
    scenario runs as with `ccs-sim run --snapshot`."""
    from sim.scenario.snapshot_upload import pack_files, read_snapshot_upload

    folder = Path(__file__).parent.parent / "examples" / "snapshot"
    scenario = load_scenario(BASELINE)
    expected = load_snapshot(folder, scenario)
    files = {p.name: p.read_bytes() for p in folder.glob("*.csv")}
    for content in (_zip_of(folder), pack_files(files)):
        uploaded = read_snapshot_upload(content, "snapshot.zip", scenario)
        assert (uploaded.date, uploaded.rows, uploaded.sha256) == (
            expected.date, expected.rows, expected.sha256
        )  # fmt: skip
        assert scenario_fields(apply_snapshot(scenario, uploaded)) == scenario_fields(
            apply_snapshot(scenario, expected)
        )


def test_an_uploaded_snapshot_s_mistakes_are_named_by_file_row_and_column(tmp_path: Path) -> None:
    from sim.scenario.snapshot_upload import read_snapshot_upload

    scenario = load_scenario(TINY)
    bad = {name: [dict(row) for row in rows] for name, rows in GOOD.items()}
    bad["staff.csv"][0]["fte"] = "1.4"
    folder = write_snapshot(tmp_path / "bad", bad)
    with pytest.raises(ScenarioError) as error:
        read_snapshot_upload(_zip_of(folder, ""), "bad.zip", scenario)
    assert "staff.csv row 2, column fte: given '1.4'" in str(error.value)
    with pytest.raises(ScenarioError, match="a file that is not a zip"):
        read_snapshot_upload(b"staff.csv", "staff.zip", scenario)
    (folder / "work.csv").unlink()
    with pytest.raises(ScenarioError, match=r"work\.csv: given missing"):
        read_snapshot_upload(_zip_of(folder), "short.zip", scenario)


def test_a_zip_that_unpacks_too_large_is_refused_before_it_is_unpacked() -> None:
    from sim.scenario.snapshot_upload import read_snapshot_upload

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("staff.csv", b"0" * 50_000_001)  # about 50 KB packed
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(ScenarioError, match="50,000,001 bytes unpacked; at most 50,000,000"):
        read_snapshot_upload(buffer.getvalue(), "bomb.zip", load_scenario(TINY))
