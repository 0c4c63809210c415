"""Probability distributions for durations, efforts and values.

Each distribution is a small frozen pydantic object named by `kind`, that knows its `mean` and
draws a block of variates from a numpy Generator with `sample(rng, size)`. Scenario files write
them as mappings (`{kind: triangular, low: 50, mode: 60, high: 100}`) or, for a fixed value, as a
bare number.
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sim.errors import FieldProblem

__all__ = [
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Lognormal",
    "LognormalPercentile",
    "Triangular",
    "Uniform",
]


MAX_VALUE = 1e12
"""Largest parameter of any distribution (days, person-days, pounds or a multiplier): finite, and
far beyond any real value (a trillion pounds; billions of years of days)."""
MAX_EMPIRICAL_VALUES = 10_000
MAX_LOGNORMAL_CV = 1_000
"""Standard deviation at most this many times the mean: wider than any observed duration or value,
and narrow enough that the implied parameters stay finite."""
MAX_LOGNORMAL_SIGMA = 5.0
"""Log-scale spread implied by a percentile: 5 puts the 99th percentile 100,000 times the median."""

Value = Annotated[float, Field(ge=0, le=MAX_VALUE)]
PositiveValue = Annotated[float, Field(gt=0, le=MAX_VALUE)]


class _Dist(BaseModel):
    # NaN and infinities are refused in every parameter, the lists of `empirical` included.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @property
    def mean(self) -> float:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw `size` independent variates."""
        raise NotImplementedError

    def draw(self, rng: np.random.Generator) -> float:
        """One variate: the value `sample(rng, 1)[0]` would give, from the same draws of `rng`,
        without building an array (the model draws durations one at a time, per hire)."""
        return float(self.sample(rng, 1)[0])


class Fixed(_Dist):
    """Always the same value."""

    kind: Literal["fixed"] = "fixed"
    value: Value

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, self.value)

    def draw(self, rng: np.random.Generator) -> float:
        return float(self.value)


class Exponential(_Dist):
    """Exponential with the given mean (memoryless: the M in M/M/c)."""

    kind: Literal["exponential"] = "exponential"
    mean_value: PositiveValue = Field(alias="mean")

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @property
    def mean(self) -> float:
        return self.mean_value

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean_value, size)

    def draw(self, rng: np.random.Generator) -> float:
        return float(rng.exponential(self.mean_value))


class Uniform(_Dist):
    """Uniform between low and high."""

    kind: Literal["uniform"] = "uniform"
    low: Value
    high: Value

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise FieldProblem("high", f"must be at least low ({self.low:g})")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)

    def draw(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))


class Triangular(_Dist):
    """Triangular with minimum `low`, most likely `mode` and maximum `high`."""

    kind: Literal["triangular"] = "triangular"
    low: Value
    mode: Value
    high: Value

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            field = "mode" if self.mode < self.low else "high"
            raise FieldProblem(
                field,
                f"needs low <= mode <= high, given {self.low:g}, {self.mode:g}, {self.high:g}",
            )
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.low == self.high:
            return np.full(size, self.low)
        return rng.triangular(self.low, self.mode, self.high, size)

    def draw(self, rng: np.random.Generator) -> float:
        if self.low == self.high:
            return float(self.low)
        return float(rng.triangular(self.low, self.mode, self.high))


class Lognormal(_Dist):
    """Lognormal given by its mean and standard deviation (in the variate's own units)."""

    kind: Literal["lognormal"] = "lognormal"
    mean_value: PositiveValue = Field(alias="mean")
    sd: Value

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @model_validator(mode="after")
    def _spread_finite(self) -> Lognormal:
        if self.sd > MAX_LOGNORMAL_CV * self.mean_value:
            raise FieldProblem(
                "sd",
                f"at most {MAX_LOGNORMAL_CV:,} times the mean ({self.mean_value:g})",
            )
        return self

    @property
    def mean(self) -> float:
        return self.mean_value

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        sigma2 = math.log1p((self.sd / self.mean_value) ** 2)
        mu = math.log(self.mean_value) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), size)

    def draw(self, rng: np.random.Generator) -> float:
        sigma2 = math.log1p((self.sd / self.mean_value) ** 2)
        mu = math.log(self.mean_value) - sigma2 / 2
        return float(rng.lognormal(mu, math.sqrt(sigma2)))


class LognormalPercentile(_Dist):
    """Lognormal given by its median and one other percentile.

    Service targets are often published this way: UKSV's "85% of SC clearances within 25 days"
    is `{kind: lognormal_percentile, median: 15, percentile: 0.85, value: 25}`.
    """

    kind: Literal["lognormal_percentile"] = "lognormal_percentile"
    median: PositiveValue
    percentile: float = Field(gt=0.5, lt=1)
    value: PositiveValue

    @model_validator(mode="after")
    def _value_above_median(self) -> LognormalPercentile:
        if self.value <= self.median:
            raise FieldProblem(
                "value",
                f"value at percentile {self.percentile} ({self.value:g}) must exceed the "
                f"median ({self.median:g})",
            )
        if self.sigma > MAX_LOGNORMAL_SIGMA:
            raise FieldProblem(
                "value",
                f"at percentile {self.percentile} this implies a log-scale spread of "
                f"{self.sigma:.3g}; allowed: at most {MAX_LOGNORMAL_SIGMA:g} (a value closer to "
                "the median, or a percentile further from 0.5)",
            )
        return self

    @property
    def sigma(self) -> float:
        z = NormalDist().inv_cdf(self.percentile)
        return math.log(self.value / self.median) / z

    @property
    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.lognormal(math.log(self.median), self._sigma, size)

    def draw(self, rng: np.random.Generator) -> float:
        return float(rng.lognormal(math.log(self.median), self._sigma))

    @functools.cached_property
    def _sigma(self) -> float:
        return self.sigma  # computed once: it inverts the normal distribution


class Empirical(_Dist):
    """Resamples observed values, optionally weighted."""

    kind: Literal["empirical"] = "empirical"
    values: list[Value] = Field(min_length=1, max_length=MAX_EMPIRICAL_VALUES)
    weights: list[Value] | None = Field(default=None, max_length=MAX_EMPIRICAL_VALUES)

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise FieldProblem(
                    "weights",
                    f"has {len(self.weights)} entries but values has {len(self.values)}",
                )
            if sum(self.weights) <= 0:
                raise FieldProblem("weights", "must sum to more than 0")
        return self

    def _probabilities(self) -> np.ndarray | None:
        if self.weights is None:
            return None
        w = np.asarray(self.weights, dtype=float)
        return w / w.sum()

    @property
    def mean(self) -> float:
        p = self._probabilities()
        v = np.asarray(self.values, dtype=float)
        return float(v.mean() if p is None else (v * p).sum())

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        values, cdf = self._table
        if cdf is None:
            return rng.choice(values, size=size)
        # What `rng.choice(values, size, p=weights)` does, with its table built once rather than
        # at every draw (65 µs a draw otherwise): the same variates from the same stream.
        return values[cdf.searchsorted(rng.random(size), side="right")]

    def draw(self, rng: np.random.Generator) -> float:
        values, cdf = self._table
        if cdf is None:
            return float(rng.choice(values))
        return float(values[cdf.searchsorted(rng.random(), side="right")])

    @functools.cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The values as an array, and the cumulative weights as `Generator.choice` builds them."""
        values = np.asarray(self.values, dtype=float)
        p = self._probabilities()
        if p is None:
            return values, None
        cdf = p.cumsum()
        cdf /= cdf[-1]
        return values, cdf


def _number_is_fixed(value: object) -> object:
    """Let a scenario write `7` for `{kind: fixed, value: 7}`."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"kind": "fixed", "value": value}
    return value


Distribution = Annotated[
    Fixed | Exponential | Uniform | Triangular | Lognormal | LognormalPercentile | Empirical,
    Field(discriminator="kind"),
    BeforeValidator(_number_is_fixed),
]
"""Any of the distributions above, chosen by its `kind`."""
