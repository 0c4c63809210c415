"""The STRESS-DES reporting checklist, filled in from a run.

STRESS-DES (Monks et al. 2019, "Strengthening the reporting of empirical simulation studies",
Journal of Simulation 13(1), doi:10.1080/17477778.2018.1442155) lists what a report of a
discrete-event simulation study must state so that others can understand, judge and repeat it.
Each answer here is written from the run's own manifest, scenario and the studies in the report,
and points to the section of the report that holds the detail.
"""

from __future__ import annotations

import datetime as dt
import platform
from dataclasses import dataclass, field
from string import Template
from typing import Any

from sim.scenario.schema import Scenario

__all__ = ["ITEMS", "StressContext", "stress_des_checklist"]


@dataclass
class StressContext:
    """What the checklist needs to know about the report's runs."""

    scenario: Scenario
    manifest: dict[str, Any]
    experiments: list[str] = field(default_factory=list)  # one line per study in the report
    scenario_logic: list[str] = field(default_factory=list)  # how options/levers differ
    optimisation: str = ""
    inputs: int = 0
    by_basis: dict[str, int] = field(default_factory=dict)
    checks_passed: int = 0
    checks_run: int = 0


# The checklist as data: (item, topic, answer). `$name` in an answer is filled in from the run
# by `_values`; everything else is fixed text about the model.
ITEMS: tuple[tuple[str, str, str], ...] = (
    (
        "1.1",
        "Purpose of the model",
        "Will the rapid expansion of the Crown Commercial "
        "Service outrun its capability to deliver? The model estimates, for a plan of "
        "departments moving their buying to CCS and of staff recruited to serve them, the "
        "probability and timing of a shortfall and its effect on waits, service levels, "
        "departments giving up, costs and savings (see 'The scenario in plain words').",
    ),
    (
        "1.2",
        "Model outputs",
        "Per replication: the KPIs in 'Results' (e.g. sla_attainment = "
        "completed within target / completed; demand_met_share = completed / (completed + "
        "given up); outruns_capability per docs/verdict.md) and monthly series. Across "
        "replications: mean with a t-based 95% CI, Wilson 95% interval for probabilities, "
        "P10/P50/P90 (sim/results/summary.py).",
    ),
    (
        "1.3",
        "Experimentation aims",
        "$experiments",
    ),
    (
        "2.1",
        "Base model overview diagram",
        "Departments -> requests by type -> queue per "
        "staff pool -> service by staff (ramp-up, portfolio of cases) -> completed or given "
        "up; vacancies (plan, leavers) -> recruitment stages -> joiners; contractors; "
        "management policies acting on the backlog with a detection lag. See docs/design.md.",
    ),
    (
        "2.2",
        "Base model logic",
        "Described in 'The scenario in plain words' for this run; "
        "mechanisms one module each in sim/model/ (demand, service, workforce, recruitment, "
        "attrition, contractors, policies).",
    ),
    (
        "2.3",
        "Scenario logic",
        "$scenario_logic",
    ),
    (
        "2.4",
        "Algorithms",
        "Arrivals: non-homogeneous Poisson, a Poisson count per month "
        "placed uniformly (exact for a piecewise-constant rate). Case duration: effort / "
        "(share of a person x productivity), at least the minimum elapsed time. Verdict: "
        "docs/verdict.md. Management rules act on the backlog seen "
        "$detection_lag_days days earlier.",
    ),
    (
        "2.5.1",
        "Entities",
        "Service requests (department, type, effort, contract value, "
        "patience, priority); staff members (pool, tenure, productivity, cases held); "
        "vacancies and candidates; contractors.",
    ),
    (
        "2.5.2",
        "Activities",
        "Service of a request; recruitment stages (approval, advert, "
        "sift and interview, offer, vetting, notice); ramp-up; leavers' notice.",
    ),
    (
        "2.5.3",
        "Resources",
        "Staff pools ($pools), each staff member holding up to cases_per_person cases; the "
        "recruitment team (at most $max_campaigns campaigns at once); contractors up to a cap.",
    ),
    (
        "2.5.4",
        "Queues",
        "One queue per staff pool, by request priority then arrival "
        "(first in, first out within a priority). Reneging: a department gives up when its "
        "patience runs out before work starts. A leaver's unfinished cases return to the "
        "head of the queue.",
    ),
    (
        "2.5.5",
        "Entry/exit points",
        "Requests enter from departments once onboarded "
        "(earlier requests are not CCS's) and leave completed, given up, or still open at "
        "the end. Staff enter at the start or as joiners and leave by attrition.",
    ),
    (
        "3.1",
        "Data sources",
        "Public sources listed in docs/calibration.md (NAO HC 786, PAC HC "
        "889, civil service recruitment and turnover reports, procurement regulations); "
        "each input's source is in the 'Appendix: assumptions log'.",
    ),
    (
        "3.2",
        "Pre-processing",
        "Figures converted to model units by hand, recorded as "
        "DERIVED rows in docs/calibration.md and in the scenario's sources map.",
    ),
    (
        "3.3",
        "Input parameters",
        "$inputs inputs, each with its value and source in "
        "the 'Appendix: assumptions log'; distributions named with their parameters.",
    ),
    ("3.4", "Assumptions", "$basis"),
    (
        "4.1",
        "Initialisation",
        "Terminating simulation from the scenario's start date with "
        "staff in post and no requests waiting; $warmup",
    ),
    (
        "4.2",
        "Run length",
        "$horizon_months months from $start_date; time unit: days.",
    ),
    (
        "4.3",
        "Estimation approach",
        "Independent replications: $reps in this run (seed $seed); studies use one seed for "
        "every scenario (common random numbers).",
    ),
    (
        "5.1",
        "Software",
        "$software",
    ),
    (
        "5.2",
        "Random sampling",
        "numpy PCG64. Replication r of seed S uses "
        "SeedSequence(S, spawn_key=(r,)); each stochastic process (arrivals, effort, "
        "patience, attrition, each recruitment stage, ...) has its own child stream, so "
        "scenarios compared with one seed share their random numbers (sim/model/streams.py).",
    ),
    (
        "5.3",
        "Model execution",
        "SimPy 4 (process interaction for staff, recruitment and "
        "policies; event callbacks for the request hot loop). Replications run in parallel "
        "($executor); results do not depend on the executor.",
    ),
    (
        "5.4",
        "System specification",
        "$cpus CPU(s), $platform; this run took $duration.",
    ),
    (
        "6.1",
        "Computer model sharing statement",
        "The model, its scenarios and this "
        "report's run directories (manifest, scenario.yaml, tables) reproduce every figure: "
        "`ccs-sim reproduce RUN_DIR` reruns a run and checks it is bit-identical.",
    ),
)


def stress_des_checklist(ctx: StressContext) -> list[tuple[str, str, str]]:
    """(item, topic, answer) for the 24 items of STRESS-DES 1.0, filled in from `ctx`."""
    values = _values(ctx)
    return [(item, topic, Template(answer).substitute(values)) for item, topic, answer in ITEMS]


def _values(ctx: StressContext) -> dict[str, str]:
    """What the answers' $placeholders stand for, from the run's manifest and scenario."""
    s, m = ctx.scenario, ctx.manifest
    packages = m.get("packages", {})
    host = m.get("host", {})
    software = (
        f"Python {packages.get('python', platform.python_version())}, "
        + ", ".join(f"{k} {v}" for k, v in packages.items() if k != "python")
        + f"; ccs-sim {m.get('model_version')}, git commit {m.get('git_commit')}"
        + (" (uncommitted changes)" if m.get("git_dirty") else "")
        + f"; {host.get('platform', '')}"
    )
    warmup = (
        f"requests in the first {s.run.warmup_days:g} days are left out of the KPIs."
        if s.run.warmup_days
        else "no warm-up: the start state is the real one."
    )
    return {
        "experiments": "; ".join(ctx.experiments)
        or "A single scenario (no comparison, sensitivity or optimisation in this report).",
        "scenario_logic": "; ".join(ctx.scenario_logic)
        or "Only the base scenario was run; logic is the same for every scenario, which differ "
        "only in inputs.",
        "detection_lag_days": f"{s.policies.detection_lag_days:g}",
        "pools": ", ".join(p.name for p in s.staff_pools),
        "max_campaigns": str(s.recruitment.max_concurrent_campaigns),
        "inputs": str(ctx.inputs),
        "basis": _basis_text(ctx.by_basis),
        "warmup": warmup,
        "horizon_months": str(s.run.horizon_months),
        "start_date": str(s.run.start_date),
        "reps": str(m.get("replications_completed")),
        "seed": str(m.get("seed")),
        "software": software,
        "executor": str(m.get("executor")),
        "cpus": str(host.get("cpu_count")),
        "platform": str(host.get("platform")),
        "duration": _duration(m),
    }


def _basis_text(by_basis: dict[str, int]) -> str:
    if not by_basis:
        return "See the assumptions log."
    parts = ", ".join(f"{n} {basis}" for basis, n in sorted(by_basis.items()))
    return f"By basis of their source: {parts}. Assumptions are listed in the assumptions log."


def _duration(manifest: dict[str, Any]) -> str:
    try:
        start = dt.datetime.fromisoformat(manifest["started_at"])
        end = dt.datetime.fromisoformat(manifest["finished_at"])
    except (KeyError, TypeError, ValueError):
        return "an unrecorded time"
    return f"{(end - start).total_seconds():.0f} s"
