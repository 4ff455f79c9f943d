"""The report's parameter appendix: every key of the scenario as run, grouped by section, in plain words.

:func:`appendix` turns the resolved scenario (the dict a run folder's manifest keeps) into
groups of rows — a plain label with its unit, the value formatted for the reader (shares as
percentages, money in VND, dates as dates, distributions in words) and the dotted key, kept
in small type for analysts. The labels are short texts written for each field of the
scenario schema (:mod:`simulator.scenario.sections`, :mod:`simulator.scenario.fiscal`; the
schema's field descriptions say the same at length) and marked for translation;
``tests/report`` checks that every field of the schema has one, so a new field cannot reach
the report without its label and its Vietnamese.

Shares read without false precision (:func:`share_text`: "10.7%", "5.6%", "0.03%"), a price path as
a price per litre from a date (:func:`price_path_text`), fuels and operator types by their names in
the reader's language (:func:`fuel_name`, :func:`operator_label`), the calibration method in words.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from ..i18n import N_
from ..names import FUELS, fuel_name  # noqa: F401  (as before: report.parameters.fuel_name)
from ..numbers import Numbers
from ..results.summary import kpi_value, method_words, true_minus
from ..scenario.labels import _FUEL_KEYS, LABELS, PARAMETERS, _star_name, label_of, parameter_name  # noqa: F401

SECTIONS: dict[str, str] = {
    "scenario": N_("Scenario"),
    "network": N_("Stations and dispensers"),
    "demand": N_("Sales"),
    "prices": N_("Retail prices"),
    "behaviour": N_("Declaration behaviour"),
    "tax": N_("Tax"),
    "operators": N_("Operator type: {name}"),
    "supply": N_("Fuel supply and upstream taxes"),
    "instruments": N_("Instrument: {name}"),
    "metrology": N_("Dispenser accuracy (metrology)"),
    "campaign": N_("Verification campaign"),
    "costs": N_("Campaign costs (VND)"),
    "enforcement": N_("Inspections and penalties"),
    "run": N_("Simulation settings"),
    "calibration": N_("Calibration"),
}
"""Scenario section → its heading in the appendix, in this order."""

ENUMS: dict[str, str] = {
    "declared_household": N_("household, declares monthly"),
    "presumptive": N_("household on a lump sum"),
    "enterprise": N_("enterprise (VAT by the credit method, CIT)"),
    "prior_period": N_("the previous period's revenue"),
    "period_mean": N_("the period's own revenue"),
    "assessment_day": N_("the period's volumes at the assessment day's price"),
    "route": N_("by route, district by district"),
    "largest_first": N_("largest stations first"),
    "random": N_("at random"),
    "risk": N_("by risk"),
    "first": N_("the first replication"),
    "all": N_("every replication"),
    "none": N_("none"),
    "en": N_("English"),
    "vi": N_("Vietnamese"),
}
"""Words of the scenario's choice values."""

DISTRIBUTIONS: dict[str, str] = {
    "fixed": N_("fixed"), "uniform": N_("uniform"), "triangular": N_("triangular"), "normal": N_("normal"),
    "lognormal": N_("lognormal"), "gamma": N_("gamma"), "beta": N_("beta"), "poisson": N_("Poisson"),
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

def operator_label(name: str, op: Any, lang: str = "en") -> str:
    """How a report names an operator type ``name`` (``op``: its typed settings or its raw table): in
    Vietnamese its ``label_vi``, else its ``label``, else ``name``."""
    def get(key: str) -> str:
        value = op.get(key) if isinstance(op, dict) else getattr(op, key, None)
        return str(value) if value else ""

    return (get("label_vi") if lang == "vi" else "") or get("label") or name


class _Values:
    """How each kind of value reads in one language."""

    def __init__(self, nf: Numbers):
        self.nf, self._ = nf, nf.gettext

    def number(self, x: Any) -> str:
        return true_minus(self.nf.plain(x, 6)) if isinstance(x, (int, float)) and not isinstance(x, bool) else str(x)

    def share(self, x: Any) -> str:
        if not isinstance(x, (int, float)) or isinstance(x, bool):
            return str(x)
        return share_text(x, self.nf)

    def vnd(self, x: Any) -> str:
        if not isinstance(x, (int, float)) or isinstance(x, bool):
            return str(x)
        for div, words in ((1e9, N_("{x} billion VND")), (1e6, N_("{x} million VND"))):
            if abs(x) >= div and round(x / div, 3) * div == x:
                return self._(words).format(x=self.nf.plain(x / div))
        return self._("{x} VND").format(x=self.nf.plain(x, 12))

    def date(self, x: Any) -> str:
        try:
            return self.nf.day(dt.date.fromisoformat(str(x)))
        except ValueError:
            return str(x)

    def quantity(self, v: Any, fmt: Callable[[Any], str]) -> str:
        """A value, or a distribution in words: "beta: mean 5.59%, sd 2%"."""
        if isinstance(v, dict) and "dist" in v:
            d = str(v["dist"])
            words = [f"{self._(PARAMETERS[k]) if k in PARAMETERS else k} {fmt(x)}"
                     for k, x in v.items() if k != "dist" and not (k in ("min", "max") and not _finite(x))]
            if d == "fixed" and "value" in v:
                return fmt(v["value"])
            name = self._(DISTRIBUTIONS[d]) if d in DISTRIBUTIONS else d
            return self._("{dist}: {parameters}").format(dist=name, parameters=", ".join(words))
        return fmt(v)


def share_text(x: float, nf: Numbers) -> str:
    """A share of the scenario as a percentage without false precision: at most three significant figures and
    one decimal from 1% up ("10.7%", "5.6%", "16.5%", "6%"), two significant figures below ("0.5%", "0.03%");
    no trailing zeros, a true minus sign."""
    p = 100 * float(x)
    if not math.isfinite(p):
        return "n/a"
    return true_minus(nf.plain(round(p, 10), 2 if abs(p) < 10 else 3)) + "%"


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def format_value(kind: str, v: Any, nf: Numbers) -> str:
    """A scenario value of ``kind`` (see :data:`LABELS`) as the reader reads it."""
    f, _ = _Values(nf), nf.gettext
    if v is None:
        return "—"
    if kind == "bool" or isinstance(v, bool):
        return _("yes") if v else _("no")
    if kind == "share":
        return f.quantity(v, f.share)
    if kind == "vnd":
        return f.quantity(v, f.vnd)
    if kind == "number":
        return f.quantity(v, f.number)
    if kind == "date":
        return f.date(v)
    if kind == "dates":
        return "; ".join(f.date(x) for x in v) if v else "—"
    if kind == "enum":
        return _(ENUMS[v]) if v in ENUMS else str(v)
    if kind == "clock":
        minutes = round(float(v) * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if kind == "weekdays":
        from babel.dates import get_day_names

        names = get_day_names("abbreviated", locale=nf.style)
        return ", ".join(names[WEEKDAYS.index(d)] if d in WEEKDAYS else str(d) for d in v)
    if kind == "route":
        return " → ".join(str(x) for x in v) if v else _("as listed")
    if kind == "names":  # parameters by their labels ("Undeclared share before sealing (mean)"), one a line
        return ";\n".join(parameter_name(str(x), nf) for x in v)
    if kind == "numbers":
        return "; ".join(f.number(x) for x in v)
    if kind == "path":
        return _path(v, nf)
    if kind == "draws":
        return _("{n} draws").format(n=nf.number(len(v)))
    if kind == "count_list":
        return _("{n} values").format(n=nf.number(len(v)))
    if kind == "method":
        return method_words(str(v), nf)
    if isinstance(v, (int, float)):
        return str(v)
    return str(v)


SHORT_PATH = 4
"""A price path of at most this many prices is written out price by price."""


def price_path_text(points: list[tuple[dt.date, float]], nf: Numbers) -> str:
    """Dated retail prices in one line, each a price per litre from a date (never "16,400 on 1 Jan 2016", which
    reads as days): every one of a short path ("17,000 VND per litre from 1 Jan 2016; 18,000 VND per litre from
    1 Mar 2017"), else the first in full and the range: "16,400 VND per litre from 1 Jan 2016; 41 dated prices
    in all, 13,750–18,570 VND per litre" / "16.400 đồng/lít từ ngày 01/01/2016; …"."""
    _ = nf.gettext
    prices = [p for _d, p in points]
    if len(points) <= SHORT_PATH:
        return "; ".join(_("{first} VND per litre from {date}").format(first=nf.number(p), date=nf.day(d))
                         for d, p in points)
    return _("{first} VND per litre from {date}; {n} dated prices in all, {low}–{high} VND per litre").format(
        first=nf.number(prices[0]), date=nf.day(points[0][0]), n=nf.number(len(prices)), low=nf.number(min(prices)),
        high=nf.number(max(prices)))


def _path(points: Any, nf: Numbers) -> str:
    """A dated price path in one line (see :func:`price_path_text`)."""
    try:
        pairs = [(dt.date.fromisoformat(str(p["date"])), float(p["price"])) for p in points]
    except (TypeError, KeyError, ValueError):
        return str(points)
    return price_path_text(pairs, nf) if pairs else str(points)


def _leaves(node: Any, prefix: str) -> list[tuple[str, Any]]:
    """The scenario's keys down to the level the labels describe (distributions, lists and price paths whole)."""
    if isinstance(node, dict) and "dist" not in node:
        if label_of(prefix) is not None and prefix:
            return [(prefix, node)]
        out = []
        for k, v in node.items():
            out.extend(_leaves(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return [(prefix, node)]


def appendix(raw: dict, lang: str = "en", *, as_run: dict[str, Any] | None = None
             ) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The resolved scenario ``raw`` as (group heading, [(label, value, dotted key)]) in ``lang``: one group per
    section in :data:`SECTIONS` order (one per operator type), keys in the scenario's order. A key no label
    knows keeps its dotted name as label. ``as_run``: dotted key → the value the run used where the command
    line may override the file (``{"run.replications": 100, "run.seed": 1}``); a value that differs from the
    file's reads "100 (used by this run; the scenario file says 200)"."""
    nf = Numbers(lang)
    _ = nf.gettext
    raw = _with_run_values(raw, as_run or {}, nf)
    groups: dict[str, list[tuple[str, str, str]]] = {}
    titles: dict[str, str] = {}
    order = list(SECTIONS)
    for section, table in raw.items():
        if section == "operators" and isinstance(table, dict):
            subgroups = [(f"operators.{name}", table[name]) for name in table]
        elif section == "instruments" and isinstance(table, dict):  # only those the run used
            subgroups = [(f"instruments.{name}", t) for name, t in table.items()
                         if not (isinstance(t, dict) and t.get("enabled") is False)]
        else:
            subgroups = [(section, table)]
        for key, node in subgroups:
            rows = []
            for dotted, v in _leaves(node, key):
                known = label_of(dotted)
                if known is None:
                    rows.append((dotted, format_value("text", v, nf) if not isinstance(v, (dict, list)) else
                                 str(v), dotted))
                    continue
                label, kind, name = known
                if kind == "target":  # a KPI: its label, its value as the summary writes it
                    rows.append((_(label).format(name=nf.label(name)), kpi_value(name, v, nf), dotted))
                    continue
                value = v.text if isinstance(v, _AsRun) else format_value(kind, v, nf)
                rows.append((_(label).format(name=_star_name(dotted, name, lang)), value, dotted))
            if section == "operators":
                own = key.split(".", 1)[1]
                name = operator_label(own, node, lang) if isinstance(node, dict) else own
                titles[key] = _(SECTIONS["operators"]).format(name=name)
            elif section == "instruments":
                titles[key] = _(SECTIONS["instruments"]).format(name=key.split(".", 1)[1])
            else:
                titles[key] = _(SECTIONS[section]) if section in SECTIONS else section
            groups[key] = rows
    rank = {s: i for i, s in enumerate(order)}
    keys = sorted(groups, key=lambda k: rank.get(k.split(".")[0], len(order)))
    return [(titles[k], groups[k]) for k in keys if groups[k]]


class _AsRun:
    """A value the run used in place of the file's, already in words."""

    def __init__(self, text: str):
        self.text = text


def _with_run_values(raw: dict, as_run: dict[str, Any], nf: Numbers) -> dict:
    """``raw`` with each ``as_run`` value that differs from the file's (or is not in it) put in its place, saying
    both."""
    _ = nf.gettext
    out = dict(raw)
    for dotted, value in as_run.items():
        section, _dot, key = dotted.partition(".")
        known = label_of(dotted)
        kind = known[1] if known else "text"
        table = dict(out.get(section) or {})
        if key in table and table[key] == value:
            continue
        text = format_value(kind, value, nf)
        if key in table:
            text = _("{value} (used by this run; the scenario file says {file})").format(
                value=text, file=format_value(kind, table[key], nf))
        table[key] = _AsRun(text)
        out[section] = table
    return out
