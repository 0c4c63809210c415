"""Levers: the inputs that sweeps, plans and the optimism-bias variant turn.

A lever is a key and a number (or any YAML value) that changes a scenario. The key is either

- a dotted field path, as in `--set` (`recruitment.offer_acceptance`), where `*` stands for every
  item of a list or mapping (`staff_pools.*.attrition_rate_per_year` sets it in every pool); the
  value replaces the field; or
- one of the named levers in `NAMED_LEVERS`, which act on many fields at once relative to the
  scenario as written (`recruitment_time_scale=1.2` makes every recruitment stage 20% longer).

Levers act on the fully resolved scenario (every default filled in) and the result is validated
again, so a lever can never produce a scenario that `ccs-sim validate` would reject. A lever at
its base value leaves the scenario byte-for-byte unchanged, so its runs are shared (cached) with
the scenario's own.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.errors import Problem, ScenarioError
from sim.scenario.files import apply_overrides, parse_scenario
from sim.scenario.safe_yaml import YamlSyntaxError, load_yaml
from sim.scenario.schema import Scenario, scenario_fields

__all__ = [
    "NAMED_LEVERS",
    "OPTIMISM_BIAS_ANALOGUE",
    "Lever",
    "LeverSetting",
    "NamedLever",
    "apply_levers",
    "base_value",
    "optimism_bias_variant",
    "parse_lever_range",
    "parse_lever_values",
    "scale_distribution",
]

Data = dict[str, Any]

# The fields of each distribution kind that carry its scale (multiplying them all multiplies
# every variate by the same factor).
_SCALED_FIELDS = {
    "fixed": ("value",),
    "exponential": ("mean",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("mean", "sd"),
    "lognormal_percentile": ("median", "value"),
    "empirical": ("values",),
}

RECRUITMENT_STAGES = ("approval_days", "advert_days", "sift_interview_days", "offer_days")


def scale_distribution(dist: Data, factor: float) -> Data:
    """A distribution (as plain data) whose every variate is `factor` times the original's."""
    scaled = dict(dist)
    for name in _SCALED_FIELDS[str(dist["kind"])]:
        value = dist[name]
        scaled[name] = [v * factor for v in value] if isinstance(value, list) else value * factor
    return scaled


# --- named levers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedLever:
    """A lever that changes several fields at once, relative to the scenario as written."""

    name: str
    description: str
    base: float
    apply: Callable[[Data, float], list[str]]  # edits data in place; returns the paths changed
    minimum: float = 0.0
    integer: bool = False


def _recruitment_time(data: Data, factor: float) -> list[str]:
    changed = []
    recruitment = data["recruitment"]
    for stage in RECRUITMENT_STAGES:
        recruitment[stage] = scale_distribution(recruitment[stage], factor)
        changed.append(f"recruitment.{stage}")
    for name, level in recruitment["vetting_levels"].items():
        level["duration_days"] = scale_distribution(level["duration_days"], factor)
        changed.append(f"recruitment.vetting_levels.{name}.duration_days")
    for pool in data["staff_pools"]:
        pool["joiner_notice_days"] = scale_distribution(pool["joiner_notice_days"], factor)
        changed.append(f"staff_pools.{pool['name']}.joiner_notice_days")
    return changed


def _ramp_up_time(data: Data, factor: float) -> list[str]:
    for pool in data["staff_pools"]:
        # The schema caps ramp-up at 260 weeks (five years).
        pool["ramp_up"]["weeks_to_full"] = min(260.0, pool["ramp_up"]["weeks_to_full"] * factor)
    return [f"staff_pools.{p['name']}.ramp_up.weeks_to_full" for p in data["staff_pools"]]


def _attrition(data: Data, factor: float) -> list[str]:
    for pool in data["staff_pools"]:
        pool["attrition_rate_per_year"] = min(2.0, pool["attrition_rate_per_year"] * factor)
    return [f"staff_pools.{p['name']}.attrition_rate_per_year" for p in data["staff_pools"]]


def _demand(data: Data, factor: float) -> list[str]:
    types = data["demand"]["request_types"]
    for rtype in types:
        rtype["arrivals_per_month"] *= factor
    return [f"demand.request_types.{t['name']}.arrivals_per_month" for t in types]


def _headcount_plan(data: Data, factor: float) -> list[str]:
    for pool in data["staff_pools"]:
        for step in pool["headcount_plan"]:
            step["headcount"] = round(step["headcount"] * factor)
    return [f"staff_pools.{p['name']}.headcount_plan" for p in data["staff_pools"]]


def _plan_advance(data: Data, months: float) -> list[str]:
    start = dt.date.fromisoformat(data["run"]["start_date"])
    for pool in data["staff_pools"]:
        by_date: dict[str, Data] = {}
        for step in pool["headcount_plan"]:
            moved = max(start, _months_earlier(dt.date.fromisoformat(step["date"]), months))
            # Steps pulled back to the start date collapse into one: the latest of them holds.
            by_date[moved.isoformat()] = {**step, "date": moved.isoformat()}
        pool["headcount_plan"] = list(by_date.values())
    return [f"staff_pools.{p['name']}.headcount_plan" for p in data["staff_pools"]]


def _months_earlier(day: dt.date, months: float) -> dt.date:
    """`day` moved back by whole calendar months (1 May -> 1 April), then by any fraction of a
    month in days."""
    whole = math.floor(months)
    index = day.year * 12 + day.month - 1 - whole
    year, month = divmod(index, 12)
    month_days = calendar.monthrange(year, month + 1)[1]
    moved = dt.date(year, month + 1, min(day.day, month_days))
    return moved - dt.timedelta(days=round((months - whole) * 365.25 / 12))


def _onboarding_pace(data: Data, pace: float) -> list[str]:
    start = dt.date.fromisoformat(data["run"]["start_date"])
    for dept in data["demand"]["departments"]:
        offset = (dt.date.fromisoformat(dept["onboarding_date"]) - start).days
        dept["onboarding_date"] = (start + dt.timedelta(days=round(offset / pace))).isoformat()
    return [
        f"demand.departments.{d['name']}.onboarding_date" for d in data["demand"]["departments"]
    ]


NAMED_LEVERS: dict[str, NamedLever] = {
    lever.name: lever
    for lever in (
        NamedLever(
            "headcount_plan_scale",
            "multiplies every pool's planned establishment (headcount_plan steps; 1.2 = 20% "
            "more posts); staff in post at the start are unchanged",
            1.0,
            _headcount_plan,
        ),
        NamedLever(
            "plan_advance_months",
            "moves every headcount_plan step this many months earlier, so recruitment for it "
            "starts earlier (steps before the run start happen at the start)",
            0.0,
            _plan_advance,
            minimum=-600.0,
        ),
        NamedLever(
            "onboarding_pace",
            "pace at which departments move to CCS relative to the plan (0.5 = half as fast: "
            "each onboarding date twice as far from the run start)",
            1.0,
            _onboarding_pace,
            minimum=1e-3,
        ),
        NamedLever(
            "recruitment_time_scale",
            "multiplies every recruitment duration: approval, advert, sift and interview, "
            "offer, vetting and the joiner's notice (1.2 = 20% longer)",
            1.0,
            _recruitment_time,
        ),
        NamedLever(
            "ramp_up_time_scale",
            "multiplies every pool's ramp-up time to full productivity (weeks_to_full)",
            1.0,
            _ramp_up_time,
        ),
        NamedLever(
            "attrition_scale",
            "multiplies every pool's annual attrition rate",
            1.0,
            _attrition,
        ),
        NamedLever(
            "demand_scale",
            "multiplies the arrival rate of every request type (1.1 = 10% more requests)",
            1.0,
            _demand,
        ),
    )
}


# --- levers and their settings ------------------------------------------------------------------


@dataclass(frozen=True)
class Lever:
    """A lever and the values to try."""

    key: str
    values: tuple[Any, ...]

    @property
    def named(self) -> NamedLever | None:
        """The named lever, or None for a field path."""
        return NAMED_LEVERS.get(self.key)

    @property
    def numeric(self) -> bool:
        """True if every value is a number (needed for switching values and plans)."""
        return all(_is_number(v) for v in self.values)

    @property
    def integer(self) -> bool:
        """True for a whole-number lever: a named one that says so, or a field path whose values
        are all given as whole numbers (e.g. a headcount)."""
        if self.named is not None:
            return self.named.integer
        return all(isinstance(v, int) and not isinstance(v, bool) for v in self.values)


@dataclass(frozen=True)
class LeverSetting:
    """Levers at particular values: one point of a sweep or plan. Empty = the scenario as is."""

    values: tuple[tuple[str, Any], ...] = field(default_factory=tuple)

    def label(self) -> str:
        """A readable label, e.g. `demand_scale=1.1, recruitment.offer_acceptance=0.7`."""
        return ", ".join(f"{k}={_show(v)}" for k, v in self.values) or "as given"

    def as_dict(self) -> dict[str, Any]:
        """The settings as a mapping from lever key to value."""
        return dict(self.values)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return json.dumps(value) if not isinstance(value, str) else value


def parse_lever_values(text: str, option: str = "--vary") -> Lever:
    """`KEY=V1,V2,...` or `KEY=LO:HI[:STEP]` into a Lever (values read as YAML)."""
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key or not raw:
        raise ScenarioError(
            [
                Problem(
                    option,
                    text,
                    "KEY=V1,V2,... or KEY=LOW:HIGH[:STEP], e.g. demand_scale=0.9,1,1.1",
                )
            ]
        )
    if ":" in raw and "," not in raw and not raw.startswith(("{", "[")):
        return parse_lever_range(key, raw, option)
    values = tuple(_read_value(part.strip(), option, text) for part in raw.split(","))
    _check_named_values(key, values, option)
    return Lever(key, values)


def parse_lever_range(key: str, raw: str, option: str = "--lever") -> Lever:
    """`LO:HI` (whole numbers: every one; otherwise five even steps) or `LO:HI:STEP`."""
    parts = raw.split(":")
    numbers = [_read_value(p.strip(), option, f"{key}={raw}") for p in parts]
    if len(parts) not in (2, 3) or not all(_is_number(n) for n in numbers):
        raise ScenarioError([Problem(option, f"{key}={raw}", "LOW:HIGH or LOW:HIGH:STEP numbers")])
    low, high = numbers[0], numbers[1]
    if high < low:
        raise ScenarioError([Problem(option, f"{key}={raw}", "LOW no greater than HIGH")])
    whole = all(isinstance(n, int) for n in numbers)
    if len(numbers) == 3:
        step = numbers[2]
        if step <= 0:
            raise ScenarioError([Problem(option, f"{key}={raw}", "a STEP greater than 0")])
        count = math.floor((high - low) / step + 1e-9) + 1
        if count > 1000:
            raise ScenarioError([Problem(option, f"{key}={raw}", "at most 1000 values")])
        values: list[Any] = [low + i * step for i in range(count)]
    elif whole:
        values = list(range(low, high + 1))
    else:
        values = list(np.linspace(low, high, 5))
    values = [int(v) if whole else round(float(v), 10) for v in values]
    _check_named_values(key, tuple(values), option)
    return Lever(key, tuple(values))


def _read_value(text: str, option: str, whole: str) -> Any:
    try:
        value = load_yaml(text, option)
    except YamlSyntaxError:
        raise ScenarioError([Problem(option, whole, "values readable as YAML")]) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError([Problem(option, whole, "finite numbers (no .nan or .inf)")])
    return value


def _check_named_values(key: str, values: tuple[Any, ...], option: str) -> None:
    named = NAMED_LEVERS.get(key)
    if named is None:
        return
    for value in values:
        if not _is_number(value) or value < named.minimum:
            raise ScenarioError(
                [Problem(f"{option} {key}", _show(value), f"a number of at least {named.minimum}")]
            )


def apply_levers(scenario: Scenario, setting: LeverSetting | dict[str, Any]) -> Scenario:
    """The scenario with each lever of `setting` at its value, validated again."""
    pairs = setting.values if isinstance(setting, LeverSetting) else tuple(setting.items())
    if not pairs:
        return scenario
    data = scenario_fields(scenario)
    overrides: list[str] = []
    for key, value in pairs:
        named = NAMED_LEVERS.get(key)
        if named is not None:
            named.apply(data, float(value))
        else:
            overrides.extend(f"{path}={json.dumps(value)}" for path in expand_path(data, key))
    if overrides:
        data = apply_overrides(data, overrides, source="lever")
    return parse_scenario(data, source=LeverSetting(pairs).label())


def expand_path(data: Data, key: str) -> list[str]:
    """The concrete dotted paths a key with `*` wildcards stands for (list items by name)."""
    paths = [""]
    for part in key.split("."):
        if part != "*":
            paths = [f"{p}.{part}" if p else part for p in paths]
            continue
        expanded: list[str] = []
        for path in paths:
            node = _node_at(data, path)
            if isinstance(node, list):
                names = [_item_key(item, i) for i, item in enumerate(node)]
            elif isinstance(node, dict):
                names = [str(k) for k in node]
            else:
                raise ScenarioError(
                    [
                        Problem(
                            key, path or "(scenario)", "'*' only stands for list or mapping items"
                        )
                    ]
                )
            expanded.extend(f"{path}.{name}" if path else name for name in names)
        paths = expanded
    if not paths:
        raise ScenarioError([Problem(key, "", "a path that matches at least one field")])
    return paths


def _item_key(item: Any, index: int) -> str:
    return str(item["name"]) if isinstance(item, dict) and "name" in item else str(index)


def _node_at(data: Any, path: str) -> Any:
    node = data
    for part in [p for p in path.split(".") if p]:
        if isinstance(node, list):
            names = [_item_key(item, i) for i, item in enumerate(node)]
            node = node[names.index(part)] if part in names else node[int(part)]
        elif isinstance(node, dict):
            node = node[part]
        else:
            raise KeyError(path)
    return node


def base_value(scenario: Scenario, key: str) -> Any:
    """The value a lever has in the scenario as written (None where a wildcard's items differ)."""
    named = NAMED_LEVERS.get(key)
    if named is not None:
        return named.base
    data = scenario_fields(scenario)
    try:
        values = [_node_at(data, path) for path in expand_path(data, key)]
    except (KeyError, ValueError, IndexError):
        raise ScenarioError([Problem(key, "", "a dotted path to a scenario field")]) from None
    first = values[0]
    return first if all(v == first for v in values) else None


def check_levers(scenario: Scenario, levers: Iterable[Lever]) -> None:
    """Raise a ScenarioError naming every lever that does not apply to the scenario."""
    problems: list[Problem] = []
    for lever in levers:
        try:
            apply_levers(scenario, LeverSetting(((lever.key, lever.values[0]),)))
        except ScenarioError as error:
            problems.extend(
                Problem(f"{lever.key}", p.given, p.allowed) if p.path == "" else p
                for p in error.problems
            )
    if problems:
        raise ScenarioError(problems)


MAX_GRID_POINTS = 10_000
"""Settings in one grid of levers (each a run of its own): 100 x 100, or 22 x 22 x 22."""


def grid_settings(levers: Sequence[Lever]) -> list[LeverSetting]:
    """Every combination of the levers' values (the full factorial grid)."""
    size = math.prod(len(lever.values) for lever in levers)
    if size > MAX_GRID_POINTS:
        counts = " x ".join(str(len(lever.values)) for lever in levers)
        raise ScenarioError(
            [
                Problem(
                    "levers",
                    f"{counts} = {size:,} combinations",
                    f"at most {MAX_GRID_POINTS:,} (MAX_GRID_POINTS): fewer values or levers",
                )
            ]
        )
    settings = [LeverSetting()]
    for lever in levers:
        settings = [
            LeverSetting((*s.values, (lever.key, value)))
            for s in settings
            for value in lever.values
        ]
    return settings


# --- optimism bias ------------------------------------------------------------------------------

OPTIMISM_BIAS_ANALOGUE = (
    "ASSUMPTION: Green Book optimism bias (para 2.16; supplementary guidance Table 2). No "
    "category fits a workforce build-up; the analogue chosen is 'Equipment/development' works "
    "duration (upper bound 54%, lower 10%). Applied to capability build-up durations only: "
    "recruitment stages, vetting, joiners' notice and ramp-up, not to the demand side."
)


def optimism_bias_variant(scenario: Scenario, uplift: float) -> Scenario:
    """The scenario with capability build-up durations uplifted by `uplift` (0.54 = +54%).

    Recruitment stages, vetting, joiners' notice and ramp-up to full productivity take
    `1 + uplift` times as long; departments still move on the planned dates, so the variant asks
    whether the plan holds if building capability is as slow as similar projects have been.
    Every changed field's source records the uplift as an ASSUMPTION.
    """
    if not 0 <= uplift <= 5:
        raise ScenarioError([Problem("--optimism-bias", f"{uplift}", "an uplift from 0 to 5")])
    data = scenario_fields(scenario)
    changed = _recruitment_time(data, 1 + uplift) + _ramp_up_time(data, 1 + uplift)
    sources = copy.deepcopy(data["sources"])
    for path in changed:
        before = sources.get(path, "")
        note = f"optimism bias +{uplift:.0%} on this duration. {OPTIMISM_BIAS_ANALOGUE}"
        sources[path] = f"{note} Before uplift: {before}" if before else note
    data["sources"] = sources
    data["name"] = f"{scenario.name}-ob{round(uplift * 100)}"
    data["description"] = (
        f"{scenario.description} Optimism-bias variant: build-up durations +{uplift:.0%}."
    ).strip()
    return parse_scenario(data, source=f"optimism bias {uplift}")
