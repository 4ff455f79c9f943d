"""``[instruments.NAME]``: the other tools a regulator can use, beside (or instead of) sealing.

Sealing the totalisers is ``[campaign]``; an instrument is another channel through which a
station's sales reach the tax office — a receipt printer on every dispenser, an e-invoice for
every sale by an automatic dispenser link, a handheld POS or a camera/manual method. Each is
rolled out to the stations from ``start`` over ``rollout_days`` (largest stations first, at
random, or in the register's order) and, from the first month that begins after a station is
connected, reports a share ``coverage`` of the sales it hid before (its undeclared share *u*
above its residual *r*):

    hidden through the channel = r + (u − r) × (1 − coverage).

A channel never makes a station declare less than it did (the tax office takes the most any
channel, or the station itself, reports), and moving a household off its lump sum onto monthly
declaration is a decision of its own (``moves_to_declaration``), not something a device does.
How much a kind of instrument reports is uncertain: ``coverage`` is drawn once per replication
from a distribution, so the intervals carry it. The kinds' defaults and what they rest on are in
:data:`KINDS`: the Ministry of Finance's 2024 figures (reported sales +15.6% year on year for
stations invoicing by dispenser link, +10% by handheld POS, −8% by camera or manual entry) are
growth rates confounded by price and volume trends, by who connected first and by invoicing
catch-up, so they identify at most the ordering link ≥ POS > manual — not a share recovered.

Two kinds report nothing themselves: ``audits_only`` (more tax audits, no metering) and ``lottery``
(consumers rewarded for asking receipts, after Naritomi 2019); their ``coverage`` is the share of
hidden sales stations stop hiding because of them. Their cost is what makes them differ: audits a year
at each connected station times the cost of one; a lottery's rewards, a share of the tax paid on the sales
buyers ask receipts for (a share ``coverage`` of all sales: buyers ask alike whether or not the station
would have hidden the sale). A lottery's rewards exceed its extra tax unless the undeclared share u exceeds
r / (1 + r(1 − c)), r the reward share and c the coverage (0.26 for r = 0.3, c = 0.5). The rewards are
the budget's cost (a transfer to buyers in a welfare account), paid here on the whole tax a station pays —
an upper bound on a rebate of its VAT alone, as Nota Fiscal Paulista's was.

What an instrument costs: the government's one-off cost per station and per dispenser
connected, a running cost per connected station-month (plus audits), a lottery's rewards, and
the stations' own one-off cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field, TypeAdapter

from .quantities import Quantity, ShareQ
from .sections import Date, _Section


@dataclass(frozen=True)
class Kind:
    """What a kind of instrument does by default, and where that comes from."""

    coverage: dict
    source: str
    on_book_only: bool = False  # reaches only hidden sales of fuel bought on-book (audits rebuild from invoices)


_ORDERING = ("the Ministry of Finance's 31 Mar 2024 figures (+15.6% / +10% / −8% reported sales, year on year, for "
             "dispenser link / handheld POS / camera or manual; confounded by trends, selection and catch-up) "
             "support only the ordering link ≥ POS > manual")
KINDS: dict[str, Kind] = {
    "einvoice_link": Kind({"dist": "beta", "mean": 0.9, "sd": 0.05},
                          "ASSUMPTION: every sale is invoiced from the dispenser's own count, so nearly all hidden "
                          "sales are reported (unlinked nozzles aside); " + _ORDERING),
    "einvoice_pos": Kind({"dist": "uniform", "low": 0.2, "high": 0.9},
                         "ASSUMPTION: the attendant keys each sale into a handheld device, and some sales are not "
                         "keyed; " + _ORDERING),
    "einvoice_manual": Kind({"dist": "uniform", "low": 0.0, "high": 0.4},
                            "ASSUMPTION: invoices made from camera counts or by hand are easy to under-report; "
                            + _ORDERING),
    "receipt_printer": Kind({"dist": "uniform", "low": 0.0, "high": 0.5},
                            "ASSUMPTION: a printed receipt on every sale (Circular 15/2015/TT-BKHCN, from 1 Jul "
                            "2018) reports only the sales customers ask a receipt for; no Vietnamese effect was "
                            "published"),
    "audits_only": Kind({"dist": "uniform", "low": 0.0, "high": 0.3},
                        "ASSUMPTION: more tax audits without metered sales deter only what auditors can rebuild from "
                        "purchase invoices — the coverage applies to hidden sales of fuel bought on-book; off-book "
                        "fuel stays hidden; threat-of-audit letters raised self-reported income in Denmark (Kleven "
                        "et al., "
                        "Econometrica 2011); no Vietnamese fuel-station effect was published. The coverage is at "
                        "the stated audits a year (a different intensity needs its own coverage); deterrence only: "
                        "no back taxes or fines are collected and no inspector capacity is modelled",
                        on_book_only=True),
    "lottery": Kind({"dist": "uniform", "low": 0.0, "high": 0.4},
                    "ASSUMPTION after Naritomi (AER 2019): consumer rewards for receipts (Nota Fiscal Paulista) "
                    "raised retailers' reported sales 21% over four years, 9.3% net of the rewards; fuel buyers "
                    "on motorbikes buy small amounts and ask for receipts less, so the range is wide"),
}
"""Each kind's default ``coverage`` (a distribution, drawn once per replication) and what it rests on
(``fuelseal keys instruments`` lists them)."""

_COVERAGE = TypeAdapter(ShareQ)


def default_coverage(kind: str) -> Quantity:
    """The kind's default coverage as a quantity to draw from."""
    return _COVERAGE.validate_python(KINDS[kind].coverage)


Order = Literal["largest_first", "random", "register"]


class Instrument(_Section):
    """``[instruments.NAME]``: a reporting channel rolled out to every station (see the module docstring)."""

    kind: Literal["einvoice_link", "einvoice_pos", "einvoice_manual", "receipt_printer", "audits_only",
                  "lottery"] | None = None
    """What it is: einvoice_link (automatic dispenser link), einvoice_pos (handheld POS), einvoice_manual
    (camera or manual entry), receipt_printer, audits_only (more tax audits, no metering: what stations stop
    hiding is deterrence), lottery (consumer rewards for receipts) (default: the table's NAME)."""
    enabled: bool = True
    """``false``: defined but not used (``fuelseal compare --instruments`` turns it on by name)."""
    start: Date
    """The day the first stations are connected."""
    rollout_days: int = Field(0, ge=0, le=20_000)
    """Days over which the stations are connected, evenly, in ``order`` (0: all on ``start``)."""
    order: Order = "largest_first"
    """Which stations are connected first: the largest sellers, at random, or in the register's order."""
    coverage: ShareQ | None = None
    """Share of what a station hid that the channel reports once it is connected, 0–1: a number, or a
    distribution drawn once per replication. Default by kind (ASSUMPTION: the Ministry of Finance's 2024
    figures support only the ordering link ≥ POS > manual): einvoice_link beta, mean 0.9, sd 0.05;
    einvoice_pos uniform 0.2–0.9; einvoice_manual uniform 0–0.4; receipt_printer uniform 0–0.5; audits_only
    uniform 0–0.3; lottery uniform 0–0.4."""
    moves_to_declaration: bool = False
    """Whether a household on a lump sum is moved onto monthly declaration once connected (a decision of
    its own, as Decree 70/2025 for households; the default keeps its lump sum, re-assessed on what the
    channel reports)."""
    cost_per_station: float = Field(0.0, ge=0, le=1e15)
    """The government's one-off cost per station connected, VND."""
    cost_per_dispenser: float = Field(0.0, ge=0, le=1e15)
    """The government's one-off cost per dispenser connected, VND."""
    running_cost_per_station_month: float = Field(0.0, ge=0, le=1e15)
    """The government's cost per connected station per month (processing, checks), VND."""
    audits_per_station_year: float = Field(0.0, ge=0, le=365)
    """Tax audits a year at each connected station (audits_only), each costing ``cost_per_audit``: a running
    cost of audits × cost ÷ 12 per station-month."""
    cost_per_audit: float = Field(0.0, ge=0, le=1e15)
    """The government's cost of one audit, VND."""
    reward_share_of_tax: float = Field(0.0, ge=0, le=1)
    """A receipt lottery or rebate: the share of the tax a connected station pays on the sales buyers ask
    receipts for (``coverage`` of its sales) that is paid back to those buyers — the government's cost,
    each month (Nota Fiscal Paulista: 30%, Naritomi 2019)."""
    station_cost_per_station: float = Field(0.0, ge=0, le=1e15)
    """The station's own one-off cost of connecting, VND (not the government's)."""
    station_cost_per_dispenser: float = Field(0.0, ge=0, le=1e15)
    """The station's own one-off cost per dispenser (a linked dispenser, a printer), VND."""
    source: str = ""
    """Where this instrument's values come from (SOURCED / DERIVED / ASSUMPTION, with the source)."""

    @property
    def running_cost(self) -> float:
        """The government's running cost per connected station-month: processing plus audits, VND."""
        return self.running_cost_per_station_month + self.audits_per_station_year * self.cost_per_audit / 12

    def kind_of(self, name: str) -> str:
        return self.kind or name

    def coverage_of(self, name: str) -> Quantity:
        return default_coverage(self.kind_of(name)) if self.coverage is None else self.coverage
