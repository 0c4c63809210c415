"""Every file in scenarios/ validates, names its sources, and runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import load_scenario, simulate
from sim.scenario.files import read_scenario_data

pytestmark = pytest.mark.slow

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


def test_the_catalogue_has_the_baseline_the_plan_and_variants() -> None:
    names = {p.stem for p in SCENARIOS}
    assert {"baseline", "plan_2014", "plan_2014_pause_onboarding"} <= names
    variants = [p for p in SCENARIOS if "extends" in p.read_text()]
    assert len(variants) >= 5


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_validates_and_runs(path: Path) -> None:
    scenario = load_scenario(path)
    result = simulate(scenario, 1)
    assert result.kpis["arrivals"] > 0
    assert len(result.monthly) == scenario.run.horizon_months


def test_baseline_names_a_source_for_every_number() -> None:
    """Each numeric leaf of the baseline has a `sources:` entry (its own or an enclosing one)."""
    path = next(p for p in SCENARIOS if p.stem == "baseline")
    data = read_scenario_data(path)
    sources = set(load_scenario(path).sources)
    missing = [leaf for leaf in _numeric_leaves(data) if not _covered(leaf, sources)]
    assert missing == []


def _numeric_leaves(node: object, path: tuple[str, ...] = ()) -> list[str]:
    if isinstance(node, dict):
        if path and path[0] == "sources":
            return []
        return [leaf for k, v in node.items() for leaf in _numeric_leaves(v, (*path, str(k)))]
    if isinstance(node, list):
        leaves = []
        for i, item in enumerate(node):
            key = item.get("name", str(i)) if isinstance(item, dict) else str(i)
            leaves.extend(_numeric_leaves(item, (*path, str(key))))
        return leaves
    if isinstance(node, int | float) and not isinstance(node, bool):
        return [".".join(path)]
    return []


def _covered(leaf: str, sources: set[str]) -> bool:
    parts = leaf.split(".")
    return any(".".join(parts[:n]) in sources for n in range(len(parts), 0, -1))
