"""The app's Evidence page (headless AppTest): sensitivity, plan and report, as the CLI does."""

from __future__ import annotations

import pytest
from app_fixtures import APP, app_env
from streamlit.testing.v1 import AppTest

__all__ = ["app_env"]  # the fixture, imported for pytest

pytestmark = [pytest.mark.usefixtures("app_env", "report_checks_once"), pytest.mark.slow]

EVIDENCE = "app_pages/evidence.py"


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, [b.label for b in at.button]
    return found[0]


def test_a_planner_runs_a_sweep_a_plan_and_downloads_a_report() -> None:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.session_state["run_settings"] = {"reps": 3, "seed": 2014}
    at.switch_page(EVIDENCE).run()
    assert not at.exception
    assert [t.label for t in at.tabs] == [
        "Sensitivity and switching values",
        "Least-cost plan",
        "Report",
    ]
    button(at, "Run the sensitivity analysis").click().run()
    assert not at.exception and not at.error
    shown = "\n".join(m.value for m in at.markdown)
    assert "demand_scale (outrun)" in shown or "Switching value" in shown
    button(at, "Find the least-cost plan").click().run()
    assert not at.exception and not at.error
    assert any(m.value.startswith("Target: `sla_attainment >= 0.8`") for m in at.markdown)
    button(at, "Write the report").click().run()
    assert not at.exception and not at.error
    assert "Optimism bias" in at.success[0].value and "Provenance" in at.success[0].value
    labels = [d.label for d in at.get("download_button")]
    assert "Download report.html" in labels


def test_a_bad_lever_value_is_a_message_not_a_crash() -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(EVIDENCE).run()
    at.text_input(key="sweep.values.demand_scale").set_value("0.9, lots").run()
    assert not at.exception
    assert any("demand_scale" in e.value for e in at.error)
