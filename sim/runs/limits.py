"""How much work one request may ask for, and how long it would take: shared by `ccs-sim` and the
app, so a mistyped replication count or sweep is refused (or confirmed) before anything runs.

The time estimate is deliberately simple: the requests a replication can expect at most
(`sim.scenario.schema.expected_requests_upper_bound`) at the model's measured speed
(benchmarks/README.md: about 110,000 requests a second on one core of the reference machine),
plus a fixed overhead per replication. It errs on the long side: the bound assumes every
department is onboarded from the start at its busiest month.
"""

from __future__ import annotations

from sim.scenario.schema import Scenario, expected_requests_upper_bound

__all__ = [
    "CONFIRM_ABOVE_SECONDS",
    "MAX_REPS",
    "MAX_STUDY_REPLICATIONS",
    "estimated_seconds",
    "estimated_text",
]

MAX_REPS = 100_000
"""Replications in one run: 100,000 gives probabilities to within a third of a point."""
MAX_STUDY_REPLICATIONS = 1_000_000
"""Replications in one study (comparison, sweep or plan), all its scenarios together."""
CONFIRM_ABOVE_SECONDS = 60
"""The app shows its estimate and asks the planner to confirm work estimated to take longer than
this (a minute: past that, a planner would rather know before starting)."""

REQUESTS_PER_SECOND = 100_000  # one core; benchmarks/README.md measures about 110,000
SECONDS_PER_REPLICATION = 0.05  # writing a replication's tables, starting its streams


def estimated_seconds(scenario: Scenario, replications: int, workers: int = 1) -> float:
    """About how long `replications` of `scenario` take on `workers` cores (an upper estimate)."""
    per_replication = (
        expected_requests_upper_bound(scenario) / REQUESTS_PER_SECOND + SECONDS_PER_REPLICATION
    )
    return per_replication * replications / max(1, workers)


def estimated_text(seconds: float) -> str:
    """A duration as a person says it: '40 seconds', '12 minutes', '3.5 hours', '2.1 days'."""
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:.1f} days"
