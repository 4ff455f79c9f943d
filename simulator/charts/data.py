"""Reading a run: what the charts take from a run's tables, and how they shape them.

Charts read a run through the :class:`Results` protocol only, so this package never imports
:mod:`simulator.results` (which imports it, for ``Results.plot``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import pandas as pd
from matplotlib import dates as mdates


class Results(Protocol):
    """What a chart reads of a run: the tidy tables and the manifest. A
    :class:`simulator.results.Results` is one; charts do not import it, so the results layer
    can offer ``Results.plot`` without a loop between the two modules."""

    kpis: pd.DataFrame
    monthly: pd.DataFrame
    districts: pd.DataFrame
    visits: pd.DataFrame
    manifest: dict

    @property
    def replications(self) -> int: ...

    def setting(self, dotted: str, default: Any = None) -> Any: ...


def _setting(results: Results, dotted: str, default: Any = None) -> Any:
    """A setting the run used (typed, defaults included; see ``Results.setting``)."""
    return results.setting(dotted, default)


def _campaign_on(results: Results) -> bool:
    return bool(_setting(results, "campaign.enabled", True))


def _campaign_start(results: Results) -> pd.Timestamp:
    return pd.Timestamp(_setting(results, "campaign.start"))


def _horizon(results: Results) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(_setting(results, "scenario.start")), pd.Timestamp(_setting(results, "scenario.end"))


def _num(ts) -> np.ndarray:
    """Dates as matplotlib day numbers: explicit, so no pandas unit converter is needed."""
    return mdates.date2num(pd.DatetimeIndex(np.atleast_1d(ts)).to_numpy(dtype="datetime64[ns]"))


def _wide(results: Results, arm: str, value: str | Callable[[pd.DataFrame], pd.Series]) -> pd.DataFrame:
    """Month × replication table of one monthly field (or an expression of fields) for one arm."""
    m = results.monthly[results.monthly["arm"] == arm]
    v = m[value] if isinstance(value, str) else value(m)
    # one row per replication × month, so "first" only reshapes; dropna=False keeps months without a value
    return pd.DataFrame({"month": m["month"], "replication": m["replication"], "v": v}).pivot_table(
        index="month", columns="replication", values="v", aggfunc="first", dropna=False, sort=True)


def _bands(table: pd.DataFrame | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """5%, 50% and 95% across replications (columns), month by month (rows)."""
    a = np.asarray(table, dtype=float)
    if a.size == 0:
        return (np.zeros(0),) * 3
    ok = np.isfinite(a)
    lo, mid, hi = (np.full(a.shape[0], np.nan) for _ in range(3))
    rows = ok.any(axis=1)
    if rows.any():
        # quantile row by row only where there is data: nanquantile warns on all-NaN rows
        q = np.array([np.quantile(r[f], [0.05, 0.5, 0.95]) for r, f in zip(a[rows], ok[rows], strict=True)])
        lo[rows], mid[rows], hi[rows] = q.T
    return lo, mid, hi


def _mid_month(months: pd.DatetimeIndex) -> np.ndarray:
    """The middle of each month, where a monthly total is drawn."""
    return (_num(months) + _num(months + pd.offsets.MonthBegin(1))) / 2


def _month_end(months: pd.DatetimeIndex) -> np.ndarray:
    """The end of each month (midnight before the next month's first day), where a total to that month's end
    is drawn."""
    return _num(months + pd.offsets.MonthBegin(1))


def _same(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Months in which two arms are equal in every replication (before the campaign starts)."""
    x, y = a.to_numpy(float), b.to_numpy(float)
    return np.all(np.isclose(x, y, rtol=1e-12, atol=0.0), axis=1)


def _first_visits(results: Results) -> pd.DataFrame:
    """The campaign's sealing visits: re-verification visits a year later (``kind``) are not part of it."""
    v = results.visits
    return v[v["kind"] == "first"] if "kind" in v.columns else v


def _district_order(results: Results) -> list[str]:
    names = list(dict.fromkeys(results.districts["district"])) if len(results.districts) else []
    if len(results.visits):
        names += [d for d in dict.fromkeys(results.visits["district"]) if d not in names]
    return names
