"""Scenarios: the one pipeline from a TOML file to frozen, validated parameters.

TOML text → dict (standard-library ``tomllib``, data only, nothing evaluated) →
dotted overrides → pydantic validation → a frozen :class:`Scenario`. Every error on
the way is a :class:`~simulator.errors.ScenarioError` naming the file and the dotted
key (or the register row) and what was expected.

Units: litres (L), Vietnamese đồng (VND), hours for work, days for model time.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from .errors import ScenarioError
from .files import MAX_REGISTER_BYTES, MAX_SCENARIO_BYTES, read_regular
from .quantities import CountQ, NonNegQ, Quantity, RealQ, ShareQ

# strict=True: a boolean is not a number, text is neither a number nor a boolean (so
# ``teams = true`` or ``enabled = "yes"`` are refused, not read as 1 and True); dates
# (:data:`Date`) still accept ISO text, as Python callers pass them.
_STRICT = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False, strict=True)
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)  # dates the tables can hold
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BUILTIN = "hanam_2017.toml"
Date = Annotated[dt.date, Field(strict=False)]
MAX_DISPENSERS = 2_000_000  # guard: beyond this a replication would not fit in memory comfortably
MAX_HORIZON_DAYS = 50 * 366  # guard: a longer horizon is a typo, not a plan


class _Section(BaseModel):
    model_config = _STRICT


class ScenarioInfo(_Section):
    """``[scenario]``: what is simulated and over which dates (inclusive)."""

    name: str = Field(min_length=1)
    description: str = ""
    start: Date
    end: Date
    reference_uplift: float | None = None
    """A published before/after uplift to compare with (Hà Nam: 0.165)."""
    reference_source: str = ""

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
    date: Date
    price: float = Field(gt=0, le=1e9)


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
    price_per_litre: float = Field(gt=0, le=1e9)
    """Retail price, VND/L, until the first point of ``price_path``."""
    price_path: list[PricePoint] = Field(default_factory=list)
    """Dated retail prices (a step function): each applies from its date on."""

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
        return self


class Tax(_Section):
    """``[tax]``: the retail-stage tax on what a station declares."""

    rate: float = Field(ge=0, le=1)
    """Tax as a share of declared sales value."""
    per_litre: float = Field(0.0, ge=0, le=1e9)
    """Optional amount per declared litre, VND/L."""


class Behaviour(_Section):
    """``[behaviour]``: how much of its true sales a station leaves undeclared."""

    undeclared_share: ShareQ
    """Share undeclared before the station's pumps are sealed; drawn per station."""
    residual_share: ShareQ = 0.0
    """Share still undeclared after sealing; drawn per station."""


class Operator(_Section):
    """``[operators.NAME]``: a class of station operator (state distributor, private
    enterprise, household business …) with its own behaviour and tax regime. Keys left
    out fall back to ``[behaviour]`` and ``[tax]``."""

    share: float = Field(0.0, ge=0, le=1)
    """Share of generated stations run by this operator type (ignored with a register)."""
    label: str = ""
    undeclared_share: ShareQ | None = None
    residual_share: ShareQ | None = None
    tax_rate: float | None = Field(None, ge=0, le=1)
    tax_per_litre: float | None = Field(None, ge=0, le=1e9)


class Metrology(_Section):
    """``[metrology]``: how far dispensers' indicated litres are from what they deliver."""

    mpe: float = Field(0.005, gt=0, le=0.5)
    """Maximum permissible error at verification (a share: 0.005 = ±0.5%)."""
    error_sd: float = Field(0.0, ge=0, le=0.1)
    """Spread of honest dispensers' errors (indicated/delivered − 1); some fall outside the MPE."""
    short_delivery_share: float = Field(0.0, ge=0, le=1)
    """Share of dispensers deliberately set to short-deliver before the campaign."""
    short_delivery_error: ShareQ = 0.03
    """How much a deliberately set dispenser over-indicates (0.03 = 3%); drawn per dispenser."""
    adjust_minutes: float = Field(30.0, ge=0, le=1e6)
    """Extra team time to adjust a dispenser that fails verification."""


class Enforcement(_Section):
    """``[enforcement]``: audits, fines and the stations' decision to break a seal."""

    audits_per_year: float = Field(0.0, ge=0, le=365)
    """Audits requested per station per year (before capacity limits)."""
    detection_probability: float = Field(0.8, ge=0, le=1)
    """Chance that an audit or a re-verification finds a broken seal."""
    fine: float = Field(0.0, ge=0, le=1e15)
    """Fine per detection, VND (collected; reported apart from tax)."""
    licence_loss: float = Field(0.0, ge=0, le=1e15)
    """What a detected station also loses (licence suspension), VND-equivalent; not collected."""
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


class Campaign(_Section):
    """``[campaign]``: the verification-and-sealing campaign and its teams."""

    enabled: bool = True
    start: Date
    teams: int = Field(ge=1, le=10_000)
    order: Literal["route", "largest_first", "random"] = "route"
    district_order: list[str] = Field(default_factory=list)
    """For ``route``: the order districts are visited in (default: as listed)."""
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
    """``[costs]``: what the campaign costs, VND."""

    per_team_day: float = Field(0.0, ge=0, le=1e15)
    per_seal: float = Field(0.0, ge=0, le=1e15)
    per_visit: float = Field(0.0, ge=0, le=1e15)
    fixed: float = Field(0.0, ge=0, le=1e15)


class Run(_Section):
    """``[run]``: Monte Carlo settings."""

    replications: int = Field(100, ge=1, le=1_000_000)
    seed: int = Field(0, ge=0, lt=2**63)
    evaluation_months: int = Field(12, ge=1, le=600)
    visit_log: Literal["first", "all", "none"] = "first"
    """Keep the team-visit log of the first replication, of all, or of none."""
    station_detail: bool = False
    """Also keep a per-station monthly table (``Results.stations``): large for big networks."""


class Scenario(_Section):
    """A validated scenario. Build it with :func:`load_scenario`; change it with
    :meth:`with_overrides`."""

    scenario: ScenarioInfo
    network: Network
    demand: Demand
    tax: Tax
    behaviour: Behaviour
    campaign: Campaign
    operators: dict[str, Operator] = Field(default_factory=dict)
    metrology: Metrology = Field(default_factory=Metrology)
    enforcement: Enforcement = Field(default_factory=Enforcement)
    costs: Costs = Field(default_factory=Costs)
    run: Run = Field(default_factory=Run)

    _raw: dict = PrivateAttr(default_factory=dict)
    _source: str | None = PrivateAttr(default=None)
    _register: Register | None = PrivateAttr(default=None)
    _register_path: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _horizon(self):
        s, c, r = self.scenario, self.campaign, self.run
        if not s.start <= c.start <= s.end:
            raise ValueError(f"campaign.start: expected a date within the horizon {s.start} – {s.end}, got {c.start}")
        check_run_size(self, r.replications, tables=False)  # the full check follows in _build
        first = month_start(c.start)
        last = add_months(first, r.evaluation_months) - dt.timedelta(days=1)
        if last > s.end:
            raise ValueError(
                f"run.evaluation_months: the {r.evaluation_months}-month window from {first} ends {last}, "
                f"after scenario.end ({s.end})"
            )
        if c.announcement is not None and not s.start <= c.announcement <= c.start:
            raise ValueError(f"campaign.announcement: expected a date between scenario.start and campaign.start, "
                             f"got {c.announcement}")
        if self.operators and self.network.districts is not None:
            total = sum(o.share for o in self.operators.values())
            if abs(total - 1) > 1e-6:
                raise ValueError(f"operators: expected the operators' shares to add up to 1, got {total:g}")
        if self.network.districts is not None and c.district_order:
            unknown = set(c.district_order) - set(self.network.districts)
            if unknown:
                raise ValueError(f"campaign.district_order: unknown district {sorted(unknown)[0]!r}")
        return self

    # ---- convenience -------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def source(self) -> str | None:
        return self._source

    @property
    def register(self) -> Register | None:
        return self._register

    @property
    def register_path(self) -> str | None:
        """The resolved path of the station register this scenario read (None without one)."""
        return self._register_path

    @property
    def raw(self) -> dict:
        """The scenario as plain data (after overrides), suitable for TOML or JSON."""
        return json.loads(json.dumps(self._raw, default=str))

    def digest(self) -> str:
        """SHA-256 of the resolved scenario (and register rows), for manifests."""
        raw = self.raw
        if self._register is not None:  # the register's rows count, not where the file lies
            raw["network"].pop("register", None)
        payload = {"scenario": raw, "register": self._register.rows() if self._register else None}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def with_overrides(self, overrides: dict[str, Any] | None = None, **kw: Any) -> Scenario:
        """A new scenario with dotted keys replaced, e.g. ``{"campaign.teams": 5}``."""
        changes = {**(overrides or {}), **kw}
        raw = apply_overrides(self._raw, changes, source=self._source)
        return _build(raw, self._source, self._base)

    _base: str | None = PrivateAttr(default=None)

    def to_toml(self) -> str:
        """The resolved scenario as TOML text (loads back to an equal scenario)."""
        return dumps_toml(self._raw)


MAX_MONTHLY_ROWS = 20_000_000  # replications × months × 2 arms: about 2 GB of tables
# bytes per row, measured on the built-in and national scenarios (tables in memory plus checkpoints)
ROW_BYTES = {"monthly": 100, "stations": 140, "visits": 120}
MAX_TABLE_BYTES = MAX_MONTHLY_ROWS * ROW_BYTES["monthly"]


def expected_stations(sc: Scenario) -> float:
    """Stations in one replication: the register's, or the expected draw from the districts."""
    if sc.register is not None:
        return float(len(sc.register.ids))
    return float(sum(q.expected() for q in (sc.network.districts or {}).values()))


def run_bytes(sc: Scenario, replications: int) -> dict[str, float]:
    """Rough memory of a run's tables by table: monthly rows, per-station rows when
    ``run.station_detail`` is on, and the visit log (one replication's or all of them)."""
    s, e = sc.scenario.start, sc.scenario.end
    months = (e.year - s.year) * 12 + e.month - s.month + 1
    stations = expected_stations(sc)
    out = {"monthly": replications * months * 2 * ROW_BYTES["monthly"]}
    if sc.run.station_detail:
        out["stations"] = replications * months * 2 * stations * ROW_BYTES["stations"]
    logged = {"all": replications, "first": 1, "none": 0}[sc.run.visit_log]
    reverify = sc.campaign.reverification_months
    visits_per_station = 1 + (months / reverify if reverify else 0)
    out["visits"] = logged * stations * visits_per_station * ROW_BYTES["visits"]
    return out


def check_run_size(sc: Scenario, replications: int, source: str = "run.replications", tables: bool = True) -> None:
    """Refuse, before anything runs, a run whose tables would not fit comfortably in memory
    (monthly rows, and the per-station table and visit log when they are kept)."""
    s, e = sc.scenario.start, sc.scenario.end
    months = (e.year - s.year) * 12 + e.month - s.month + 1
    rows = replications * months * 2
    if rows > MAX_MONTHLY_ROWS:
        most = MAX_MONTHLY_ROWS // (months * 2)
        raise ScenarioError(f"{replications:,} replications of {months} months make {rows:,} monthly rows; "
                            f"at most {most:,} replications fit (run several seeds instead)", source=source)
    if not tables:
        return
    sizes = run_bytes(sc, replications)
    total = sum(sizes.values())
    if total > MAX_TABLE_BYTES:
        per_rep = sum(run_bytes(sc, 1).values())
        most = max(int(MAX_TABLE_BYTES // per_rep), 0)
        big = max(sizes, key=sizes.get)
        why = {"stations": "with run.station_detail", "visits": "with run.visit_log = \"all\"",
               "monthly": ""}[big]
        fix = "turn it off or run several seeds" if most else "turn it off"
        raise ScenarioError(f"{replications:,} replications {why} make about {total / 1e9:.1f} GB of tables; "
                            f"at most {most:,} fit ({fix})".replace("  ", " "), source=source)


# ---- month arithmetic -----------------------------------------------------------
def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1)


# ---- the station register -------------------------------------------------------
REGISTER_COLUMNS = ("id", "district", "operator", "pumps", "litres_per_day")


@dataclass(frozen=True)
class Register:
    """Stations read from a register CSV: one row per station."""

    ids: tuple[str, ...]
    districts: tuple[str, ...]
    operators: tuple[str, ...]
    pumps: np.ndarray  # dispensers per station
    litres_per_day: np.ndarray  # station mean litres/day; NaN = draw from demand
    sha256: str = ""  # of the file's bytes, for the run manifest

    def to_csv(self) -> str:
        out = [",".join(REGISTER_COLUMNS)]
        for row in self.rows():
            out.append(",".join(_csv_cell(x) for x in row))
        return "\n".join(out) + "\n"

    def rows(self) -> list[list]:
        return [
            [i, d, o, int(p), None if math.isnan(v) else float(v)]
            for i, d, o, p, v in zip(self.ids, self.districts, self.operators, self.pumps, self.litres_per_day)
        ]


def _csv_cell(x) -> str:
    if x is None:
        return ""
    text = str(x)
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n') else text


def read_register(path: Path) -> Register:
    """Read and check a station register; errors name the file and the row."""
    src = str(path)
    data = read_regular(path, MAX_REGISTER_BYTES, "station register (CSV)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"cannot read as UTF-8 text ({exc.__class__.__name__})", source=src) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ScenarioError(f"not a readable CSV header ({exc})", source=src) from None
    missing = [c for c in REGISTER_COLUMNS if c not in header]
    if missing:
        raise ScenarioError(f"missing column {missing[0]!r}; expected columns {', '.join(REGISTER_COLUMNS)}",
                            source=src)
    ids, districts, operators, pumps, litres = [], [], [], [], []
    seen: dict[str, int] = {}
    rows = iter(reader)
    n = 1
    while True:
        try:
            raw_row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ScenarioError(f"not readable as CSV ({exc})", source=src, key=f"row {n + 1}") from None
        n += 1  # row 1 is the header
        where = f"row {n}"
        if None in raw_row:
            raise ScenarioError(f"more fields than the {len(header)} columns", source=src, key=where)
        if any(v is None for v in raw_row.values()):
            got = sum(v is not None for v in raw_row.values())
            raise ScenarioError(f"expected {len(header)} fields, got {got}", source=src, key=where)
        row = {(k or "").strip(): v.strip() for k, v in raw_row.items()}
        sid = row["id"]
        if not sid:
            raise ScenarioError("id: expected a station id, got an empty value", source=src, key=where)
        if sid in seen:
            raise ScenarioError(f"id: duplicate id {sid!r} (first on row {seen[sid]})", source=src, key=where)
        seen[sid] = n
        if not row["district"]:
            raise ScenarioError("district: expected a district name, got an empty value", source=src, key=where)
        try:
            p = int(row["pumps"])
            if p < 1:
                raise ValueError
        except ValueError:
            raise ScenarioError(f"pumps: expected a whole number ≥ 1, got {row['pumps']!r}", source=src,
                                key=where) from None
        raw_l = row["litres_per_day"]
        if raw_l == "":
            v = math.nan
        else:
            try:
                v = float(raw_l)
                if not (math.isfinite(v) and v >= 0):
                    raise ValueError
            except ValueError:
                raise ScenarioError(
                    f"litres_per_day: expected a number ≥ 0 (or empty to draw it), got {raw_l!r}", source=src, key=where
                ) from None
        ids.append(sid)
        districts.append(row["district"])
        operators.append(row["operator"] or "default")
        pumps.append(p)
        litres.append(v)
    if len(ids) == 0:
        raise ScenarioError("expected at least one station row", source=src)
    if sum(pumps) > MAX_DISPENSERS:
        raise ScenarioError(f"{sum(pumps):,} dispensers is more than this tool handles ({MAX_DISPENSERS:,})",
                            source=src)
    return Register(tuple(ids), tuple(districts), tuple(operators), np.array(pumps, dtype=np.int64), np.array(litres),
                    hashlib.sha256(data).hexdigest())


# ---- overrides ------------------------------------------------------------------
_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def parse_value(text: str, key: str | None = None) -> Any:
    """A command-line value as TOML would read it (``5``, ``0.2``, ``2017-02-01``,
    ``true``, ``{ dist = "beta", mean = 0.1, sd = 0.05 }``); anything else is a string.

    Exactly one value: a line break (which would smuggle a second ``key = value`` past
    the first) is refused rather than silently dropped."""
    if any(ch in text for ch in _BREAKS):
        raise ScenarioError("expected one value, got a line break; give each setting its own --set",
                            source="--set", key=key)
    try:
        doc = tomllib.loads(f"v = {text}")
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):  # also: huge integers, deep nesting
        return text
    if set(doc) != {"v"}:
        raise ScenarioError(f"expected one value, got {text!r}", source="--set", key=key)
    return doc["v"]


def apply_overrides(raw: dict, overrides: dict[str, Any], source: str | None = None) -> dict:
    """A deep copy of ``raw`` with each dotted key set; the key must be a path of tables."""
    out = _deepcopy(raw)
    for key, value in overrides.items():
        parts = str(key).split(".")
        if not all(parts):
            raise ScenarioError(f"expected a dotted key like campaign.teams, got {key!r}", source="override")
        node = out
        for i, part in enumerate(parts[:-1]):
            nxt = node.get(part)
            if nxt is None:
                nxt = node[part] = {}
            elif not isinstance(nxt, dict):
                where = ".".join(parts[: i + 1])
                raise ScenarioError(
                    f"{where} is a plain value, not a table; set {where} itself "
                    f"(for example {where}={{ dist = \"beta\", mean = 0.1, sd = 0.05 }})",
                    source="override",
                    key=key,
                )
            node = nxt
        node[parts[-1]] = value.model_dump() if isinstance(value, Quantity) else value
    return out


def _deepcopy(x):
    if isinstance(x, dict):
        return {k: _deepcopy(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_deepcopy(v) for v in x]
    return x


# ---- loading --------------------------------------------------------------------
def _format_error(err: dict) -> tuple[str, str]:
    loc = [str(p) for p in err["loc"]]
    msg = err["msg"].removeprefix("Value error, ")
    head, sep, rest = msg.partition(": ")
    if sep and head.replace("_", "").replace(".", "").isalnum() and " " not in head:
        loc.append(head)
        msg = rest
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key is missing"
    elif err["type"] not in ("value_error", "assertion_error"):
        got = repr(err.get("input"))
        msg = f"{msg[0].lower()}{msg[1:]} (got {got if len(got) <= 60 else got[:57] + '...'})"
    return ".".join(loc), msg


def _build(raw: dict, source: str | None, base: str | None) -> Scenario:
    src = source or "<scenario>"
    try:
        sc = Scenario.model_validate(raw)
    except ValidationError as exc:
        key, msg = _format_error(exc.errors()[0])
        raise ScenarioError(msg, source=src, key=key or None) from None
    sc._raw = _deepcopy(raw)
    sc._source = source
    sc._base = base
    if sc.network.register_file is not None:
        try:
            reg_path = _resolve(sc.network.register_file, source, base)
            found = reg_path.exists()
        except (ValueError, OSError) as exc:  # a NUL byte, a name too long for the file system
            raise ScenarioError(f"cannot use this path ({exc.__class__.__name__}: {exc})", source=src,
                                key="network.register") from None
        if not found:
            raise ScenarioError(f"file not found: {reg_path}", source=src, key="network.register")
        sc._register = read_register(reg_path)
        sc._register_path = str(reg_path)
        if sc.operators:
            for row, op in enumerate(sc._register.operators, start=2):
                if op not in sc.operators:
                    raise ScenarioError(f"operator: {op!r} is not defined in the scenario's [operators] "
                                        f"(defined: {', '.join(sc.operators)})", source=str(reg_path), key=f"row {row}")
        if sc.campaign.district_order:
            unknown = set(sc.campaign.district_order) - set(sc._register.districts)
            if unknown:
                raise ScenarioError(f"unknown district {sorted(unknown)[0]!r}", source=src,
                                    key="campaign.district_order")
    else:
        # counts are drawn per replication; the largest possible network must fit in memory
        expected = sum(q.expected() for q in sc.network.districts.values()) * sc.network.pumps_per_station.expected()
        if expected > MAX_DISPENSERS:
            raise ScenarioError(
                f"about {expected:,.0f} dispensers is more than this tool handles ({MAX_DISPENSERS:,})",
                source=src, key="network.districts",
            )
    check_run_size(sc, sc.run.replications, source=src)
    return sc


def _resolve(rel: str, source: str | None, base: str | None) -> Path:
    folder = Path(source).parent if source and not source.startswith("<") else Path.cwd()
    path = (folder / rel).resolve()
    if base is not None:
        root = Path(base).resolve()
        if root != path and root not in path.parents:
            raise ScenarioError(f"path {rel!r} leaves the allowed folder {root}", source=source, key="network.register")
    return path


def builtin_path() -> Path:
    """Where the built-in Hà Nam 2017 scenario lives inside the package."""
    return Path(str(resources.files("simulator") / "data" / BUILTIN))


def load_scenario(
    path: str | Path | None = None, overrides: dict[str, Any] | None = None, *, base: str | Path | None = None
) -> Scenario:
    """Load and validate a scenario file (None: the built-in Hà Nam 2017 scenario).

    ``overrides`` maps dotted keys to values (``{"campaign.teams": 5}``). ``base``, when
    given, is a folder that paths inside the scenario may not leave.
    """
    p = builtin_path() if path is None else Path(path)
    src = str(p)
    raw_bytes = read_regular(p, MAX_SCENARIO_BYTES, "scenario file (TOML)")
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError("expected UTF-8 text", source=src) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc}", source=src) from None
    except ValueError as exc:  # tomllib: an integer of more than 4300 digits
        raise ScenarioError(f"not valid TOML: {exc}", source=src) from None
    except RecursionError:
        raise ScenarioError("not valid TOML: arrays or tables nested too deeply", source=src) from None
    if overrides:
        raw = apply_overrides(raw, overrides, source=src)
    return _build(raw, src, None if base is None else str(base))


def scenario_from_dict(raw: dict, source: str = "<dict>") -> Scenario:
    """Validate a scenario given as a plain dict (as a TOML file would give)."""
    return _build(raw, source, None)


# ---- a small TOML writer for resolved scenarios ---------------------------------
def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return repr(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _toml_key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else json.dumps(k, ensure_ascii=False)


def dumps_toml(raw: dict) -> str:
    """TOML text for a scenario dict: top-level tables as sections, the rest inline."""
    lines: list[str] = []
    for key, value in raw.items():
        if isinstance(value, dict):
            continue
        lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in raw.items():
        if not isinstance(value, dict):
            continue
        lines.append(f"\n[{_toml_key(key)}]")
        for k, v in value.items():
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    return "\n".join(lines).lstrip("\n") + "\n"
