"""The scenario's key reference, generated from the schema: every key, what it means, its type,
allowed range, default and whether it is required.

:func:`keys` walks the settings classes of :mod:`.schema` (each section, and the tables a scenario
names itself: ``[operators.NAME]``, ``[supply.upstream.FUEL]``, ``[scenario.vi]``) and returns one
:class:`Key` per field: its dotted key, its plain label (:mod:`.labels`), its type in words, the
allowed range (from the field's constraints), its default (or "required") and its description
(the field's docstring). :func:`markdown` writes them as ``docs/scenario-reference.md`` — a test
regenerates it and fails when the file is stale — and ``fuelseal keys [SECTION]`` prints them.
Nothing here is written by hand, so the reference cannot drift from what the loader accepts.

Both also describe the station register (``network.register``; ``fuelseal keys register``): its
columns come from :data:`.register.COLUMNS`, the same list the reader checks.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import types
import typing
from dataclasses import dataclass

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .labels import label_of
from .quantities import Quantity
from .register import COLUMNS, EXCEL_MAX_ROWS
from .schema import Scenario

NAMED = {"operators": "NAME", "supply.upstream": "FUEL", "network.districts": "DISTRICT",
         "demand.fuel_mix": "FUEL", "prices": "FUEL", "calibration.targets": "KPI"}
"""Tables whose keys the scenario chooses, and the placeholder the reference writes for them."""


@dataclass(frozen=True)
class Key:
    key: str
    label: str
    type: str
    allowed: str
    default: str
    required: bool
    description: str


def _words(annotation) -> str:
    """A field's type as a planner reads it."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _words(args[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        text = " or ".join(_words(a) for a in inner)
        return text + (" (optional)" if len(inner) < len(args) else "")
    if origin is typing.Literal:
        return "one of " + ", ".join(f'"{a}"' for a in args)
    if origin in (list, tuple):
        return f"list of {_words(args[0])}" if args else "list"
    if origin is dict:
        return f"table of {_words(args[1])}" if len(args) == 2 else "table"
    if isinstance(annotation, type):
        if issubclass(annotation, Quantity):
            return "number or distribution"
        if issubclass(annotation, bool):
            return "true or false"
        if issubclass(annotation, int):
            return "whole number"
        if issubclass(annotation, float):
            return "number"
        if issubclass(annotation, str):
            return "text"
        if issubclass(annotation, dt.date):
            return "date (YYYY-MM-DD)"
        if issubclass(annotation, BaseModel):
            return "table"
    return str(annotation).replace("typing.", "")


def _allowed(field) -> str:
    parts = []
    for m in field.metadata:
        if isinstance(m, Ge):
            parts.append(f"≥ {m.ge:g}")
        elif isinstance(m, Gt):
            parts.append(f"> {m.gt:g}")
        elif isinstance(m, Le):
            parts.append(f"≤ {m.le:g}")
        elif isinstance(m, Lt):
            parts.append(f"< {m.lt:g}")
        elif isinstance(m, MinLen) and m.min_length:
            parts.append("not empty" if field.annotation is str else f"at least {m.min_length:,} (items)")
        elif isinstance(m, MaxLen):
            parts.append(f"at most {m.max_length:,} items")
    return ", ".join(parts)


def _default(field) -> str:
    if field.is_required():
        return ""
    value = field.default
    if value is PydanticUndefined and field.default_factory is not None:
        value = field.default_factory()
    if isinstance(value, BaseModel):
        return "(its keys' defaults)"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, dict)) and not value:
        return "empty"
    if isinstance(value, Quantity):
        return str(getattr(value, "value", value))
    return str(value)


def _value_type(annotation):
    """The type of one entry of a table (``dict[str, X]`` → ``X``), through Optional."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return _value_type(next(a for a in args if a is not type(None)))
    return args[1] if origin is dict and len(args) == 2 else annotation


def _model_of(annotation) -> tuple[type[BaseModel] | None, bool]:
    """The settings class inside an annotation, and whether it sits in a table the scenario names."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _model_of(args[0])
    if origin in (typing.Union, types.UnionType):
        for a in args:
            model, named = _model_of(a)
            if model is not None:
                return model, named
        return None, False
    if origin is dict and len(args) == 2:
        model, _named = _model_of(args[1])
        return model, model is not None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def _walk(model: type[BaseModel], prefix: str, out: list[Key]) -> None:
    for name, field in model.model_fields.items():
        key = f"{prefix}.{field.alias or name}" if prefix else (field.alias or name)
        inner, named = _model_of(field.annotation)
        if inner is not None and not issubclass(inner, Quantity):
            _walk(inner, f"{key}.{NAMED.get(key, 'NAME')}" if named else key, out)
            continue
        kind = _words(field.annotation)
        if key in NAMED:  # a table the scenario names: the reference describes one of its entries
            kind = _words(_value_type(field.annotation))
            key = f"{key}.{NAMED[key]}"
        holder = next((p for p in NAMED.values() if f".{p}" in key), "")
        found = label_of(".".join("x" if part in NAMED.values() else part for part in key.split(".")))
        label = found[0].replace("{name}", holder or "NAME") if found else ""
        text = " ".join((field.description or "").split())
        out.append(Key(key, label, kind, _allowed(field), _default(field), field.is_required(), text))


def keys(section: str | None = None) -> list[Key]:
    """Every key of the scenario (or of one ``section``, e.g. ``"campaign"``), in schema order."""
    out: list[Key] = []
    _walk(Scenario, "", out)
    if section is not None:
        out = [k for k in out if k.key == section or k.key.startswith(section + ".")]
        if not out:
            sections = ", ".join([*dict.fromkeys(k.key.split(".")[0] for k in keys()), REGISTER])
            raise ValueError(f"section: expected one of {sections}, got {section!r}")
    return out


# ---- the station register -----------------------------------------------------------------------
REGISTER = "register"
"""The "section" name under which ``fuelseal keys`` shows the station register's columns."""

REGISTER_INTRO = (
    "`network.register = \"stations.csv\"` (a path from the scenario file's folder) reads the stations from "
    "a file instead of drawing them from `network.districts`: one row per station under a header row. The "
    "columns may come in any order and their names in any letter case; other columns are ignored."
)

REGISTER_FORMATS = (
    "CSV in UTF-8 (Excel: *CSV UTF-8 (Comma delimited)*), its columns separated by commas, semicolons or "
    "tabs: the header line decides (Excel writes semicolons where the decimal mark is a comma). In a CSV, "
    "numbers have a dot as decimal mark and no thousands separators. Excel's *Unicode Text* (UTF-16, tabs) "
    "reads too.",
    "An Excel workbook, `.xlsx`: its first sheet, row 1 the header. Each cell counts by the value Excel saved "
    "in the file (a formula by its last result; nothing is computed here). An old `.xls` workbook, a "
    "password-protected one or an OpenDocument `.ods` must first be saved as `.xlsx` or as CSV UTF-8.",
    f"Errors name the file and the row as a spreadsheet numbers it (row 1 is the header; up to "
    f"{EXCEL_MAX_ROWS:,} rows). Empty rows are skipped. An id Excel stored as a number reads without "
    "decimals (101, not 101.0); give the column the Text format to keep leading zeros (00101).",
    "A run folder keeps the register it ran as `register.csv`; its manifest records the SHA-256 of the "
    "file read.",
)

REGISTER_EXAMPLE = """id,district,operator,pumps,litres_per_day
BN-001,Thành phố Bắc Ninh,state,6,9800
BN-002,Thành phố Bắc Ninh,private,4,5200
BN-003,Thành phố Bắc Ninh,,3,
BN-004,Thành phố Bắc Ninh,household,2,1500"""
"""The first rows of scenarios/data/example_register.csv: BN-003 is of the default type, its sales drawn."""


def _value(required: bool) -> str:
    return "required" if required else "may be empty"


def register_markdown() -> str:
    """The station register's section of the reference, as Markdown."""
    lines = ["## Station register (`network.register`)", "", REGISTER_INTRO, "",
             "| column | meaning | unit | type | value | an empty cell |", "|---|---|---|---|---|---|"]
    for c in COLUMNS:
        value = "**required**" if c.required else _value(c.required)
        lines.append(f"| `{c.name}` | {_cell(c.meaning)} | {_cell(c.unit or '—')} | {_cell(c.type)} | {value} | "
                     f"{_cell(c.empty)} |")
    lines += ["", *[f"- {p}" for p in REGISTER_FORMATS], "",
              "For example (the first rows of `scenarios/data/example_register.csv`):", "", "```", REGISTER_EXAMPLE,
              "```"]
    return "\n".join(lines)


def register_text() -> str:
    """The station register's columns and formats, for a terminal (``fuelseal keys register``)."""
    def wrap(text: str, indent: str = "    ") -> str:
        return textwrap.fill(text.replace("`", "").replace("*", ""), 100, initial_indent=indent,
                             subsequent_indent=indent)

    blocks = ["Station register (network.register)\n" + wrap(REGISTER_INTRO, "")]
    for c in COLUMNS:
        head = f"{c.name}  ({c.type}{'; ' + c.unit if c.unit else ''}; {_value(c.required)})"
        blocks.append(head + "\n" + wrap(c.meaning) + "\n" + wrap(f"Empty: {c.empty}"))
    blocks.append("Formats\n" + "\n".join(wrap(p, "  - ").replace("\n  - ", "\n    ") for p in REGISTER_FORMATS))
    blocks.append("For example\n" + textwrap.indent(REGISTER_EXAMPLE, "    "))
    return "\n".join(blocks)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """The whole reference as Markdown: one table per section (``docs/scenario-reference.md``)."""
    lines = ["# Scenario keys", "",
             "Generated from the schema by `simulator.scenario.reference` (`make reference`; `fuelseal keys "
             "[SECTION]` prints the same). A key with no default is required. NAME, FUEL, DISTRICT and KPI "
             "stand for names the scenario chooses. A \"number or distribution\" is a number or a table such as "
             "`{ dist = \"triangular\", low = 30, mode = 45, high = 75 }`."]
    section = None
    for k in keys():
        top = k.key.split(".")[0]
        if top != section:
            section = top
            lines += ["", f"## [{top}]", "", "| key | meaning | type | allowed | default |", "|---|---|---|---|---|"]
        meaning = k.label + (": " if k.label and k.description else "") + k.description
        default = "**required**" if k.required else k.default
        lines.append(f"| `{k.key}` | {_cell(meaning)} | {_cell(k.type)} | {_cell(k.allowed)} | {_cell(default)} |")
    lines += ["", register_markdown()]
    return "\n".join(lines).strip() + "\n"


def text(section: str | None = None) -> str:
    """The reference for a terminal: one block per key, then the station register's columns (``section``
    ``"register"``: only those)."""
    if section == REGISTER:
        return register_text()
    blocks = []
    for k in keys(section):
        head = f"{k.key}  ({k.type}{'; ' + k.allowed if k.allowed else ''}; "
        head += "required)" if k.required else f"default {k.default})"
        body = "\n".join(f"    {line}" for line in filter(None, [k.label, k.description]))
        blocks.append(head + ("\n" + body if body else ""))
    if section is None:
        blocks.append("\n" + register_text())
    return "\n".join(blocks)
