"""The scenario's sections: one frozen, validated settings class per TOML table.

``[scenario]``, ``[network]``, ``[demand]``, ``[behaviour]``, ``[metrology]``,
``[enforcement]``, ``[campaign]``, ``[costs]`` and ``[run]`` each map to a class below
(the money sections — ``[tax]``, ``[operators.NAME]``, ``[supply]``, ``[prices]`` — are in
:mod:`.fiscal`); every key is a typed field with its range, default and a docstring saying
what it means, in its unit (litres, VND, hours for work, days for model time). Strict
types: a boolean is not a number, text is neither a number nor a boolean.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .quantities import CountQ, NonNegQ, RealQ, ShareQ

# strict=True: a boolean is not a number, text is neither a number nor a boolean (so
# ``teams = true`` or ``enabled = "yes"`` are refused, not read as 1 and True); dates
# (:data:`Date`) still accept ISO text, as Python callers pass them.
_STRICT = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False, strict=True,
                     use_attribute_docstrings=True)  # a field's docstring is its description (reference, report)
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)  # dates the tables can hold
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Date = Annotated[dt.date, Field(strict=False)]
MAX_HORIZON_DAYS = 50 * 366  # guard: a longer horizon is a typo, not a plan


class _Section(BaseModel):
    model_config = _STRICT


class Wording(_Section):
    """``[scenario.vi]``: the scenario's own words in another language, for charts and reports in it."""

    name: str = ""
    """The scenario's name in this language (empty: the ``[scenario]`` name)."""
    description: str = ""
    """Its description in this language."""
    reference_source: str = ""
    """The published figure's source in this language."""


class ScenarioInfo(_Section):
    """``[scenario]``: what is simulated and over which dates (inclusive)."""

    name: str = Field(min_length=1)
    description: str = ""
    start: Date
    end: Date
    reference_uplift: float | None = Field(None, gt=-1, le=100)
    """A published before/after uplift to compare with, as a share (Hà Nam: 0.165); above −100%, at most
    +10,000%."""
    reference_source: str = ""
    vi: Wording = Wording()
    """The name, description and source in Vietnamese (``[scenario.vi]``), used when writing in Vietnamese."""

    def said(self, field: str, lang: str = "en") -> str:
        """``name``, ``description`` or ``reference_source`` in ``lang``, falling back to the scenario's own."""
        own = getattr(self, field)
        other = getattr(self, lang, None) if lang != "en" else None
        return (getattr(other, field) or own) if isinstance(other, Wording) else own

    @model_validator(mode="after")
    def _dates(self):
        if not EARLIEST <= self.start <= LATEST:
            raise ValueError(f"start: expected a date between {EARLIEST} and {LATEST}, got {self.start}")
        if not EARLIEST <= self.end <= LATEST:
            raise ValueError(f"end: expected a date between {EARLIEST} and {LATEST}, got {self.end}")
        if self.end <= self.start:
            raise ValueError(f"end: expected a date after scenario.start ({self.start}), got {self.end}")
        if (self.end - self.start).days > MAX_HORIZON_DAYS:
            raise ValueError(f"end: expected a horizon of at most {MAX_HORIZON_DAYS // 365} years, "
                             f"got {(self.end - self.start).days / 365.25:.0f} years")
        return self


class Network(_Section):
    """``[network]``: a station register CSV, or station counts per district."""

    register_file: str | None = Field(None, alias="register")
    """Path of a CSV (id, district, operator, pumps, litres_per_day), relative to the scenario file."""
    districts: dict[str, CountQ] | None = None
    """Stations per district (a count or a Poisson draw per replication)."""
    pumps_per_station: CountQ = 2
    """Dispensers per generated station (at least 1)."""

    @model_validator(mode="after")
    def _one_source(self):
        if (self.register_file is None) == (self.districts is None):
            raise ValueError("register: expected exactly one of network.register or network.districts")
        if self.pumps_per_station.support()[0] < 1:
            raise ValueError("pumps_per_station: expected at least 1 dispenser per station")
        return self


class PricePoint(_Section):
    """One dated retail price, VND/L, applying from ``date`` until the next point."""

    date: Date
    price: float = Field(gt=0, le=1e9)
    sd: float = Field(0.0, ge=0, le=0.5)
    """Relative uncertainty of this price: a multiplicative error drawn per replication (0.03 = 3% sd)."""
    note: str = ""
    """Where the point comes from (a source, or "interpolated")."""


class Demand(_Section):
    """``[demand]``: true sales, before any declaration."""

    litres_per_pump_day: NonNegQ
    """Mean litres a dispenser sells per day; drawn once per station."""
    daily_cv: float = Field(0.3, ge=0, le=5)
    """Day-to-day coefficient of variation of a dispenser's sales (gamma noise)."""
    annual_growth: RealQ = 0.0
    """Growth of volumes per year; drawn once per replication."""
    seasonality: list[float] = Field(default_factory=lambda: [1.0] * 12)
    """Twelve monthly multipliers, January first."""
    price_per_litre: float | None = Field(None, gt=0, le=1e9)
    """One retail price for every litre, VND/L, until the first point of ``price_path`` (or use ``[prices]``)."""
    price_path: list[PricePoint] = Field(default_factory=list)
    """Dated retail prices (a step function): each applies from its date on."""
    fuel_mix: dict[str, float] | None = None
    """Volume shares of the fuels in ``[prices]`` (e.g. ``{ ron92 = 0.35, e5 = 0.1, diesel = 0.55 }``)."""

    @field_validator("seasonality")
    @classmethod
    def _twelve(cls, v):
        if len(v) != 12 or any(not (math.isfinite(x) and 0 <= x <= 100) for x in v):
            raise ValueError("expected 12 monthly multipliers between 0 and 100, January first")
        return v

    @field_validator("daily_cv")
    @classmethod
    def _cv(cls, v):
        if 0 < v < 1e-6:
            raise ValueError("expected 0 (no day-to-day variation) or at least 1e-6")
        return v

    @model_validator(mode="after")
    def _growth(self):
        low, high = self.annual_growth.support()
        if low <= -1:
            raise ValueError("annual_growth: expected growth above -1 (for a normal, add min = -0.5 or similar)")
        if self.annual_growth.expected() > 10 or low > 10 or (math.isfinite(high) and high > 10):
            raise ValueError("annual_growth: expected growth of at most 10 (1000% a year)")
        dates = [p.date for p in self.price_path]
        if dates != sorted(dates):
            raise ValueError("price_path: expected dates in increasing order")
        if self.fuel_mix is not None:
            for name, v in self.fuel_mix.items():
                if not (math.isfinite(v) and 0 <= v <= 1):
                    raise ValueError(f"fuel_mix.{name}: expected a share between 0 and 1, got {v}")
        return self


class Behaviour(_Section):
    """``[behaviour]``: how much of its true sales a station leaves undeclared."""

    undeclared_share: ShareQ
    """Share undeclared before the station's pumps are sealed; drawn per station. Under the
    ``presumptive`` regime: the share of its revenue the tax office's estimate misses."""
    residual_share: ShareQ = 0.0
    """Share still undeclared after sealing; drawn per station."""


class Metrology(_Section):
    """``[metrology]``: how far dispensers' indicated litres are from what they deliver."""

    mpe: float = Field(0.005, gt=0, le=0.5)
    """Maximum permissible error at verification (a share: 0.005 = ±0.5%)."""
    error_sd: float = Field(0.0, ge=0, le=0.1)
    """Spread of honest dispensers' errors (indicated/delivered − 1); some fall outside the MPE."""
    short_delivery_share: float = Field(0.0, ge=0, le=1)
    """Share of dispensers deliberately set to short-deliver before the campaign."""
    short_delivery_stations: float | None = Field(None, ge=0, le=1)
    """Or: share of stations that short-deliver, with every one of their dispensers set (instead of
    ``short_delivery_share``)."""
    short_delivery_error: ShareQ = 0.03
    """How much a deliberately set dispenser over-indicates (0.03 = 3%); drawn per dispenser."""
    adjust_minutes: float = Field(30.0, ge=0, le=1e6)
    """Extra team time to adjust a dispenser that fails verification."""

    @model_validator(mode="after")
    def _one_share(self):
        if self.short_delivery_stations is not None and self.short_delivery_share > 0:
            raise ValueError("short_delivery_stations: expected either short_delivery_share (dispensers) or "
                             "short_delivery_stations (stations), not both")
        return self


class Enforcement(_Section):
    """``[enforcement]``: audits, fines and the stations' decision to break a seal."""

    audits_per_year: float = Field(0.0, ge=0, le=365)
    """Audits requested per station per year (before capacity limits)."""
    detection_probability: float = Field(0.8, ge=0, le=1)
    """Chance that an audit or a re-verification finds a broken seal."""
    fine: float = Field(0.0, ge=0, le=1e15)
    """Fine per detection, VND (collected; reported apart from tax)."""
    licence_loss: float = Field(0.0, ge=0, le=1e15)
    """Kept for older files: a flat VND value a detected station weighs but that is never applied. Use
    ``suspension_days`` instead (not both)."""
    suspension_days: int = Field(0, ge=0, le=3650)
    """On detection of a broken seal the station stops selling for this many days (applied in the
    with-campaign arm); a station weighs the margin it would lose."""
    suspension_diverted_share: float = Field(1.0, ge=0, le=1)
    """Share of a suspended station's sales its customers buy at the other stations of its district
    (the rest is lost to the province)."""
    tax_fine_multiple: float = Field(0.0, ge=0, le=10)
    """On detection, a fine of this many times the tax evaded since the seal was broken (1–3 in Vietnam's
    Law on Tax Administration), on top of the back taxes."""
    late_interest_per_day: float = Field(0.0, ge=0, le=0.01)
    """Late-payment interest on back taxes, a share per day (0.0003 = 0.03% a day in Vietnam)."""
    planning_months: int = Field(12, ge=1, le=120)
    """How many months ahead a station weighs its gain against its chances of being caught."""
    inspectors: int = Field(2, ge=0, le=100_000)
    """Audits that can run at the same time (inspection teams)."""
    audit_hours: float = Field(4.0, gt=0, le=1000)
    selection: Literal["random", "risk"] = "random"
    """Which stations are audited: at random, or by risk (declared-to-metered gap, past detections)."""
    honest_share: float = Field(1.0, ge=0, le=1)
    """Share of stations that never break a seal, whatever the odds."""
    risk_aversion: NonNegQ = 0.0
    """Premium ρ on the expected penalty: break a seal when gain > (1 + ρ) × p × penalty; per station."""
    priority_multiplier: float = Field(3.0, ge=1, le=1000)
    """After a detection the station is audited this many times more often."""
    fine_at_verification: bool = True
    """Whether deliberately set dispensers found by the verification teams are fined (and counted in
    ``stations_fined``). False where the verifying body adjusts them and reports the station, and only
    inspections fine (Hà Nam 2017: fines came from 37 inspections)."""

    @model_validator(mode="after")
    def _one_suspension(self):
        if self.licence_loss > 0 and self.suspension_days > 0:
            raise ValueError("licence_loss: expected either suspension_days (applied: the station stops selling) "
                             "or licence_loss (a flat value, weighed only), not both")
        return self


class DistrictCampaign(_Section):
    """``[campaign.districts.NAME]``: a district (a province, in a national scenario) with its own teams,
    starting on its own date and visiting only its own stations — a staggered rollout."""

    start: Date
    """The district's first working day of sealing (on or after ``campaign.start``)."""
    teams: int = Field(ge=1, le=10_000)
    """The district's own teams (they do not help elsewhere)."""


class Campaign(_Section):
    """``[campaign]``: the verification-and-sealing campaign and its teams."""

    enabled: bool = True
    start: Date
    teams: int = Field(ge=1, le=10_000)
    deadline: Date | None = None
    """The date by which the plan wants every dispenser sealed (optional). A sweep over ``campaign.teams``
    marks the fewest teams that meet it with 90% probability; ``--deadline`` overrides it."""
    order: Literal["route", "largest_first", "random"] = "route"
    district_order: list[str] = Field(default_factory=list)
    """For ``route``: the order districts are visited in (default: as listed)."""
    districts: dict[str, DistrictCampaign] | None = None
    """Districts with their own start date and teams (a staggered rollout, province by province); the
    districts not listed share ``teams`` from ``start``. (None rather than empty by default, so that the
    resolved form — and the digest — of a scenario written before it is unchanged.)"""

    @property
    def schedules(self) -> dict[str, DistrictCampaign]:
        """``districts``, empty when there are none."""
        return self.districts or {}
    work_hours_per_day: float = Field(8.0, gt=0, le=24)
    day_start_hour: float = Field(8.0, ge=0, lt=24)
    working_weekdays: list[Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]] = Field(
        default_factory=lambda: ["Mon", "Tue", "Wed", "Thu", "Fri"], min_length=1
    )
    holidays: list[Date] = Field(default_factory=list)
    travel_hours: NonNegQ = 1.0
    """Travel to each station, hours; drawn per visit."""
    minutes_per_pump: NonNegQ = 45.0
    """Time to verify and seal one dispenser, minutes; drawn per dispenser."""
    reverification_months: int = Field(12, ge=0, le=600)
    """Dispensers are re-verified this many months after their last verification (0: never)."""
    announcement: Date | None = None
    """When the campaign is announced; unvisited stations may comply a little from then on."""
    announcement_effect: float = Field(0.0, ge=0, le=1)
    """Fraction by which unvisited stations cut their undeclared share after the announcement."""

    @model_validator(mode="after")
    def _day(self):
        if self.day_start_hour + self.work_hours_per_day > 24:
            raise ValueError("work_hours_per_day: the working day must end by midnight (day_start_hour + hours ≤ 24)")
        return self


class Costs(_Section):
    """``[costs]``: what the campaign costs, VND — the government's (``cost``) and the stations' apart."""

    per_team_day: float = Field(0.0, ge=0, le=1e15)
    """Each day a team works (wages, per diem, vehicle)."""
    per_seal: float = Field(0.0, ge=0, le=1e15)
    """Each dispenser verified and sealed (seals, stamps), at every visit."""
    per_visit: float = Field(0.0, ge=0, le=1e15)
    """Each station visit (paperwork)."""
    fixed: float = Field(0.0, ge=0, le=1e15)
    """Once, at the campaign's start."""
    per_team_fixed: float = Field(0.0, ge=0, le=1e15)
    """Each team, once at the start: equipment, standard capacity measures, training."""
    per_reading: float = Field(0.0, ge=0, le=1e15)
    """The tax office reading a sealed station's totalisers, each month from its seal on."""
    per_audit: float = Field(0.0, ge=0, le=1e15)
    """Each audit from the campaign's start (an inspection team's day)."""
    station_fee_per_dispenser: float = Field(0.0, ge=0, le=1e15)
    """What a station pays for each dispenser verified (``cost_stations``, not the government's cost)."""


class Run(_Section):
    """``[run]``: Monte Carlo settings."""

    replications: int = Field(100, ge=1, le=1_000_000)
    seed: int = Field(0, ge=0, lt=2**63)
    evaluation_months: int = Field(12, ge=1, le=600)
    visit_log: Literal["first", "all", "none"] = "first"
    """Keep the team-visit log of the first replication, of all, or of none."""
    station_detail: bool = False
    """Also keep a per-station monthly table (``Results.stations``): large for big networks."""
    daily_sales: bool = False
    """Draw every dispenser's sales day by day (the reference) instead of one draw per stretch of days
    between price changes with the same mean and variance (the default: the same model, many fewer random
    numbers; a dispenser sealed during a month is drawn day by day either way)."""
    lang: Literal["en", "vi"] = "en"
    """Language of the charts, the printed summary and the reports (English or Vietnamese); ``--lang``
    on the command line overrides it."""


MAX_DRAWS = 100_000


class Calibration(_Section):
    """``[calibration]``: values of some parameters that are consistent with what was observed — a
    posterior sample written by ``fuelseal calibrate --method abc``. Each replication draws one row
    (from its own random sub-stream) and runs with those values, so the intervals carry the
    calibration's uncertainty as well as Monte Carlo noise. Setting one of ``parameters`` by hand
    (``--set``, a sweep, a calibration) fixes it: its column is dropped."""

    parameters: list[str] = Field(min_length=1, max_length=50)
    """Dotted names of numeric parameters, e.g. ``behaviour.undeclared_share.mean``."""
    draws: list[list[float]] = Field(min_length=1, max_length=MAX_DRAWS)
    """One row per draw, one value per parameter, equally likely."""
    use: bool = True
    """``false``: run at the scenario's own values (Monte Carlo and scenario spread only)."""
    worlds: list[int] = Field(default_factory=list)
    """For each row, the replication (world) of ``seed`` it was kept in. With ``same_worlds``, replication
    *i* re-runs row *i* mod rows in its own world: the posterior of the province that was observed."""
    seed: int | None = Field(None, ge=0, lt=2**63)
    """The seed the ``worlds`` belong to."""
    same_worlds: bool = True
    """``false``: draw only the parameters, in new worlds — what a similar province could expect."""
    method: str = ""
    """How the draws were made (informative)."""
    targets: dict[str, float] = Field(default_factory=dict)
    """What they were calibrated to (informative), e.g. ``{ uplift_before_after = 0.165 }``."""

    @model_validator(mode="after")
    def _shape(self):
        if len(set(self.parameters)) != len(self.parameters):
            raise ValueError("parameters: expected each parameter once")
        if self.worlds and len(self.worlds) != len(self.draws):
            raise ValueError(f"worlds: expected one per row of draws ({len(self.draws)}), got {len(self.worlds)}")
        if self.worlds and self.seed is None:
            raise ValueError("seed: expected the seed the worlds belong to")
        if any(w < 0 for w in self.worlds):
            raise ValueError("worlds: expected replication numbers ≥ 0")
        for i, row in enumerate(self.draws, start=1):
            if len(row) != len(self.parameters):
                raise ValueError(f"draws: row {i} has {len(row)} values, expected {len(self.parameters)} "
                                 f"(one per parameter)")
        return self
