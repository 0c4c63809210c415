"""Scenario files: loading, extends, overrides, round trips, and the messages users see."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim import ScenarioError, load_scenario, parse_scenario, scenario_json_schema, scenario_to_yaml
from sim.scenario.distributions import Exponential, Triangular

MINIMAL = """\
name: minimal
demand:
  departments:
    - {name: home_office, onboarding_date: 2014-04-01}
  request_types:
    - name: call_off
      skill_pool: buyers
      arrivals_per_month: 10
      effort_person_days: {kind: exponential, mean: 2}
      sla_target_days: 40
staff_pools:
  - name: buyers
    initial_headcount: 3
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def problems_of(path: Path, overrides: list[str] | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return [str(p) for p in caught.value.problems]


def test_minimal_file_loads_with_defaults(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "a.yaml", MINIMAL))
    assert scenario.staff_pools[0].initial_headcount == 3
    assert scenario.demand.request_types[0].effort_person_days == Exponential(mean=2)
    assert scenario.run.horizon_months == 48


def test_yaml_round_trip_gives_an_equal_scenario(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "a.yaml", MINIMAL))
    again = parse_scenario(yaml.safe_load(scenario_to_yaml(scenario)))
    assert again == scenario


def test_extends_merges_named_items_and_replaces_distributions(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", MINIMAL)
    variant = write(
        tmp_path,
        "variant.yaml",
        "extends: base.yaml\nname: variant\n"
        "demand:\n  request_types:\n    - name: call_off\n"
        "      effort_person_days: {kind: triangular, low: 1, mode: 2, high: 4}\n"
        "staff_pools:\n  - name: buyers\n    initial_headcount: 9\n",
    )
    scenario = load_scenario(variant)
    assert scenario.name == "variant"
    assert scenario.staff_pools[0].initial_headcount == 9
    assert scenario.demand.request_types[0].sla_target_days == 40  # kept from the base
    assert scenario.demand.request_types[0].effort_person_days == Triangular(low=1, mode=2, high=4)


def test_overrides_by_name_and_index(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", MINIMAL)
    scenario = load_scenario(
        path,
        [
            "staff_pools.buyers.initial_headcount=7",
            "demand.request_types.0.arrivals_per_month=12.5",
            "recruitment.offer_acceptance=0.8",
            "demand.patience_days={kind: fixed, value: 30}",
        ],
    )
    assert scenario.staff_pools[0].initial_headcount == 7
    assert scenario.demand.request_types[0].arrivals_per_month == 12.5
    assert scenario.recruitment.offer_acceptance == 0.8
    assert scenario.demand.patience_days is not None
    assert scenario.demand.patience_days.mean == 30


def test_bare_number_is_a_fixed_distribution(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "a.yaml", MINIMAL), ["recruitment.advert_days=21"])
    assert scenario.recruitment.advert_days.mean == 21


def test_every_problem_is_named_with_path_value_and_what_is_allowed(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", MINIMAL)
    bad = write(
        tmp_path,
        "bad.yaml",
        "extends: base.yaml\n"
        "demand:\n  request_types:\n    - name: call_off\n      sla_target_days: -3\n"
        "      skil_pool: x\n"
        "recruitment:\n  offer_acceptance: 1.4\n",
    )
    lines = problems_of(bad)
    assert "demand.request_types.0.sla_target_days: given -3; greater than 0" in lines
    assert "recruitment.offer_acceptance: given 1.4; less than or equal to 1" in lines
    unknown = next(line for line in lines if "skil_pool" in line)
    assert "did you mean 'skill_pool'?" in unknown
    assert unknown.startswith("demand.request_types.0.skil_pool: given 'x'; unknown key")


def test_bad_distribution_parameters_name_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", MINIMAL)
    lines = problems_of(
        path, ["recruitment.advert_days={kind: triangular, low: 5, mode: 2, high: 3}"]
    )
    assert len(lines) == 1
    # The deepest field at fault: the mode lies below low.
    assert lines[0].startswith("recruitment.advert_days.mode: given 2; ")
    assert "low <= mode <= high" in lines[0]
    lines = problems_of(path, ["recruitment.advert_days={kind: gamma, shape: 2}"])
    assert lines[0].startswith("recruitment.advert_days: given ")
    assert "'fixed'" in lines[0] and "'triangular'" in lines[0]


@pytest.mark.parametrize(
    ("policy", "act", "release"),
    [
        ("pause_onboarding", "pause_above_backlog_weeks", "resume_below_backlog_weeks"),
        ("surge_contractors", "surge_above_backlog_weeks", "release_below_backlog_weeks"),
    ],
)
def test_a_policy_must_let_go_at_or_below_where_it_acts(
    tmp_path: Path, policy: str, act: str, release: str
) -> None:
    path = write(tmp_path, "a.yaml", MINIMAL)
    lines = problems_of(path, [f"policies.{policy}.{act}=6", f"policies.{policy}.{release}=7"])
    assert lines == [f"policies.{policy}.{release}: given 7; must not exceed {act} (6)"]
    at_the_level = [f"policies.{policy}.{act}=6", f"policies.{policy}.{release}=6"]
    assert load_scenario(path, at_the_level).policies.model_dump()[policy][release] == 6


def test_cross_references_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", MINIMAL)
    lines = problems_of(path, ["demand.request_types.0.skill_pool=lawyers"])
    assert lines == [
        "demand.request_types.0.skill_pool: given 'lawyers'; not a staff pool; allowed: buyers"
    ]
    lines = problems_of(path, ["staff_pools.0.vetting_level=sc"])
    assert lines[0].startswith("staff_pools.0.vetting_level: given 'sc'; not in")


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "name: x\n  foo: [1,\n")
    (line,) = problems_of(path)
    assert line.startswith("line 2, column 6: malformed YAML")


def test_missing_file_and_extends_cycle(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope.yaml") == [
        f"(scenario): given {tmp_path / 'nope.yaml'}; no such scenario file"
    ]
    write(tmp_path, "d.yaml", "extends: e.yaml\n")
    write(tmp_path, "e.yaml", "extends: d.yaml\n")
    (line,) = problems_of(tmp_path / "d.yaml")
    assert line == "extends: given d.yaml -> e.yaml -> d.yaml; extends must not form a cycle"
    write(tmp_path, "f.yaml", "extends: missing.yaml\n")
    (line,) = problems_of(tmp_path / "f.yaml")
    assert line.startswith("extends: given missing.yaml; a scenario file beside f.yaml")


def test_bad_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", MINIMAL)
    lines = problems_of(
        path,
        ["recruitment.offer_acceptanc=0.8", "no_equals_sign", "staff_pools.lawyers.salary_gbp=1"],
    )
    assert lines[0].startswith("recruitment.offer_acceptanc: given offer_acceptanc; unknown key")
    assert "did you mean 'offer_acceptance'?" in lines[0]
    assert lines[1] == "--set: given no_equals_sign; KEY=VALUE, e.g. run.horizon_months=36"
    assert lines[2] == "staff_pools.lawyers: given lawyers; an index or one of: buyers"
    (line,) = problems_of(path, ["run.horizon_months=abc"])
    assert line.startswith("run.horizon_months: given 'abc'; ")


def test_sources_must_name_real_fields(tmp_path: Path) -> None:
    text = MINIMAL + "sources:\n  staff_pools.buyers.initial_headcount: S2a\n"
    assert load_scenario(write(tmp_path, "ok.yaml", text)).sources
    text = MINIMAL + "sources:\n  staff_pools.buyers.headcount: S2a\n"
    (line,) = problems_of(write(tmp_path, "bad.yaml", text))
    assert line.startswith("sources.staff_pools.buyers.headcount: ")


def test_json_schema_describes_the_scenario() -> None:
    schema = scenario_json_schema()
    assert schema["title"] == "Scenario"
    assert {"demand", "staff_pools", "recruitment"} <= set(schema["properties"])
    pool = schema["$defs"]["StaffPool"]["properties"]
    assert "attrition_rate_per_year" in pool
    assert schema["$defs"]["StaffPool"]["additionalProperties"] is False
