"""Posterior draws: every parameter value consistent with what was observed, not one best value.

:func:`simulator.analysis.calibrate.calibrate` finds the value whose *simulated mean* matches a
published figure. But a province's figure is one draw of a noisy world: many values of an
unmeasured parameter could have produced "tax rose 16.5%", and a headline computed at the
single best value hides that. :func:`posterior` answers with a sample of values, by
**rejection approximate Bayesian computation** (Pritchard et al. 1999; kernel weights as in
Beaumont, Zhang and Balding 2002):

1. ``draws`` parameter vectors from the prior — uniform on the given bounds, spread by a
   scrambled Latin hypercube (:mod:`scipy.stats.qmc`);
2. each simulated **once, in its own world** (replication *i* of the seed for vector *i*),
   so that the spread of simulated figures at a given value is the spread a real province's
   figure has around its expectation;
3. a count target (a whole number on a count KPI, e.g. 1 station fined) must be matched
   exactly; the distance on the other targets is each gap divided by its median absolute
   deviation over all simulations, so that targets in VND and in shares weigh alike;
4. the ``accept`` share nearest are kept, weighted by the Epanechnikov kernel
   ``1 − (d / h)²`` (``h`` the largest distance kept);
5. ``keep`` equally likely rows are resampled from them (systematic resampling) and written
   into the scenario's ``[calibration]`` table **with the world each was kept in**. A later
   run re-runs row *i* in its world in replication *i*: the joint posterior of the parameters
   and of everything else the figures constrain (growth, prices, stations) — what the
   observed province went through. ``calibration.same_worlds = false`` draws only the
   parameters, in new worlds: what a similar province could expect;
6. a **posterior predictive check**: the rows run in new worlds, and how often they give the
   observed figures — the kept simulations themselves match by construction.

Why not a library: pyabc and ELFI implement sequential Monte Carlo ABC on top of a database or a
graph framework; one rejection step on a simulator that is already spread over processes by
:func:`simulator.execution.map_tasks` is the few lines below, and nothing else is needed.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..defaults import ABC_ACCEPT, ABC_DRAWS, ABC_KEEP
from ..errors import ScenarioError
from ..execution import map_tasks, worker_count
from ..kpis import KPIS
from ..model.replication import run_replication
from ..progress import Progress
from ..runner import run
from ..scenario import Scenario
from .calibrate import _finite
from .points import check_kpis, check_range, replications_and_seed, with_values

SOURCE = "calibrate"
DRAWS = ABC_DRAWS  # prior simulations
ACCEPT = ABC_ACCEPT  # share of them kept
KEEP = ABC_KEEP  # rows written into [calibration]
CHUNK = 25  # simulations per task sent to a worker


@dataclass
class Posterior:
    """What :func:`posterior` found; ``scenario`` carries the draws in ``[calibration]``."""

    parameters: list[str]
    bounds: dict[str, tuple[float, float]]
    target: dict[str, float]
    level: float
    simulations: pd.DataFrame = field(repr=False)
    """One row per prior draw: its parameter values, simulated targets, distance, weight (0 if rejected)."""
    rows: pd.DataFrame = field(repr=False)
    """The equally likely rows written into the scenario."""
    scenario: Scenario = field(repr=False)
    seed: int = 0
    method: str = "abc-rejection"
    predictive: pd.DataFrame | None = field(default=None, repr=False)
    """The targets simulated at the rows in new worlds (the posterior predictive check)."""

    @property
    def accepted(self) -> pd.DataFrame:
        return self.simulations[self.simulations["weight"] > 0]

    @property
    def effective_size(self) -> float:
        """Kish's effective sample size of the kept simulations, Σw² ⁻¹ (Σw = 1)."""
        w = self.accepted["weight"].to_numpy()
        return float(1.0 / np.sum(w**2)) if len(w) else 0.0

    def summary(self) -> pd.DataFrame:
        """Per parameter and target: prior or observed value, weighted mean, sd and ``level`` interval
        of the kept simulations (for a target: what a province's figure would look like — the fit)."""
        acc = self.accepted
        w = acc["weight"].to_numpy()
        q = [(1 - self.level) / 2, (1 + self.level) / 2]
        out = []
        for name in [*self.parameters, *self.target]:
            x = acc[name].to_numpy(dtype=float)
            mean = float(np.sum(w * x))
            sd = float(math.sqrt(max(np.sum(w * (x - mean) ** 2), 0.0)))
            lo, hi = _weighted_quantiles(x, w, q)
            kind = "parameter" if name in self.parameters else "target"
            ref = self.bounds[name] if kind == "parameter" else (self.target[name], self.target[name])
            out.append({"name": name, "kind": kind, "mean": mean, "sd": sd, "low": lo, "high": hi,
                        "prior_low" if kind == "parameter" else "observed": ref[0],
                        **({"prior_high": ref[1]} if kind == "parameter" else {})})
        return pd.DataFrame(out).set_index("name")

    def correlation(self) -> pd.DataFrame:
        """Weighted correlation between the parameters among the kept simulations."""
        acc = self.accepted
        cov = np.atleast_2d(np.cov(acc[self.parameters].to_numpy(dtype=float).T, aweights=acc["weight"].to_numpy()))
        sd = np.sqrt(np.diag(cov))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = cov / np.outer(sd, sd)
        return pd.DataFrame(corr, index=self.parameters, columns=self.parameters)

    def check(self) -> pd.DataFrame:
        """Per target, the posterior predictive: mean and ``level`` interval of the rows run in new worlds,
        the percentile at which the observed figure falls, and for a count the chance of exactly it."""
        if self.predictive is None or not len(self.predictive):
            return pd.DataFrame(columns=["mean", "low", "high", "percentile", "p_equal"])
        q = [(1 - self.level) / 2, (1 + self.level) / 2]
        out = {}
        for n, t in self.target.items():
            x = self.predictive[n].to_numpy(dtype=float)
            x = x[np.isfinite(x)]
            out[n] = {"mean": float(x.mean()), "low": float(np.quantile(x, q[0])), "high": float(np.quantile(x, q[1])),
                      "percentile": 100.0 * float(np.mean(x < t) + 0.5 * np.mean(x == t)),
                      "p_equal": float(np.mean(x == t)) if _is_count(n, t) else math.nan}
        return pd.DataFrame(out).T

    def to_json(self) -> dict:
        s = self.summary()
        params = {n: {k: _finite(float(s.loc[n, k])) for k in ("mean", "sd", "low", "high")} |
                  {"prior": list(self.bounds[n])} for n in self.parameters}
        fit = {n: {"observed": self.target[n], **{k: _finite(float(s.loc[n, k])) for k in ("mean", "low", "high")}}
               for n in self.target}
        for n, row in self.check().iterrows():
            fit[n]["predictive"] = {k: _finite(float(v)) for k, v in row.items()}
        return {"method": self.method, "parameters": params, "target": dict(self.target), "fit": fit,
                "level": self.level, "simulations": len(self.simulations), "accepted": len(self.accepted),
                "effective_size": self.effective_size, "rows": len(self.rows), "seed": self.seed}

    def __str__(self) -> str:
        s = self.summary()
        pct = f"{self.level:.0%}"
        lines = ["Posterior of the parameters (prior: uniform on the bounds):"]
        for n in self.parameters:
            r = s.loc[n]
            lines.append(f"  {n} = {_g(r['mean'])} (sd {_g(r['sd'])}; {pct}: {_g(r['low'])} – "
                         f"{_g(r['high'])}; prior {_g(r['prior_low'])} – {_g(r['prior_high'])})")
        if len(self.parameters) > 1:
            c = self.correlation()
            pairs = [f"{a} ~ {b}: {c.loc[a, b]:+.2f}" for i, a in enumerate(self.parameters)
                     for b in self.parameters[i + 1:]]
            lines.append("  correlation " + "; ".join(pairs))
        lines.append("Joint fit — the kept simulations (near the targets by construction):")
        for n, t in self.target.items():
            r = s.loc[n]
            lines.append(f"  {n}: observed {_g(t)}; simulated mean {_g(r['mean'])} "
                         f"({pct}: {_g(r['low'])} – {_g(r['high'])})")
        check = self.check()
        if len(check):
            lines.append(f"Posterior predictive check — the {len(self.predictive)} rows in new worlds:")
            for n, r in check.iterrows():
                tail = f"; P(= {_g(self.target[n])}) {r['p_equal']:.2f}" if math.isfinite(r["p_equal"]) else ""
                lines.append(f"  {n}: observed {_g(self.target[n])}; mean {_g(r['mean'])} ({pct}: {_g(r['low'])} – "
                             f"{_g(r['high'])}), observed at percentile {r['percentile']:.0f}{tail}")
        lines.append(f"abc-rejection: {len(self.simulations)} simulations, {len(self.accepted)} kept "
                     f"(effective {self.effective_size:.0f}), {len(self.rows)} rows written (seed {self.seed})")
        return "\n".join(lines)


def _g(v: float) -> str:
    """Three significant figures: a posterior from a few hundred simulations says no more."""
    return f"{v:.3g}"


def _is_count(kpi: str, value: float) -> bool:
    """A whole-number target on a count KPI (stations fined, seals broken) is matched exactly."""
    k = KPIS.get(kpi)
    return k is not None and k.kind == "count" and float(value).is_integer()


def _weighted_quantiles(x: np.ndarray, w: np.ndarray, q: Sequence[float]) -> tuple[float, float]:
    if not len(x):
        return (math.nan, math.nan)
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    cw /= cw[-1]
    return tuple(float(x[order][min(np.searchsorted(cw, p), len(x) - 1)]) for p in q)  # type: ignore[return-value]


# ---- simulating prior draws, one world each ------------------------------------------------
def _simulate(scenario: Scenario, batch: list[tuple[int, dict[str, Any]]], seed: int,
              targets: list[str]) -> list[tuple[int, list[float]]]:
    out = []
    for i, values in batch:
        k = run_replication(with_values(scenario, values, SOURCE), i, seed).kpis
        out.append((i, [float(k[t]) for t in targets]))
    return out


def _prior(names: list[str], lo: np.ndarray, hi: np.ndarray, n: int, seed: int,
           integer: list[bool]) -> np.ndarray:
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng([seed, 0xABC])).random(n)
    x = qmc.scale(unit, lo, hi)
    for j, whole in enumerate(integer):
        if whole:  # a whole-number parameter: each value in [low, high] alike
            x[:, j] = np.floor(lo[j] + unit[:, j] * (hi[j] - lo[j] + 1)).clip(lo[j], hi[j])
    return x


def posterior(scenario: Scenario, target: Mapping[str, float], parameters: Mapping[str, Sequence[float]], *,
              draws: int = DRAWS, accept: float = ACCEPT, keep: int = KEEP, seed: int | None = None,
              level: float = 0.9, workers: int | None = None, progress: bool | None = None) -> Posterior:
    """A posterior sample of ``parameters`` (``{dotted name: (low, high)}``, uniform priors) given the
    observed ``target`` figures (``{KPI: value}``), by rejection ABC (see the module docstring):
    ``draws`` simulations, the ``accept`` share nearest kept, ``keep`` rows written into the returned
    scenario's ``[calibration]`` (its values of the parameters set to the posterior means)."""
    if not target:
        raise ScenarioError("expected at least one target KPI, e.g. uplift_before_after=0.165", source=SOURCE)
    if not parameters:
        raise ScenarioError("expected at least one parameter with bounds, e.g. "
                            "behaviour.undeclared_share.mean=0.02:0.5", source=SOURCE)
    for key, v, low, high in (("draws", draws, 20, 1_000_000), ("keep", keep, 1, 100_000)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not low <= v <= high:
            raise ScenarioError(f"expected a whole number between {low} and {high:,}, got {v!r}", source=SOURCE,
                                key=key)
    if not (isinstance(accept, (int, float)) and 0 < accept <= 1):
        raise ScenarioError(f"expected a share between 0 and 1, got {accept!r}", source=SOURCE, key="accept")
    if not 0 < level < 1:
        raise ScenarioError(f"expected a level between 0 and 1, got {level!r}", source=SOURCE, key="level")
    targets = {}
    for k, v in target.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ScenarioError(f"expected a number to aim at, got {v!r}", source=SOURCE, key=str(k))
        targets[str(k)] = float(v)
    check_kpis(scenario, list(targets), SOURCE)
    ranges = [check_range(scenario, name, b, SOURCE, integer_ok=True) for name, b in parameters.items()]
    names = [r.name for r in ranges]
    lo, hi = np.array([r.low for r in ranges]), np.array([r.high for r in ranges])
    _, s = replications_and_seed(scenario, 1, seed, SOURCE)

    x = _prior(names, lo, hi, draws, s, [r.integer for r in ranges])
    points = [(i, {n: (int(v) if r.integer else float(v)) for n, v, r in zip(names, row, ranges, strict=True)})
              for i, row in enumerate(x)]
    with_values(scenario, points[0][1], SOURCE)  # a bad value fails here, not in a worker
    tasks = [(points[j:j + CHUNK], s, list(targets)) for j in range(0, len(points), CHUNK)]
    workers = worker_count(workers)
    sims = np.full((draws, len(targets)), np.nan)
    bar = Progress(draws, label="simulations", enabled=progress, stream=sys.stderr)
    try:
        for _, results in map_tasks(_simulate, tasks, workers=workers, shared=scenario):
            for i, values in results:
                sims[i] = values
            bar.update(len(results))
    finally:
        bar.close()
    post = _rejection(scenario, names, lo, hi, x, sims, targets, accept, keep, s, level)
    # the posterior predictive check: the rows in new worlds (another seed), as many as there are rows
    new = post.scenario.with_overrides({"calibration.same_worlds": False})
    post.predictive = run(new, keep, s + 1, workers=workers, progress=progress).kpis[list(targets)]
    return post


def _rejection(scenario: Scenario, names: list[str], lo: np.ndarray, hi: np.ndarray, x: np.ndarray,
               sims: np.ndarray, targets: dict[str, float], accept: float, keep: int, seed: int,
               level: float) -> Posterior:
    ok = np.isfinite(sims).all(axis=1)
    if ok.sum() < 10:
        raise ScenarioError(f"the targets are undefined in {int((~ok).sum())} of {len(ok)} simulations (e.g. no "
                            "'before' window); choose targets the scenario defines", source=SOURCE,
                            key=next(iter(targets)))
    goal = np.array(list(targets.values()))
    exact = np.array([_is_count(k, v) for k, v in targets.items()])
    ok &= (sims[:, exact] == goal[exact]).all(axis=1)  # a count is matched exactly, or not at all
    if ok.sum() < 2:
        k = list(targets)[int(np.flatnonzero(exact)[0])] if exact.any() else next(iter(targets))
        raise ScenarioError(f"fewer than 2 of {len(ok)} simulations give exactly this count; widen the bounds or "
                            "run more --draws", source=SOURCE, key=k)
    rest = sims[:, ~exact]
    mad = np.median(np.abs(rest[ok] - np.median(rest[ok], axis=0)), axis=0) * 1.4826
    sd = rest[ok].std(axis=0)
    scale = np.where(mad > 0, mad, np.where(sd > 0, sd, 1.0))
    dist = np.where(ok, np.sqrt((((rest - goal[~exact]) / scale) ** 2).sum(axis=1)), np.inf)
    n_keep = min(max(2, int(round(accept * len(ok)))), int(ok.sum()))
    order = np.argsort(dist, kind="stable")
    h = dist[order[n_keep - 1]]
    weight = np.zeros(len(dist))
    kept = order[:n_keep]
    weight[kept] = 1.0 - (dist[kept] / h) ** 2 if h > 0 else 1.0
    if weight.sum() <= 0:  # all kept at the same distance h
        weight[kept] = 1.0
    weight /= weight.sum()
    table = pd.DataFrame(x, columns=names)
    for j, t in enumerate(targets):
        table[t] = sims[:, j]
    table["distance"], table["weight"] = dist, weight
    # systematic resampling: ``keep`` equally likely rows, each kept simulation about weight × keep times
    u = (np.random.default_rng([seed, 0x5EED]).random() + np.arange(keep)) / keep
    picks = np.searchsorted(np.cumsum(weight), u, side="right").clip(0, len(weight) - 1)
    rows = table.loc[picks, names].reset_index(drop=True)
    means = {n: float(np.sum(weight * table[n].to_numpy())) for n in names}
    integer = {n: float(v).is_integer() for n, v in zip(names, x[0], strict=True)}
    centre = {n: (round(v) if integer[n] and all(float(r).is_integer() for r in table[n]) else v)
              for n, v in means.items()}
    calibrated = with_values(scenario, centre, SOURCE).with_overrides({"calibration": {
        "parameters": names, "draws": rows.to_numpy(dtype=float).tolist(), "use": True,
        "worlds": [int(i) for i in picks], "seed": int(seed), "same_worlds": True,
        "method": f"abc-rejection, {len(x)} simulations, {n_keep} kept", "targets": dict(targets)}})
    return Posterior(names, {n: (float(a), float(b)) for n, a, b in zip(names, lo, hi, strict=True)},
                     dict(targets), level, table, rows, calibrated, seed)


def posterior_toml(post: Posterior, note: str = "") -> str:
    """The calibrated scenario as TOML, headed by comments saying what was drawn and how."""
    s = post.summary()
    pct = f"{post.level:.0%}"
    head = [f"# Calibrated by fuelseal on {dt.date.today().isoformat()} (abc-rejection, {len(post.simulations)} "
            f"simulations, {len(post.accepted)} kept, seed {post.seed}){': ' + note if note else ''}",
            "# DERIVED: [calibration] holds equally likely draws; each replication runs at one of them, so",
            "# the intervals carry the calibration's uncertainty. The values written in the sections are the",
            "# posterior means (used with calibration.use = false)."]
    for n in post.parameters:
        r = s.loc[n]
        head.append(f"#   {n}: mean {_g(r['mean'])}, {pct} {_g(r['low'])} – {_g(r['high'])} "
                    f"(prior {_g(r['prior_low'])} – {_g(r['prior_high'])})")
    for n, t in post.target.items():
        r = s.loc[n]
        head.append(f"#   target {n} = {_g(t)}: kept simulations {_g(r['mean'])} "
                    f"({pct} {_g(r['low'])} – {_g(r['high'])})")
    return "\n".join(head) + "\n\n" + post.scenario.to_toml()
