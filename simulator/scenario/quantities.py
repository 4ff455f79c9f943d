"""Random quantities: a plain number or a distribution, read from a scenario.

Any uncertain input — litres per pump-day, a station's undeclared share, minutes to
verify a pump — is written either as a number (fixed) or as an inline table such as
``{ dist = "lognormal", mean = 1800, sd = 600 }``. Each is turned into a frozen object
with ``sample(rng, size)``; which values a quantity may take (a share, a non-negative
amount, a count) is checked once, when the scenario is validated.

Distributions are parameterised by their mean and standard deviation where that is
natural (lognormal, gamma, beta, normal), so that an analyst can calibrate or sweep
``behaviour.undeclared_share.mean`` directly.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

_FROZEN = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
LIMIT = 1e12  # no input quantity is larger than this; beyond it sums would overflow
TINY = 1e-9  # a spread smaller than this (but not 0) is refused: it would divide by zero

# The domains a quantity can be declared on, with the support each allows.
Domain = Literal["real", "nonneg", "share", "count"]
_DOMAIN_TEXT = {
    "real": "a number",
    "nonneg": "a number ≥ 0",
    "share": "a share between 0 and 1",
    "count": "a whole number ≥ 0",
}


class Quantity(BaseModel):
    """Base of all quantities; ``support`` is the (low, high) range of possible values."""

    model_config = _FROZEN
    dist: str

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError

    def expected(self) -> float:
        """The distribution's mean (before any clipping)."""
        return float(self.mean)  # type: ignore[attr-defined]

    def support(self) -> tuple[float, float]:
        raise NotImplementedError


def _bounded(*values: float) -> None:
    if any(abs(v) > LIMIT for v in values):
        raise ValueError(f"expected numbers between -{LIMIT:g} and {LIMIT:g}")


class Fixed(Quantity):
    """A plain number written in the scenario: every draw is this value."""

    dist: Literal["fixed"] = "fixed"
    value: float

    @model_validator(mode="after")
    def _size(self):
        _bounded(self.value)
        return self

    def sample(self, rng, size):
        return np.full(size, self.value, dtype=float)

    def expected(self) -> float:
        return self.value

    def support(self):
        return (self.value, self.value)


class Uniform(Quantity):
    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        _bounded(self.low, self.high)
        if not self.low <= self.high:
            raise ValueError("expected low ≤ high")
        return self

    def sample(self, rng, size):
        return rng.uniform(self.low, self.high, size)

    def expected(self) -> float:
        return (self.low + self.high) / 2

    def support(self):
        return (self.low, self.high)


class Triangular(Quantity):
    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        _bounded(self.low, self.mode, self.high)
        if not self.low <= self.mode <= self.high:
            raise ValueError("expected low ≤ mode ≤ high")
        return self

    def sample(self, rng, size):
        if self.low == self.high:
            return np.full(size, self.low, dtype=float)
        return rng.triangular(self.low, self.mode, self.high, size)

    def expected(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def support(self):
        return (self.low, self.high)


class _MeanSd(Quantity):
    mean: float
    sd: float

    @model_validator(mode="after")
    def _sd(self):
        if not (math.isfinite(self.mean) and math.isfinite(self.sd)):
            raise ValueError("expected finite mean and sd")
        if self.sd < 0:
            raise ValueError("sd: expected a number ≥ 0")
        _bounded(self.mean, self.sd)
        if 0 < self.sd < TINY:
            raise ValueError(f"sd: expected 0 or at least {TINY:g}")
        return self


class Normal(_MeanSd):
    """Normal, optionally clipped to [min, max] (clipping moves mass to the bounds)."""

    dist: Literal["normal"]
    min: float = -math.inf
    max: float = math.inf

    @model_validator(mode="after")
    def _clip_bounds(self):
        _bounded(*(b for b in (self.min, self.max) if math.isfinite(b)))
        if self.min > self.max:
            raise ValueError("expected min ≤ max")
        return self

    def sample(self, rng, size):
        return np.clip(rng.normal(self.mean, self.sd, size), self.min, self.max)

    def support(self):
        return (self.min, self.max)


class _PositiveMeanSd(_MeanSd):
    """A positive distribution given by mean and sd; sd 0 means the mean itself."""

    @model_validator(mode="after")
    def _positive(self):
        if self.mean < TINY:
            raise ValueError(f"mean: expected a number ≥ {TINY:g}")
        if self.sd > 1000 * self.mean:
            raise ValueError("sd: expected at most 1000 × the mean")
        return self

    def sample(self, rng, size):
        if self.sd == 0:
            return np.full(size, self.mean, dtype=float)
        return self._draw(rng, size)

    def support(self):
        return (0.0, math.inf)


class Lognormal(_PositiveMeanSd):
    """Lognormal with the given mean and sd of the variable itself (not of its log)."""

    dist: Literal["lognormal"]

    def _draw(self, rng, size):
        s2 = math.log1p((self.sd / self.mean) ** 2)
        return rng.lognormal(math.log(self.mean) - s2 / 2, math.sqrt(s2), size)


class Gamma(_PositiveMeanSd):
    """Gamma with the given mean and sd."""

    dist: Literal["gamma"]

    def _draw(self, rng, size):
        shape = (self.mean / self.sd) ** 2
        return rng.gamma(shape, self.mean / shape, size)


class Beta(_MeanSd):
    """Beta for shares, with the given mean and sd (so sd² < mean·(1 − mean))."""

    dist: Literal["beta"]

    @model_validator(mode="after")
    def _feasible(self):
        if self.sd > 0.5:
            raise ValueError("sd: expected at most 0.5 for a share")
        if not 0 < self.mean < 1:
            raise ValueError("mean: expected a share strictly between 0 and 1")
        if self.sd > 0 and self.sd**2 >= self.mean * (1 - self.mean):
            limit = math.sqrt(self.mean * (1 - self.mean))
            raise ValueError(f"sd: expected less than {limit:.4g} for mean {self.mean:g}")
        return self

    def sample(self, rng, size):
        if self.sd == 0:
            return np.full(size, self.mean, dtype=float)
        k = self.mean * (1 - self.mean) / self.sd**2 - 1
        return rng.beta(self.mean * k, (1 - self.mean) * k, size)

    def support(self):
        return (0.0, 1.0)


class Poisson(Quantity):
    """Poisson counts, shifted so that every draw is at least ``min``."""

    dist: Literal["poisson"]
    mean: float
    min: int = 0

    @model_validator(mode="after")
    def _positive(self):
        if not (math.isfinite(self.mean) and self.min <= self.mean <= 1e9):
            raise ValueError(f"mean: expected a number between min ({self.min}) and 1e9")
        if self.min < 0:
            raise ValueError("min: expected a whole number ≥ 0")
        return self

    def sample(self, rng, size):
        return (self.min + rng.poisson(self.mean - self.min, size)).astype(float)

    def support(self):
        return (float(self.min), math.inf)


DISTRIBUTIONS: dict[str, type[Quantity]] = {
    cls.model_fields["dist"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in (Uniform, Triangular, Normal, Lognormal, Gamma, Beta, Poisson)
}


def _loc(err: dict[str, Any]) -> str:
    return ".".join(str(p) for p in err["loc"])


def _short(value: Any, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def parse_quantity(value: Any, domain: Domain = "real") -> Quantity:
    """Turn a scenario value (number or inline table) into a Quantity on ``domain``.

    Raises ``ValueError`` with a one-line message; the scenario loader prefixes it
    with the file name and the dotted key.
    """
    if isinstance(value, Quantity):
        q = value
    elif isinstance(value, bool) or not isinstance(value, (int, float, dict)):
        raise ValueError(
            f"expected {_DOMAIN_TEXT[domain]} or a table like {{ dist = \"beta\", mean = 0.1, sd = 0.05 }}, "
            f"got {_short(value)}"
        )
    else:
        if isinstance(value, (int, float)):
            if isinstance(value, int) and abs(value) > LIMIT:
                raise ValueError(f"expected numbers between -{LIMIT:g} and {LIMIT:g}")
            if not math.isfinite(value):
                raise ValueError(f"expected {_DOMAIN_TEXT[domain]}, got {value!r}")
            cls, value = Fixed, {"value": float(value)}
        else:
            name = value.get("dist")
            cls = DISTRIBUTIONS.get(name) if isinstance(name, str) else None
            if cls is None:
                raise ValueError(f"dist: expected one of {', '.join(sorted(DISTRIBUTIONS))}, got {_short(name)}")
        try:
            q = cls.model_validate(value)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = "" if cls is Fixed else _loc(err)
            msg = err["msg"].removeprefix("Value error, ")
            raise ValueError(f"{where}: {msg}" if where else msg) from None
    low, high = q.support()
    top = 1.0 if domain == "share" else math.inf
    if isinstance(q, Fixed) and domain in ("nonneg", "share") and not 0 <= q.value <= top:
        raise ValueError(f"expected {_DOMAIN_TEXT[domain]}, got {q.value:g}")
    if domain == "nonneg" and low < 0:
        raise ValueError(f"expected {_DOMAIN_TEXT[domain]}; {q.dist} can go below 0 (set min = 0)")
    if domain == "share" and (low < 0 or high > 1):
        raise ValueError(f"expected {_DOMAIN_TEXT[domain]}; got values outside [0, 1]")
    if domain == "count":
        if low < 0:
            raise ValueError(f"expected {_DOMAIN_TEXT[domain]}")
        if isinstance(q, Fixed) and not float(q.value).is_integer():
            raise ValueError(f"expected {_DOMAIN_TEXT[domain]}, got {q.value!r}")
        if not isinstance(q, (Fixed, Poisson)):
            raise ValueError("expected a whole number or { dist = \"poisson\", mean = … }")
    return q


def _on(domain: Domain):
    return BeforeValidator(lambda v: parse_quantity(v, domain))


RealQ = Annotated[Quantity, _on("real")]
NonNegQ = Annotated[Quantity, _on("nonneg")]
ShareQ = Annotated[Quantity, _on("share")]
CountQ = Annotated[Quantity, _on("count")]
