"""Points: a scenario with a few dotted values changed — ``{"campaign.teams": 3}``.

A *point* is a set of dotted overrides on a base scenario: a sweep's grid point, a
calibration's trial value, a calibrated scenario's posterior draw. This module checks that
each dotted name exists and that its value has the right type before anything is built,
and builds the point's scenario (shrinking a beta's sd when its mean is moved so close to 0
or 1 that the sd would be impossible). Running many points lives in
:mod:`simulator.analysis.points`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from ..errors import ScenarioError
from .quantities import Beta, Fixed, Quantity

if TYPE_CHECKING:  # the schema imports this module (lazily, to resolve calibrated points): names only here
    from .schema import Scenario

# When a beta's mean is moved, its sd is kept unless that would make the beta
# impossible (sd² ≥ mean·(1 − mean)); it is then capped at this fraction of the
# largest possible sd, which keeps the distribution valid and continuous in the mean.
BETA_SD_FRACTION = 0.9


# ---- dotted names ---------------------------------------------------------------
def _field_key(name: str, info) -> str:
    # overrides go into the raw TOML dict, which uses a field's alias when it has one
    return info.alias or name


def resolve(scenario: Scenario, key: str, source: str = "override") -> Any:
    """The current value at a dotted name of ``scenario`` (a number, a string, a date,
    a list, a distribution :class:`~simulator.quantities.Quantity`…), or a
    :class:`ScenarioError` saying which part of the name does not exist."""
    parts = str(key).split(".")
    if not key or not all(parts):
        raise ScenarioError(f"expected a dotted name like campaign.teams, got {key!r}", source=source)
    node: Any = scenario
    for i, part in enumerate(parts):
        parent = ".".join(parts[:i]) or "the scenario"
        if isinstance(node, Fixed):
            raise ScenarioError(f"{parent} is a plain number ({node.value:g}), not a distribution; "
                                f"set {parent} itself", source=source, key=key)
        if isinstance(node, BaseModel):
            fields = {_field_key(n, f): n for n, f in type(node).model_fields.items()}
            if part not in fields:
                if isinstance(node, Quantity):
                    has = ", ".join(k for k in fields if k != "dist")
                    msg = f"{parent} is a {node.dist} distribution with no {part!r} (it has {has})"
                else:
                    msg = f"{parent} has no {part!r} (expected one of {', '.join(fields)})"
                raise ScenarioError(f"unknown name: {msg}", source=source, key=key)
            node = getattr(node, fields[part])
        elif isinstance(node, Mapping):
            if part not in node:
                raise ScenarioError(f"unknown name: {parent} has no {part!r} (it has {', '.join(map(str, node))})",
                                    source=source, key=key)
            node = node[part]
        else:
            raise ScenarioError(f"{parent} is a plain value ({node!r}), not a table", source=source, key=key)
    return node.value if isinstance(node, Fixed) else node


def is_integer_field(scenario: Scenario, key: str) -> bool:
    """Whether the schema declares the field at ``key`` as a whole number (e.g. ``campaign.teams``)."""
    parts = key.split(".")
    node: Any = scenario
    for part in parts[:-1]:
        node = _child(node, part)
    if isinstance(node, BaseModel) and not isinstance(node, Quantity):
        for name, info in type(node).model_fields.items():
            if _field_key(name, info) == parts[-1]:
                return info.annotation is int
    return False


def _child(node: Any, part: str) -> Any:
    if isinstance(node, BaseModel):
        for name, info in type(node).model_fields.items():
            if _field_key(name, info) == part:
                return getattr(node, name)
    if isinstance(node, Mapping):
        return node.get(part)
    return None


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _plain(value: Any) -> Any:
    """numpy scalars → Python numbers, so TOML, JSON and pydantic see ordinary values."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def describe(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {describe(v)}" for k, v in value.items()) + " }"
    return repr(value) if isinstance(value, str) else str(value)


def check_type(scenario: Scenario, key: str, value: Any, source: str = "override") -> None:
    """A quick type check against the current value, before pydantic's full validation:
    a number cannot be replaced by text, a date by a number, and so on."""
    current = resolve(scenario, key, source)
    if is_number(current) or isinstance(current, Quantity):
        ok = is_number(value) or (isinstance(current, Quantity) and isinstance(value, dict))
        want = "a number" if not isinstance(current, Quantity) else "a number or a distribution table"
    elif isinstance(current, bool):
        ok, want = isinstance(value, bool), "true or false"
    elif isinstance(current, dt.date):
        ok, want = isinstance(value, dt.date), "a date like 2017-02-01"
    elif isinstance(current, str):
        ok, want = isinstance(value, str), "a text value"
    elif isinstance(current, (list, tuple)):
        ok, want = isinstance(value, (list, tuple)), "a list"
    elif isinstance(current, Mapping):
        ok, want = isinstance(value, Mapping), "a table"
    else:
        ok, want = True, ""
    if not ok:
        raise ScenarioError(f"expected {want} (currently {describe(_dumpable(current))}), got {describe(value)}",
                            source=source, key=key)


def _dumpable(value: Any) -> Any:
    return value.model_dump() if isinstance(value, Quantity) else value


# ---- building a point ------------------------------------------------------------
def with_values(scenario: Scenario, values: Mapping[str, Any], source: str = "override") -> Scenario:
    """``scenario`` with each dotted name set to its value, checked and validated.

    Errors name ``source`` (who asked: ``sweep``, ``calibrate``…), the dotted name and
    the offending value. Moving a beta's ``mean`` caps its ``sd`` (see
    ``BETA_SD_FRACTION``) unless the same point also sets that ``sd``.
    """
    values = {k: _plain(v) for k, v in values.items()}
    for key, value in values.items():
        check_type(scenario, key, value, source)
    extra: dict[str, float] = {}
    for key, value in values.items():
        parent, _, leaf = key.rpartition(".")
        if leaf != "mean" or not parent or f"{parent}.sd" in values or not is_number(value):
            continue
        q = resolve(scenario, parent, source)
        if isinstance(q, Beta) and 0 < value < 1:
            cap = BETA_SD_FRACTION * math.sqrt(value * (1 - value))
            if q.sd > cap:
                extra[f"{parent}.sd"] = cap
    try:
        return scenario.with_overrides({**values, **extra})
    except ScenarioError as exc:
        key = _culprit(exc.key, values)
        where = f"{exc.key}: " if exc.key and exc.key != key else ""
        raise ScenarioError(f"value {describe(values[key])} is not accepted: {where}{exc.detail}",
                            source=source, key=key) from None


def _culprit(err_key: str | None, values: Mapping[str, Any]) -> str:
    keys = list(values)
    if err_key:
        for k in keys:
            if err_key == k or err_key.startswith(k + ".") or k.startswith(err_key + "."):
                return k
    return keys[0]
