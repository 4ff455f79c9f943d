"""The scenario's money sections: tax regimes, fuel supply and upstream taxes, dated prices.

``[tax]`` holds the rates of the three tax regimes a fuel station can be under
(:data:`REGIMES`); ``[operators.NAME].regime`` says which one each type of operator is
on. ``[supply]`` says how much of the fuel a station does not declare it also bought
off-book, and which taxes are collected upstream (at import or refinery) on every litre
bought on-book. ``[prices]`` gives a dated retail price path per fuel, which
``demand.fuel_mix`` weighs. Units: VND, litres, shares (0.1 = 10%).

The regimes (see :mod:`simulator.model.declarations` for the arithmetic):

* ``declared_household`` — a household business declaring its revenue monthly and paying
  ``tax.rate`` of it (1% VAT + 0.5% personal income tax for the distribution of goods).
* ``presumptive`` — a household on a lump sum the tax office assesses every
  ``tax.assessment_months`` from its estimate of the station's revenue; the estimate sees
  only the declared share of it until the totaliser is sealed, and the metered sales
  after (or, with ``tax.seal_moves_to_declaration``, the station declares monthly from
  the month after its seal).
* ``enterprise`` — a company paying VAT by the credit method (``tax.vat_rate`` of its
  declared sales less the VAT on its on-book purchases) and corporate income tax
  (``tax.cit_rate`` of its declared margin less operating costs). It cannot hide a sale
  without hiding the purchase behind it, unless that fuel was bought off-book.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .quantities import ShareQ
from .sections import Date, PricePoint, _Section

REGIMES = ("declared_household", "presumptive", "enterprise")
Regime = Literal["declared_household", "presumptive", "enterprise"]
NEEDS = {
    "declared_household": (),
    "presumptive": ("assessment_months",),
    "enterprise": ("vat_rate", "cit_rate", "margin"),
}
ALTERNATIVES = {"margin": "margin_per_litre"}
"""A needed key that another may stand in for."""
"""The ``[tax]`` keys each regime needs (``rate`` is always there)."""

_UPSTREAM_HINT = ("taxes per litre (environmental protection tax, special consumption tax, import duty) are "
                  "collected upstream, not from stations: put them in [supply.upstream.FUEL]; for a deliberate "
                  "retail-stage charge per declared litre use retail_per_litre")
_FUEL = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class Tax(_Section):
    """``[tax]``: the rates of the stations' tax regimes."""

    rate: float = Field(ge=0, le=1)
    """``declared_household`` and ``presumptive``: tax as a share of (declared or assessed) revenue."""
    per_litre: float = Field(0.0, ge=0, le=1e9)
    """Refused when not 0: see ``retail_per_litre`` and ``[supply.upstream]``."""
    retail_per_litre: float = Field(0.0, ge=0, le=1e9)
    """A retail-stage charge per declared litre, VND/L (none in Vietnam; for other countries)."""
    regime: Regime = "declared_household"
    """The regime of stations whose operator type names none (and of all stations without ``[operators]``)."""
    assessment_months: int | None = Field(None, ge=1, le=120)
    """``presumptive``: the lump sum is re-assessed every this many months (12: once a year)."""
    assessment_start: Date | None = None
    """``presumptive``: the first assessment, the first of a month (default: 1 January of the start year)."""
    assessment_base: Literal["prior_period", "period_mean", "assessment_day"] = "prior_period"
    """``presumptive``: the revenue a lump sum is assessed on — the previous period's (a household
    declares last year's revenue; the default), the period's own (an office that foresees volumes
    and prices), or the period's volumes at the price of the assessment day."""
    seal_moves_to_declaration: bool = False
    """``presumptive``: a sealed station declares monthly (``declared_household``) from the month after its seal."""
    vat_rate: float | None = Field(None, ge=0, le=1)
    """``enterprise``: VAT rate; retail prices include it, so VAT is ``vat_rate / (1 + vat_rate)`` of a price."""
    cit_rate: float | None = Field(None, ge=0, le=1)
    """``enterprise``: corporate income tax on the declared margin less operating costs."""
    margin: float | None = Field(None, ge=0, le=1)
    """``enterprise``: gross retail margin as a share of the retail price (purchases cost 1 − margin of it);
    or give ``margin_per_litre``."""
    margin_per_litre: float | None = Field(None, ge=0, le=1e6)
    """``enterprise``: gross retail margin in VND per litre (a commission that does not follow the price)."""
    cost_share: float = Field(0.0, ge=0, le=1)
    """``enterprise``: operating costs net of VAT, a share of the retail value of what is sold (deducted for CIT)."""
    cost_per_litre: float = Field(0.0, ge=0, le=1e6)
    """``enterprise``: operating costs net of VAT per litre sold, VND/L (deducted for CIT; adds to ``cost_share``)."""

    @field_validator("per_litre")
    @classmethod
    def _not_upstream(cls, v):
        if v != 0:
            raise ValueError(f"expected 0: {_UPSTREAM_HINT}")
        return v

    @model_validator(mode="after")
    def _one_margin(self):
        if self.margin is not None and self.margin_per_litre is not None:
            raise ValueError("margin: expected one of tax.margin (a share of the price) or tax.margin_per_litre")
        return self

    @field_validator("assessment_start")
    @classmethod
    def _first_of_month(cls, v):
        if v is not None and v.day != 1:
            raise ValueError(f"expected the first day of a month, got {v}")
        return v


class UpstreamTax(_Section):
    """``[supply.upstream.FUEL]``: taxes collected upstream on each litre bought on-book."""

    per_litre: float = Field(0.0, ge=0, le=1e9)
    """A fixed amount per litre, VND/L (environmental protection tax)."""
    rate: float = Field(0.0, ge=0, le=1)
    """A share of the retail price (special consumption tax, import duty, import VAT, as a share of it)."""


class Supply(_Section):
    """``[supply]``: where the fuel a station does not declare comes from, and the upstream taxes."""

    off_book_share: float = Field(0.0, ge=0, le=1)
    """Share of a station's undeclared litres it also bought off-book (smuggled or unbilled);
    ``[operators.NAME].off_book_share`` overrides it per operator type."""
    off_book_taxed_share: float = Field(0.0, ge=0, le=1)
    """Share of off-book fuel that had already paid upstream taxes (bought without an invoice from a
    domestic wholesaler, rather than smuggled): bringing it on-book adds no upstream tax."""
    upstream: dict[str, UpstreamTax] = Field(default_factory=dict)
    """Per fuel (the names in ``[prices]``, or ``all`` with a single price)."""

    @field_validator("upstream")
    @classmethod
    def _fuel_names(cls, v):
        for name in v:
            if not _FUEL.match(name):
                raise ValueError(f"expected fuel names of lower-case letters, digits and _, got {name!r}")
        return v


def check_paths(paths: dict[str, list[PricePoint]]) -> dict[str, list[PricePoint]]:
    """``[prices]``: fuel names, at least one point each, dates in increasing order."""
    for fuel, path in paths.items():
        if not _FUEL.match(fuel):
            raise ValueError(f"expected fuel names of lower-case letters, digits and _, got {fuel!r}")
        if not path:
            raise ValueError(f"{fuel}: expected at least one {{ date, price }} point")
        dates = [p.date for p in path]
        for i, (a, b) in enumerate(zip(dates, dates[1:]), start=2):
            if b <= a:
                raise ValueError(f"{fuel}: expected dates in increasing order, point {i} ({b}) is not after {a}")
    return paths


class Operator(_Section):
    """``[operators.NAME]``: a class of station operator (state distributor, private
    enterprise, household business …) with its own behaviour, tax regime and supply. Keys
    left out fall back to ``[behaviour]``, ``[tax]`` and ``[supply]``."""

    share: float = Field(0.0, ge=0, le=1)
    """Share of generated stations run by this operator type (ignored with a register)."""
    label: str = ""
    """How reports name this operator type (default: its NAME)."""
    label_vi: str = ""
    """Its name in Vietnamese, for charts and reports in Vietnamese (default: ``label``)."""
    regime: Regime | None = None
    """Its tax regime (default: ``tax.regime``)."""
    undeclared_share: ShareQ | None = None
    residual_share: ShareQ | None = None
    off_book_share: float | None = Field(None, ge=0, le=1)
    """Share of its undeclared litres bought off-book (default: ``supply.off_book_share``)."""
    tax_rate: float | None = Field(None, ge=0, le=1)
    """Its ``tax.rate`` (declared and presumptive regimes)."""
    tax_per_litre: float | None = Field(None, ge=0, le=1e9)
    """Refused when not 0, as ``tax.per_litre``."""
    retail_per_litre: float | None = Field(None, ge=0, le=1e9)

    @field_validator("tax_per_litre")
    @classmethod
    def _not_upstream(cls, v):
        if v:
            raise ValueError(f"expected 0: {_UPSTREAM_HINT}")
        return v


def check_mix(mix: dict[str, float] | None, fuels: tuple[str, ...]) -> dict[str, float]:
    """``demand.fuel_mix`` against the fuels priced: the same names, shares adding up to 1."""
    if mix is None:
        if len(fuels) == 1:
            return {fuels[0]: 1.0}
        raise ValueError(f"demand.fuel_mix: required with several fuels priced ({', '.join(fuels)})")
    if set(mix) != set(fuels):
        missing, extra = sorted(set(fuels) - set(mix)), sorted(set(mix) - set(fuels))
        what = f"no share for {missing[0]!r}" if missing else f"{extra[0]!r} has no price in [prices]"
        raise ValueError(f"demand.fuel_mix: {what} (fuels priced: {', '.join(fuels)})")
    if any(not (math.isfinite(v) and 0 <= v <= 1) for v in mix.values()):
        raise ValueError("demand.fuel_mix: expected shares between 0 and 1")
    total = sum(mix.values())
    if abs(total - 1) > 1e-6:
        raise ValueError(f"demand.fuel_mix: expected shares adding up to 1, got {total:g}")
    return dict(mix)
