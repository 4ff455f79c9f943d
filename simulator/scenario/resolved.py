"""The resolved scenario: what the user wrote, with every default the model used spelled out.

A scenario file names only what differs from the defaults; a reader of a run folder (or an
auditor of a published figure) needs every value the model used. :func:`with_defaults` walks
the schema beside the user's data: a value the user wrote is kept exactly as written (a number,
a distribution table, a date), a key left out gets its default in the form a file would give
it, and tables the file left out appear whole. Optional parts that stay unused (no ``[prices]``,
no calibration, an unset deadline) are left out, as TOML has no "nothing".

Loading the resolved form gives the same scenario (same digest, same numbers): the defaults it
adds are exactly the ones validation would have filled in.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined


def _models(annotation: Any) -> tuple[type[BaseModel] | None, type[BaseModel] | None]:
    """(model, model of a dict's values) that a field's annotation holds, if any: ``Section``,
    ``Section | None``, ``dict[str, Section]`` (``None`` for quantities, numbers, lists …)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found = [_models(a) for a in typing.get_args(annotation) if a is not type(None)]
        return found[0] if len(found) == 1 else (None, None)
    if origin is dict:
        _, value = typing.get_args(annotation)
        model, _ = _models(value)
        return None, model
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and not _is_quantity(annotation):
        return annotation, None
    return None, None


def _is_quantity(cls: type) -> bool:
    return any(c.__name__ == "Quantity" for c in cls.__mro__)


def _plain(value: Any) -> Any:
    """A default as a file would give it: dates stay dates, models become tables."""
    if isinstance(value, BaseModel) and _is_quantity(type(value)):  # a number, or a distribution's table
        return value.value if value.dist == "fixed" else value.model_dump(by_alias=True, exclude_none=True)
    if isinstance(value, BaseModel):
        return with_defaults(type(value), {})
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (str, bool, int, float, dt.date)) or value is None:
        return value
    raise TypeError(f"a default of type {type(value).__name__} has no file form")


def with_defaults(model: type[BaseModel], raw: dict) -> dict:
    """``raw`` (a table as a file gives it) with the defaults of ``model`` filled in, in the
    schema's order, then any key the schema does not name (left for validation to refuse)."""
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        section, values = _models(field.annotation)
        if key in raw:
            value = raw[key]
            if section is not None and isinstance(value, dict):
                value = with_defaults(section, value)
            elif values is not None and isinstance(value, dict):
                value = {k: with_defaults(values, v) if isinstance(v, dict) else v for k, v in value.items()}
            out[key] = value
            continue
        default = field.get_default(call_default_factory=True)
        if default is PydanticUndefined or default is None:
            continue
        if section is not None and isinstance(default, BaseModel):  # a whole table left out: its defaults
            out[key] = with_defaults(section, {})
        else:
            out[key] = _plain(default)
    for key, value in raw.items():
        if key not in out:
            out[key] = value
    return out
