"""The planner's form, generated from the scenario's key reference.

:data:`GROUPS` lists the keys a planner decides or doubts — teams, start, visiting order, the
instruments, inspections, the undeclared share, costs, replications and seed; every field's label,
unit, allowed range and help come from :mod:`simulator.scenario.reference` and
:mod:`simulator.scenario.labels` (the same words as ``fuelseal keys`` and the reports), and its value
from the chosen scenario. :func:`overrides` turns a submitted form into the ``--set`` pairs of the
fields that changed, checked by the scenario loader exactly as on the command line; :func:`attach`
puts the loader's one-line message next to the field it names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache

from ..charts.instruments import option_words
from ..errors import ScenarioError
from ..i18n import N_, translator
from ..numbers import Numbers
from ..report.parameters import ENUMS
from ..scenario import Scenario, parse_value
from ..scenario.labels import label_of, parameter_name
from ..scenario.reference import Key, keys

GROUPS: list[tuple[str, list[str]]] = [
    (N_("Campaign"), ["campaign.enabled", "campaign.teams", "campaign.start", "campaign.order"]),
    (N_("Other instruments"), ["instruments.*.enabled"]),
    (N_("Inspections"), ["enforcement.audits_per_year", "costs.per_audit"]),
    (N_("Behaviour"), ["behaviour.undeclared_share"]),
    (N_("Costs"), ["costs.per_team_day", "costs.per_seal", "costs.per_visit", "costs.per_team_fixed",
                   "costs.per_reading", "costs.fixed"]),
    (N_("Replications and seed"), ["run.replications", "run.seed"]),
]
"""(group title, keys) in the order the form shows them; ``instruments.*`` is each instrument the
scenario names."""

UNITS = {"share": N_("share, 0–1"), "vnd": N_("VND"), "days": N_("days")}


@dataclass(frozen=True)
class Field:
    key: str
    """The dotted key the field sets (``behaviour.undeclared_share.mean`` for a distribution's mean)."""
    label: str
    kind: str
    """``int``, ``number``, ``date``, ``choice`` or ``bool``."""
    value: str
    choices: tuple[tuple[str, str], ...] = ()
    """(value, words) of a choice."""
    allowed: str = ""
    unit: str = ""
    help: str = ""
    error: str = ""


@cache
def _reference() -> dict[str, Key]:
    return {k.key: k for k in keys()}


def _pattern(dotted: str) -> str:
    parts = dotted.split(".")
    if parts[0] == "instruments" and len(parts) == 3:
        return f"instruments.NAME.{parts[2]}"
    return dotted


def value_at(sc: Scenario, dotted: str):
    node = sc
    for part in dotted.split("."):
        node = node[part] if isinstance(node, Mapping) else getattr(node, part)
    return node


def text_of(value) -> str:
    """A value as the form shows it and ``--set`` reads it back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _kind(key: Key, value) -> tuple[str, tuple[str, ...]]:
    if isinstance(value, bool):
        return "bool", ()
    if key.type.startswith("one of"):
        return "choice", tuple(part.strip().strip('"') for part in key.type.removeprefix("one of").split(","))
    if isinstance(value, dt.date):
        return "date", ()
    if isinstance(value, int):
        return "int", ()
    return "number", ()


def _expand(sc: Scenario, key: str) -> list[str]:
    if key.startswith("instruments.*"):
        return [f"instruments.{name}.{key.rsplit('.', 1)[1]}" for name in sc.instruments]
    if key in ("campaign.teams", "campaign.start") and own_schedules(sc):
        return []  # every district has its own teams and start: the shared ones would change nothing
    return [key]


def own_schedules(sc: Scenario) -> bool:
    """Whether every district has its own teams and start (``[campaign.districts.NAME]``), as in a national
    rollout: the form then offers no campaign-wide teams or start, which no district would use."""
    districts = set(sc.network.districts or ()) if sc.network.districts is not None else None
    return bool(sc.campaign.schedules) and districts is not None and districts <= set(sc.campaign.schedules)


BOUND = re.compile(r"([≥>≤<]) (-?[0-9.]+(?:e[+-]?[0-9]+)?)")
HUGE = 1e6
"""An upper bound from this on is a guard against typing errors, not a planner's range: not shown."""


def allowed_words(allowed: str, nf: Numbers, cap: float | None = None) -> str:
    """The reference's range ("≥ 1, ≤ 10000") as it is typed in the form (a decimal point, no thousands
    separators, whatever the page's language), without upper bounds from :data:`HUGE` on (unless ``cap`` sets a
    lower one)."""
    parts = []
    for op, number in BOUND.findall(allowed):
        value = float(number)
        if op in "≤<" and cap is not None:
            op, value = "≤", min(value, cap)
        if op in "≤<" and value >= HUGE:
            continue
        parts.append(f"{op} {text_of(value)}")  # as it is typed: see the note above the form
    return ", ".join(parts)


def fields(sc: Scenario, lang: str = "en", caps: Mapping[str, float] | None = None) -> list[tuple[str, list[Field]]]:
    """The form for scenario ``sc`` in ``lang``: (group title, fields), groups with no field left out; ``caps``
    lowers the upper bound shown for a key (the page's largest run)."""
    nf, _ = Numbers(lang), translator(lang)
    out = []
    for title, group in GROUPS:
        made = []
        for dotted in (d for k in group for d in _expand(sc, k)):
            value = value_at(sc, dotted)
            key = dotted
            if hasattr(value, "mean") and not isinstance(value, int | float):  # a distribution: edit its mean
                key, value = f"{dotted}.mean", value.mean
            ref = _reference()[_pattern(dotted)]
            kind, choices = _kind(ref, value)
            label = parameter_name(key, nf)
            if dotted.startswith("instruments."):  # the instrument in words: "e-invoices by handheld POS"
                name = dotted.split(".")[1]
                label = option_words(name, {name: sc.instruments[name].kind or name}, _)
            choices = tuple((c, _(ENUMS[c]) if c in ENUMS else c) for c in choices)
            known = label_of(dotted)
            unit = _(UNITS[known[1]]) if known and known[1] in UNITS else ""
            allowed = allowed_words(ref.allowed, nf, (caps or {}).get(key))
            made.append(Field(key, label, kind, text_of(value), choices, allowed, unit,
                              ref.description if lang == "en" else ""))  # the reference is in English
        if made:
            out.append((_(title), made))
    return out


def overrides(form: Mapping[str, str], sc: Scenario) -> dict[str, str]:
    """``{key: text}`` for the fields of ``sc``'s form whose submitted text differs from the scenario's
    (a checkbox left out of the form is false), in the form's order."""
    out = {}
    for _title, group in fields(sc):
        for f in group:
            got = (("true" if form.get(f.key) else "false") if f.kind == "bool"
                   else str(form.get(f.key, f.value)).strip())
            if got != f.value:
                out[f.key] = got
    return out


def parsed(pairs: Mapping[str, str]) -> dict:
    """The pairs as the command line reads ``--set KEY=VALUE``."""
    return {k: parse_value(v, k) for k, v in pairs.items()}


BOUNDS = {"greater than or equal to": N_("must be at least {bound} (got {got})"),
          "less than or equal to": N_("must be at most {bound} (got {got})"),
          "greater than": N_("must be more than {bound} (got {got})"),
          "less than": N_("must be less than {bound} (got {got})")}
MESSAGES: list[tuple[re.Pattern, str]] = [
    *((re.compile(rf"input should be {how} (?P<bound>\S+) \(got (?P<got>.*)\)"), words)
      for how, words in BOUNDS.items()),  # "or equal to" first: "greater than" alone would take it
    (re.compile(r"input should be a valid integer.*\(got (?P<got>.*)\)"), N_("expected a whole number (got {got})")),
    (re.compile(r"input should be a valid number.*\(got (?P<got>.*)\)"),
     N_("expected a number with a decimal point and no thousands separators (got {got})")),
    (re.compile(r"input should be a valid date.*\(got (?P<got>.*)\)"),
     N_("expected a date that exists, written YYYY-MM-DD (got {got})")),
    (re.compile(r"expected a share strictly between 0 and 1"),
     N_("expected a share between 0 and 1, e.g. 0.06 for 6%")),
]
"""The loader's commonest one-line messages about a value, and how the page says them in another language; any
other message is shown as the command line prints it."""


def explain(detail: str, lang: str) -> str:
    """The loader's message about a field in ``lang``: English is the command line's own words."""
    if lang == "en":
        return detail
    _ = translator(lang)
    for pattern, words in MESSAGES:
        m = pattern.fullmatch(detail)
        if m:
            return _(words).format(**m.groupdict())
    return detail


def attach(groups: list[tuple[str, list[Field]]], values: Mapping[str, str],
           error: ScenarioError | None, lang: str = "en") -> tuple[list[tuple[str, list[Field]]], str]:
    """The form showing ``values`` (the submitted text) and ``error`` next to the field whose key it
    names (in ``lang``: :func:`explain`); the message when no field matches (shown above the form), else ""."""
    placed = False
    out = []
    for title, group in groups:
        made = []
        for f in group:
            v = (("true" if values.get(f.key) else "false") if f.kind == "bool" and values
                 else values.get(f.key, f.value))
            e = ""
            if error is not None and error.key and (error.key == f.key or f.key.startswith(error.key + ".")
                                                     or error.key.startswith(f.key + ".")):
                e, placed = explain(error.detail, lang), True
            made.append(replace(f, value=str(v), error=e))
        out.append((title, made))
    return out, ("" if error is None or placed else str(error))
