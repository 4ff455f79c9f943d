"""The station network: stations, their districts and operators, and their dispensers.

A network is either read from a station register (fixed across replications) or drawn
per replication from station counts per district. Each station has a number of
dispensers (pumps), each with a totaliser, and a sales level: the mean litres one of
its dispensers sells per day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario import Scenario


@dataclass(frozen=True)
class Network:
    """One replication's stations (arrays indexed by station) and dispensers."""

    station_ids: tuple[str, ...]
    district_names: tuple[str, ...]
    district: np.ndarray  # station → district code (index into district_names)
    operator_names: tuple[str, ...]
    operator: np.ndarray  # station → operator code
    pumps: np.ndarray  # station → number of dispensers
    level: np.ndarray  # station → mean litres per dispenser per day

    @property
    def n_stations(self) -> int:
        return len(self.pumps)

    @property
    def n_dispensers(self) -> int:
        return int(self.pumps.sum())

    @property
    def dispenser_station(self) -> np.ndarray:
        """Dispenser → station index (dispensers are numbered station by station)."""
        return np.repeat(np.arange(self.n_stations), self.pumps)


def build_network(sc: Scenario, rng: np.random.Generator) -> Network:
    """Draw (or read) the network of one replication from the ``network`` sub-stream."""
    reg = sc.register
    if reg is not None:
        names = tuple(dict.fromkeys(reg.districts))
        ops = tuple(dict.fromkeys((*sc.operators, *reg.operators)))  # an empty cell: "default", under [tax]
        pumps = reg.pumps.copy()
        drawn = sc.demand.litres_per_pump_day.sample(rng, len(pumps))
        given = reg.litres_per_day / pumps
        level = np.where(np.isnan(given), drawn, given)
        return Network(
            station_ids=reg.ids,
            district_names=names,
            district=np.array([names.index(d) for d in reg.districts], dtype=np.int64),
            operator_names=ops,
            operator=np.array([ops.index(o) for o in reg.operators], dtype=np.int64),
            pumps=pumps,
            level=level,
        )
    names = tuple(sc.network.districts)
    counts = np.array([int(q.sample(rng, 1)[0]) for q in sc.network.districts.values()], dtype=np.int64)
    district = np.repeat(np.arange(len(names)), counts)
    n = int(counts.sum())
    pumps = sc.network.pumps_per_station.sample(rng, n).astype(np.int64)
    level = sc.demand.litres_per_pump_day.sample(rng, n)
    if sc.operators:  # drawn last, so that declaring operators does not shift the other draws
        ops = tuple(sc.operators)
        shares = np.array([o.share for o in sc.operators.values()])
        operator = rng.choice(len(ops), size=n, p=shares / shares.sum())
    else:
        ops, operator = ("default",), np.zeros(n, dtype=np.int64)
    return Network(
        station_ids=tuple(f"S{i + 1:05d}" for i in range(n)),
        district_names=names,
        district=district,
        operator_names=ops,
        operator=operator.astype(np.int64),
        pumps=pumps,
        level=level,
    )
