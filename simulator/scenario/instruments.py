"""``[instruments.NAME]``: the other tools a regulator can use, beside (or instead of) sealing.

Sealing the totalisers is ``[campaign]``; an instrument is another channel through which a
station's sales reach the tax office — a receipt printer on every dispenser, an e-invoice for
every sale by an automatic dispenser link, a handheld POS or a camera/manual method. Each is
rolled out to the stations from ``start`` over ``rollout_days`` (largest stations first, at
random, or in the register's order) and, from the first month that begins after a station is
connected, changes what it declares: of the sales it hid before (its undeclared share *u*
above its residual *r*), the share ``coverage`` is now reported,

    hidden after connection = r + (u − r) × (1 − coverage),

so ``coverage = 1`` leaves only the residual (what a sealed, read totaliser leaves), ``0``
changes nothing and a negative coverage (a method that can be gamed) makes a station hide
more. Several channels at once: the tax office sees the most any of them reports. The
default coverage of each kind and where it comes from are in :data:`KINDS`.

What an instrument costs: the government's one-off cost per station and per dispenser
connected, a running cost per connected station-month, and the stations' own one-off cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from .sections import Date, _Section


@dataclass(frozen=True)
class Kind:
    """What a kind of instrument does by default, and where that comes from."""

    coverage: float
    source: str


KINDS: dict[str, Kind] = {
    "einvoice_link": Kind(1.0, "ASSUMPTION: every sale is invoiced automatically from the dispenser's own "
                               "count, so only the residual share stays hidden, as with a sealed, read totaliser"),
    "einvoice_pos": Kind(0.64, "DERIVED: Ministry of Finance, 31 Mar 2024: reported retail sales +10% year on year "
                               "for stations invoicing by handheld POS against +15.6% by automatic dispenser link; "
                               "10 / 15.6 = 0.64 of what the link recovers (confounded: large chains connected "
                               "first)"),
    "einvoice_manual": Kind(-0.51, "DERIVED: Ministry of Finance, 31 Mar 2024: reported sales −8% for stations "
                                   "invoicing by AI camera or manually, against +15.6% by dispenser link: "
                                   "−8 / 15.6 = −0.51 (a method stations can game; confounded, 232 stores)"),
    "receipt_printer": Kind(0.3, "ASSUMPTION: a printed receipt on every sale (Circular 15/2015/TT-BKHCN, from "
                                 "1 Jul 2018) reports only the sales customers ask a receipt for; no Vietnamese "
                                 "effect was published"),
}
"""Each kind's default ``coverage`` and its source (``fuelseal keys instruments`` lists them)."""

Order = Literal["largest_first", "random", "register"]


class Instrument(_Section):
    """``[instruments.NAME]``: a reporting channel rolled out to every station (see the module docstring)."""

    kind: Literal["einvoice_link", "einvoice_pos", "einvoice_manual", "receipt_printer"] | None = None
    """What it is: einvoice_link (automatic dispenser link), einvoice_pos (handheld POS), einvoice_manual
    (camera or manual entry), receipt_printer (default: the table's NAME)."""
    enabled: bool = True
    """``false``: defined but not used (``fuelseal compare --instruments`` turns it on by name)."""
    start: Date
    """The day the first stations are connected."""
    rollout_days: int = Field(0, ge=0, le=20_000)
    """Days over which the stations are connected, evenly, in ``order`` (0: all on ``start``)."""
    order: Order = "largest_first"
    """Which stations are connected first: the largest sellers, at random, or in the register's order."""
    coverage: float | None = Field(None, ge=-1, le=1)
    """Share of what a station hid that is reported once it is connected (default: the kind's, see
    :data:`KINDS`); negative: the method is gamed and the station hides more."""
    cost_per_station: float = Field(0.0, ge=0, le=1e15)
    """The government's one-off cost per station connected, VND."""
    cost_per_dispenser: float = Field(0.0, ge=0, le=1e15)
    """The government's one-off cost per dispenser connected, VND."""
    running_cost_per_station_month: float = Field(0.0, ge=0, le=1e15)
    """The government's cost per connected station per month (processing, checks), VND."""
    station_cost_per_station: float = Field(0.0, ge=0, le=1e15)
    """The station's own one-off cost of connecting, VND (not the government's)."""
    station_cost_per_dispenser: float = Field(0.0, ge=0, le=1e15)
    """The station's own one-off cost per dispenser (a linked dispenser, a printer), VND."""
    source: str = ""
    """Where this instrument's values come from (SOURCED / DERIVED / ASSUMPTION, with the source)."""

    def kind_of(self, name: str) -> str:
        return self.kind or name

    def coverage_of(self, name: str) -> float:
        return KINDS[self.kind_of(name)].coverage if self.coverage is None else self.coverage
