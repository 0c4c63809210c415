"""From a finished replication's raw arrays to tidy results: monthly series and KPIs.

Flows by month are counted after the run from each request's recorded times (arrival, first
start, end) and the workforce's event days; stocks come from the month-end snapshots. KPI names
and monthly column names are a contract (docs/outputs.md): units are in the names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.model.calendar import DAYS_PER_YEAR
from sim.model.monitor import POOL_STOCKS
from sim.model.service import (
    COMPLETED,
    DROPPED,
    IN_SERVICE,
    NOT_ARRIVED,
    RENEGED,
    REQUEUED,
    WAITING,
)
from sim.model.simulation import RawRun
from sim.results.verdict import (
    capacity_strained,
    first_outrun_month,
    first_true_month,
    service_short_months,
    short_months,
)

__all__ = ["ReplicationResult", "summarise_run"]


# Monthly series per pool that are summed for the all-pools total (others are recomputed).
_ADDITIVE = (
    "arrivals",
    "starts",
    "completions",
    "completions_within_target",
    "reneges",
    "backlog",
    "work_in_progress",
    "headcount_in_post",
    "establishment",
    "effective_fte",
    "demand_fte",
    "vacancies",
    "joiners",
    "leavers",
    "resignations",
    "contractors",
    "staff_cost_gbp",
    "contractor_cost_gbp",
    "savings_delivered_gbp",
    "savings_foregone_gbp",
    "busy_slot_days",
    "capacity_slot_days",
    "wait_days_sum",
    "requests_deferred",
    "arrivals_judged",
    "arrivals_within_target",
    "work_in_hand_person_days",
    "fte_in_post",
    "fte_days",
)


@dataclass(frozen=True)
class ReplicationResult:
    """One replication's results: monthly series (total and by pool), KPIs, end state."""

    monthly: pd.DataFrame
    monthly_by_pool: pd.DataFrame
    kpis: dict[str, Any]
    pool_kpis: pd.DataFrame
    end_state: dict[str, int]


def summarise_run(raw: RawRun) -> ReplicationResult:
    """Monthly series, KPIs and the verdict of one finished replication."""
    by_pool = _monthly_by_pool(raw)
    monthly = _monthly_totals(raw, by_pool)
    pool_kpis = _pool_verdicts(raw, by_pool)
    kpis = _kpis(raw, monthly, pool_kpis)
    return ReplicationResult(monthly, _long_by_pool(raw, by_pool), kpis, pool_kpis, _end(raw))


# --- monthly ------------------------------------------------------------------------------------


def _request_arrays(raw: RawRun) -> dict[str, np.ndarray]:
    desk = raw.desk
    return {
        "state": np.asarray(desk.state),
        "first_start": np.asarray(desk.first_start_day),
        "end": np.asarray(desk.end_day),
    }


def _count(months: np.ndarray, pools: np.ndarray, shape: tuple[int, int], weights=None):
    """Sum of weights (or counts) by (month, pool), ignoring times outside the run."""
    ok = (months >= 0) & (months < shape[0])
    flat = months[ok] * shape[1] + pools[ok]
    w = None if weights is None else weights[ok]
    return np.bincount(flat, weights=w, minlength=shape[0] * shape[1]).reshape(shape)


def _monthly_by_pool(raw: RawRun) -> dict[str, np.ndarray]:
    """Every monthly series by (month, pool): the requests' flows, then the staff's."""
    return {**_request_flows(raw), **_staff_series(raw)}


def _request_flows(raw: RawRun) -> dict[str, np.ndarray]:
    """Arrivals, starts, completions, reneges, savings, waits and the demand in FTE, by the month
    each happened, from the per-request arrays."""
    cal, book, scenario = raw.calendar, raw.book, raw.scenario
    months, n_pools = scenario.run.horizon_months, len(scenario.staff_pools)
    shape = (months, n_pools)
    req = _request_arrays(raw)
    state, start, end = req["state"], req["first_start"], req["end"]
    pool = book.pool
    in_run = ~book.pre_start
    arrived = in_run & (state != DROPPED) & (state != NOT_ARRIVED)
    deferred = in_run & (state == DROPPED)
    started = ~np.isnan(start)
    completed = state == COMPLETED
    reneged = state == RENEGED
    within = completed & (end - book.arrival_day <= book.sla_target_days)
    # Service by arrival month: judged once the target date has passed within the run.
    judged = in_run & (state != NOT_ARRIVED)
    judged &= book.arrival_day + book.sla_target_days <= cal.horizon_days
    m_arr, m_start, m_end = cal.month_of(book.arrival_day), cal.month_of(start), cal.month_of(end)
    out: dict[str, np.ndarray] = {
        "arrivals": _count(m_arr[arrived], pool[arrived], shape),
        "starts": _count(m_start[started], pool[started], shape),
        "completions": _count(m_end[completed], pool[completed], shape),
        "completions_within_target": _count(m_end[within], pool[within], shape),
        "reneges": _count(m_end[reneged], pool[reneged], shape),
        "savings_delivered_gbp": _count(
            m_end[completed], pool[completed], shape, book.savings_gbp[completed]
        ),
        # Given up (at the month they gave up) or deferred (at the month they arose).
        "savings_foregone_gbp": _count(
            m_end[reneged], pool[reneged], shape, book.savings_gbp[reneged]
        )
        + _count(m_arr[deferred], pool[deferred], shape, book.savings_gbp[deferred]),
        "requests_deferred": _count(m_arr[deferred], pool[deferred], shape),
        "arrivals_judged": _count(m_arr[judged], pool[judged], shape),
        "arrivals_within_target": _count(m_arr[judged & within], pool[judged & within], shape),
        "wait_days_sum": _count(
            m_start[started], pool[started], shape, (start - book.arrival_day)[started]
        ),
    }
    days_in_month = np.diff(cal.boundaries_days)[:, None]
    working_share = scenario.run.working_days_per_year / DAYS_PER_YEAR
    # Deferred demand is demand: the plan asked CCS for it, whether or not it was taken on.
    arose = arrived | deferred
    effort = _count(m_arr[arose], pool[arose], shape, book.effort_person_days[arose])
    out["demand_fte"] = effort / (days_in_month * working_share)
    return out


def _staff_series(raw: RawRun) -> dict[str, np.ndarray]:
    """Stocks seen at each month's end, the month's staff-days and slot-days, joiners and
    leavers, and what the staff and contractors cost."""
    scenario = raw.scenario
    working_share = scenario.run.working_days_per_year / DAYS_PER_YEAR
    out: dict[str, np.ndarray] = {}
    snap = raw.monitor.by_pool
    for name in POOL_STOCKS:
        if name in ("effective_fte", "backlog_weeks", "work_in_hand_person_days", "fte_in_post"):
            out[name] = snap[name].copy()
        elif name == "contractor_surge":
            out[name] = snap[name].astype(bool)
        elif not name.endswith("_to_date"):
            out[name] = snap[name].astype(np.int64)  # head counts, stored as whole numbers
    for cumulative, flow in (
        ("busy_slot_days_to_date", "busy_slot_days"),
        ("capacity_slot_days_to_date", "capacity_slot_days"),
        ("staff_days_to_date", "staff_days"),
        ("contractor_days_to_date", "contractor_days"),
        ("fte_days_to_date", "fte_days"),
    ):
        out[flow] = np.diff(snap[cumulative], axis=0, prepend=0.0)
    for name, events in (
        ("joiners", raw.workforce.joined),
        ("leavers", raw.workforce.left),
        ("resignations", raw.workforce.resigned),
    ):
        out[name] = _events_by_month(raw, events)
    salary = np.array([p.salary_gbp_per_year * (1 + p.on_cost_share) for p in scenario.staff_pools])
    # Pay follows contracted FTE: a part-timer costs their share (the same as staff-days when
    # everyone is full-time).
    out["staff_cost_gbp"] = out["fte_days"] * salary / DAYS_PER_YEAR
    day_rate = scenario.contractors.day_rate_gbp
    out["contractor_cost_gbp"] = out["contractor_days"] * working_share * day_rate
    return out


def _events_by_month(raw: RawRun, events: list[list[float]]) -> np.ndarray:
    days = np.concatenate([np.asarray(e, dtype=float) for e in events])
    pools = np.concatenate([np.full(len(e), p, dtype=np.int64) for p, e in enumerate(events)])
    shape = (raw.scenario.run.horizon_months, len(events))
    return _count(raw.calendar.month_of(days), pools, shape)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _derived(series: dict[str, np.ndarray], per_week: float) -> dict[str, np.ndarray]:
    return {
        "sla_attainment": _ratio(series["completions_within_target"], series["completions"]),
        "service_by_arrival": _ratio(series["arrivals_within_target"], series["arrivals_judged"]),
        "work_in_hand_weeks": _ratio(
            series["work_in_hand_person_days"], series["effective_fte"] * per_week
        ),
        "utilisation": _ratio(series["busy_slot_days"], series["capacity_slot_days"]),
        "mean_wait_days": _ratio(series["wait_days_sum"], series["starts"]),
    }


def _monthly_totals(raw: RawRun, by_pool: dict[str, np.ndarray]) -> pd.DataFrame:
    cal = raw.calendar
    totals = {name: by_pool[name].sum(axis=1) for name in _ADDITIVE}
    totals.update(_derived(totals, _per_week(raw)))
    for stage_column in [c for c in by_pool if c.startswith("pipeline_")]:
        totals[stage_column] = by_pool[stage_column].sum(axis=1)
    frame = pd.DataFrame(
        {
            "month": np.arange(cal.horizon_months),
            "date": pd.to_datetime(cal.month_start_dates[:-1]),
            "departments_onboarded": raw.monitor.departments_onboarded,
            "recruitment_capacity_cost_gbp": _recruitment_capacity_cost(raw),
            **_plan_progress(raw),
            "onboarding_paused": raw.monitor.onboarding_paused,
            **totals,
        }
    )
    return frame.drop(columns=["wait_days_sum"])


def _long_by_pool(raw: RawRun, by_pool: dict[str, np.ndarray]) -> pd.DataFrame:
    months, n_pools = by_pool["arrivals"].shape
    series = dict(by_pool)
    series.update(_derived(series, _per_week(raw)))
    frame = pd.DataFrame(
        {
            "month": np.repeat(np.arange(months), n_pools),
            "pool": np.tile(np.array(raw.scenario.pool_names, dtype=object), months),
            **{name: values.ravel() for name, values in series.items()},
        }
    )
    return frame.drop(columns=["wait_days_sum"])


# --- KPIs ---------------------------------------------------------------------------------------


def _kpis(raw: RawRun, monthly: pd.DataFrame, pool_kpis: pd.DataFrame) -> dict[str, Any]:
    book, scenario = raw.book, raw.scenario
    req = _request_arrays(raw)
    state, start, end = req["state"], req["first_start"], req["end"]
    counted = (book.arrival_day >= scenario.run.warmup_days) & ~book.pre_start
    arrived = counted & (state != DROPPED) & (state != NOT_ARRIVED)
    completed = counted & (state == COMPLETED)
    reneged = counted & (state == RENEGED)
    deferred = counted & (state == DROPPED)
    started = counted & ~np.isnan(start)
    waits = (start - book.arrival_day)[started]
    within = completed & (end - book.arrival_day <= book.sla_target_days)
    n_done, n_gone, n_deferred = int(completed.sum()), int(reneged.sum()), int(deferred.sum())
    n_asked = n_done + n_gone + n_deferred
    last = monthly.iloc[-1]
    rec = raw.recruitment
    judged = float(monthly["arrivals_judged"].sum())
    return {
        "arrivals": int(arrived.sum()),
        "completed": n_done,
        "reneged": n_gone,
        "backlog_end": int(last["backlog"]),
        "mean_wait_days": float(waits.mean()) if len(waits) else float("nan"),
        "p95_wait_days": float(np.percentile(waits, 95)) if len(waits) else float("nan"),
        "sla_attainment": float(within.sum() / n_done) if n_done else float("nan"),
        # Deferred demand is demand: held back by a pause, it was asked for and not met.
        "demand_met_share": n_done / n_asked if n_asked else 1.0,
        "utilisation": _overall_utilisation(monthly),
        "headcount_end": int(last["headcount_in_post"]),
        "effective_fte_end": float(last["effective_fte"]),
        "hires": int(monthly["joiners"].sum()),
        "leavers": int(monthly["leavers"].sum()),
        "mean_time_to_hire_days": _mean(_flat(rec.time_to_hire_days)),
        "mean_time_to_fill_days": _mean(_flat(rec.time_to_fill_days)),
        "mean_advert_to_checks_days": _mean(_flat(rec.advert_to_checks_days)),
        "staff_cost_gbp": float(monthly["staff_cost_gbp"].sum()),
        "contractor_cost_gbp": float(monthly["contractor_cost_gbp"].sum()),
        "recruitment_capacity_cost_gbp": float(monthly["recruitment_capacity_cost_gbp"].sum()),
        "savings_delivered_gbp": float(book.savings_gbp[completed].sum()),
        "savings_foregone_gbp": float(book.savings_gbp[reneged | deferred].sum()),
        "departments_onboarded_end": int(last["departments_onboarded"]),
        "departments_planned_end": int(last["departments_planned"]),
        "annual_spend_transferred_end_gbp": float(last["spend_transferred_gbp_per_year"]),
        "annual_spend_planned_end_gbp": float(last["spend_planned_gbp_per_year"]),
        **_ccs_verdicts(raw, monthly, pool_kpis),
        "service_by_arrival": float(monthly["arrivals_within_target"].sum() / judged)
        if judged
        else float("nan"),
        "hires_first_6_months": int(monthly["joiners"].iloc[:6].sum()),
        **_at_month(monthly, 24),
        "establishment_end": int(last["establishment"]),
        "vacancies_end": int(last["vacancies"]),
        "contractors_end": int(last["contractors"]),
        "requests_deferred": n_deferred,
        "demand_multiplier": book.demand_multiplier,
    }


def _flat(per_pool: list[list[float]]) -> np.ndarray:
    return np.concatenate([np.asarray(t, dtype=float) for t in per_pool])


def _at_month(monthly: pd.DataFrame, month: int) -> dict[str, Any]:
    """Stocks at the end of month 24 (two years in), the public record's checkpoint."""
    if month >= len(monthly):
        nan = float("nan")
        return {
            "headcount_month_24": nan,
            "establishment_month_24": nan,
            "departments_onboarded_month_24": nan,
            "vacancy_and_interim_share_month_24": nan,
        }
    row = monthly.iloc[month]
    posts = float(row["establishment"])
    # Posts without a permanent holder, plus any contractors beyond them (a surge): an interim
    # covering a vacancy is counted once.
    vacant = max(0.0, posts - float(row["headcount_in_post"]))
    vacant_or_interim = max(vacant, float(row["contractors"]))
    return {
        "headcount_month_24": int(row["headcount_in_post"]),
        "establishment_month_24": int(row["establishment"]),
        "departments_onboarded_month_24": int(row["departments_onboarded"]),
        "vacancy_and_interim_share_month_24": vacant_or_interim / posts if posts else float("nan"),
    }


def _recruitment_capacity_cost(raw: RawRun) -> np.ndarray:
    """Monthly cost of the campaign slots management added (per slot a year, by days held)."""
    bounds = raw.calendar.boundaries_days
    cost = np.zeros(len(bounds) - 1)
    for day, slots, per_year in raw.recruitment.extra_slots:
        held = np.clip(bounds[1:] - np.maximum(bounds[:-1], day), 0, None)
        cost += held * slots * per_year / DAYS_PER_YEAR
    return cost


def _per_week(raw: RawRun) -> float:
    """Working days in a week: effective FTE times this is a week's output in person-days."""
    return raw.scenario.run.working_days_per_year / 52


def _plan_progress(raw: RawRun) -> dict[str, np.ndarray]:
    """Transferring departments and their spend, moved and planned, at each month's end."""
    departments = raw.scenario.demand.departments
    moves = np.array([d.transferring for d in departments], dtype=bool)
    spend = np.array([d.annual_spend_gbp for d in departments])
    month_ends = raw.calendar.boundaries_days[1:]
    planned = (raw.onboarding.planned_day[None, :] < month_ends[:, None]) & moves
    moved = (raw.onboarding.onboarded_day[None, :] < month_ends[:, None]) & moves
    return {
        "departments_planned": planned.sum(axis=1),
        "spend_transferred_gbp_per_year": (moved * spend).sum(axis=1),
        "spend_planned_gbp_per_year": (planned * spend).sum(axis=1),
    }


def _verdict_series(
    raw: RawRun, series: dict[str, np.ndarray], column: int | None
) -> dict[str, int | None]:
    """Both editions of the rule on one pool's series (or the pooled totals)."""

    def pick(name: str) -> np.ndarray:
        values = np.asarray(series[name], dtype=float)
        return values if column is None else values[:, column]

    v = raw.scenario.verdict
    strained = capacity_strained(
        pick("demand_fte"),
        pick("effective_fte"),
        pick("work_in_hand_weeks"),
        v.capacity_window_months,
        v.work_in_hand_growth_weeks,
    )
    service = pick("service_by_arrival")
    first = first_outrun_month(
        service_short_months(service, strained, v.sla_attainment_target), v.consecutive_months
    )
    old = first_outrun_month(
        short_months(
            pick("demand_fte"),
            pick("effective_fte"),
            pick("sla_attainment"),
            v.sla_attainment_target,
        ),
        v.consecutive_months,
    )
    with np.errstate(invalid="ignore"):
        missed = first_true_month(service < v.sla_attainment_target)
    return {"outrun_month": first, "monthly_shortfall_month": old, "first_miss": missed}


def _ccs_verdicts(raw: RawRun, monthly: pd.DataFrame, pools: pd.DataFrame) -> dict[str, Any]:
    """CCS outruns when any pool does (from the earliest); the pooled rule is kept beside it."""
    pooled = _verdict_series(raw, {c: monthly[c].to_numpy() for c in monthly.columns}, None)
    months = [int(m) for m in pools["outrun_month"].dropna()]
    first = min(months) if months else None
    misses = [int(m) for m in pools["first_service_miss_month"].dropna()]
    return {
        "outruns_capability": first is not None,
        "outrun_month": first,
        "outruns_capability_pooled": pooled["outrun_month"] is not None,
        "outrun_month_pooled": pooled["outrun_month"],
        "monthly_shortfall": pooled["monthly_shortfall_month"] is not None,
        "monthly_shortfall_month": pooled["monthly_shortfall_month"],
        "first_service_miss_month": min(misses) if misses else None,
    }


def _overall_utilisation(monthly: pd.DataFrame) -> float:
    capacity = monthly["capacity_slot_days"].sum()
    return float(monthly["busy_slot_days"].sum() / capacity) if capacity > 0 else float("nan")


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")


def _pool_verdicts(raw: RawRun, by_pool: dict[str, np.ndarray]) -> pd.DataFrame:
    series = dict(by_pool)
    series.update(_derived(series, _per_week(raw)))
    rows = []
    for p, name in enumerate(raw.scenario.pool_names):
        verdict = _verdict_series(raw, series, p)
        rows.append(
            {
                "pool": name,
                "outruns_capability": verdict["outrun_month"] is not None,
                "outrun_month": verdict["outrun_month"],
                "monthly_shortfall": verdict["monthly_shortfall_month"] is not None,
                "monthly_shortfall_month": verdict["monthly_shortfall_month"],
                "first_service_miss_month": verdict["first_miss"],
            }
        )
    return pd.DataFrame(rows)


def _end(raw: RawRun) -> dict[str, int]:
    state = np.asarray(raw.desk.state)
    return {
        "waiting": int(((state == WAITING) | (state == REQUEUED)).sum()),
        "in_service": int((state == IN_SERVICE).sum()),
        "completed": int((state == COMPLETED).sum()),
        "reneged": int((state == RENEGED).sum()),
        "deferred": int((state == DROPPED).sum()),
        "arrived": int(((state != DROPPED) & (state != NOT_ARRIVED)).sum()),
        "handed_back": raw.desk.handbacks,
    }
