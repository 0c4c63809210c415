"""The base of every scenario model and the bounds that keep every run finite (docs/limits.md).

Shared by `schema`, `start_state` and `responses`, so that every part of a scenario refuses
unknown keys, NaN and infinities in the same way and states the same limits. The bounds are far
beyond any real scenario (CCS has a few thousand staff and a few dozen departments) and are stated
in the schema, so the app's widgets and the JSON Schema show them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MAX_DAYS",
    "MAX_EXPECTED_REQUESTS",
    "MAX_GBP",
    "MAX_HEADCOUNT",
    "MAX_ITEMS",
    "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_WEEKS",
    "Days",
    "Frozen",
    "Headcount",
    "Name",
    "PositiveCount",
    "Pounds",
    "Share",
    "Weeks",
]

Share = Annotated[float, Field(ge=0, le=1)]
PositiveCount = Annotated[int, Field(ge=1)]

MAX_HEADCOUNT = 100_000
MAX_DAYS = 36_500  # a hundred years: any longer duration is a typing mistake
MAX_WEEKS = 5_200
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 20_000
MAX_GBP = 1e12
MAX_ITEMS = 1_000  # departments, request types, pools, plan steps, freezes, vetting levels
MAX_EXPECTED_REQUESTS = 2_000_000
"""Requests one replication may expect (all departments, types and months); the baseline expects
about 20,000. Arrays of this many requests fit in memory and a replication ends in minutes."""

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]
Headcount = Annotated[int, Field(ge=0, le=MAX_HEADCOUNT)]
"""A number of people or posts: zero or more, at most MAX_HEADCOUNT."""
Days = Annotated[float, Field(ge=0, le=MAX_DAYS)]
"""A duration or age in days: zero or more, at most MAX_DAYS."""
Weeks = Annotated[float, Field(ge=0, le=MAX_WEEKS)]
"""A level in weeks (of work in hand): zero or more, at most MAX_WEEKS."""
Pounds = Annotated[float, Field(ge=0, le=MAX_GBP)]
"""An amount of money in pounds: zero or more, at most MAX_GBP."""


class Frozen(BaseModel):
    """Immutable, unknown keys refused; allow_inf_nan=False: NaN and infinities are refused
    everywhere a number goes, lists included."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )
