"""The planners' app, page by page, headless (Streamlit's AppTest).

Each test starts a fresh session against a private run cache and a small scenarios folder
(tests/data/app: `small.yaml`, a variant `small_faster.yaml`, and `broken.yaml` with a mistake),
so runs take a second or two.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from app_fixtures import APP, app_env
from streamlit.testing.v1 import AppTest

__all__ = ["app_env"]  # the fixture, imported for pytest

pytestmark = [pytest.mark.usefixtures("app_env"), pytest.mark.slow]

SCENARIO, RESULTS, COMPARE, DOWNLOADS = (
    "app_pages/scenario.py",
    "app_pages/results.py",
    "app_pages/compare.py",
    "app_pages/downloads.py",
)
VERDICT = "Will the expansion outrun capability?"


def start() -> AppTest:
    """A new browser session on the Scenario page."""
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    assert not at.exception
    return at


def by_label(widgets: Any, label: str) -> Any:
    found = [w for w in widgets if w.label == label]
    assert found, f"no widget labelled {label!r}; have {[w.label for w in widgets]}"
    return found[0]


def texts(elements: Any) -> str:
    return "\n".join(str(e.value) for e in elements)


def run_results(at: AppTest, reps: int = 3, seed: int = 2014) -> AppTest:
    at.switch_page(RESULTS).run()
    at.number_input(key="run_settings.reps").set_value(reps)
    at.number_input(key="run_settings.seed").set_value(seed)
    at.run()
    if not any(h.value == VERDICT for h in at.header):
        by_label(at.button, "Run").click().run()
    assert not at.exception, at.exception
    return at


# --- Scenario page ------------------------------------------------------------------------------


def test_the_scenario_page_opens_on_a_valid_file_and_offers_every_group() -> None:
    at = start()
    assert at.title[0].value == "Scenario"
    assert "'small'" in texts(at.info)  # broken.yaml sorts first but cannot load: skipped
    tabs = [t.label for t in at.tabs]
    assert tabs == [
        "Demand and onboarding",
        "Staff and headcount plan",
        "Recruitment",
        "Attrition and ramp-up",
        "Contractors",
        "Management policies",
        "Run settings",
    ]
    # Labels, units and help come from the schema.
    acceptance = by_label(at.number_input, "Offer acceptance (%)")
    assert acceptance.value == pytest.approx(85.0)
    assert "Share of offers accepted" in acceptance.help
    assert "recruitment.offer_acceptance" in acceptance.help
    assert "TEST: a made-up source" in acceptance.help  # the base value's source
    assert by_label(at.number_input, "Horizon (months)").value == 12
    editors = [e.key.split("#")[0] for e in at.data_editor]
    assert editors == [
        "w1:demand.departments",
        "w1:demand.request_types",
        "w1:staff_pools",
        "w1:staff_pools.headcount_plan",
        "w1:recruitment.hiring_freezes",
        "w1:staff_pools.attrition",
    ]
    assert not at.error


def test_editing_a_percent_field_stores_a_share_and_shows_the_difference() -> None:
    at = start()
    by_label(at.number_input, "Offer acceptance (%)").set_value(70.0).run()
    assert at.session_state["edited"]["recruitment"]["offer_acceptance"] == pytest.approx(0.7)
    assert "1 change(s) from 'small'" in texts(at.success)
    differences = at.table[-1].value
    # In the form's words and units, with the field's path in a file beside them.
    assert list(differences["In the file"]) == ["recruitment.offer_acceptance"]
    assert list(differences["What"]) == ["Offer acceptance"]
    assert list(differences["Base"]) == ["85%"] and list(differences["Now"]) == ["70%"]
    # The edited scenario runs under a name that says what was edited.
    assert "runs, downloads and reports as **small (edited: offer acceptance 70%)**" in texts(
        at.success
    )
    # The edit survives a trip to another page and back.
    at.switch_page(RESULTS).run()
    at.switch_page(SCENARIO).run()
    assert by_label(at.number_input, "Offer acceptance (%)").value == pytest.approx(70.0)
    by_label(at.button, "Undo all changes").click().run()
    assert at.session_state["edited"]["recruitment"]["offer_acceptance"] == pytest.approx(0.85)


def edit_table(at: AppTest, name: str, **state: Any) -> AppTest:
    """Apply a data editor's edit state (edited_rows, added_rows, deleted_rows), as a browser."""
    (key,) = [e.key for e in at.data_editor if e.key.split("#")[0].endswith(name)]
    at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **state}
    at.run()
    assert not at.exception, at.exception
    return at


def test_tables_add_change_and_delete_named_items() -> None:
    at = start()
    edit_table(
        at,
        ":demand.departments",
        edited_rows={1: {"demand_weight": 2.5}},
        added_rows=[{"name": "delta", "onboarding_date": "2015-01-01"}],
        deleted_rows=[0],
    )
    departments = at.session_state["edited"]["demand"]["departments"]
    assert [d["name"] for d in departments] == ["beta", "gamma", "delta"]
    assert departments[0]["demand_weight"] == 2.5
    assert departments[2]["onboarding_date"] == "2015-01-01"
    assert "1 change(s) from 'small'" in texts(at.success)  # the whole list, as one change


def test_renaming_a_pool_flows_through_every_table_that_shows_pools() -> None:
    at = start()
    edit_table(at, ":staff_pools", edited_rows={1: {"name": "strategy_team"}})
    # A request type still names the old pool: a readable problem, not a crash.
    assert "given 'strategists'; not a staff pool" in texts(at.error)
    edit_table(at, ":demand.request_types", edited_rows={1: {"skill_pool": "strategy_team"}})
    assert not at.error
    # The attrition table was rebuilt with the new name; an edit there lands on that pool.
    edit_table(at, ":staff_pools.attrition", edited_rows={1: {"attrition_rate_per_year": 30.0}})
    pools = at.session_state["edited"]["staff_pools"]
    assert [p["name"] for p in pools] == ["buyers", "strategy_team"]
    assert pools[1]["attrition_rate_per_year"] == pytest.approx(0.3)
    assert pools[1]["salary_gbp_per_year"] == 60000  # other fields kept
    # And the headcount plan table has a column for it.
    edit_table(
        at,
        ":staff_pools.headcount_plan",
        added_rows=[{"date": "2015-01-01", "strategy_team": 5}],
    )
    plan = at.session_state["edited"]["staff_pools"][1]["headcount_plan"]
    assert plan == [{"date": "2014-10-01", "headcount": 3}, {"date": "2015-01-01", "headcount": 5}]
    assert not at.error


def test_switching_a_distribution_keeps_its_scale() -> None:
    at = start()
    shape = [s for s in at.selectbox if s.key and s.key.endswith("recruitment.advert_days#kind")]
    assert shape[0].value == "triangular"
    shape[0].set_value("fixed").run()
    advert = at.session_state["edited"]["recruitment"]["advert_days"]
    assert advert["kind"] == "fixed"
    assert advert["value"] == pytest.approx((14 + 21 + 30) / 3)


def test_a_mistake_is_named_in_plain_words_and_blocks_running() -> None:
    at = start()
    by_label(at.number_input, "Resume below backlog (weeks)").set_value(20.0).run()
    assert not at.exception
    message = texts(at.error)
    # The deepest field at fault is named, with the value given and the rule.
    assert "policies → pause_onboarding → resume_below_backlog_weeks" in message
    assert "given 20.0; must not exceed pause_above_backlog_weeks (8)" in message
    at.switch_page(RESULTS).run()
    assert not at.exception
    beside_run = texts(at.error)
    assert "Run waits until these are fixed" in beside_run
    assert "resume_below_backlog_weeks" in beside_run
    assert by_label(at.button, "Run").disabled


def test_what_is_typed_is_what_runs_or_run_waits() -> None:
    """A value out of range is kept as typed (never clamped) and Run is disabled, naming the
    field and what is allowed; the settings the other pages use keep the last valid value."""
    at = start()
    by_label(at.number_input, "Offer acceptance (%)").set_value(150.0).run()
    assert "150 is not allowed: 0 to 100 %" in texts(at.caption)
    assert at.session_state["edited"]["recruitment"]["offer_acceptance"] == pytest.approx(1.5)
    # A minus sign typed in the staff grid is kept (the grid has no minimum to drop it at).
    edit_table(at, ":staff_pools", edited_rows={0: {"initial_headcount": -5}})
    assert at.session_state["edited"]["staff_pools"][0]["initial_headcount"] == -5
    assert "staff_pools → buyers → initial_headcount" in texts(at.error)
    edit_table(at, ":staff_pools", edited_rows={0: {"initial_headcount": 10}})
    at.switch_page(RESULTS).run()
    beside_run = texts(at.error)
    assert "recruitment → offer_acceptance" in beside_run
    assert by_label(at.button, "Run").disabled
    at.switch_page(SCENARIO).run()
    by_label(at.number_input, "Offer acceptance (%)").set_value(70.0).run()
    at.switch_page(RESULTS).run()
    assert not by_label(at.button, "Run").disabled
    by_label(at.number_input, "Replications (simulated futures)").set_value(1_000_000).run()
    assert by_label(at.number_input, "Replications (simulated futures)").value == 1_000_000
    assert "given 1,000,000; allowed 1 to 5,000" in texts(at.error)
    assert by_label(at.button, "Run").disabled
    assert at.session_state["run_settings"]["reps"] == 20


def test_choosing_a_broken_file_explains_it_and_keeps_the_scenario() -> None:
    at = start()
    at.selectbox(key="base_file").set_value("broken.yaml").run()
    by_label(at.button, "Use this scenario").click().run()
    assert not at.exception
    message = texts(at.error)
    assert "broken.yaml cannot be used" in message
    assert "run → horizon_months" in message and "given -3" in message
    assert at.session_state["base"].label == "small"


def test_choosing_another_file_loads_it_as_the_base() -> None:
    at = start()
    at.selectbox(key="base_file").set_value("small_faster.yaml").run()
    by_label(at.button, "Use this scenario").click().run()
    assert at.session_state["base"].label == "small_faster"
    assert at.session_state["base"].parent == "small.yaml"
    assert at.session_state["edited"]["recruitment"]["approval_days"]["value"] == 5


# --- uploads ------------------------------------------------------------------------------------


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.radio(key="base_source").set_value("A scenario file of my own (upload)").run()
    at.file_uploader[0].set_value((name, content, "application/x-yaml")).run()
    assert not at.exception, at.exception
    return at


BAD_UPLOADS = [
    ("syntax.yaml", b"name: x\nrun: {horizon_months: 12\n", "malformed YAML"),
    ("syntax.yaml", b"name: x\nrun: {horizon_months: 12\n", "line "),
    ("big.yaml", b"#" * (300 * 1024), "at most 256 KB"),
    ("binary.yaml", b"\xff\xfe\x00\x01", "UTF-8"),
    ("list.yaml", b"- just\n- a list\n", "a mapping of keys to values"),
    (
        "typo.yaml",
        b"extends: small.yaml\nrun: {horizon_monhts: 6}\n",
        "did you mean 'horizon_months'",
    ),
    (
        "value.yaml",
        b"extends: small.yaml\nrecruitment: {offer_acceptance: 1.5}\n",
        "less than or equal to 1",
    ),
    ("escape.yaml", b"extends: ../../etc/passwd\n", "a file name in scenarios/"),
    ("missing.yaml", b"extends: nowhere.yaml\n", "one of the scenarios in the app"),
    (
        # Aliases are limited by how much they expand to, not how many there are.
        "aliases.yaml",
        (Path(__file__).parent / "data" / "hostile" / "alias_bomb.yaml").read_bytes(),
        "(MAX_EXPANDED_NODES)",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), BAD_UPLOADS)
def test_a_bad_upload_gives_readable_problems_and_changes_nothing(
    name: str, content: bytes, expected: str
) -> None:
    at = upload(start(), name, content)
    message = texts(at.error)
    assert f"**{name}** cannot be used" in message
    assert expected in message
    assert "Traceback" not in message
    assert at.session_state["base"].label == "small"


def test_a_good_upload_may_extend_a_file_of_the_scenarios_folder() -> None:
    content = b"extends: small.yaml\nname: my_upload\nrecruitment: {offer_acceptance: 0.95}\n"
    at = upload(start(), "mine.yaml", content)
    assert not at.error
    base = at.session_state["base"]
    assert (base.label, base.origin, base.parent) == ("my_upload", "upload", "small.yaml")
    assert at.session_state["edited"]["recruitment"]["offer_acceptance"] == pytest.approx(0.95)
    assert "upload:mine.yaml" in texts(at.info)


# --- Run and results ----------------------------------------------------------------------------


def test_a_run_shows_the_verdict_cards_and_charts_then_reruns_instantly_from_the_cache(
    app_env: Path,
) -> None:
    at = run_results(start(), reps=3)
    assert VERDICT in [h.value for h in at.header]
    verdict = texts(at.error) + texts(at.warning) + texts(at.success)
    assert "of 3 simulated futures" in verdict or "none of the 3 simulated futures" in verdict
    assert len(at.metric) >= 16
    assert len(at.get("vega_lite_chart")) >= 10
    finished = [p for p in (app_env / "cache").iterdir() if p.is_dir()]
    assert len(finished) == 1 and finished[0].name.endswith("-s2014-r3")
    manifest = json.loads((finished[0] / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert re.fullmatch(r"shared process pool, \d+ workers", manifest["executor"])
    assert manifest["scenario_file"] == "scenarios/small.yaml"

    # Another session, same inputs: no Run button press needed, and no second run directory.
    again = start()
    again.switch_page(RESULTS).run()
    again.number_input(key="run_settings.reps").set_value(3).run()
    before = {p.name: p.stat().st_mtime_ns for p in finished[0].iterdir()}
    again.run()
    # From the cache, not a simulation: said so, and nothing in the run directory rewritten.
    assert "results from the cache" in texts(again.caption)
    assert {p.name: p.stat().st_mtime_ns for p in finished[0].iterdir()} == before
    assert VERDICT in [h.value for h in again.header]
    assert len([p for p in (app_env / "cache").iterdir() if p.is_dir()]) == 1


def test_an_edited_scenario_runs_on_the_shared_pool_and_records_its_edits(app_env: Path) -> None:
    at = start()
    by_label(at.number_input, "Offer acceptance (%)").set_value(95.0).run()
    at = run_results(at, reps=4)
    assert VERDICT in [h.value for h in at.header]
    run_dir = Path(at.session_state["last_run"])
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert re.fullmatch(r"shared process pool, \d+ workers", manifest["executor"])
    assert manifest["scenario_file"] == "scenarios/small.yaml (edited in the planners' app)"
    assert manifest["overrides"] == ["recruitment.offer_acceptance=0.95"]
    source = manifest["scenario"]["sources"]["recruitment.offer_acceptance"]
    assert source.startswith("EDITED in the planners' app") and "TEST: a made-up source" in source


def test_results_change_scope_to_one_staff_pool() -> None:
    at = run_results(start())
    at.selectbox(key="results.scope").set_value("buyers").run()
    at.selectbox(key="results.pipeline_scope").set_value("strategists").run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) >= 10


def test_results_of_an_earlier_version_are_marked_as_such() -> None:
    at = run_results(start())
    at.switch_page(SCENARIO).run()
    by_label(at.number_input, "Horizon (months)").set_value(6).run()
    at.switch_page(RESULTS).run()
    # Which run they are, and that they are not of what is on the Scenario page now.
    assert "of an earlier run: 'small', 3 replications, seed 2014" in texts(at.warning)


# --- Compare ------------------------------------------------------------------------------------


def test_compare_with_a_variant_uses_common_random_numbers() -> None:
    at = start()
    at.switch_page(RESULTS).run()
    at.number_input(key="run_settings.reps").set_value(4).run()
    at.switch_page(COMPARE).run()
    assert not at.exception
    at.selectbox(key="compare.other").set_value("small_faster.yaml").run()
    by_label(at.button, "Run the comparison").click().run()
    assert not at.exception, at.exception
    assert "Does it close the gap?" in [h.value for h in at.header]
    paired = at.session_state["compare_table"].set_index("kpi")
    # Only recruitment differs, so demand is identical replication by replication.
    assert paired.loc["arrivals", "difference"] == 0
    assert paired.loc["demand_multiplier", "difference"] == 0
    assert len(at.get("vega_lite_chart")) >= 5, [e.value for e in at.error + at.caption]


def test_compare_with_the_unedited_base_says_they_are_identical() -> None:
    at = start()
    at.switch_page(COMPARE).run()
    assert "identical" in texts(at.info)


# --- Downloads ----------------------------------------------------------------------------------


def test_downloads_before_and_after_a_run() -> None:
    at = start()
    at.switch_page(DOWNLOADS).run()
    assert "Nothing to download yet" in texts(at.info)
    at = run_results(at)
    at.switch_page(DOWNLOADS).run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    for name in (
        "The whole run directory (zip)",
        "manifest.json",
        "scenario.yaml",
        "summary.csv",
        "kpis.csv",
        "monthly.csv",
        "monthly_by_pool.csv",
        "pools.csv",
    ):
        assert name in labels


def _snapshot_zip(folder: Path, month: int, rep: int) -> bytes:
    """The model's own state of small.yaml at the start of `month`, zipped as a planner would
    zip the snapshot folder."""
    import io
    import zipfile

    from sim.model.streams import replication_seed_sequence
    from sim.results.state_snapshot import write_model_snapshot
    from sim.scenario.files import load_scenario

    scenario = load_scenario(Path(__file__).parent / "data" / "app" / "small.yaml")
    write_model_snapshot(scenario, replication_seed_sequence(2014, rep), month, folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.writestr(f"{folder.name}/{path.name}", path.read_bytes())
    return buffer.getvalue()


def test_a_snapshot_starts_the_run_on_its_date_and_a_different_one_never_reuses_a_run(
    app_env: Path, tmp_path: Path
) -> None:
    from app_pages.snapshot_view import Upload
    from sim.scenario.snapshot import snapshot_sha256

    first = _snapshot_zip(tmp_path / "october", 6, 0)
    at = start()
    at.session_state["snapshot.accepted"] = Upload("october.zip", first)
    at.run()
    assert not at.exception, at.exception
    shown = texts(at.success)
    assert "Starting from **october.zip**" in shown and "on **01 October 2014**" in shown
    assert "staff in post" in shown and texts(at.markdown).count("**Work in hand:**") == 1
    at = run_results(at, reps=2)
    assert "12 months from 01 Oct 2014" in texts(at.caption)
    run_dir = Path(at.session_state["last_run"])
    manifest = json.loads((run_dir / "manifest.json").read_text())
    start_state = manifest["scenario"]["start_state"]
    assert start_state["snapshot_sha256"] == snapshot_sha256(tmp_path / "october")
    assert manifest["scenario"]["run"]["start_date"] == "2014-10-01"
    assert manifest["scenario_file"] == (
        f"scenarios/small.yaml, starting from snapshot october (SHA-256 "
        f"{start_state['snapshot_sha256']})"
    )

    # Another snapshot of the same day (another replication's state): another run, not the
    # cached one, and its own SHA-256 in its manifest.
    second = _snapshot_zip(tmp_path / "b", 6, 1)
    at.session_state["snapshot.accepted"] = Upload("october.zip", second)
    at.run()
    assert "The results below are of an earlier run" in texts(at.warning)  # not this snapshot's
    by_label(at.button, "Run").click().run()
    assert not at.exception, at.exception
    other = Path(at.session_state["last_run"])
    assert other != run_dir and "results from the cache" not in texts(at.caption)
    manifest = json.loads((other / "manifest.json").read_text())
    assert manifest["scenario"]["start_state"]["snapshot_sha256"] == snapshot_sha256(tmp_path / "b")
