"""Warnings about a valid scenario that is probably not what its author meant.

Validation refuses what cannot be run; these are the things that run but mislead: holidays of
another year, a price path that stops early, a table left out so that a result is zero, or a
value that looks like a percentage written where a share is expected (``mpe = 0.3`` meant as
0.3%). Each warning is one line naming the dotted key, what was found and what to do.
``fuelseal validate`` and ``fuelseal run`` print them; :func:`advice` (and
:meth:`Scenario.advice`) return them to scripts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np

Scenario = Any  # a simulator.scenario.Scenario (not imported: the schema calls this module)

PRICE_GAP_DAYS = 183
"""A price path whose last point is more than this before the horizon's end is held flat for half
a year or more — in Vietnam prices are reviewed every 10–15 days."""


def _mean(q: Any) -> float:
    return float(q.expected()) if hasattr(q, "expected") else float(q)


def _fmt(v: float) -> str:
    """As a file would hold it, never in scientific notation: 0.003, 0.00005, 30."""
    return np.format_float_positional(float(f"{v:.6g}"), trim="-")


# (dotted key, value getter, highest plausible value, what a typical value looks like)
PLAUSIBLE: tuple[tuple[str, Callable[[Scenario], float], float, str], ...] = (
    ("metrology.mpe", lambda s: s.metrology.mpe, 0.02, "a dispenser's maximum permissible error is ±0.3–0.5% "
                                                     "(0.003–0.005)"),
    ("metrology.error_sd", lambda s: s.metrology.error_sd, 0.01, "honest dispensers err by about 0.1–0.2% "
                                                                 "(0.001–0.002)"),
    ("metrology.short_delivery_error", lambda s: _mean(s.metrology.short_delivery_error), 0.2,
     "a tampered dispenser short-delivers by about 2–6% (0.02–0.06)"),
    ("behaviour.undeclared_share", lambda s: _mean(s.behaviour.undeclared_share), 0.5,
     "stations hide a few per cent to a few tens of per cent of sales (0.05 = 5%)"),
    ("behaviour.residual_share", lambda s: _mean(s.behaviour.residual_share), 0.1,
     "after sealing little stays hidden (0.005 = 0.5%)"),
    ("tax.rate", lambda s: s.tax.rate, 0.1, "a household's tax on turnover is about 1.5% (0.015)"),
    ("tax.vat_rate", lambda s: s.tax.vat_rate, 0.2, "VAT on fuel is 10% (0.10)"),
    ("tax.cit_rate", lambda s: s.tax.cit_rate, 0.5, "corporate income tax is 20% (0.20)"),
    ("demand.annual_growth", lambda s: _mean(s.demand.annual_growth), 0.3, "fuel volumes grow a few per cent a "
                                                                           "year (0.06 = 6%)"),
    ("enforcement.late_interest_per_day", lambda s: s.enforcement.late_interest_per_day, 0.003,
     "late-payment interest is 0.03% a day (0.0003)"),
)


def _plausibility(sc: Scenario) -> list[str]:
    out = []
    for key, get, limit, typical in PLAUSIBLE:
        v = get(sc)
        if v is not None and v > limit:
            out.append(f"{key}: {_fmt(v)} means {v * 100:.4g}% — {typical}; if you meant "
                       f"{_fmt(v)}%, write {_fmt(v / 100)}")
    for name, op in sc.operators.items():
        for field, limit in (("undeclared_share", 0.5), ("residual_share", 0.1)):
            q = getattr(op, field, None)
            if q is not None and _mean(q) > limit:
                v = _mean(q)
                out.append(f"operators.{name}.{field}: {_fmt(v)} means {v * 100:.4g}%; if you meant {_fmt(v)}%, "
                           f"write {_fmt(v / 100)}")
    return out


def _holidays(sc: Scenario) -> list[str]:
    c = sc.campaign
    if not c.holidays or not c.enabled:
        return []
    last = min(sc.scenario.end, (c.deadline or sc.scenario.end))
    outside = [d for d in c.holidays if not c.start <= d <= last]
    # a day off just before the start is normal; every date outside, or one in another year, is not
    years_run = range(c.start.year, last.year + 1)
    if not outside or (len(outside) < len(c.holidays) and all(d.year in years_run for d in outside)):
        return []
    years = sorted({d.year for d in outside})
    which = "every date" if len(outside) == len(c.holidays) else f"{len(outside)} of {len(c.holidays)} dates"
    verb = "falls" if which == "every date" else "fall"
    return [f"campaign.holidays: {which} ({outside[0].isoformat()}{' …' if len(outside) > 1 else ''}) "
            f"{verb} outside the campaign ({c.start.isoformat()} to {last.isoformat()}), so they change nothing — "
            f"holidays of {', '.join(map(str, years))} copied from another scenario? List the campaign's own"]


def _prices(sc: Scenario) -> list[str]:
    end = sc.scenario.end
    paths: dict[str, list] = {}
    if sc.prices is not None:
        paths = {f"prices.{fuel}": path for fuel, path in sc.prices.items()}
    elif sc.demand.price_path:
        paths = {"demand.price_path": sc.demand.price_path}
    stale: dict[dt.date, list[str]] = {}  # paths that stop on the same day are named together
    for key, path in paths.items():
        last = max(p.date for p in path)
        if (end - last).days > PRICE_GAP_DAYS:
            stale.setdefault(last, []).append(key)
    out = []
    for last, keys in stale.items():
        key = keys[0] if len(keys) == 1 else f"prices ({', '.join(k.removeprefix('prices.') for k in keys)})"
        months = round((end - last).days / 30.44)
        out.append(f"{key}: the last price is dated {last.isoformat()}, about {months} months before "
                   f"scenario.end ({end.isoformat()}), and is held flat after it — add the price reviews "
                   f"after {last.isoformat()}")
    return out


def _left_out(sc: Scenario) -> list[str]:
    raw = sc.raw
    out = []
    k = sc.costs
    costed = any(getattr(k, f) for f in ("per_team_day", "per_seal", "per_visit", "fixed", "per_team_fixed",
                                         "per_reading"))
    if sc.campaign.enabled and ("costs" not in raw or not costed):
        out.append("costs: no campaign costs are given, so the campaign costs 0 VND and the extra tax per VND "
                   "spent and the payback month cannot be computed — add [costs] (see: fuelseal keys costs)")
    if sc.enforcement.audits_per_year == 0:
        where = "[enforcement] is left out" if "enforcement" not in raw else "enforcement.audits_per_year is 0"
        out.append(f"enforcement: {where}, so no station is ever inspected: a broken seal is never found and "
                   "short delivery never fined — add [enforcement] (see: fuelseal keys enforcement)")
    shares = [_mean(sc.behaviour.undeclared_share)] + [
        _mean(op.undeclared_share) for op in sc.operators.values() if op.undeclared_share is not None]
    if max(shares) == 0:
        out.append("behaviour.undeclared_share: 0, so no sales are hidden and sealing cannot raise tax")
    if not sc.campaign.enabled and not sc.active_instruments:
        out.append("campaign.enabled: false and no instrument in use, so every result compares no policy with "
                   "no policy")
    return out


def _placeholders(sc: Scenario) -> list[str]:
    """Values a template (``fuelseal new``) marked PLACEHOLDER and nobody has replaced yet."""
    found: list[str] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{key}.{k}" if key else str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{key}[{i}]")
        elif isinstance(value, str) and "PLACEHOLDER" in value:
            found.append(key)

    walk(sc.raw, "")
    if not found:
        return []
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return [f"{found[0]}: still marked PLACEHOLDER ({', '.join(found[:3])}{more}) — replace it with your "
            "province's own"]


def advice(sc: Scenario) -> list[str]:
    """Every warning about ``sc``, one line each, starting with the dotted key."""
    return _plausibility(sc) + _holidays(sc) + _prices(sc) + _left_out(sc) + _placeholders(sc)
