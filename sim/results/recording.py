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
from sim.results.verdict import first_outrun_month, short_months

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
    target = raw.scenario.verdict.sla_attainment_target
    n = raw.scenario.verdict.consecutive_months
    outrun = first_outrun_month(
        short_months(
            monthly["demand_fte"].to_numpy(),
            monthly["effective_fte"].to_numpy(),
            monthly["sla_attainment"].to_numpy(),
            target,
        ),
        n,
    )
    kpis = _kpis(raw, monthly, outrun)
    pool_kpis = _pool_verdicts(raw, by_pool, target, n)
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
    cal, book, scenario = raw.calendar, raw.book, raw.scenario
    months, n_pools = scenario.run.horizon_months, len(scenario.staff_pools)
    shape = (months, n_pools)
    req = _request_arrays(raw)
    state, start, end = req["state"], req["first_start"], req["end"]
    pool = book.pool
    arrived = (state != DROPPED) & (state != NOT_ARRIVED)
    started = ~np.isnan(start)
    completed = state == COMPLETED
    reneged = state == RENEGED
    within = completed & (end - book.arrival_day <= book.sla_target_days)
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
        "savings_foregone_gbp": _count(
            m_end[reneged], pool[reneged], shape, book.savings_gbp[reneged]
        ),
        "wait_days_sum": _count(
            m_start[started], pool[started], shape, (start - book.arrival_day)[started]
        ),
    }
    days_in_month = np.diff(cal.boundaries_days)[:, None]
    working_share = scenario.run.working_days_per_year / DAYS_PER_YEAR
    effort = _count(m_arr[arrived], pool[arrived], shape, book.effort_person_days[arrived])
    out["demand_fte"] = effort / (days_in_month * working_share)
    snap = raw.monitor.by_pool
    for name in POOL_STOCKS:
        if name in ("effective_fte", "backlog_weeks"):
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
    ):
        out[flow] = np.diff(snap[cumulative], axis=0, prepend=0.0)
    for name, events in (
        ("joiners", raw.workforce.joined),
        ("leavers", raw.workforce.left),
        ("resignations", raw.workforce.resigned),
    ):
        out[name] = _events_by_month(raw, events)
    salary = np.array([p.salary_gbp_per_year * (1 + p.on_cost_share) for p in scenario.staff_pools])
    out["staff_cost_gbp"] = out["staff_days"] * salary / DAYS_PER_YEAR
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


def _derived(series: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {
        "sla_attainment": _ratio(series["completions_within_target"], series["completions"]),
        "utilisation": _ratio(series["busy_slot_days"], series["capacity_slot_days"]),
        "mean_wait_days": _ratio(series["wait_days_sum"], series["starts"]),
    }


def _monthly_totals(raw: RawRun, by_pool: dict[str, np.ndarray]) -> pd.DataFrame:
    cal = raw.calendar
    totals = {name: by_pool[name].sum(axis=1) for name in _ADDITIVE}
    totals.update(_derived(totals))
    for stage_column in [c for c in by_pool if c.startswith("pipeline_")]:
        totals[stage_column] = by_pool[stage_column].sum(axis=1)
    frame = pd.DataFrame(
        {
            "month": np.arange(cal.horizon_months),
            "date": pd.to_datetime(cal.month_start_dates[:-1]),
            "departments_onboarded": raw.monitor.departments_onboarded,
            "onboarding_paused": raw.monitor.onboarding_paused,
            **totals,
        }
    )
    return frame.drop(columns=["wait_days_sum"])


def _long_by_pool(raw: RawRun, by_pool: dict[str, np.ndarray]) -> pd.DataFrame:
    months, n_pools = by_pool["arrivals"].shape
    series = dict(by_pool)
    series.update(_derived(series))
    frame = pd.DataFrame(
        {
            "month": np.repeat(np.arange(months), n_pools),
            "pool": np.tile(np.array(raw.scenario.pool_names, dtype=object), months),
            **{name: values.ravel() for name, values in series.items()},
        }
    )
    return frame.drop(columns=["wait_days_sum"])


# --- KPIs ---------------------------------------------------------------------------------------


def _kpis(raw: RawRun, monthly: pd.DataFrame, outrun: int | None) -> dict[str, Any]:
    book, scenario = raw.book, raw.scenario
    req = _request_arrays(raw)
    state, start, end = req["state"], req["first_start"], req["end"]
    counted = book.arrival_day >= scenario.run.warmup_days
    arrived = counted & (state != DROPPED) & (state != NOT_ARRIVED)
    completed = counted & (state == COMPLETED)
    reneged = counted & (state == RENEGED)
    started = counted & ~np.isnan(start)
    waits = (start - book.arrival_day)[started]
    within = completed & (end - book.arrival_day <= book.sla_target_days)
    n_done, n_gone = int(completed.sum()), int(reneged.sum())
    last = monthly.iloc[-1]
    times_to_hire = np.concatenate([np.asarray(t) for t in raw.recruitment.time_to_hire_days])
    times_to_fill = np.concatenate([np.asarray(t) for t in raw.recruitment.time_to_fill_days])
    return {
        "arrivals": int(arrived.sum()),
        "completed": n_done,
        "reneged": n_gone,
        "backlog_end": int(last["backlog"]),
        "mean_wait_days": float(waits.mean()) if len(waits) else float("nan"),
        "p95_wait_days": float(np.percentile(waits, 95)) if len(waits) else float("nan"),
        "sla_attainment": float(within.sum() / n_done) if n_done else float("nan"),
        "demand_met_share": n_done / (n_done + n_gone) if n_done + n_gone else 1.0,
        "utilisation": _overall_utilisation(monthly),
        "headcount_end": int(last["headcount_in_post"]),
        "effective_fte_end": float(last["effective_fte"]),
        "hires": int(monthly["joiners"].sum()),
        "leavers": int(monthly["leavers"].sum()),
        "mean_time_to_hire_days": _mean(times_to_hire),
        "mean_time_to_fill_days": _mean(times_to_fill),
        "staff_cost_gbp": float(monthly["staff_cost_gbp"].sum()),
        "contractor_cost_gbp": float(monthly["contractor_cost_gbp"].sum()),
        "savings_delivered_gbp": float(book.savings_gbp[completed].sum()),
        "savings_foregone_gbp": float(book.savings_gbp[reneged].sum()),
        "departments_onboarded_end": int(last["departments_onboarded"]),
        "outruns_capability": outrun is not None,
        "outrun_month": outrun,
        "establishment_end": int(last["establishment"]),
        "vacancies_end": int(last["vacancies"]),
        "contractors_end": int(last["contractors"]),
        "requests_deferred": int((counted & (state == DROPPED)).sum()),
        "demand_multiplier": book.demand_multiplier,
    }


def _overall_utilisation(monthly: pd.DataFrame) -> float:
    capacity = monthly["capacity_slot_days"].sum()
    return float(monthly["busy_slot_days"].sum() / capacity) if capacity > 0 else float("nan")


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")


def _pool_verdicts(
    raw: RawRun, by_pool: dict[str, np.ndarray], target: float, n: int
) -> pd.DataFrame:
    sla = _ratio(by_pool["completions_within_target"], by_pool["completions"])
    rows = []
    for p, name in enumerate(raw.scenario.pool_names):
        short = short_months(
            by_pool["demand_fte"][:, p], by_pool["effective_fte"][:, p], sla[:, p], target
        )
        month = first_outrun_month(short, n)
        rows.append({"pool": name, "outruns_capability": month is not None, "outrun_month": month})
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
