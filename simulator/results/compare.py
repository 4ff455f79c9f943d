"""Several runs side by side: each run's key figures, and what changes from the first run.

A comparison answers "what does option B change against option A?". When two runs share
their seed, replication *i* of each drew the same stations, sales, behaviour and prices
(common random numbers: :mod:`simulator.runner`), so the difference is taken replication
by replication and its 90% interval is that of the **paired differences** — far narrower
than the two runs' own intervals, which mostly hold what both runs share. Runs with
different seeds (or no replication in common) are compared unpaired: the difference of
the means, with an interval from the two runs' spreads (normal approximation), and the
table says so.

:func:`compare` takes :class:`~simulator.results.tables.Results` (from ``simulator.run`` or
a run folder) and returns one tidy table: one row per run × KPI.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..kpis import KPIS
from .tables import summarise

Z90 = 1.6448536269514722  # the standard normal's 95th percentile: a two-sided 90% interval
COLUMNS = ["run", "label", "kpi", "mean", "p05", "p95", "diff_mean", "diff_p05", "diff_p95", "paired", "n_pairs"]


def paired(a, b) -> bool:
    """Whether runs ``a`` and ``b`` can be compared replication by replication: the same seed and
    at least two replications in common."""
    common = np.intersect1d(a.kpis["replication"], b.kpis["replication"])
    return a.seed == b.seed and common.size >= 2


def difference(a, b, kpi: str) -> dict:
    """``b − a`` for one KPI: the mean difference and its 90% interval, paired where :func:`paired`
    holds (the 5th and 95th percentiles of the per-replication differences), else unpaired."""
    if paired(a, b):
        ka = a.kpis.set_index("replication")[kpi]
        kb = b.kpis.set_index("replication")[kpi]
        d = (kb - ka).dropna().to_numpy(dtype=float)
        d = d[np.isfinite(d)]
        if d.size == 0:
            return {"diff_mean": np.nan, "diff_p05": np.nan, "diff_p95": np.nan, "paired": True, "n_pairs": 0}
        lo, hi = np.quantile(d, [0.05, 0.95])
        return {"diff_mean": float(d.mean()), "diff_p05": float(lo), "diff_p95": float(hi), "paired": True,
                "n_pairs": int(d.size)}
    xa = a.kpis[kpi].to_numpy(dtype=float)
    xb = b.kpis[kpi].to_numpy(dtype=float)
    xa, xb = xa[np.isfinite(xa)], xb[np.isfinite(xb)]
    if xa.size < 2 or xb.size < 2:
        mean = float(xb.mean() - xa.mean()) if xa.size and xb.size else np.nan
        return {"diff_mean": mean, "diff_p05": np.nan, "diff_p95": np.nan, "paired": False, "n_pairs": 0}
    mean = float(xb.mean() - xa.mean())
    se = float(np.sqrt(xa.var(ddof=1) / xa.size + xb.var(ddof=1) / xb.size))
    return {"diff_mean": mean, "diff_p05": mean - Z90 * se, "diff_p95": mean + Z90 * se, "paired": False,
            "n_pairs": 0}


def compare(runs: Sequence, labels: Sequence[str] | None = None, kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per run × KPI: the run's mean and 90% interval, and its difference from the first run
    (``diff_*``; NaN on the first run's own rows). ``labels`` name the runs (default: their scenario
    names, made unique); ``kpis`` defaults to the KPIs with a summary label that every run has."""
    runs = list(runs)
    if len(runs) < 2:
        raise ValueError("compare: expected at least two runs")
    if labels is None:
        labels = [r.manifest.get("scenario", f"run {i + 1}") for i, r in enumerate(runs)]
    labels = _unique([str(x) for x in labels])
    if len(labels) != len(runs):
        raise ValueError(f"compare: expected {len(runs)} labels, got {len(labels)}")
    if kpis is None:
        kpis = [k for k, spec in KPIS.items() if spec.label and all(k in r.kpis.columns for r in runs)]
    missing = [(k, i) for k in kpis for i, r in enumerate(runs) if k not in r.kpis.columns]
    if missing:
        k, i = missing[0]
        raise ValueError(f"compare: run {labels[i]!r} has no KPI {k!r}")
    rows = []
    for i, (run, label) in enumerate(zip(runs, labels)):
        s = summarise(run.kpis[["replication", *kpis]])
        for k in kpis:
            diff = (difference(runs[0], run, k) if i else
                    {"diff_mean": np.nan, "diff_p05": np.nan, "diff_p95": np.nan, "paired": None, "n_pairs": 0})
            rows.append({"run": i, "label": label, "kpi": k, "mean": s.at[k, "mean"], "p05": s.at[k, "p05"],
                         "p95": s.at[k, "p95"], **diff})
    return pd.DataFrame(rows, columns=COLUMNS)


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for x in labels:
        seen[x] = seen.get(x, 0) + 1
        out.append(x if seen[x] == 1 else f"{x} ({seen[x]})")
    return out
