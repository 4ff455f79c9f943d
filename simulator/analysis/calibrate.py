"""Calibration: which parameter values make the simulation match what was observed.

A province publishes one figure ("tax rose 16.5%") or a monthly tax series; the model
has parameters nobody measured, such as the share of sales stations left undeclared
before sealing. Calibration finds the value(s) whose **simulated mean** matches:

* one parameter and one target KPI: a root of ``mean KPI(x) − target`` on the given
  bounds, by ``scipy.optimize.brentq``;
* several parameters or targets, or an observed monthly tax series (CSV ``month,tax``):
  bounded least squares (``scipy.optimize.least_squares``) on the relative gaps.

Every evaluation runs the same replications from the same seed (common random
numbers), so the objective is a smooth function of the parameters rather than a noisy
one, and a root finder converges. The fitted value comes with an interval, by one of two
readings, both linearised through the objective's slope at the fit (central differences
with common random numbers):

* ``"bootstrap"`` (default) — Monte Carlo precision: the replications are resampled, as
  if the calibration had been run with other seeds. It shrinks as replications grow.
* ``"observation"`` — what the figure can tell: each replication in turn is taken as the
  observed province, i.e. the range of values a single province's figure is consistent
  with, given the randomness the model holds. It does not shrink with replications.

A target that no value within the bounds reaches is an error that gives the closest value
and the gap, never a silent answer at a bound.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..progress import Progress
from ..scenario import Scenario
from .observed import read_observed  # noqa: F401  (simulator.analysis.calibrate.read_observed, as before)
from .points import check_kpis, check_range, describe, is_number, replications_and_seed, run_points, with_values

SOURCE = "calibrate"
INTERVALS = ("bootstrap", "observation")
BOOTSTRAP_SAMPLES = 2000
SCAN_POINTS = 9  # grid looked at when the bounds do not bracket the target
DEFAULT_TOL = 1e-3  # a target counts as reached within 0.1% of its value


class TargetUnreachable(ScenarioError):
    """No value within the bounds reaches the target; ``closest`` and ``gap`` say how near it gets."""

    def __init__(self, message: str, *, closest: dict[str, float], gap: dict[str, float], key: str | None = None):
        super().__init__(message, source=SOURCE, key=key)
        self.closest = closest
        self.gap = gap


# ---- the result ------------------------------------------------------------------------
@dataclass
class Calibration:
    """What :func:`calibrate` found. ``scenario`` is the calibrated scenario."""

    parameters: dict[str, float]
    bounds: dict[str, tuple[float, float]]
    interval: str
    level: float
    intervals_by_method: dict[str, dict[str, tuple[float, float]]]
    target: dict[str, float]
    achieved: dict[str, float]
    fit: dict[str, Any]
    method: str
    scenario: Scenario
    replications: int
    seed: int
    evaluations: pd.DataFrame = field(repr=False)
    observed: pd.Series | None = field(default=None, repr=False)
    fitted_series: pd.Series | None = field(default=None, repr=False)
    """Simulated mean monthly tax (arm ``with``) at the fit, for a series calibration."""

    @property
    def intervals(self) -> dict[str, tuple[float, float]]:
        """The ``level`` interval of each fitted value, by the chosen reading (``interval``)."""
        return self.intervals_by_method[self.interval]

    def to_json(self) -> dict:
        """The ``--json`` shape: ``{"parameters": {name: {value, low, high}}, "target", "achieved", …}``."""
        params = {k: {"value": v, "low": self.intervals[k][0], "high": self.intervals[k][1]}
                  for k, v in self.parameters.items()}
        if self.observed is not None:
            obs = self.observed
            target: dict[str, Any] = {"observed": obs.attrs.get("source", "observed"), "months": len(obs),
                                      "first": f"{obs.index[0]:%Y-%m}", "last": f"{obs.index[-1]:%Y-%m}"}
        else:
            target = dict(self.target)
        return {"parameters": params, "target": target, "achieved": _finite(self.achieved),
                "fit": _finite(self.fit), "interval": {"method": self.interval, "level": self.level},
                "method": self.method, "replications": self.replications, "seed": self.seed}

    def __str__(self) -> str:
        lines = []
        for k, v in self.parameters.items():
            lo, hi = self.intervals[k]
            lines.append(f"{k} = {v:.6g}  ({self.level:.0%} interval {lo:.6g} – {hi:.6g}, {self.interval})")
        if self.observed is not None:
            f = self.fit
            lines.append(f"fit to {len(self.observed)} observed months: RMSE {f['rmse']:,.0f} VND "
                         f"({f['relative_rmse']:.2%} of mean monthly tax), bias {f['bias']:+.2%}")
        else:
            for k, t in self.target.items():
                a = self.achieved[k]
                lines.append(f"{k}: target {t:.6g}, simulated mean {a:.6g} (gap {a - t:+.3g}, "
                             f"Monte Carlo s.e. {self.fit['se'][k]:.2g})")
        lines.append(f"{self.method}, {len(self.evaluations)} evaluations of {self.replications} replications "
                     f"(seed {self.seed})")
        return "\n".join(lines)


def _finite(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _finite(v) for k, v in d.items()}
    if isinstance(d, float) and not math.isfinite(d):
        return None
    return d


# ---- checking the inputs ---------------------------------------------------------------
def _check_parameters(scenario: Scenario, parameters: Mapping[str, Sequence[float]]
                      ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    if not parameters:
        raise ScenarioError("expected at least one parameter with bounds, e.g. "
                            "behaviour.undeclared_share.mean=0.02:0.5", source=SOURCE)
    names, lows, highs, starts = [], [], [], []
    for name, bounds in parameters.items():
        r = check_range(scenario, name, bounds, SOURCE, integer_ok=False)
        names.append(name)
        lows.append(r.low)
        highs.append(r.high)
        starts.append(r.current if r.low <= r.current <= r.high else (r.low + r.high) / 2)
    return names, np.array(lows), np.array(highs), np.array(starts)


def _check_targets(target: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for k, v in target.items():
        if not is_number(v) or not math.isfinite(float(v)):
            raise ScenarioError(f"expected a number to aim at, got {v!r}", source=SOURCE, key=str(k))
        out[str(k)] = float(v)
    return out


# ---- the objective ---------------------------------------------------------------------
class _Objective:
    """Simulates a parameter vector (cached) and turns it into per-replication gaps."""

    def __init__(self, scenario: Scenario, names: list[str], target: dict[str, float], observed: pd.Series | None,
                 replications: int, seed: int, workers: int, progress: bool):
        self.scenario, self.names, self.target, self.observed = scenario, names, target, observed
        self.n, self.seed, self.workers = replications, seed, workers
        # an open count: the optimiser decides how many evaluations it needs
        self.bar = Progress(None, label="evaluations", enabled=progress)
        self.cache: dict[tuple[float, ...], np.ndarray] = {}
        self.log: list[dict[str, Any]] = []
        if observed is not None:
            self.scale = np.full(len(observed), float(observed.mean()) or 1.0)
            self.goal = observed.to_numpy(dtype=float)
        else:
            # relative gaps, so that targets in VND and in shares weigh alike
            self.goal = np.array(list(target.values()))
            self.scale = np.where(self.goal != 0, np.abs(self.goal), 1.0)

    def values(self, x: np.ndarray) -> np.ndarray:
        """Per-replication simulated values (replications × targets or months)."""
        key = tuple(float(v) for v in x)
        if key not in self.cache:
            point = dict(zip(self.names, key, strict=True))
            (r,) = run_points(self.scenario, [point], self.n, self.seed, workers=self.workers, progress=False,
                              keep_monthly=self.observed is not None, source=SOURCE)
            self.cache[key] = self._extract(r)
            mean = self.cache[key].mean(axis=0)
            gap = float(np.max(np.abs((mean - self.goal) / self.scale)))
            self.log.append({**point, "max_relative_gap": gap})
            self.bar.update(1)
            self.bar.note(f"{', '.join(describe(v) for v in key)} → largest gap {gap:.3%}")
        return self.cache[key]

    def _extract(self, r) -> np.ndarray:
        if self.observed is None:
            unknown = [k for k in self.target if k not in r.kpis.columns]
            if unknown:
                names = ", ".join(c for c in r.kpis.columns if c != "replication")
                raise ScenarioError(f"unknown KPI; expected one of {names}", source=SOURCE, key=unknown[0])
            v = r.kpis[list(self.target)].to_numpy(dtype=float)
            bad = ~np.isfinite(v).all(axis=0)
            if bad.any():
                k = list(self.target)[int(np.flatnonzero(bad)[0])]
                where = ", ".join(f"{n}={describe(x)}" for n, x in r.settings.items())
                raise ScenarioError(f"the KPI is undefined in some replications at {where} (e.g. no 'before' "
                                    "window, or a campaign that does not finish)", source=SOURCE, key=k)
            return v
        m = r.monthly[r.monthly["arm"] == "with"].pivot_table(index="replication", columns="month", values="tax")
        outside = self.observed.index.difference(m.columns)
        if len(outside):
            raise ScenarioError(f"month {outside[0]:%Y-%m} is outside the scenario's horizon "
                                f"({m.columns[0]:%Y-%m} to {m.columns[-1]:%Y-%m})",
                                source=self.observed.attrs.get("source", "observed"))
        return m[self.observed.index].to_numpy(dtype=float)

    def per_replication_gaps(self, x: np.ndarray) -> np.ndarray:
        return (self.values(x) - self.goal) / self.scale

    def gaps(self, x: np.ndarray) -> np.ndarray:
        return self.per_replication_gaps(x).mean(axis=0)

    def done(self) -> None:
        self.bar.close()


XTOL = 1e-4
"""How close to the root brentq goes, as a share of the bounds: a ten-thousandth of them is far inside the
interval Monte Carlo noise leaves around the value (0.047–0.056 for Hà Nam's undeclared share in 0.005–0.2),
and each evaluation is a run of ``replications``: tighter (1e-7), Hà Nam took 12 evaluations instead of 10."""


def _root_1d(obj: _Objective, lo: float, hi: float, name: str) -> float:
    """brentq on the single gap; if the bounds do not bracket it, look inside for a bracket
    before declaring the target out of reach."""
    from scipy.optimize import brentq

    f = lambda v: float(obj.gaps(np.array([v]))[0])  # noqa: E731
    grid = [lo, hi]
    vals = [f(lo), f(hi)]
    for v, fv in zip(grid, vals, strict=True):
        if fv == 0:
            return v
    if np.sign(vals[0]) != np.sign(vals[1]):
        return brentq(f, lo, hi, xtol=XTOL * (hi - lo), rtol=1e-10, maxiter=200)
    inner = list(np.linspace(lo, hi, SCAN_POINTS)[1:-1])
    grid = [lo, *inner, hi]
    vals = [vals[0], *(f(v) for v in inner), vals[1]]
    for a, b, fa, fb in zip(grid, grid[1:], vals, vals[1:], strict=False):
        if fa == 0:
            return a
        if np.sign(fa) != np.sign(fb):
            return brentq(f, a, b, xtol=XTOL * (hi - lo), rtol=1e-10, maxiter=200)
    best = int(np.argmin(np.abs(vals)))
    kpi, t = next(iter(obj.target.items()))
    achieved = t + vals[best] * obj.scale[0]
    raise TargetUnreachable(
        f"target {kpi} = {t:.6g} is out of reach for {name} in [{lo:g}, {hi:g}]: the closest is "
        f"{grid[best]:.6g}, giving {achieved:.6g} (gap {achieved - t:+.4g}); widen the bounds or check the target",
        closest={name: float(grid[best])}, gap={kpi: float(achieved - t)}, key=kpi)


def _jacobian(obj: _Objective, x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """d(mean gaps)/dx by central differences of 1% of each range (one-sided at a bound):
    with common random numbers the difference is the parameter's effect, not noise, and a
    step this size steps over the tiny jumps of rejection-sampled draws."""
    cols = []
    for j in range(len(x)):
        h = 0.01 * (hi[j] - lo[j])
        a, b = max(lo[j], x[j] - h), min(hi[j], x[j] + h)
        xa, xb = x.copy(), x.copy()
        xa[j], xb[j] = a, b
        cols.append((obj.gaps(xb) - obj.gaps(xa)) / (b - a))
    return np.column_stack(cols)


def _intervals(obj: _Objective, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, level: float, seed: int
               ) -> tuple[dict[str, dict[str, tuple[float, float]]], bool]:
    """Both readings of the interval (see the module docstring), linearised at ``x``."""
    e = obj.per_replication_gaps(x)  # replications × gaps
    jac = _jacobian(obj, x, lo, hi)
    sv = np.linalg.svd(jac, compute_uv=False)
    identified = sv.size > 0 and sv[0] > 0 and sv[-1] > 1e-9 * sv[0]
    q = [(1 - level) / 2, (1 + level) / 2]
    out: dict[str, dict[str, tuple[float, float]]] = {}
    if not identified:
        # the targets do not move with some parameter: nothing narrower than the bounds can be said
        whole = {n: (float(a), float(b)) for n, a, b in zip(obj.names, lo, hi, strict=True)}
        return {m: dict(whole) for m in INTERVALS}, False
    pinv = np.linalg.pinv(jac)  # parameters × gaps
    n = e.shape[0]
    # deviations from the sample mean understate the spread by (n − 1)/n in variance
    centred = (e - e.mean(axis=0)) * math.sqrt(n / (n - 1))
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xB007]))
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=BOOTSTRAP_SAMPLES) / n  # resampled replications
    shifts = {
        "bootstrap": -(weights @ centred) @ pinv.T,
        "observation": -centred @ pinv.T,
    }
    for method, dx in shifts.items():
        qs = np.quantile(x + dx, q, axis=0)
        out[method] = {name: (float(np.clip(qs[0, j], lo[j], hi[j])), float(np.clip(qs[1, j], lo[j], hi[j])))
                       for j, name in enumerate(obj.names)}
    return out, True


# ---- calibrate ----------------------------------------------------------------------------
def calibrate(scenario: Scenario, target: Mapping[str, float] | None = None,
              parameters: Mapping[str, Sequence[float]] | None = None, *,
              observed: str | Path | pd.DataFrame | pd.Series | None = None,
              replications: int | None = None, seed: int | None = None,
              interval: Literal["bootstrap", "observation"] = "bootstrap", level: float = 0.9,
              tol: float = DEFAULT_TOL, workers: int | None = None, progress: bool | None = None) -> Calibration:
    """Find the value of each parameter in ``parameters`` (``{dotted name: (low, high)}``)
    whose simulated mean matches ``target`` (``{KPI: value}``) — or, with ``observed``, an
    observed monthly tax series (CSV path, DataFrame ``month, tax`` or Series by month),
    matched by least squares on the mean simulated monthly tax of arm ``with``.

    ``replications`` and ``seed`` default to the scenario's ``[run]``; every evaluation
    uses the same ones. ``interval`` picks which reading of uncertainty the result
    reports (``"bootstrap"`` or ``"observation"``; both are computed, see the module
    docstring) at ``level``. With as many targets as parameters, a fit whose largest
    relative gap exceeds ``tol`` raises :class:`TargetUnreachable`.
    """
    if (target is None) == (observed is None):
        raise ScenarioError("expected either a target ({KPI: value}) or an observed monthly tax series, "
                            "not both and not neither", source=SOURCE)
    if interval not in INTERVALS:
        raise ScenarioError(f"expected one of {', '.join(INTERVALS)}, got {interval!r}", source=SOURCE, key="interval")
    if not 0 < level < 1:
        raise ScenarioError(f"expected a level between 0 and 1, got {level!r}", source=SOURCE, key="level")
    names, lo, hi, x0 = _check_parameters(scenario, parameters or {})
    targets = _check_targets(target) if target is not None else {}
    if target is not None and not targets:
        raise ScenarioError("expected at least one target KPI, e.g. uplift_before_after=0.165", source=SOURCE)
    series = None
    if observed is not None:
        if isinstance(observed, pd.Series):  # by month: checked like a CSV
            observed = pd.DataFrame({"month": pd.DatetimeIndex(observed.index).strftime("%Y-%m"),
                                     "tax": observed.to_numpy()})
        series = read_observed(observed)
        if len(series) < len(names):
            raise ScenarioError(f"{len(series)} observed months cannot pin down {len(names)} parameters",
                                source=series.attrs.get("source", "observed"))
    if targets:
        check_kpis(scenario, list(targets), SOURCE)
    # two at least: the interval needs the spread between replications
    n, s = replications_and_seed(scenario, replications, seed, SOURCE, minimum=2)
    obj = _Objective(scenario, names, targets, series, n, s, workers, progress)
    try:
        if series is None and len(names) == 1 and len(targets) == 1:
            method = "brentq"
            x = np.array([_root_1d(obj, lo[0], hi[0], names[0])])
        else:
            method = "least_squares"
            x = _least_squares(obj, x0, lo, hi, square=series is None and len(targets) == len(names), tol=tol)
        intervals, identified = _intervals(obj, x, lo, hi, level, s)
    finally:
        obj.done()

    values = obj.values(x)
    mean = values.mean(axis=0)
    se = values.std(axis=0, ddof=1) / math.sqrt(n)
    if series is None:
        achieved = {k: float(m) for k, m in zip(targets, mean, strict=True)}
        fit: dict[str, Any] = {"gap": {k: achieved[k] - t for k, t in targets.items()},
                               "se": {k: float(v) for k, v in zip(targets, se, strict=True)}}
        fitted = None
    else:
        gap = mean - series.to_numpy(dtype=float)
        rmse = float(np.sqrt(np.mean(gap**2)))
        level_ = float(series.mean())
        fit = {"rmse": rmse, "relative_rmse": rmse / level_, "bias": float(gap.mean()) / level_,
               "max_relative_gap": float(np.max(np.abs(gap))) / level_}
        achieved = {"rmse": rmse, "relative_rmse": fit["relative_rmse"], "mean_tax": float(mean.mean())}
        fitted = pd.Series(mean, index=series.index, name="tax")
    fit["identified"] = identified
    params = {name: float(v) for name, v in zip(names, x, strict=True)}
    evaluations = pd.DataFrame(obj.log)
    return Calibration(
        parameters=params, bounds={k: (float(a), float(b)) for k, a, b in zip(names, lo, hi, strict=True)},
        interval=interval,
        level=level, intervals_by_method=intervals, target=targets, achieved=achieved, fit=fit, method=method,
        scenario=with_values(scenario, params, SOURCE), replications=n, seed=s, evaluations=evaluations,
        observed=series, fitted_series=fitted)


def _least_squares(obj: _Objective, x0: np.ndarray, lo: np.ndarray, hi: np.ndarray, *, square: bool,
                   tol: float) -> np.ndarray:
    from scipy.optimize import least_squares

    res = least_squares(obj.gaps, x0, bounds=(lo, hi), x_scale=hi - lo, diff_step=1e-3, xtol=1e-6, ftol=1e-8,
                        gtol=1e-8, max_nfev=200)
    x = np.clip(res.x, lo, hi)
    gaps = obj.gaps(x)
    if square and np.max(np.abs(gaps)) > tol:
        closest = {n: float(v) for n, v in zip(obj.names, x, strict=True)}
        achieved = obj.goal + gaps * obj.scale
        gap = {k: float(a - t) for k, a, t in zip(obj.target, achieved, obj.goal, strict=True)}
        worst = max(gap, key=lambda k: abs(gap[k]) / obj.scale[list(obj.target).index(k)])
        raise TargetUnreachable(
            "the targets are out of reach within the bounds: the closest is "
            + ", ".join(f"{n} = {v:.6g}" for n, v in closest.items())
            + ", giving "
            + ", ".join(f"{k} = {a:.6g} (gap {gap[k]:+.4g})" for k, a in zip(obj.target, achieved, strict=True))
            + "; widen the bounds or check the targets", closest=closest, gap=gap, key=worst)
    if not square:
        at = [n for n, v, a, b in zip(obj.names, x, lo, hi, strict=True) if min(v - a, b - v) <= 1e-6 * (b - a)]
        if at:
            name = at[0]
            j = obj.names.index(name)
            raise TargetUnreachable(
                f"the best fit lies at a bound ({name} = {x[j]:.6g}, bounds {lo[j]:g}:{hi[j]:g}), so the observed "
                f"series asks for a value outside them (largest relative gap {np.max(np.abs(gaps)):.2%}); "
                "widen the bounds or add a parameter",
                closest={n: float(v) for n, v in zip(obj.names, x, strict=True)},
                gap={"max_relative_gap": float(np.max(np.abs(gaps)))}, key=name)
    return x


def calibrated_toml(cal: Calibration, note: str = "") -> str:
    """The calibrated scenario as TOML, headed by comments saying what was fitted and how."""
    head = [f"# Calibrated by fuelseal on {dt.date.today().isoformat()} ({cal.method}, {cal.replications} "
            f"replications, seed {cal.seed}){': ' + note if note else ''}"]
    for k, v in cal.parameters.items():
        lo, hi = cal.intervals[k]
        head.append(f"#   {k} = {v:.6g}  ({cal.level:.0%} interval {lo:.6g} – {hi:.6g}, {cal.interval})")
    if cal.observed is not None:
        head.append(f"#   fitted to observed monthly tax {cal.observed.attrs.get('source', '')}: RMSE "
                    f"{cal.fit['rmse']:,.0f} VND ({cal.fit['relative_rmse']:.2%})")
    else:
        for k, t in cal.target.items():
            head.append(f"#   target {k} = {t:.6g}, simulated mean {cal.achieved[k]:.6g}")
    return "\n".join(head) + "\n\n" + cal.scenario.to_toml()
