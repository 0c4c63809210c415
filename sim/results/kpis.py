"""The KPI catalogue: every KPI a replication records, defined once.

Each KPI has a column name (units in the name), a planner's label, a kind (which sets how its
value is formatted: `sim.results.formats`), the direction in which it is better (paired
comparisons judge by it), a one-line meaning, and the groups it appears in. The command line, the
app, the HTML report, `compare`, `sweep` and `plan` all take their KPIs from here, in catalogue
order; `kpis.parquet` has one column per entry, in the same order. `tests/test_kpis.py` checks
that what `sim.results.recording` records is exactly this catalogue.

Adding a KPI: docs/recipes.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CATALOGUE",
    "KPIS",
    "KPI_NAMES",
    "Better",
    "Group",
    "Kpi",
    "KpiKind",
    "in_group",
    "kpi_info",
    "kpi_label",
]

KpiKind = Literal["share", "probability", "count", "days", "gbp", "fte", "number", "month"]
"""How a value reads: a share or probability (0-1), a count, days, pounds, FTE, a month index."""

Better = Literal["higher", "lower", ""]
"""Which way the KPI is better; '' for a KPI with no better direction (e.g. arrivals)."""

Group = Literal[
    "headline",  # the command line's summary and the report's results table lead with these
    "verdict",  # stated in the verdict sentence, not as rows of a KPI table
    "cards",  # the app's cards under the verdict
    "recruitment",  # the app's recruitment cards
    "money",  # the app's costs and savings cards
    "comparison",  # shown first when options are compared (CLI, report, charts)
    "precision",  # `run --precision` adds replications until these are precise enough
    "input_draw",  # a draw of an uncertain input, not an outcome: never compared
]


@dataclass(frozen=True)
class Kpi:
    """One KPI: its column, label, kind, better direction, meaning and groups."""

    name: str
    label: str
    kind: KpiKind
    better: Better
    description: str
    groups: tuple[Group, ...] = ()


CATALOGUE: tuple[Kpi, ...] = (
    Kpi(
        "outruns_capability",
        "Expansion outruns capability",
        "probability",
        "lower",
        "Share of simulated futures in which, in at least one staff pool, the requests arriving "
        "miss their service target while capacity falls behind demand, for several months in a "
        "row (docs/verdict.md).",
        ("headline", "verdict", "comparison"),
    ),
    Kpi(
        "outrun_month",
        "Month the shortfall starts",
        "month",
        "higher",  # later is better (where both outrun)
        "First month (0 = the first month of the run) of the first run of short months in any "
        "pool, in the futures where it happens.",
        ("headline", "verdict"),
    ),
    Kpi(
        "outruns_capability_pooled",
        "Outruns capability, all pools added together",
        "probability",
        "lower",
        "The same rule applied to CCS as one pool: a secondary view, in which one pool's spare "
        "capacity can hide another's shortfall.",
    ),
    Kpi(
        "outrun_month_pooled",
        "Month the pooled shortfall starts",
        "month",
        "higher",
        "First short month of the pooled view.",
    ),
    Kpi(
        "monthly_shortfall",
        "Monthly shortfall (first-edition rule)",
        "probability",
        "lower",
        "The first edition of the verdict: a month's new demand above month-end effective staff "
        "while the month's completions miss their target, three months running; kept to compare "
        "with earlier results (docs/verdict.md).",
    ),
    Kpi(
        "monthly_shortfall_month",
        "Month the first-edition shortfall starts",
        "month",
        "higher",
        "First month of the first-edition rule's run of short months.",
    ),
    Kpi(
        "first_service_miss_month",
        "First month service misses its target",
        "month",
        "higher",
        "First month whose arriving requests, in any pool, miss the service-level target: the "
        "first sign of trouble.",
    ),
    Kpi(
        "service_by_arrival",
        "Requests served within target",
        "share",
        "higher",
        "Share of the requests that arose, with their target date within the run, that were "
        "completed within it; given up, deferred, late or unfinished count as missed.",
        ("headline", "comparison"),
    ),
    Kpi(
        "demand_met_share",
        "Demand met",
        "share",
        "higher",
        "Share of the demand decided that CCS completed; the rest was given up by departments "
        "that waited too long, or deferred by an onboarding pause.",
        ("headline", "cards", "comparison", "precision"),
    ),
    Kpi(
        "sla_attainment",
        "Completed within target",
        "share",
        "higher",
        "Share of completed requests finished within their service-level target.",
        ("headline", "cards", "comparison", "precision"),
    ),
    Kpi(
        "mean_wait_days",
        "Mean wait for work to start",
        "days",
        "lower",
        "Days from a request to the start of work on it.",
        ("headline", "cards", "comparison", "precision"),
    ),
    Kpi(
        "p95_wait_days",
        "Longest waits (95th percentile)",
        "days",
        "lower",
        "1 request in 20 waits longer than this.",
        ("headline",),
    ),
    Kpi(
        "backlog_end",
        "Backlog at the end",
        "count",
        "lower",
        "Requests waiting for work to start at the end of the run.",
        ("headline", "cards", "comparison", "precision"),
    ),
    Kpi(
        "reneged",
        "Requests given up",
        "count",
        "lower",
        "Requests whose department stopped waiting and bought alone.",
        ("headline",),
    ),
    Kpi("arrivals", "Requests received", "count", "", "Requests from onboarded departments."),
    Kpi("completed", "Requests completed", "count", "higher", "Requests CCS finished."),
    Kpi(
        "utilisation",
        "Staff utilisation",
        "share",
        "",
        "Share of staff case capacity in use, over the run.",
        ("headline",),
    ),
    Kpi(
        "headcount_end",
        "Headcount in post at the end",
        "count",
        "higher",
        "Permanent staff in post at the end of the run.",
        ("headline", "cards"),
    ),
    Kpi(
        "establishment_end",
        "Planned establishment at the end",
        "count",
        "",
        "Posts funded by the plan at the end.",
    ),
    Kpi(
        "vacancies_end",
        "Vacancies at the end",
        "count",
        "lower",
        "Posts being recruited to.",
        ("headline", "recruitment"),
    ),
    Kpi(
        "effective_fte_end",
        "Effective staff at the end",
        "fte",
        "higher",
        "Full-time equivalents of productive work after ramp-up, mentoring and overheads, plus "
        "contractors.",
        ("headline", "cards"),
    ),
    Kpi("contractors_end", "Contractors at the end", "count", "", "Contractors in post."),
    Kpi("hires", "Hires", "count", "higher", "New joiners over the run.", ("recruitment",)),
    Kpi("leavers", "Leavers", "count", "lower", "Staff who left over the run."),
    Kpi(
        "mean_time_to_hire_days",
        "Time to hire",
        "days",
        "lower",
        "Days from the close of the advert that found the joiner to the offer they accepted "
        "(the government's published definition).",
        ("recruitment",),
    ),
    Kpi(
        "mean_advert_to_checks_days",
        "Advert to checks complete",
        "days",
        "lower",
        "Days from the advert that found the joiner to the end of their pre-employment checks "
        "(the civil service's published 99-day figure).",
        ("recruitment",),
    ),
    Kpi(
        "hires_first_6_months",
        "Hires in the first six months",
        "count",
        "higher",
        "New joiners in months 0 to 5.",
    ),
    Kpi(
        "headcount_month_24",
        "Headcount in post after two years",
        "count",
        "higher",
        "Permanent staff in post at the end of month 24.",
    ),
    Kpi(
        "establishment_month_24",
        "Planned establishment after two years",
        "count",
        "",
        "Posts funded at the end of month 24.",
    ),
    Kpi(
        "vacancy_and_interim_share_month_24",
        "Vacant or interim posts after two years",
        "share",
        "lower",
        "Posts vacant or held by a contractor, as a share of the establishment, at month 24.",
    ),
    Kpi(
        "mean_time_to_fill_days",
        "Vacancy to start",
        "days",
        "lower",
        "Days from a vacancy opening to the new joiner's first day.",
        ("headline", "cards", "recruitment"),
    ),
    Kpi(
        "departments_onboarded_end",
        "Departments onboarded",
        "number",
        "higher",
        "Transferring departments whose buying had moved to CCS by the end.",
        ("headline",),
    ),
    Kpi(
        "departments_planned_end",
        "Departments planned",
        "number",
        "",
        "Transferring departments the plan had moved by the end.",
    ),
    Kpi(
        "departments_onboarded_month_24",
        "Departments moved after two years",
        "number",
        "higher",
        "Transferring departments whose buying had moved to CCS by the end of month 24.",
    ),
    Kpi(
        "annual_spend_transferred_end_gbp",
        "Spend transferred (a year)",
        "gbp",
        "higher",
        "Annual spend of the departments moved by the end.",
    ),
    Kpi(
        "annual_spend_planned_end_gbp",
        "Spend planned to transfer (a year)",
        "gbp",
        "",
        "Annual spend the plan had moved by the end.",
    ),
    Kpi(
        "requests_deferred",
        "Requests deferred by an onboarding pause",
        "count",
        "lower",
        "Requests from departments whose move management postponed.",
    ),
    Kpi(
        "staff_cost_gbp",
        "Staff cost",
        "gbp",
        "lower",
        "Salaries and on-costs over the run.",
        ("headline", "money", "comparison"),
    ),
    Kpi(
        "contractor_cost_gbp",
        "Contractor cost",
        "gbp",
        "lower",
        "Contractor day rates over the run.",
        ("headline", "money", "comparison"),
    ),
    Kpi(
        "recruitment_capacity_cost_gbp",
        "Extra recruitment capacity cost",
        "gbp",
        "lower",
        "Cost of the campaign slots management added to the recruitment team, over the run.",
        ("money",),
    ),
    Kpi(
        "savings_delivered_gbp",
        "Savings delivered",
        "gbp",
        "higher",
        "Savings on the contracts CCS let, over the run.",
        ("headline", "money"),
    ),
    Kpi(
        "savings_foregone_gbp",
        "Savings foregone",
        "gbp",
        "lower",
        "Savings lost on requests departments gave up on and bought alone, or that an "
        "onboarding pause deferred.",
        ("headline", "cards", "money", "comparison"),
    ),
    Kpi(
        "demand_multiplier",
        "Demand multiplier drawn",
        "number",
        "",
        "The uncertain scale on the transferring departments' demand, drawn once for each "
        "simulated future.",
        ("input_draw",),
    ),
)
"""Every KPI of `kpis.parquet`, in the order tables, cards and reports show them."""

KPIS: dict[str, Kpi] = {kpi.name: kpi for kpi in CATALOGUE}
KPI_NAMES: tuple[str, ...] = tuple(KPIS)
"""The KPI columns of `kpis.parquet`, in order."""


def in_group(group: Group) -> tuple[str, ...]:
    """The names of the KPIs in a group, in catalogue order."""
    return tuple(kpi.name for kpi in CATALOGUE if group in kpi.groups)


def kpi_info(name: str) -> Kpi:
    """A KPI's entry; a column the catalogue lacks (e.g. from an older run) reads as a number."""
    found = KPIS.get(name)
    return found if found is not None else Kpi(name, name.replace("_", " "), "number", "", "")


def kpi_label(name: str) -> str:
    """A reader's label for a KPI column."""
    return kpi_info(name).label
