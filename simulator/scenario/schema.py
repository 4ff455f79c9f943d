"""The validated scenario: all sections together, checked against each other, frozen.

:class:`Scenario` is what every other part of fuelseal reads. It is built by
:func:`build` from a plain dict (as TOML gives it, after dotted overrides): pydantic
validates each section (:mod:`.sections`), the cross-section rules below run, the
station register is read, and the size guards refuse a run that would not fit in
memory. Every error is one :class:`~simulator.errors.ScenarioError` line naming the file
and the dotted key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from ..errors import ScenarioError
from ..timeline import add_months, month_start
from .fiscal import ALTERNATIVES, NEEDS, Operator, Supply, Tax, check_mix, check_paths
from .instruments import KINDS, Instrument
from .overrides import _deepcopy, apply_overrides
from .quantities import Quantity  # noqa: F401  (re-exported for callers of with_overrides)
from .register import FORMULA_STARTS, Register, read_register
from .resolved import with_defaults
from .sections import (
    Behaviour,
    Calibration,
    Campaign,
    Costs,
    Demand,
    Enforcement,
    Metrology,
    Network,
    PricePoint,
    Run,
    ScenarioInfo,
    _Section,
)
from .size import MAX_DISPENSERS, check_run_size
from .writer import dumps_toml

INSTRUMENT_NAME = re.compile(r"[^\W][\w-]*")
"""An instrument's name: it is one part of a dotted key (``instruments.NAME.enabled``)."""


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
    supply: Supply = Field(default_factory=Supply)
    prices: dict[str, list[PricePoint]] | None = None
    """Dated retail price paths per fuel (see :mod:`.fiscal`); else ``demand.price_per_litre``."""
    calibration: Calibration | None = None
    """Posterior draws of calibrated parameters (see :class:`.sections.Calibration`)."""
    instruments: dict[str, Instrument] = Field(default_factory=dict)
    """Reporting channels beside sealing — e-invoices, receipt printers (see :mod:`.instruments`)."""

    _raw: dict = PrivateAttr(default_factory=dict)
    _source: str | None = PrivateAttr(default=None)
    _register: Register | None = PrivateAttr(default=None)
    _register_path: str | None = PrivateAttr(default=None)
    _points: dict = PrivateAttr(default_factory=dict)  # calibrated_point's cache

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
        if c.deadline is not None and not c.start < c.deadline <= s.end + dt.timedelta(days=1):
            raise ValueError(f"campaign.deadline: expected a date after campaign.start ({c.start}) and no later than "
                             f"the day after scenario.end ({s.end}), got {c.deadline}")
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
        for name, d in c.schedules.items():
            if self.network.districts is not None and name not in self.network.districts:
                raise ValueError(f"campaign.districts.{name}: unknown district {name!r} (not in network.districts)")
            if not c.start <= d.start <= s.end:
                raise ValueError(f"campaign.districts.{name}.start: expected a date from campaign.start ({c.start}) "
                                 f"to scenario.end ({s.end}), got {d.start}")
        self._money()
        self._instruments()
        self._names()
        return self

    def _names(self) -> None:
        """Names the scenario chooses end up in tables opened in Excel and in dotted keys: a district or operator
        type may not start like a spreadsheet formula, an instrument's name is letters, digits, _ and -."""
        tables = {"network.districts": self.network.districts or {}, "operators": self.operators}
        for where, table in tables.items():
            for name in table:
                if str(name)[:1] in FORMULA_STARTS:
                    raise ValueError(f"{where}: {str(name)[:40]!r} starts like a spreadsheet formula "
                                     f"({' '.join(FORMULA_STARTS)}); a name may not")
        for name in self.instruments:
            if not INSTRUMENT_NAME.fullmatch(name):
                raise ValueError(f"instruments: {name[:40]!r} is not a usable name; expected letters, digits, _ and "
                                 "- (it is set from the command line as instruments.NAME.KEY)")

    def _instruments(self) -> None:
        s = self.scenario
        for name, ins in self.instruments.items():
            if name == "seal":
                raise ValueError("instruments.seal: sealing is the [campaign] table, not an instrument")
            if ins.kind is None and name not in KINDS:
                raise ValueError(f"instruments.{name}: unknown instrument {name!r}; expected a NAME of "
                                 f"{', '.join(KINDS)}, or kind = one of them")
            if not s.start <= ins.start <= s.end:
                raise ValueError(f"instruments.{name}.start: expected a date within the horizon {s.start} – "
                                 f"{s.end}, got {ins.start}")

    @property
    def district_names(self) -> tuple[str, ...]:
        """The districts, as the register or ``network.districts`` lists them."""
        if self._register is not None:
            return tuple(dict.fromkeys(self._register.districts))
        return tuple(self.network.districts or ())

    @property
    def campaign_teams(self) -> int:
        """Every team the campaign puts to work: each scheduled district's own (``campaign.districts``), and
        ``campaign.teams`` if any district is left to them."""
        own = self.campaign.schedules
        shared = any(name not in own for name in self.district_names)
        return (self.campaign.teams if shared else 0) + sum(d.teams for name, d in own.items()
                                                            if name in self.district_names)

    @property
    def active_instruments(self) -> dict[str, Instrument]:
        """The instruments in use (``enabled``), by name."""
        return {k: v for k, v in self.instruments.items() if v.enabled}

    def _money(self) -> None:
        """Prices, fuel mix, upstream taxes and tax regimes checked against each other."""
        d, s = self.demand, self.scenario
        if (d.price_per_litre is None) == (self.prices is None):
            raise ValueError("demand.price_per_litre: expected exactly one of demand.price_per_litre "
                             "(one price for every litre) or [prices] (a dated path per fuel)")
        if self.prices is not None:
            if d.price_path:
                raise ValueError("demand.price_path: expected no demand.price_path with [prices] "
                                 "(give the dates there)")
            try:
                check_paths(self.prices)
            except ValueError as exc:
                raise ValueError(f"prices.{exc}") from None
            for fuel, path in self.prices.items():
                if path[0].date > s.start:
                    raise ValueError(f"prices.{fuel}: expected a first price on or before scenario.start "
                                     f"({s.start}), got {path[0].date}")
        elif d.fuel_mix is not None and set(d.fuel_mix) != {"all"}:
            raise ValueError("demand.fuel_mix: expected a [prices] table naming the fuels")
        check_mix(d.fuel_mix, self.fuels)
        unknown = sorted(set(self.supply.upstream) - set(self.fuels))
        if unknown:
            raise ValueError(f"supply.upstream.{unknown[0]}: no such fuel in [prices] (fuels: {', '.join(self.fuels)})")
        for regime, who in self.regimes_used().items():
            for key in NEEDS[regime]:
                alt = ALTERNATIVES.get(key)
                if getattr(self.tax, key) is None and (alt is None or getattr(self.tax, alt) is None):
                    raise ValueError(f"tax.{key}: required by the {regime} regime ({who})")
        if self.enforcement.suspension_days and self.tax.margin is None and self.tax.margin_per_litre is None:
            raise ValueError("enforcement.suspension_days: expected tax.margin or tax.margin_per_litre, "
                             "to value the margin a suspended station loses")

    # ---- money ----------------------------------------------------------------------
    @property
    def fuels(self) -> tuple[str, ...]:
        """The fuels priced: the names in ``[prices]``, or ``("all",)`` with one price for every litre."""
        return tuple(self.prices) if self.prices is not None else ("all",)

    @property
    def fuel_mix(self) -> dict[str, float]:
        """Volume share of each fuel (1 for the one fuel without ``[prices]``)."""
        return check_mix(self.demand.fuel_mix, self.fuels)

    def regime_of(self, operator: str | None) -> str:
        """The tax regime of stations run by ``operator`` (``tax.regime`` when it names none)."""
        op = self.operators.get(operator) if operator is not None else None
        return op.regime if op is not None and op.regime is not None else self.tax.regime

    def regimes_used(self) -> dict[str, str]:
        """Regime → where it is set (for error messages), for the regimes some station may be under."""
        used: dict[str, str] = {}
        for name, op in self.operators.items():
            if op.regime is not None:
                used.setdefault(op.regime, f"operators.{name}.regime")
        if not self.operators or any(op.regime is None for op in self.operators.values()):
            used.setdefault(self.tax.regime, "tax.regime")
        return used

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

    def advice(self) -> list[str]:
        """Warnings about what runs but probably misleads (see :mod:`.advice`): one line each, starting
        with the dotted key. Empty for a scenario with nothing to warn about."""
        from .advice import advice

        return advice(self)

    def resolved(self) -> dict:
        """The scenario as plain data with every default spelled out (see :mod:`.resolved`): what the
        user wrote, exactly as written, and the value of everything they left out. Loads back to an
        equal scenario."""
        return json.loads(json.dumps(with_defaults(type(self), self._raw), default=str))

    def digest(self) -> str:
        """SHA-256 of the resolved scenario (and register rows), for manifests: a file that spells out a
        default and one that leaves it out are the same scenario."""
        return self._digest(self.resolved())

    def legacy_digest(self) -> str:
        """The digest fuelseal 0.2's first run folders stored: of the scenario as written (defaults left out)."""
        return self._digest(self.raw)

    def _digest(self, raw: dict) -> str:
        if self._register is not None:  # the register's rows count, not where the file lies
            raw["network"].pop("register", None)
        payload = {"scenario": raw, "register": self._register.rows() if self._register else None}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def with_overrides(self, overrides: dict[str, Any] | None = None, **kw: Any) -> Scenario:
        """A new scenario with dotted keys replaced, e.g. ``{"campaign.teams": 5}``."""
        changes = {**(overrides or {}), **kw}
        raw = apply_overrides(self._raw, changes, source=self._source)
        return build(raw, self._source, self._base)

    _base: str | None = PrivateAttr(default=None)

    def to_toml(self, header: str = "") -> str:
        """The resolved scenario as TOML text, defaults included (loads back to an equal scenario);
        ``header`` goes first, as comments."""
        return dumps_toml(with_defaults(type(self), self._raw), header)


def _format_error(err: dict) -> tuple[str, str]:
    loc = [str(p) for p in err["loc"]]
    msg = err["msg"].removeprefix("Value error, ")
    head, sep, rest = msg.partition(": ")
    if sep and head.replace("_", "").replace(".", "").isalnum() and " " not in head:
        loc.append(head)
        msg = rest
    if err["type"] == "extra_forbidden":
        near = difflib.get_close_matches(str(err["loc"][-1]), _fields_at(err["loc"][:-1]), n=1, cutoff=0.6)
        msg = "unknown key" + (f" (did you mean {near[0]!r}?)" if near else "")
    elif err["type"] == "missing":
        msg = "required key is missing"
    elif err["type"] not in ("value_error", "assertion_error"):
        got = repr(err.get("input"))
        msg = f"{msg[0].lower()}{msg[1:]} (got {got if len(got) <= 60 else got[:57] + '...'})"
    return ".".join(loc), msg


def _fields_at(loc) -> list[str]:
    """The keys a table at ``loc`` may hold (for "did you mean"): the settings class found by walking the
    schema along ``loc``, skipping the names a scenario chooses (an operator, a fuel)."""
    import typing

    model: Any = Scenario
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if fields is None:
            return []
        if part not in fields:
            continue  # a name the scenario chooses: the table's entries share one class
        ann = fields[part].annotation
        for _ in range(3):  # through Optional[...] and dict[str, ...]
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            if hasattr(ann, "model_fields") or not args:
                break
            ann = args[-1]
        model = ann
    return list(getattr(model, "model_fields", {}))


MORE_PROBLEMS = 3
"""How many further problems a one-line error names after the first."""


def _problems(errors: list[dict]) -> tuple[str, str]:
    """The first problem in full and the next few by key, in one line: unknown keys first (a misspelt key
    also shows up as a missing one — the unknown key is the cause)."""
    ordered = sorted(errors, key=lambda e: e["type"] != "extra_forbidden")
    key, msg = _format_error(ordered[0])
    rest = [_format_error(e) for e in ordered[1:]]
    if rest:
        shown = "; ".join(f"{k or '(top level)'}: {m}" for k, m in rest[:MORE_PROBLEMS])
        more = len(rest) - MORE_PROBLEMS
        msg += f" (also {shown}" + (f"; and {more} more" if more > 0 else "") + ")"
    return key, msg


def build(raw: dict, source: str | None, base: str | None) -> Scenario:
    src = source or "<scenario>"
    try:
        sc = Scenario.model_validate(raw)
    except ValidationError as exc:
        key, msg = _problems(exc.errors())
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
        # each operator cell names a type of [operators] (an undefined name is refused even without
        # [operators]), or is empty: the default type, under the scenario-wide [tax]
        sc._register = sc._register.with_operators(sc.operators, str(reg_path))
        default_rows = sc._register.default_rows()
        if default_rows and sc.operators and "default" not in sc.operators:
            # regimes_used() leaves [tax]'s regime out when every type names its own: these stations use it
            for key in NEEDS[sc.tax.regime]:
                alt = ALTERNATIVES.get(key)
                if getattr(sc.tax, key) is None and (alt is None or getattr(sc.tax, alt) is None):
                    raise ScenarioError(f"required by the {sc.tax.regime} regime (tax.regime), the regime of the "
                                        f"register's stations with an empty operator cell (row {default_rows[0]})",
                                        source=src, key=f"tax.{key}")
        if sc.campaign.district_order:
            unknown = set(sc.campaign.district_order) - set(sc._register.districts)
            if unknown:
                raise ScenarioError(f"unknown district {sorted(unknown)[0]!r}", source=src,
                                    key="campaign.district_order")
        unknown = set(sc.campaign.schedules) - set(sc._register.districts)
        if unknown:
            name = sorted(unknown)[0]
            raise ScenarioError(f"unknown district {name!r} (not in the register)", source=src,
                                key=f"campaign.districts.{name}")
    else:
        # counts are drawn per replication; the largest possible network must fit in memory
        expected = sum(q.expected() for q in sc.network.districts.values()) * sc.network.pumps_per_station.expected()
        if expected > MAX_DISPENSERS:
            raise ScenarioError(
                f"about {expected:,.0f} dispensers is more than this tool handles ({MAX_DISPENSERS:,})",
                source=src, key="network.districts",
            )
    check_run_size(sc, sc.run.replications, source=src)
    if sc.calibration is not None:
        _check_draws(sc, src)
    return sc


def _check_draws(sc: Scenario, src: str) -> None:
    """Each calibrated parameter names a number of the scenario, and the scenario is valid at each
    column's smallest and largest draw (so a bad file fails at load, not in a worker mid-run; a row
    that breaks a constraint between two parameters is named when it is drawn)."""
    from .points import resolve, with_values

    cal = sc.calibration
    for name in cal.parameters:
        if name == "calibration" or name.startswith("calibration."):
            raise ScenarioError("expected parameters of the model, not of [calibration]", source=src,
                                key="calibration.parameters")
        value = resolve(sc, name, src)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(f"{name}: expected a numeric parameter (e.g. {name}.mean), got "
                                f"{type(value).__name__}", source=src, key="calibration.parameters")
    columns = list(zip(*cal.draws, strict=True))
    for pick in (min, max):
        row = [pick(c) for c in columns]
        try:
            with_values(sc, _row_values(sc, row), src)
        except ScenarioError as exc:
            j = next((j for j, n in enumerate(cal.parameters) if n == exc.key), 0)
            at = cal.draws.index(next(r for r in cal.draws if r[j] == row[j])) + 1
            raise ScenarioError(f"row {at}: {exc.detail}", source=src, key="calibration.draws") from None


def _row_values(sc: Scenario, row: list[float]) -> dict[str, float | int]:
    """A row of draws as dotted values; a whole number for a whole-number field (``campaign.teams``)."""
    from .points import is_integer_field

    out: dict[str, float | int] = {}
    for name, v in zip(sc.calibration.parameters, row, strict=True):
        out[name] = int(v) if is_integer_field(sc, name) and float(v).is_integer() else v
    return out


def calibrated_point(sc: Scenario, row: int) -> Scenario:
    """``sc`` at row ``row`` of its calibration draws (cached on ``sc``: rows repeat across replications)."""
    cache = sc._points
    if row not in cache:
        from .points import with_values

        cal = sc.calibration
        try:
            cache[row] = with_values(sc, _row_values(sc, cal.draws[row]), sc.source or "<scenario>")
        except ScenarioError as exc:
            raise ScenarioError(f"row {row + 1}: {exc.detail}", source=exc.source, key="calibration.draws") from None
    return cache[row]


def _resolve(rel: str, source: str | None, base: str | None) -> Path:
    folder = Path(source).parent if source and not source.startswith("<") else Path.cwd()
    path = (folder / rel).resolve()
    if base is not None:
        root = Path(base).resolve()
        if root != path and root not in path.parents:
            raise ScenarioError(f"path {rel!r} leaves the allowed folder {root}", source=source, key="network.register")
    return path


_build = build  # the name used before the package was split
