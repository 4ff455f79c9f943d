"""Sensitivity: which uncertain inputs move a result most.

Two views over parameters and ranges the analyst names (or the defaults below):

* **one at a time** (a tornado): each parameter at the low and the high end of its range
  while every other stays at the scenario's value. Cheap (2 runs per parameter) and easy
  to read, but blind to interactions.
* **variance-based (Sobol)**: all parameters drawn together over their ranges (uniformly,
  by SALib's Saltelli/Sobol' sampler); the first-order index S1 is the share of the
  output's variance a parameter explains alone, the total index ST the share it is
  involved in, interactions included. ``Σ S1 ≤ 1``; ``ST − S1`` measures interactions.
  Costs ``samples × (parameters + 2)`` runs.

Every run uses the same replications from the same seed (common random numbers), and a
point's result is the mean KPI over those replications: the indices apportion the
variance due to the parameters, not Monte Carlo noise. Whole-number parameters (such as
``campaign.teams``) are drawn uniformly over the whole numbers of their range.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ..charts.analysis import sensitivity_figure
from ..errors import ScenarioError
from ..scenario import Scenario
from ..scenario.quantities import Triangular
from .points import Range, check_kpis, check_range, describe, replications_and_seed, resolve, run_points

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SOURCE = "sensitivity"
METHODS = ("oat", "sobol")
COLUMNS = ("parameter", "kpi", "value_low", "value_high", "base_value", "base", "low", "high", "swing",
           "S1", "S1_conf", "ST", "ST_conf")


# ---- default parameters and ranges ------------------------------------------------------
def _scaled(lo: float, hi: float) -> Callable[[Scenario, str, float], tuple[float, float]]:
    return lambda sc, name, base: (base * lo, base * hi)


def _shifted(d: float) -> Callable[[Scenario, str, float], tuple[float, float]]:
    return lambda sc, name, base: (base - d, base + d)


def _teams(sc: Scenario, name: str, base: float) -> tuple[float, float]:
    return (max(1.0, base - 1), base + 2)


def _toward_ends(sc: Scenario, name: str, base: float) -> tuple[float, float]:
    # a triangular's mode halfway towards its low and its high, so the range stays valid
    q = resolve(sc, name.rpartition(".")[0])
    if isinstance(q, Triangular):
        return (base - (base - q.low) / 2, base + (q.high - base) / 2)
    return (base * 0.75, base * 1.25)


# name → rule giving (low, high) from the scenario's value: the main behaviour, demand and
# campaign inputs of the built-in scenario, with ranges as wide as their ASSUMPTION notes
# suggest (e.g. growth "uncertain ± 2 pts", widened to ± 4; one price ±5%; a retail margin of
# 600–900 VND/L). A rule is skipped when its name is not a number in the scenario. A dated
# price path ([prices]) carries its own uncertainty per point (``sd``), drawn per replication.
DEFAULT_RULES: dict[str, tuple[str, Callable[[Scenario, str, float], tuple[float, float]]]] = {
    "behaviour.undeclared_share.mean": ("× 0.5 – 1.5", _scaled(0.5, 1.5)),
    "behaviour.residual_share.mean": ("× 0.5 – 2", _scaled(0.5, 2.0)),
    "demand.annual_growth.mean": ("± 0.04", _shifted(0.04)),
    "demand.litres_per_pump_day.mean": ("× 0.7 – 1.3", _scaled(0.7, 1.3)),
    "demand.price_per_litre": ("× 0.95 – 1.05", _scaled(0.95, 1.05)),
    "tax.margin_per_litre": ("× 0.85 – 1.3 (600–900 VND/L around 700)", _scaled(6 / 7, 9 / 7)),
    "supply.off_book_share": ("halfway to 0 / 1", lambda sc, name, base: (base / 2, (1 + base) / 2)),
    "campaign.teams": ("− 1 … + 2 (at least 1)", _teams),
    "campaign.minutes_per_pump.mode": ("halfway to low / high", _toward_ends),
    "campaign.travel_hours.mode": ("halfway to low / high", _toward_ends),
    "costs.per_team_day": ("× 0.5 – 1.5", _scaled(0.5, 1.5)),
}


def default_ranges(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """The default parameters and ranges for ``scenario`` (see ``DEFAULT_RULES``)."""
    out = {}
    for name, (_, rule) in DEFAULT_RULES.items():
        try:
            base = resolve(scenario, name, SOURCE)
        except ScenarioError:
            continue
        if isinstance(base, bool) or not isinstance(base, (int, float)) or base == 0 and "mean" in name:
            continue
        # six significant digits: 0.02, not 0.019999999999999997
        lo, hi = (float(f"{v:.6g}") for v in rule(scenario, name, float(base)))
        if lo < hi:
            out[name] = (lo, hi)
    return out


def _ranges(scenario: Scenario, ranges: Mapping[str, Sequence[float]] | None) -> list[Range]:
    given = default_ranges(scenario) if ranges is None else dict(ranges)
    if not given:
        raise ScenarioError("expected at least one parameter with a range, e.g. "
                            "behaviour.undeclared_share.mean=0.05:0.15", source=SOURCE)
    return [check_range(scenario, name, bounds, SOURCE, integer_ok=True) for name, bounds in given.items()]


def _kpis(kpis: str | Sequence[str] | None) -> list[str]:
    if kpis is None:
        return ["uplift_before_after"]
    return [kpis] if isinstance(kpis, str) else list(kpis)


def _means(runs, kpis: list[str]) -> np.ndarray:
    """Points × KPIs: the mean over replications (NaN-free, or a clear error)."""
    cols = runs[0].kpis.columns
    unknown = [k for k in kpis if k not in cols]
    if unknown:
        raise ScenarioError(f"unknown KPI; expected one of {', '.join(c for c in cols if c != 'replication')}",
                            source=SOURCE, key=unknown[0])
    out = np.array([[r.kpis[k].to_numpy(dtype=float).mean() for k in kpis] for r in runs])
    bad = ~np.isfinite(out)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        where = ", ".join(f"{k}={describe(v)}" for k, v in runs[i].settings.items()) or "the base values"
        raise ScenarioError(f"the KPI is undefined at {where} (for example completion_days when the campaign does "
                            "not finish); choose another KPI or narrower ranges", source=SOURCE, key=kpis[j])
    return out


def _value(r: Range, x: float) -> int | float:
    return int(round(x)) if r.integer else float(x)


# ---- one at a time -------------------------------------------------------------------------
def one_at_a_time(scenario: Scenario, ranges: Mapping[str, Sequence[float]] | None = None,
                  kpis: str | Sequence[str] | None = None, *, replications: int | None = None,
                  seed: int | None = None, workers: int | None = None, progress: bool | None = None) -> pd.DataFrame:
    """Each parameter at the low and high end of its range, the others at the scenario's
    values; one row per parameter and KPI, largest swing (|high − low|) first.

    ``ranges`` maps dotted names to ``(low, high)`` (default: :func:`default_ranges`);
    ``kpis`` defaults to ``uplift_before_after``; ``replications`` and ``seed`` to the
    scenario's ``[run]``."""
    rs, ks = _ranges(scenario, ranges), _kpis(kpis)
    check_kpis(scenario, ks, SOURCE)
    n, s = replications_and_seed(scenario, replications, seed, SOURCE)
    points: list[dict[str, Any]] = [{}]
    for r in rs:
        points += [{r.name: _value(r, r.low)}, {r.name: _value(r, r.high)}]
    runs = run_points(scenario, points, n, s, workers=workers, progress=progress, source=SOURCE)
    y = _means(runs, ks)
    rows = []
    for i, r in enumerate(rs):
        for j, k in enumerate(ks):
            lo, hi = y[1 + 2 * i, j], y[2 + 2 * i, j]
            rows.append({"parameter": r.name, "kpi": k, "value_low": _value(r, r.low), "value_high": _value(r, r.high),
                         "base_value": r.current, "base": y[0, j], "low": lo, "high": hi, "swing": abs(hi - lo)})
    return _table(rows, "swing")


def _table(rows: list[dict[str, Any]], by: str) -> pd.DataFrame:
    t = pd.DataFrame(rows).reindex(columns=list(COLUMNS))
    t["_kpi"] = pd.Categorical(t["kpi"], categories=list(dict.fromkeys(t["kpi"])))
    t = t.sort_values(["_kpi", by], ascending=[True, False], kind="stable").drop(columns="_kpi")
    return t.reset_index(drop=True)


# ---- Sobol ---------------------------------------------------------------------------------
def sobol_indices(scenario: Scenario, ranges: Mapping[str, Sequence[float]] | None = None,
                  kpis: str | Sequence[str] | None = None, *, samples: int = 64, replications: int | None = None,
                  seed: int | None = None, conf_level: float = 0.95, workers: int | None = None,
                  progress: bool | None = None) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices with their bootstrap half-widths
    (``S1_conf``, ``ST_conf`` at ``conf_level``), one row per parameter and KPI, largest
    ST first. ``samples`` (a power of 2) is the base sample size N: the model runs at
    N × (parameters + 2) points, each with ``replications`` replications (default:
    ``min(run.replications, 10)``) from the same seed."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if not (isinstance(samples, (int, np.integer)) and samples >= 2 and samples & (samples - 1) == 0):
        raise ScenarioError(f"expected a power of 2 such as 32, 64 or 256 (Sobol' sequences need one), got {samples}",
                            source=SOURCE, key="samples")
    rs, ks = _ranges(scenario, ranges), _kpis(kpis)
    check_kpis(scenario, ks, SOURCE)
    n, s = replications_and_seed(scenario, min(scenario.run.replications, 10) if replications is None
                                 else replications, seed, SOURCE)
    problem = {"num_vars": len(rs), "names": [r.name for r in rs],
               # a whole-number parameter is drawn on [low, high + 1) and floored: each value equally likely
               "bounds": [[r.low, r.high + 1 if r.integer else r.high] for r in rs]}
    x = sobol_sample.sample(problem, int(samples), calc_second_order=False,
                            seed=np.random.default_rng(np.random.SeedSequence([s, 0x50B0])))
    points = [{r.name: (int(min(math.floor(v), r.high)) if r.integer else float(v))
               for r, v in zip(rs, row, strict=True)} for row in x]
    runs = run_points(scenario, points, n, s, workers=workers, progress=progress, source=SOURCE)
    y = _means(runs, ks)
    rows = []
    for j, k in enumerate(ks):
        yk = y[:, j]
        if np.ptp(yk) == 0:
            # the KPI does not move at all over the ranges: nothing to apportion
            idx = {key: np.zeros(len(rs)) for key in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            idx = sobol_analyze.analyze(problem, yk, calc_second_order=False, conf_level=conf_level,
                                        num_resamples=200, print_to_console=False, seed=s + 1)
        for i, r in enumerate(rs):
            rows.append({"parameter": r.name, "kpi": k, "value_low": _value(r, r.low), "value_high": _value(r, r.high),
                         "base_value": r.current, **{key: float(idx[key][i]) for key in ("S1", "S1_conf", "ST",
                                                                                          "ST_conf")}})
    return _table(rows, "ST")


def sensitivity(scenario: Scenario, method: Literal["oat", "sobol"] = "oat",
                ranges: Mapping[str, Sequence[float]] | None = None, kpis: str | Sequence[str] | None = None, *,
                samples: int = 64, replications: int | None = None, seed: int | None = None, workers: int | None = None,
                progress: bool | None = None) -> pd.DataFrame:
    """:func:`one_at_a_time` (``"oat"``) or :func:`sobol_indices` (``"sobol"``); both give
    the same columns, NaN where a method has nothing to say."""
    if method == "oat":
        return one_at_a_time(scenario, ranges, kpis, replications=replications, seed=seed, workers=workers,
                             progress=progress)
    if method == "sobol":
        return sobol_indices(scenario, ranges, kpis, samples=samples, replications=replications, seed=seed,
                             workers=workers, progress=progress)
    raise ScenarioError(f"expected one of {', '.join(METHODS)}, got {method!r}", source=SOURCE, key="method")


def table_json(table: pd.DataFrame, method: str) -> dict:
    """The ``--json`` shape: ``{"method", "rows": [{"parameter", "kpi", "low", "high", "S1", "ST", …}]}``."""
    rows = []
    for rec in table.to_dict("records"):
        rows.append({k: (None if isinstance(v, float) and not math.isfinite(v) else
                         (v.item() if isinstance(v, np.generic) else v)) for k, v in rec.items()})
    return {"method": method, "rows": rows}


# ---- charts ----------------------------------------------------------------------------------
def plot_tornado(table: pd.DataFrame, kpi: str | None = None, *, lang: str | None = None,
                 number_style: str | None = None) -> Figure:
    """Tornado: for each parameter, the KPI at the low and high end of its range, as bars
    from the base value; the widest bar on top (:func:`simulator.charts.analysis.sensitivity_figure`)."""
    return sensitivity_figure(table, kpi, lang=lang, number_style=number_style, method="oat")


def plot_sobol(table: pd.DataFrame, kpi: str | None = None, *, lang: str | None = None,
               number_style: str | None = None) -> Figure:
    """First-order and total Sobol indices per parameter, in percent, with their bootstrap intervals."""
    return sensitivity_figure(table, kpi, lang=lang, number_style=number_style, method="sobol")


def plot_sensitivity(table: pd.DataFrame, kpi: str | None = None, *, lang: str | None = None,
                     number_style: str | None = None) -> Figure:
    """The tornado for a one-at-a-time table, the index bars for a Sobol table."""
    return sensitivity_figure(table, kpi, lang=lang, number_style=number_style)
