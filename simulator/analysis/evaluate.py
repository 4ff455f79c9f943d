"""Did it work? Standard estimators of a campaign's effect from a province × month tax panel
(:func:`simulator.analysis.panel.read_panel`), each chosen by name (:data:`METHODS`).

Every method answers the same question — by how much did tax in treated unit-months exceed what it would
have been without the campaign, as a share of that counterfactual (what "tax rose 16.5%" compares with) —
and returns an :class:`Estimate`: the effect, its interval at ``level``, the effect by event time (months
since a unit's start) and notes on what the method assumed or could not do. The simulated panels of
``fuelseal panel`` carry the true answer (``truth.json``), so each method can be checked on the policy's
own mechanism.

* ``did`` — staggered difference-in-differences (Callaway–Sant'Anna, via diff-diff) with the units not yet
  treated as controls — in Vietnam nearly every province was treated within a year, so never-treated
  comparisons hardly exist;
* ``its`` — interrupted time series, unit by unit (statsmodels): log tax on a trend, month-of-year
  effects when there are two years before the start, and the log price index when it varies, fitted on the
  unit's months before its start with autocorrelation-robust (HAC) errors; the fit projected after the start
  is the counterfactual; the interval comes from the coefficients'
  uncertainty and each month's noise, drawn as one shock per calendar month shared by the units (their
  errors are common — seasonality it cannot fit with under two years, a re-assessment — so they do not
  average away). A step common to every unit after its start is counted as the campaign's: what a
  comparison with units not yet treated (``did``) removes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ScenarioError


@dataclass
class Estimate:
    """One method's answer: ``estimate``, ``low``, ``high`` as shares of the counterfactual tax (0.1 = +10%),
    ``by_event_time`` rows ``{event_time, estimate, low, high}``, ``notes`` in words."""

    method: str
    estimate: float | None
    low: float | None
    high: float | None
    by_event_time: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        def clean(x):
            return None if x is None or not np.isfinite(x) else float(x)

        return {"method": self.method, "estimate": clean(self.estimate), "low": clean(self.low),
                "high": clean(self.high),
                "by_event_time": [{"event_time": int(r["event_time"]), **{k: clean(r[k]) for k in
                                                                          ("estimate", "low", "high")}}
                                  for r in self.by_event_time],
                "notes": list(self.notes)}


def _require(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ScenarioError(f"needs the package {module.split('.')[0]!r}: pip install 'fuelseal[evaluate]' "
                            "(or make install-test)", source="evaluate") from None


def event_time(panel: pd.DataFrame) -> pd.Series:
    """Months from each unit's start (NaN for a unit never treated)."""
    m, t = panel["month"], panel["treated_from"]
    return (m.dt.year - t.dt.year) * 12 + m.dt.month - t.dt.month


def its(panel: pd.DataFrame, level: float = 0.9, draws: int = 2000, seed: int = 0) -> Estimate:  # noqa: PLR0914
    """Interrupted time series (see the module docstring)."""
    sm = _require("statsmodels.api")
    rng = np.random.default_rng(seed)
    p = panel.assign(event_time=event_time(panel))
    treated = p[p["treated_from"].notna()]
    notes: list[str] = []
    sims_num, sims_den, by_event = [], [], {}
    season_units = 0
    # one standard-normal shock per calendar month, shared by every unit: the months' errors are common to the
    # units (seasonality, a re-assessment, prices), not independent — drawing them apart would shrink the
    # interval as units are added
    calendar = {m: i for i, m in enumerate(sorted(p["month"].unique()))}
    shared = rng.standard_normal((draws, len(calendar)))
    for unit, g in treated.groupby("unit", sort=False):
        g = g.sort_values("month")
        pre, post = g[g["event_time"] < 0], g[g["event_time"] >= 0]
        if len(pre) < 6 or not len(post) or (pre["tax"] <= 0).any():
            notes.append(f"{unit}: left out (fewer than 6 months before its start, none after, or a zero month)")
            continue
        origin = g["month"].iloc[0]
        X = pd.DataFrame({"const": 1.0, "trend": (g["month"].dt.year - origin.year) * 12
                          + g["month"].dt.month - origin.month}, index=g.index)
        if len(pre) >= 24:
            season_units += 1
            for k in range(2, 13):
                X[f"m{k}"] = (g["month"].dt.month == k).astype(float)
        if "price_index" in g and g["price_index"].notna().all() and np.ptp(pre["price_index"].to_numpy(float)) > 0:
            X["log_price"] = np.log(g["price_index"].to_numpy(float))
        y = np.log(pre["tax"].to_numpy(float))  # a month's total (a lump sum does not follow the days)
        fit = sm.OLS(y, X.loc[pre.index]).fit(cov_type="HAC", cov_kwds={"maxlags": min(3, len(pre) // 4)})
        Xp = X.loc[post.index].to_numpy(float)
        beta = rng.multivariate_normal(fit.params.to_numpy(), fit.cov_params().to_numpy(), size=draws,
                                       method="cholesky" if np.all(np.linalg.eigvalsh(fit.cov_params()) > 0)
                                       else "svd")
        # each month's counterfactual: the fit, its coefficients' uncertainty and the month's own noise (the
        # residual spread before the start, drawn from the shared shocks), so the interval is for the tax
        # that would have been collected
        sigma = float(np.sqrt(fit.scale))
        cols = [calendar[m] for m in post["month"]]
        counter = np.exp(beta @ Xp.T + sigma * shared[:, cols])  # draws × post months
        actual = post["tax"].to_numpy(float)
        sims_num.append((actual[None, :] - counter).sum(axis=1))
        sims_den.append(counter.sum(axis=1))
        for j, e in enumerate(post["event_time"].to_numpy(int)):
            num, den = by_event.setdefault(e, (np.zeros(draws), np.zeros(draws)))
            num += actual[j] - counter[:, j]
            den += counter[:, j]
    if not sims_num:
        raise ScenarioError("no treated unit has 6 months before its start and one after: interrupted time "
                            "series has nothing to fit", source="evaluate", key="its")
    if season_units < len(sims_num):
        notes.append(f"no month-of-year effects for {len(sims_num) - season_units} unit(s) with fewer than 24 "
                     "months before their start: seasonality is left in the trend")
    share = np.sum(sims_num, axis=0) / np.sum(sims_den, axis=0)
    a = (1 - level) / 2
    rows = [{"event_time": e, "estimate": float(np.median(n / d)), "low": float(np.quantile(n / d, a)),
             "high": float(np.quantile(n / d, 1 - a))} for e, (n, d) in sorted(by_event.items())]
    notes.append("each unit's own months before its start are its counterfactual, projected: a step common to "
                 "every unit after its start (a re-assessment of lump sums, another policy) is counted as the "
                 "campaign's")
    return Estimate("its", float(np.median(share)), float(np.quantile(share, a)), float(np.quantile(share, 1 - a)),
                    rows, notes)


def did(panel: pd.DataFrame, level: float = 0.9) -> Estimate:
    """Staggered difference-in-differences (Callaway & Sant'Anna 2021, diff-diff): each cohort's effect month by
    month against the units not yet treated (or never), by outcome regression on log tax with each unit
    weighted by its tax before any start, aggregated over cohorts and event times; intervals from the
    influence function, clustered by unit. The effect is exp(ATT) − 1: a share of the counterfactual tax.
    Without untreated units it covers only the months before the last cohort starts (said in the notes)."""
    import warnings

    dd = _require("diff_diff")
    t0 = panel["month"].min()

    def period(s: pd.Series) -> pd.Series:  # months since the panel's first, from 1
        return (s.dt.year - t0.year) * 12 + s.dt.month - t0.month + 1

    df = pd.DataFrame({"unit": panel["unit"].astype(str), "period": period(panel["month"]).astype(int),
                       "first_treat": period(panel["treated_from"]).fillna(0).astype(int)})
    notes = []
    tax = panel["tax"].to_numpy(float)
    if (tax <= 0).any():
        notes.append(f"{int((tax <= 0).sum())} unit-month(s) with no tax left out (the estimate is on log tax)")
    df["y"] = np.log(np.where(tax > 0, tax, np.nan))
    df = df.dropna(subset=["y"])
    starts = df.groupby("unit")["first_treat"].first()
    never = int((starts == 0).sum())
    if never == 0 and starts.nunique() < 2:
        raise ScenarioError("every unit starts in the same month and none is left untreated: difference-in-"
                            "differences has no comparison (use its, or a panel with units treated later)",
                            source="evaluate", key="did")
    # each unit weighted by its tax before anyone starts, so that the effect is one on the tax collected
    # (as the truth: Σ(with − without)/Σ without), not a province average that counts a small province as a big one
    before = panel["month"] < panel["treated_from"].min()
    weight = panel[before].groupby(panel["unit"].astype(str))["tax"].mean()
    df["w"] = df["unit"].map(weight).fillna(weight.mean())
    cs = dd.CallawaySantAnna(control_group="not_yet_treated", estimation_method="reg", alpha=1 - level,
                             n_bootstrap=0, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = cs.fit(df[["unit", "period", "y", "first_treat", "w"]], outcome="y", unit="unit", time="period",
                     first_treat="first_treat", survey_design=dd.SurveyDesign(weights="w"))
        es = res.aggregate("event_study").to_dataframe()
    notes += [f"diff-diff: {str(w.message)[:200]}" for w in caught if "normalized to mean" not in str(w.message)]
    es = es[~es["is_reference"]]
    rows = [{"event_time": int(r.event_time), "estimate": float(np.expm1(r.att)),
             "low": float(np.expm1(r.conf_int_lower)), "high": float(np.expm1(r.conf_int_upper))}
            for r in es.itertuples()]
    notes.append(f"{starts.size} units, {int((starts > 0).sum())} treated, {never} never treated: each cohort is "
                 "compared with the units not yet treated" + ("; after the last cohort starts, nothing is left to "
                                                              "compare with" if never == 0 else ""))
    if never == 0:  # what is left to compare with, month by month
        on = panel[panel["treated_from"].notna() & (panel["month"] >= panel["treated_from"])]
        last = panel["treated_from"].max()
        inside = on[on["month"] < last]
        share = inside["tax"].sum() / on["tax"].sum() if on["tax"].sum() > 0 else 0.0
        notes.append(f"it estimates the treated months before {last:%Y-%m}, when the last units start "
                     f"({share:.0%} of the treated months' tax); the effect after that is not in it")
        later = panel.groupby(panel["unit"].astype(str))["treated_from"].first()
        controls = inside["month"].map(lambda m: int((later > m).sum()))
        alone = float((controls == 1).mean()) if len(controls) else 0.0
        if alone > 0:
            notes.append(f"{alone:.0%} of those unit-months are compared with a single unit not yet treated: "
                         "their part of the interval rests on that one unit")
    pre = es[es["event_time"] < 0]
    if len(pre):
        off = int(((pre["conf_int_lower"] > 0) | (pre["conf_int_upper"] < 0)).sum())
        notes.append(f"before the start: {off} of {len(pre)} event-time estimates exclude 0 at this level "
                     "(parallel trends would have none but by chance)")
    lo, hi = res.overall_conf_int
    return Estimate("did", float(np.expm1(res.overall_att)), float(np.expm1(lo)), float(np.expm1(hi)), rows, notes)


METHODS: dict[str, Callable[..., Estimate]] = {"did": did, "its": its}
"""The estimators, by name (``fuelseal evaluate --method``)."""


def evaluate(panel: pd.DataFrame, methods: list[str] | None = None, level: float = 0.9) -> list[Estimate]:
    """Each method's :class:`Estimate` on ``panel`` (default: every method)."""
    names = list(METHODS) if not methods else methods
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise ScenarioError(f"unknown method {unknown[0]!r}; expected {', '.join(METHODS)} or all",
                            source="evaluate", key="--method")
    if not 0 < level < 1:
        raise ScenarioError(f"expected a level between 0 and 1, got {level}", source="evaluate", key="--level")
    return [METHODS[m](panel, level=level) for m in names]


# ---- which estimator to trust: the simulation study -------------------------------------------------
def target_truth(panel: pd.DataFrame, method: str) -> float | None:
    """The true effect on the treated over the unit-months ``method`` estimates, from a simulated panel with
    ``tax_without``: every month from a unit's start for ``its``; for ``did``, when no unit is left untreated,
    only the months before the last cohort starts (after it, no unit is left to compare with)."""
    p = panel[panel["treated_from"].notna() & (panel["month"] >= panel["treated_from"])]
    if method == "did" and not panel["treated_from"].isna().any():
        p = p[p["month"] < panel["treated_from"].max()]
    without = float(p["tax_without"].sum())
    return float((p["tax"] - p["tax_without"]).sum()) / without if without > 0 else None


@dataclass
class Check:
    """Each method's estimates on simulated panels against their truth (``rows``: replication × method), and
    the summary per method: bias, RMSE, coverage of the interval, its mean width."""

    rows: pd.DataFrame
    level: float
    seconds: dict[str, float]

    def summary(self) -> pd.DataFrame:
        x = self.rows
        r = x.assign(error=x["estimate"] - x["truth"], squared=(x["estimate"] - x["truth"]) ** 2,
                     covered=(x["low"] <= x["truth"]) & (x["truth"] <= x["high"]), width=x["high"] - x["low"])
        g = r.groupby("method", sort=False)
        out = pd.DataFrame({"panels": g.size(), "truth_mean": g["truth"].mean(),
                            "estimate_mean": g["estimate"].mean(),
                            "bias": g["error"].mean(), "rmse": np.sqrt(g["squared"].mean()),
                            "coverage": g["covered"].mean(), "width_mean": g["width"].mean()})
        out["seconds_per_panel"] = [self.seconds[m] / n for m, n in zip(out.index, out["panels"], strict=True)]
        return out.reset_index()

    def to_json(self) -> dict:
        s = self.summary()
        return {"level": self.level, "methods": [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
                                                 for r in s.to_dict("records")]}

    def text(self, lang: str = "en") -> str:
        from ..numbers import Numbers

        nf = Numbers(lang)
        _ = nf.gettext
        lines = []
        for r in self.summary().itertuples():
            lines.append(_("{method}: on {n} simulated panels its {level} interval covers the truth {coverage} of "
                           "the time; bias {bias}, RMSE {rmse} (true effect {truth} on average; {seconds} s a "
                           "panel)").format(method=r.method, n=nf.number(r.panels), level=nf.pct(self.level, 0),
                                           coverage=nf.pct(r.coverage, 0), bias=nf.signed_pct(r.bias),
                                           rmse=nf.pct(r.rmse), truth=nf.pct(r.truth_mean),
                                           seconds=nf.number(r.seconds_per_panel, 2)))
        return "\n".join(lines)


def check(panels, methods: list[str] | None = None, level: float = 0.9) -> Check:
    """Apply each method to every panel of a :class:`simulator.analysis.panel.SimulatedPanel` and compare with
    the truth over the unit-months it estimates (:func:`target_truth`)."""
    import time

    names = list(METHODS) if not methods else methods
    rows, seconds = [], dict.fromkeys(names, 0.0)
    for rep in panels.replications:
        full = panels.data[panels.data["replication"] == rep].sort_values(["unit", "month"]).reset_index(drop=True)
        panel = full.drop(columns=["replication", "tax_without"])
        for name in names:
            t = time.perf_counter()
            (e,) = evaluate(panel, [name], level=level)
            seconds[name] += time.perf_counter() - t
            rows.append({"replication": rep, "method": name, "estimate": e.estimate, "low": e.low, "high": e.high,
                         "truth": target_truth(full, name)})
    return Check(pd.DataFrame(rows), level, seconds)
