"""Random quantities: each distribution draws with the mean and spread it declares, and
each domain refuses values it cannot take."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.scenario.quantities import parse_quantity


@pytest.mark.parametrize(("spec", "domain", "mean", "sd"), [
    ({"dist": "lognormal", "mean": 1800, "sd": 600}, "nonneg", 1800, 600),
    ({"dist": "gamma", "mean": 1800, "sd": 600}, "nonneg", 1800, 600),
    ({"dist": "beta", "mean": 0.1, "sd": 0.05}, "share", 0.1, 0.05),
    ({"dist": "normal", "mean": 5, "sd": 2}, "real", 5, 2),
    ({"dist": "uniform", "low": 0, "high": 12}, "nonneg", 6, 12 / np.sqrt(12)),
    ({"dist": "triangular", "low": 0, "mode": 3, "high": 6}, "nonneg", 3, np.sqrt(1.5)),
    ({"dist": "poisson", "mean": 3.0, "min": 1}, "count", 3, np.sqrt(2)),
    (2.5, "nonneg", 2.5, 0),
])
def test_draws_have_the_declared_mean_and_sd(spec, domain, mean, sd):
    """200,000 draws: sample mean and sd within 1.5% (or 0.01 absolute) of the declared ones."""
    q = parse_quantity(spec, domain)
    x = q.sample(np.random.default_rng(0), 200_000)
    assert x.mean() == pytest.approx(mean, rel=0.015, abs=0.01)
    assert x.std() == pytest.approx(sd, rel=0.015, abs=0.01)
    assert q.expected() == pytest.approx(mean)


@pytest.mark.parametrize(("spec", "domain", "message"), [
    (1.5, "share", "got 1.5"),
    (-1, "nonneg", "got -1"),
    ({"dist": "normal", "mean": 1, "sd": 1}, "nonneg", "set min = 0"),
    ({"dist": "lognormal", "mean": 0, "sd": 1}, "nonneg", "mean: expected a number ≥ 1e-09"),
    ({"dist": "beta", "mean": 0.5, "sd": 0.6}, "share", "sd: expected at most 0.5"),
    ({"dist": "beta", "mean": 0.1, "sd": 0.4}, "share", "sd: expected less than 0.3"),
    ({"dist": "gamma", "mean": 1.0, "sd": 1e200}, "nonneg", "expected numbers between"),
    ({"dist": "beta", "mean": 0.2, "sd": 1e-200}, "share", "sd: expected 0 or at least 1e-09"),
    ({"dist": "uniform", "low": 0, "high": float("inf")}, "nonneg", "finite number"),
    ({"dist": "poisson", "mean": 1e300}, "count", "between min"),
    (1e300, "nonneg", "expected numbers between"),
    ({"dist": "uniform", "low": 2, "high": 1}, "real", "expected low ≤ high"),
    ({"dist": "gamma", "mean": 5, "sd": 1}, "count", "whole number"),
    (2.5, "count", "whole number"),
    ({"dist": "poisson", "mean": 1.0, "min": 2}, "count", "mean: expected a number between min"),
    ("ten", "real", "got 'ten'"),
])
def test_bad_quantities_say_what_was_expected(spec, domain, message):
    """Each bad quantity raises a ValueError whose text says what was expected."""
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_quantity(spec, domain)
