"""Distributions: sample means match `.mean`, stated percentiles hold, bad parameters fail."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from sim.scenario.distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Lognormal,
    LognormalPercentile,
    Triangular,
    Uniform,
)

N = 200_000

DISTRIBUTIONS = [
    Exponential(mean=2.5),
    Uniform(low=1, high=5),
    Triangular(low=1, mode=2, high=9),
    Lognormal(mean=10, sd=4),
    LognormalPercentile(median=15, percentile=0.85, value=25),
    Empirical(values=[1, 2, 10]),
    Empirical(values=[1, 2, 10], weights=[1, 1, 2]),
]


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: d.kind)
def test_sample_mean_matches_stated_mean(dist) -> None:
    x = dist.sample(np.random.default_rng(11), N)
    assert x.shape == (N,)
    assert (x >= 0).all()
    # 99.9% confidence interval: a wrong mean (or a mis-parametrised sampler) falls outside.
    half_width = stats.norm.ppf(0.9995) * x.std(ddof=1) / math.sqrt(N)
    assert abs(x.mean() - dist.mean) < half_width


def test_means_are_the_textbook_values() -> None:
    assert Exponential(mean=2.5).mean == 2.5
    assert Uniform(low=1, high=5).mean == 3
    assert Triangular(low=1, mode=2, high=9).mean == pytest.approx(4)
    assert Lognormal(mean=10, sd=4).mean == 10
    assert Empirical(values=[1, 2, 10], weights=[1, 1, 2]).mean == pytest.approx(23 / 4)
    assert Fixed(value=7).mean == 7


def test_fixed_always_gives_its_value() -> None:
    assert (Fixed(value=7).sample(np.random.default_rng(1), 5) == 7).all()


def test_triangular_with_no_width_is_a_constant() -> None:
    assert (Triangular(low=4, mode=4, high=4).sample(np.random.default_rng(1), 5) == 4).all()


def test_lognormal_has_the_stated_standard_deviation() -> None:
    x = Lognormal(mean=10, sd=4).sample(np.random.default_rng(12), N)
    assert x.std() == pytest.approx(4, rel=0.02)


def _scipy_lognormal(median: float, percentile: float, value: float):
    """The lognormal with this median and this value at this percentile, built independently."""
    sigma = math.log(value / median) / stats.norm.ppf(percentile)
    return stats.lognorm(s=sigma, scale=median)


@pytest.mark.parametrize(
    ("median", "percentile", "value"), [(15, 0.85, 25), (60, 0.9, 180), (3, 0.51, 3.1)]
)
def test_lognormal_percentile_puts_the_value_at_the_percentile(median, percentile, value) -> None:
    dist = LognormalPercentile(median=median, percentile=percentile, value=value)
    reference = _scipy_lognormal(median, percentile, value)
    assert reference.ppf(percentile) == pytest.approx(value)
    assert dist.mean == pytest.approx(reference.mean())
    x = dist.sample(np.random.default_rng(13), N)
    assert np.median(x) == pytest.approx(median, rel=0.01)
    assert np.mean(x <= value) == pytest.approx(percentile, abs=0.005)


def test_a_bare_number_is_a_fixed_value() -> None:
    parsed = TypeAdapter(Distribution).validate_python(3)
    assert parsed == Fixed(value=3)


def test_a_mapping_is_read_by_its_kind() -> None:
    parsed = TypeAdapter(Distribution).validate_python(
        {"kind": "triangular", "low": 1, "mode": 2, "high": 3}
    )
    assert parsed == Triangular(low=1, mode=2, high=3)


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "triangular", "low": 5, "mode": 3, "high": 10},
        {"kind": "triangular", "low": 1, "mode": 12, "high": 10},
        {"kind": "uniform", "low": 5, "high": 4},
        {"kind": "exponential", "mean": 0},
        {"kind": "fixed", "value": -1},
        {"kind": "lognormal", "mean": 0, "sd": 1},
        {"kind": "lognormal", "mean": 5, "sd": -1},
        {"kind": "lognormal_percentile", "median": 10, "percentile": 0.9, "value": 10},
        {"kind": "lognormal_percentile", "median": 10, "percentile": 0.5, "value": 20},
        {"kind": "lognormal_percentile", "median": 10, "percentile": 1.0, "value": 20},
        {"kind": "empirical", "values": []},
        {"kind": "empirical", "values": [1, -2]},
        {"kind": "empirical", "values": [1, 2], "weights": [1]},
        {"kind": "empirical", "values": [1, 2], "weights": [0, 0]},
        {"kind": "empirical", "values": [1, 2], "weights": [2, -1]},
        {"kind": "gamma", "shape": 2},
        {"kind": "fixed", "value": 1, "sd": 2},
        -3,
    ],
    ids=lambda d: str(d),
)
def test_bad_parameters_are_refused(data) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Distribution).validate_python(data)


@pytest.mark.parametrize(
    "dist",
    [
        *DISTRIBUTIONS,
        Fixed(value=3),
        Triangular(low=4, mode=4, high=4),
        Empirical(values=[28, 84], weights=[0.7, 0.3]),
        Empirical(values=[1, 2, 3, 7]),
    ],
    ids=lambda d: d.kind,
)
def test_one_draw_at_a_time_gives_the_same_values_as_a_block(dist) -> None:
    """The model draws durations one at a time (`draw`); runs must not depend on which way."""
    one, block = np.random.default_rng(3), np.random.default_rng(3)
    drawn = [dist.draw(one) for _ in range(2_000)]
    sampled = [float(dist.sample(block, 1)[0]) for _ in range(2_000)]
    assert drawn == sampled
    assert one.random() == block.random()  # the streams are left in the same place


def test_weighted_empirical_draws_what_numpy_choice_draws() -> None:
    """Empirical's precomputed table gives exactly `Generator.choice` with weights."""
    dist = Empirical(values=[5, 10, 20, 40], weights=[1, 3, 0.5, 2])
    ours, numpy_choice = np.random.default_rng(8), np.random.default_rng(8)
    weights = np.array([1, 3, 0.5, 2]) / 6.5
    expected = numpy_choice.choice(np.array([5.0, 10, 20, 40]), size=5_000, p=weights)
    assert np.array_equal(dist.sample(ours, 5_000), expected)
