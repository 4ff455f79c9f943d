"""A small TOML writer for resolved scenarios (``scenario.toml`` in a run folder), readable as a file a
planner would write: one ``[section]`` per table, distributions inline."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any


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


def _inline(value: dict) -> bool:
    """A table written on one line: a distribution (``{ dist = … }``) or a table of numbers
    (districts' station counts, a fuel mix); anything else gets its own ``[a.b]`` header."""
    return "dist" in value or all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values())


def _table(path: list[str], table: dict, lines: list[str]) -> None:
    lines.append(f"\n[{'.'.join(_toml_key(k) for k in path)}]")
    subtables = []
    for k, v in table.items():
        if isinstance(v, dict) and v and not _inline(v):
            subtables.append((k, v))
        elif isinstance(v, list) and any(isinstance(x, dict) for x in v):  # a price path: one point a line
            lines.append(f"{_toml_key(k)} = [\n" + "".join(f"    {_toml_value(x)},\n" for x in v) + "]")
        else:
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for k, v in subtables:
        _table([*path, k], v, lines)


def dumps_toml(raw: dict, header: str = "") -> str:
    """TOML text for a scenario dict: top-level tables as sections, nested sections (operators,
    wording) as ``[a.b]`` sub-tables, distributions and tables of numbers inline. ``header`` is
    written first as comment lines."""
    lines: list[str] = [f"# {line}".rstrip() for line in header.splitlines()]
    for key, value in raw.items():
        if isinstance(value, dict):
            continue
        lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in raw.items():
        if isinstance(value, dict):
            _table([key], value, lines)
    return "\n".join(lines).lstrip("\n") + "\n"
