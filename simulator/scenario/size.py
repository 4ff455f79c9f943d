"""Size guards: refuse, before anything runs, a run that would not fit in memory.

A replication keeps monthly rows for both arms, and optionally a per-station table
(``run.station_detail``) and the team-visit log of every replication
(``run.visit_log = "all"``); :func:`check_run_size` counts all three, on new runs and on
resumed ones, and names the setting to turn off.
"""

from __future__ import annotations

from typing import Any

from ..errors import ScenarioError

Scenario = Any  # a simulator.scenario.Scenario; not imported, as the schema itself calls these guards

MAX_DISPENSERS = 2_000_000  # guard: beyond this a replication would not fit in memory comfortably
MAX_MONTHLY_ROWS = 20_000_000  # replications × months × 2 arms: about 2 GB of tables
# bytes per row, measured on the built-in and national scenarios (tables in memory plus checkpoints)
ROW_BYTES = {"monthly": 100, "stations": 140, "visits": 120}
MAX_TABLE_BYTES = MAX_MONTHLY_ROWS * ROW_BYTES["monthly"]


def expected_stations(sc: Scenario) -> float:
    """Stations in one replication: the register's, or the expected draw from the districts."""
    if sc.register is not None:
        return float(len(sc.register.ids))
    return float(sum(q.expected() for q in (sc.network.districts or {}).values()))


def run_bytes(sc: Scenario, replications: int) -> dict[str, float]:
    """Rough memory of a run's tables by table: monthly rows, per-station rows when
    ``run.station_detail`` is on, and the visit log (one replication's or all of them)."""
    s, e = sc.scenario.start, sc.scenario.end
    months = (e.year - s.year) * 12 + e.month - s.month + 1
    stations = expected_stations(sc)
    out = {"monthly": replications * months * 2 * ROW_BYTES["monthly"]}
    if sc.run.station_detail:
        out["stations"] = replications * months * 2 * stations * ROW_BYTES["stations"]
    logged = {"all": replications, "first": 1, "none": 0}[sc.run.visit_log]
    reverify = sc.campaign.reverification_months
    visits_per_station = 1 + (months / reverify if reverify else 0)
    out["visits"] = logged * stations * visits_per_station * ROW_BYTES["visits"]
    return out


def check_run_size(sc: Scenario, replications: int, source: str = "run.replications", tables: bool = True) -> None:
    """Refuse, before anything runs, a run whose tables would not fit comfortably in memory
    (monthly rows, and the per-station table and visit log when they are kept)."""
    s, e = sc.scenario.start, sc.scenario.end
    months = (e.year - s.year) * 12 + e.month - s.month + 1
    rows = replications * months * 2
    if rows > MAX_MONTHLY_ROWS:
        most = MAX_MONTHLY_ROWS // (months * 2)
        raise ScenarioError(f"{replications:,} replications of {months} months make {rows:,} monthly rows; "
                            f"at most {most:,} replications fit (run several seeds instead)", source=source)
    if not tables:
        return
    sizes = run_bytes(sc, replications)
    total = sum(sizes.values())
    if total > MAX_TABLE_BYTES:
        per_rep = sum(run_bytes(sc, 1).values())
        most = max(int(MAX_TABLE_BYTES // per_rep), 0)
        big = max(sizes, key=sizes.get)
        why = {"stations": "with run.station_detail", "visits": "with run.visit_log = \"all\"",
               "monthly": ""}[big]
        fix = "turn it off or run several seeds" if most else "turn it off"
        raise ScenarioError(f"{replications:,} replications {why} make about {total / 1e9:.1f} GB of tables; "
                            f"at most {most:,} fit ({fix})".replace("  ", " "), source=source)
