"""The form beside each editable grid (headless AppTest): a planner who cannot use the canvas grid
edits the same rows through labelled boxes, and what they type is what runs, or Run waits.

Sessions start on tests/data/app/small.yaml (departments alpha, beta, gamma; pools buyers and
strategists; a headcount plan with steps on 1 June and 1 October 2014).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from app_fixtures import APP, app_env
from streamlit.testing.v1 import AppTest

__all__ = ["app_env"]  # the fixture, imported for pytest

pytestmark = [pytest.mark.usefixtures("app_env"), pytest.mark.slow]

RESULTS = "app_pages/results.py"
SCENARIO = "app_pages/scenario.py"


def start() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def key(path: str) -> str:
    """A Scenario page widget's key in a session's first scenario (see app_pages.state)."""
    return f"w1:{path}"


def texts(elements: Any) -> str:
    return "\n".join(str(e.value) for e in elements)


def grid(at: AppTest, path: str) -> Any:
    """The data editor of the grid at `path`, as last drawn (its key carries a version)."""
    (found,) = [e for e in at.data_editor if e.key.split("#")[0] == key(path)]
    return found


def button(at: AppTest, label: str) -> Any:
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}; have {[b.label for b in at.button]}"
    return found[0]


def departments(at: AppTest) -> list[dict[str, Any]]:
    return list(at.session_state["edited"]["demand"]["departments"])


def test_an_edit_through_the_form_is_what_the_grid_shows_and_what_runs() -> None:
    at = start()
    at.selectbox(key=key("demand.departments#form.row")).set_value(1).run()
    weight = at.number_input(key=key("demand.departments.beta.demand_weight"))
    assert weight.label == "Demand weight"
    assert "Allowed: 0 to 1,000." in weight.help  # the range, as the grid's column help gives it
    weight.set_value(2.5).run()
    assert not at.exception, at.exception
    assert departments(at)[1]["demand_weight"] == 2.5
    assert [d["name"] for d in departments(at)] == ["alpha", "beta", "gamma"]  # nothing else
    # The grid was rebuilt from the data: it shows the form's value, and a later edit in the
    # grid (to another row) keeps it rather than writing its old table back.
    assert list(grid(at, "demand.departments").value["demand_weight"]) == [1.0, 2.5, 1.0]
    editor = grid(at, "demand.departments").key
    at.session_state[editor] = {
        "edited_rows": {0: {"demand_weight": 3.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert [d["demand_weight"] for d in departments(at)] == [3.0, 2.5, 1.0]
    assert at.number_input(key=key("demand.departments.beta.demand_weight")).value == 2.5
    assert "(edited: alpha: demand weight 3, beta: demand weight 2.5)" in texts(at.success)

    at.switch_page(RESULTS).run()
    at.number_input(key="run_settings.reps").set_value(2).run()
    if not any(b.label == "Run" and b.disabled for b in at.button):
        button(at, "Run").click().run()
    assert not at.exception, at.exception
    manifest = json.loads((Path(at.session_state["last_run"]) / "manifest.json").read_text())
    ran = manifest["scenario"]["demand"]["departments"]
    assert [d["demand_weight"] for d in ran] == [3.0, 2.5, 1.0]


def test_a_value_out_of_range_in_the_form_is_kept_as_typed_and_blocks_run() -> None:
    at = start()
    at.selectbox(key=key("demand.departments#form.row")).set_value(1).run()
    at.number_input(key=key("demand.departments.beta.demand_weight")).set_value(-2.0).run()
    # Kept as typed (never clamped to 0), said at once under the box, and named as a problem.
    assert departments(at)[1]["demand_weight"] == -2.0
    assert at.number_input(key=key("demand.departments.beta.demand_weight")).value == -2.0
    assert "-2 is not allowed: 0 to 1,000. Run waits for this." in texts(at.caption)
    assert "demand → departments → beta → demand_weight" in texts(at.error)
    at.switch_page(RESULTS).run()
    assert "demand_weight" in texts(at.error)
    assert button(at, "Run").disabled
    # Fixed through the form, Run is offered again.
    at.switch_page(SCENARIO).run()
    at.number_input(key=key("demand.departments.beta.demand_weight")).set_value(2.0).run()
    at.switch_page(RESULTS).run()
    assert not button(at, "Run").disabled


def test_rows_are_added_and_removed_through_the_form_and_the_plan_by_date() -> None:
    at = start()
    button(at, "Add a department").click().run()
    assert not at.exception, at.exception
    assert len(departments(at)) == 4 and "name" not in departments(at)[3]
    # The new row is the one the form shows; it has no name yet, so Run waits for one.
    assert at.selectbox(key=key("demand.departments#form.row")).value == 3
    assert "name" in texts(at.error)
    at.text_input(key=key("demand.departments.Department 4.name")).input("delta").run()
    assert departments(at)[3]["name"] == "delta"
    assert list(grid(at, "demand.departments").value["name"]) == ["alpha", "beta", "gamma", "delta"]
    button(at, "Remove delta").click().run()
    assert [d["name"] for d in departments(at)] == ["alpha", "beta", "gamma"]

    # The headcount plan: a date at a time, a box per pool (blank: no step on that date).
    chooser = at.selectbox(key=key("staff_pools.headcount_plan#form.row"))
    assert chooser.options == ["01 Jun 2014", "01 Oct 2014"]
    strategists = at.number_input(key=key("staff_pools.strategists.headcount_plan.2014-06-01"))
    assert strategists.value is None  # no step for strategists on 1 June: a blank box
    strategists.set_value(2).run()
    pools = at.session_state["edited"]["staff_pools"]
    assert pools[1]["headcount_plan"] == [
        {"date": "2014-06-01", "headcount": 2},
        {"date": "2014-10-01", "headcount": 3},
    ]
    assert list(grid(at, "staff_pools.headcount_plan").value["strategists"]) == [2, 3]
    button(at, "Add a date").click().run()
    pools = at.session_state["edited"]["staff_pools"]
    # A year after the last date, each pool's establishment as the plan leaves it.
    assert pools[0]["headcount_plan"][-1] == {"date": "2015-10-01", "headcount": 8}
    assert pools[1]["headcount_plan"][-1] == {"date": "2015-10-01", "headcount": 3}
    assert at.selectbox(key=key("staff_pools.headcount_plan#form.row")).value == 2
    assert not at.exception, at.exception
    # A staff pool added through the form has no name yet: it has no column of the plan (nor a
    # box in its form) until it is named, and Run waits for the name.
    button(at, "Add a staff pool").click().run()
    assert not at.exception, at.exception
    assert len(at.session_state["edited"]["staff_pools"]) == 3
    plan_grid = grid(at, "staff_pools.headcount_plan").value
    assert list(plan_grid.columns) == ["date", "buyers", "strategists"]
    assert "staff_pools → row 3 → name**: required but missing" in texts(at.error)
