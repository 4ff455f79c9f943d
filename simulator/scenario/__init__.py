"""Scenarios: the one pipeline from a TOML file to frozen, validated parameters.

TOML text → dict (standard-library ``tomllib``, data only, nothing evaluated) →
dotted overrides → pydantic validation → a frozen :class:`Scenario`. Every error on
the way is a :class:`~simulator.errors.ScenarioError` naming the file and the dotted
key (or the register row) and what was expected.

Units: litres (L), Vietnamese đồng (VND), hours for work, days for model time.

What lives here: ``sections`` (one settings class per TOML table), ``fiscal`` (the money
sections: tax regimes, operators, supply and upstream taxes, prices), ``schema`` (the
whole :class:`Scenario` and its cross-checks), ``register`` (the station CSV),
``overrides`` (dotted keys), ``loading`` (files and dicts), ``writer`` (TOML out),
``size`` (run-size guards), ``quantities`` (numbers or distributions → samplers). It may
import only the foundations (:mod:`simulator.errors`, :mod:`simulator.files`,
:mod:`simulator.timeline`); everything above it imports it.
"""


from .fiscal import REGIMES, Operator, Supply, Tax, UpstreamTax
from .loading import BUILTIN, builtin_path, load_scenario, scenario_from_dict
from .overrides import apply_overrides, parse_overrides, parse_value, split_pairs
from .register import REGISTER_COLUMNS, Register, read_register
from .schema import Scenario, build
from .sections import (
    EARLIEST,
    LATEST,
    MAX_HORIZON_DAYS,
    WEEKDAYS,
    Behaviour,
    Campaign,
    Costs,
    Date,
    Demand,
    Enforcement,
    Metrology,
    Network,
    PricePoint,
    Run,
    ScenarioInfo,
)
from .size import (
    MAX_DISPENSERS,
    MAX_MONTHLY_ROWS,
    MAX_TABLE_BYTES,
    ROW_BYTES,
    check_run_size,
    expected_stations,
    run_bytes,
)
from .writer import dumps_toml

__all__ = [
    "BUILTIN", "EARLIEST", "LATEST", "MAX_DISPENSERS", "MAX_HORIZON_DAYS", "MAX_MONTHLY_ROWS", "MAX_TABLE_BYTES",
    "REGISTER_COLUMNS", "ROW_BYTES", "WEEKDAYS", "Behaviour", "Campaign", "Costs", "Date", "Demand", "Enforcement",
    "Metrology", "Network", "Operator", "PricePoint", "REGIMES", "Register", "Run", "Scenario", "ScenarioInfo",
    "Supply", "Tax", "UpstreamTax",
    "apply_overrides", "build", "builtin_path", "check_run_size", "dumps_toml", "expected_stations",
    "load_scenario", "parse_overrides", "parse_value", "read_register", "run_bytes",
    "scenario_from_dict", "split_pairs",
]
