"""Dotted overrides: ``campaign.teams=3`` on the command line, ``{"campaign.teams": 3}`` in Python.

A value is one TOML value (a line break is refused, not silently cut), set into the
scenario's plain dict before validation, so an override is checked exactly as the file is.
"""

from __future__ import annotations

import tomllib
from typing import Any

from ..errors import ScenarioError
from .quantities import Quantity

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


def split_pairs(pairs: list[str] | None, flag: str = "--set", allow_empty: bool = False) -> list[tuple[str, str]]:
    """``["campaign.teams=3", …]`` → ``[("campaign.teams", "3"), …]``: the one way every command
    reads ``KEY=VALUE`` options; a missing ``=`` or key (or value, unless ``allow_empty``) is one
    line naming the flag."""
    out = []
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not (value.strip() or allow_empty):
            raise ScenarioError(f"expected key=value (for example campaign.teams=3), got {pair!r}", source=flag)
        out.append((key.strip(), value.strip()))
    return out


def parse_overrides(pairs: list[str] | None) -> dict[str, Any]:
    """``--set KEY=VALUE`` options as dotted overrides, each value read by :func:`parse_value`
    (``KEY=`` sets an empty text, e.g. ``scenario.reference_source=``)."""
    return {k: parse_value(v, key=k) for k, v in split_pairs(pairs, "--set", allow_empty=True)}


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
    _fix_calibrated(out, overrides)
    return out


def _fix_calibrated(raw: dict, overrides: dict[str, Any]) -> None:
    """A parameter set by hand is no longer drawn from ``[calibration]``: its column is dropped (and
    the section with the last one). Setting ``a.b`` fixes ``a.b.mean`` too, and ``a.b.mean`` fixes
    ``a.b.mean``."""
    cal = raw.get("calibration")
    if not isinstance(cal, dict) or not isinstance(cal.get("parameters"), list):
        return
    names, draws = cal["parameters"], cal.get("draws")
    fixed = [str(k) for k in overrides if not str(k).startswith("calibration")]
    keep = [j for j, n in enumerate(names)
            if not any(n == k or str(n).startswith(k + ".") for k in fixed)]
    if len(keep) == len(names):
        return
    if not keep:
        del raw["calibration"]
        return
    # the kept worlds were chosen jointly with the dropped values: only the remaining draws still apply
    cal.pop("worlds", None)
    cal["parameters"] = [names[j] for j in keep]
    if isinstance(draws, list):
        cal["draws"] = [[row[j] for j in keep] if isinstance(row, list) and len(row) == len(names) else row
                        for row in draws]


def _deepcopy(x):
    if isinstance(x, dict):
        return {k: _deepcopy(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_deepcopy(v) for v in x]
    return x
