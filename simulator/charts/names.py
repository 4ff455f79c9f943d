"""Plain names of the things a scenario names by key (see :mod:`simulator.names`), for the charts."""

from ..names import FUELS, fuel_name

__all__ = ["FUELS", "fuel_name"]
