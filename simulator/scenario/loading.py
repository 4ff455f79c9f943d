"""Loading a scenario: a TOML file (or the built-in Hà Nam 2017 one) or a plain dict.

TOML text → dict (standard-library ``tomllib``, data only, nothing evaluated) → dotted
overrides → :func:`~.schema.build`. The file must be a regular file under a size limit.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ScenarioError
from ..files import MAX_SCENARIO_BYTES, read_regular
from .overrides import apply_overrides
from .schema import Scenario, build

BUILTIN = "hanam_2017.toml"


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
    return build(raw, src, None if base is None else str(base))


def scenario_from_dict(raw: dict, source: str = "<dict>") -> Scenario:
    """Validate a scenario given as a plain dict (as a TOML file would give)."""
    return build(raw, source, None)
