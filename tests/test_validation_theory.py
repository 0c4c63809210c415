"""Validation against queueing theory: with every feature off the model is an M/M/c queue.

Each check runs independent replications with fixed seeds, takes the mean of a per-replication
estimate and its t-based 95% confidence interval, and asserts that the theoretical value lies in
it. The replications are long enough that the interval is narrow (asserted too), so a model that
served at the wrong rate, queued in the wrong order or mis-measured waits would fall outside.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import START_DATE, mmc_scenario, raw_run
from scipy import stats

from sim.results.replication import run_replication

pytestmark = pytest.mark.slow

MEAN_EFFORT_DAYS = 0.5
HORIZON_MONTHS = 120
WARMUP_DAYS = 30.0  # the first month (April), so monthly series can skip their first row too
HORIZON_DAYS = (START_DATE.replace(year=START_DATE.year + HORIZON_MONTHS // 12) - START_DATE).days
REPS = 20
SEED = 2024
CASES = [(1, 0.5), (2, 0.7), (3, 0.8), (5, 0.6)]


def erlang_c_wait(c: int, rho: float, mean_service: float) -> float:
    """Mean wait in queue Wq of an M/M/c queue (Erlang C), from the textbook formula."""
    a = c * rho  # offered load in erlangs
    below = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (below + top)
    return p_wait * mean_service / (c * (1 - rho))


def confidence_interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and t-based 95% interval of independent replication values."""
    n = len(values)
    mean = float(np.mean(values))
    half = float(stats.t.ppf(0.975, n - 1) * np.std(values, ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


def replications(c: int, rho: float) -> list:
    s = mmc_scenario(c, rho, MEAN_EFFORT_DAYS, HORIZON_MONTHS, WARMUP_DAYS)
    return [run_replication(s, SEED, rep) for rep in range(REPS)]


@pytest.fixture(scope="module", params=CASES, ids=lambda p: f"c={p[0]}-rho={p[1]}")
def mmc(request):
    c, rho = request.param
    return c, rho, replications(c, rho)


def test_erlang_c_formula_on_known_values() -> None:
    # M/M/1: Wq = rho / (mu - lambda); M/M/2 at rho 0.5 has P(wait) = 1/3.
    assert erlang_c_wait(1, 0.5, 1.0) == pytest.approx(1.0)
    assert erlang_c_wait(2, 0.5, 1.0) == pytest.approx((1 / 3) / (2 * 0.5))
    # Against Erlang B by its recursion, C = B / (1 - rho (1 - B)), for the cases used here.
    for c, rho in CASES:
        blocking = 1.0
        for k in range(1, c + 1):
            blocking = c * rho * blocking / (k + c * rho * blocking)
        p_wait = blocking / (1 - rho * (1 - blocking))
        assert erlang_c_wait(c, rho, 1.0) == pytest.approx(p_wait / (c * (1 - rho)))


def test_mean_wait_matches_erlang_c(mmc) -> None:
    c, rho, results = mmc
    waits = np.array([r.kpis["mean_wait_days"] for r in results])
    _, low, high = confidence_interval(waits)
    wq = erlang_c_wait(c, rho, MEAN_EFFORT_DAYS)
    assert high - low < 0.2 * wq, "interval too wide to be a real test"
    assert low <= wq <= high


def test_utilisation_matches_offered_load(mmc) -> None:
    """Busy case-slot days over staff case-slot days after warm-up estimates rho = lambda/(c mu)."""
    _, rho, results = mmc
    after = [r.monthly.iloc[1:] for r in results]
    used = np.array([m["busy_slot_days"].sum() / m["capacity_slot_days"].sum() for m in after])
    _, low, high = confidence_interval(used)
    assert high - low < 0.02
    assert low <= rho <= high


def test_littles_law_for_the_queue(mmc) -> None:
    """Lq = lambda * Wq, with both sides measured from the same runs.

    The model records the backlog only as month-end snapshots, not as a time integral. In a
    stationary queue the expected number waiting at any fixed instant equals its time average,
    so the mean of the month-end snapshots (after warm-up) estimates Lq without bias. The right
    side is the observed arrival rate times the observed mean wait. Each replication gives the
    difference of the two; its interval must contain 0.
    """
    c, rho, results = mmc
    differences = []
    for r in results:
        after_warmup = r.monthly.iloc[1:]
        rate = after_warmup["arrivals"].sum() / (HORIZON_DAYS - WARMUP_DAYS)
        lq_seen = after_warmup["backlog"].mean()
        differences.append(lq_seen - rate * r.kpis["mean_wait_days"])
    _, low, high = confidence_interval(np.array(differences))
    lq = (rho * c / MEAN_EFFORT_DAYS) * erlang_c_wait(c, rho, MEAN_EFFORT_DAYS)
    assert high - low < 0.5 * lq
    assert low <= 0 <= high


def test_littles_law_for_service_holds_on_every_sample_path() -> None:
    """Area under the number-in-service curve == total time requests spent in service.

    This is Little's law in its exact, finite-horizon form (each request's time in service is
    cut at the horizon), so it must hold to rounding in every run, not just on average.
    """
    s = mmc_scenario(3, 0.9, MEAN_EFFORT_DAYS, horizon_months=6)
    raw = raw_run(s, seed=5)
    horizon = raw.calendar.horizon_days
    start = np.asarray(raw.desk.first_start_day)
    end = np.nan_to_num(np.asarray(raw.desk.end_day), nan=horizon)
    started = ~np.isnan(start)
    in_service_days = (np.minimum(end, horizon) - start)[started].sum()
    area = raw.monitor.by_pool["busy_slot_days_to_date"][-1, 0]
    assert area == pytest.approx(in_service_days, rel=1e-9)


def test_plenty_of_staff_means_nobody_waits() -> None:
    # M/M/inf-like: 200 staff for a Poisson load of 1 erlang; all 200 busy has probability ~0.
    s = mmc_scenario(200, 1 / 200, mean_effort_days=1.0, horizon_months=12)
    result = run_replication(s, SEED, 0)
    assert result.kpis["arrivals"] > 300
    assert result.kpis["mean_wait_days"] == pytest.approx(0, abs=1e-9)
    assert result.kpis["p95_wait_days"] == pytest.approx(0, abs=1e-9)
    assert result.kpis["backlog_end"] == 0
