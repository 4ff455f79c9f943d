"""Did it work? Standard estimators of a campaign's effect from a province × month tax panel
(:func:`simulator.analysis.panel.read_panel`), each chosen by name (:data:`METHODS`).

Every method answers the same question — by how much did tax in treated unit-months exceed what it would
have been without the campaign, as a share of that counterfactual (the campaign's own effect — not a
before/after figure such as Hà Nam's "tax rose 16.5%", which also holds growth, prices and everything else) —
and returns an :class:`Estimate`: the effect, its interval at ``level``, the effect by event time (months
since a unit's start) and notes on what the method assumed or could not do. The simulated panels of
``fuelseal panel`` carry the true answer (``truth.json``), so each method can be checked on the policy's
own mechanism.

* ``did`` — staggered difference-in-differences (Callaway–Sant'Anna, via diff-diff) with the units not yet
  treated as controls — in Vietnam nearly every province was treated within a year, so never-treated
  comparisons hardly exist;
* ``synth`` — synthetic control unit by unit over its first months, donors from the units not yet treated,
  the interval from placebos (pysyncon);
* ``its`` — interrupted time series, unit by unit (statsmodels): log tax on a trend, month-of-year
  effects when there are two years before the start, and the log price index when it varies, fitted on the
  unit's months before its start; the fit projected after the start is the counterfactual; the interval comes
  from the coefficients' uncertainty (the wider of the plain and the autocorrelation-robust (HAC) covariance,
  Student's t on the fit's degrees of freedom) and each month's noise, drawn as one shock per calendar month
  shared by the units (their errors are common — seasonality it cannot fit with under two years, a
  re-assessment — so they do not average away). A step common to every unit after its start is counted as
  the campaign's: what a comparison with units not yet treated (``did``) removes.
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
    cells: pd.DataFrame | None = field(default=None, repr=False)
    """The treated unit-months the estimate is about (``unit``, ``month``): what its truth is measured over."""
    series: pd.DataFrame | None = field(default=None, repr=False)
    """``synth``: each evaluated unit's observed tax and its synthetic control month by month (``unit``,
    ``month``, ``event_time``, ``observed``, ``synthetic``)."""

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


COVARIATES = ("price_index",)
"""What ``its`` may adjust for (``--covariates``). Not ``litres``: a unit's totalisers are read only from its first
seal — there is nothing before the start to fit, and what they show is partly the campaign's doing."""


def its(panel: pd.DataFrame, level: float = 0.9, draws: int = 2000, seed: int = 0,
        covariates: tuple[str, ...] = COVARIATES) -> Estimate:  # noqa: PLR0914
    """Interrupted time series (see the module docstring); ``covariates``: the log price index when it varies
    before the start (the default), or none."""
    sm = _require("statsmodels.api")
    rng = np.random.default_rng(seed)
    p = panel.assign(event_time=event_time(panel))
    treated = p[p["treated_from"].notna()]
    notes: list[str] = []
    sims_num, sims_den, by_event, cells = [], [], {}, []
    season_units = 0
    # one standard-normal shock per calendar month, shared by every unit: the months' errors are common to the
    # units (seasonality, a re-assessment, prices), not independent — drawing them apart would shrink the
    # interval as units are added
    calendar = {m: i for i, m in enumerate(sorted(p["month"].unique()))}
    shared = rng.standard_normal((draws, len(calendar)))  # made persistent below, once the residuals are known
    fits = []
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
        if ("price_index" in covariates and "price_index" in g and g["price_index"].notna().all()
                and np.ptp(pre["price_index"].to_numpy(float)) > 0):
            X["log_price"] = np.log(g["price_index"].to_numpy(float))
        y = np.log(pre["tax"].to_numpy(float))  # a month's total (a lump sum does not follow the days)
        fits.append((post, X, pre.index, sm.OLS(y, X.loc[pre.index]).fit()))
    # the months' shocks persist: a fit that misses a month tends to miss the next (a trend slightly off, seasonality
    # it could not fit), so the shared shocks follow an AR(1) with the units' median lag-1 residual autocorrelation —
    # drawn month by month apart, they averaged away over a year of projected months (33% coverage at 90%)
    lag1 = [float(np.corrcoef(r[:-1], r[1:])[0, 1]) for *_, f in fits
            if len(r := np.asarray(f.resid)) > 3 and np.std(r[:-1]) > 0 and np.std(r[1:]) > 0]
    rho = float(np.clip(np.median(lag1), 0.0, 0.95)) if lag1 else 0.0
    for t in range(1, shared.shape[1]):
        shared[:, t] = rho * shared[:, t - 1] + np.sqrt(1 - rho * rho) * shared[:, t]
    for post, X, pre_index, ols in fits:
        hac = ols.get_robustcov_results(cov_type="HAC", maxlags=min(3, len(pre_index) // 4))
        Xp = X.loc[post.index].to_numpy(float)
        # the wider of the plain and the autocorrelation-robust covariance over the months projected: HAC alone
        # is too narrow on a year or two of months (73% coverage at 90% for one unit on the test panels)
        cov = max((ols.cov_params(), hac.cov_params()), key=lambda c: float(np.trace(Xp @ np.asarray(c) @ Xp.T)))
        cov = np.asarray(cov)
        mean = ols.params.to_numpy()
        beta = rng.multivariate_normal(mean, cov, size=draws,
                                       method="cholesky" if np.all(np.linalg.eigvalsh(cov) > 0) else "svd")
        # Student's t with the fit's residual degrees of freedom (a variance estimated from few months): each draw
        # scales its coefficients' and its months' deviations by one common factor
        dof = max(ols.df_resid, 1.0)
        stretch = np.sqrt(dof / rng.chisquare(dof, draws))[:, None]
        beta = mean + (beta - mean) * stretch
        # each month's counterfactual: the fit, its coefficients' uncertainty and the month's own noise (the
        # residual spread before the start, drawn from the shared shocks), so the interval is for the tax
        # that would have been collected
        sigma = float(np.sqrt(ols.scale))
        cols = [calendar[m] for m in post["month"]]
        counter = np.exp(beta @ Xp.T + sigma * stretch * shared[:, cols])  # draws × post months
        actual = post["tax"].to_numpy(float)
        cells.append(post[["unit", "month"]])
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
                    rows, notes, cells=pd.concat(cells, ignore_index=True))


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
    if starts.size < 2:
        raise ScenarioError("one unit only: difference-in-differences compares units (use its for one province's "
                            "series)", source="evaluate", key="did")
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
    # before the start every event time is measured against the month before the start (a "universal" base):
    # the usual pre-trend plot, where parallel trends puts each month at 0; after it both bases agree
    cs = dd.CallawaySantAnna(control_group="not_yet_treated", estimation_method="reg", alpha=1 - level,
                             n_bootstrap=0, seed=0, base_period="universal")
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
        notes.append(f"before the start: {off} of {len(pre)} months' estimates (each against the month before the "
                     "start) exclude 0 at this level; under parallel trends about one in ten would, by chance")
    lo, hi = res.overall_conf_int
    # the unit-months it estimates: each cohort's months from its start that diff-diff could compare
    effect = {(int(g), int(t)): float(cell["effect"]) for (g, t), cell in res.group_time_effects.items()
              if t >= g and np.isfinite(cell.get("effect", np.nan))}
    key = pd.Series(list(zip(period(panel["treated_from"]).fillna(0).astype(int), period(panel["month"]).astype(int),
                             strict=True)), index=panel.index)
    inside = key.map(lambda k: k in effect).to_numpy(bool)
    cells = panel.loc[inside, ["unit", "month"]].reset_index(drop=True)
    # the effect on the tax collected over those cells: each cell's tax without the campaign is its tax ÷ e^ATT(g,t)
    # of its cohort and month, so the estimate is Σ tax ÷ Σ tax·e^−ATT − 1 — a ratio of sums like the truth (the
    # mean log effect's exp(ATT) − 1 is smaller when effects differ across cells); the interval is the log scale's,
    # moved with the estimate
    observed = panel.loc[inside, "tax"].to_numpy(float)
    att = np.array([effect[k] for k in key[inside]])
    estimate = float(observed.sum() / (observed * np.exp(-att)).sum() - 1) if observed.size else float("nan")
    shift = estimate - float(np.expm1(res.overall_att))
    notes.append("the effect on the tax collected over the months it covers (Σ tax ÷ Σ tax·e^−ATT(g,t) − 1); the "
                 "interval is that of exp(ATT) − 1, the mean log effect, moved with it")
    return Estimate("did", estimate, float(np.expm1(lo)) + shift, float(np.expm1(hi)) + shift, rows, notes,
                    cells=cells)


def synth_weights(donors: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Donor weights — non-negative, summing to 1 — whose mix best reproduces ``unit`` over the months given
    (rows): pysyncon's ``Synth`` with every month an equally weighted predictor (Abadie, Diamond & Hainmueller
    2010 with V fixed, so the weights solve one quadratic programme)."""
    Synth = _require("pysyncon").Synth
    if donors.shape[1] == 1:
        return np.ones(1)
    z0 = pd.DataFrame(donors, columns=[f"d{j}" for j in range(donors.shape[1])])
    z1 = pd.Series(unit, name="unit")
    fit = Synth()
    fit.fit(X0=z0, X1=z1, Z0=z0, Z1=z1, custom_V=np.ones(len(unit)))
    w = np.clip(np.asarray(fit.W, dtype=float), 0.0, None)
    return w / w.sum()


def synth(panel: pd.DataFrame, level: float = 0.9, horizon: int = 6, min_donors: int = 5, min_pre: int = 6,
          draws: int = 2000, seed: int = 0) -> Estimate:  # noqa: PLR0914
    """Synthetic control (Abadie, Diamond & Hainmueller 2010) unit by unit, for staggered starts.

    A unit starting in month s is compared over its first ``horizon`` months with a weighted mix of the units
    not treated by then (``donors``: never treated, or starting at s + horizon or later), the weights fitted on
    every month before s. Log tax is centred on each unit's own months before s, so a mix need only follow a
    province's ups and downs, not its size (a convex mix cannot reach the biggest province's level). Its
    counterfactual tax is its own level times the mix's path; the effect is Σ(observed − synthetic) ÷
    Σ synthetic over the unit-months evaluated — the tax collected, as the truth counts it.

    The interval comes from placebos (Abadie et al.; Cavallo et al. 2013 for several treated units): each
    donor in turn is treated as if it had started in s, fitted on the others; a draw takes one unit and gives
    every cohort it is a donor of that unit's placebo gaps (a cohort's units share their donors, and cohorts
    share donors, so their errors are common), and the spread of what the placebos "find" is inverted into an
    interval for a constant effect. Units without ``min_pre`` months before their start or ``min_donors`` donors
    are left out (said in the notes)."""
    rng = np.random.default_rng(seed)
    tax = panel.pivot_table(index="month", columns="unit", values="tax", aggfunc="first").sort_index()
    positive = (tax > 0).all()
    notes: list[str] = []
    if not positive.all():
        notes.append(f"{int((~positive).sum())} unit(s) with a month of no tax left out (the fit is on log tax)")
    y = np.log(tax.loc[:, positive])
    if y.shape[1] < 2:
        raise ScenarioError("one unit only: synthetic control builds a comparison from other units (use its for "
                            "one province's series)", source="evaluate", key="synth")
    start = panel.groupby("unit")["treated_from"].first().reindex(y.columns)
    months = y.index
    cohorts = start.dropna().groupby(start.dropna())
    series, left_out, donor_counts, fit_rmspe = [], [], [], []
    cohort_null = []  # per cohort: placebo gaps (donors × window months) and the cohort's synthetic tax
    for s, members in cohorts:
        end = s + pd.DateOffset(months=horizon)
        pre, post = np.asarray(months < s), np.asarray((months >= s) & (months < end))
        donors = start.index[start.isna() | (start >= end)]
        if pre.sum() < min_pre or len(donors) < min_donors or not post.any():
            left_out += list(members.index)
            continue
        d = y[donors].to_numpy()
        d = d - d[pre].mean(axis=0)
        placebo = []
        for j in range(d.shape[1]):
            others = np.delete(np.arange(d.shape[1]), j)
            w = synth_weights(d[pre][:, others], d[pre, j])
            placebo.append(d[post, j] - d[post][:, others] @ w)
        synthetic_tax = []
        et = ((months.year - s.year) * 12 + months.month - s.month).to_numpy()  # months since the cohort's start
        keep = pre | post
        for unit in members.index:
            own = y[unit].to_numpy()
            level_ = own[pre].mean()
            w = synth_weights(d[pre], own[pre] - level_)
            path = level_ + d @ w
            fit_rmspe.append(float(np.sqrt(np.mean((own[pre] - path[pre]) ** 2))))
            donor_counts.append(len(donors))
            series.append(pd.DataFrame({"unit": unit, "month": months[keep], "event_time": et[keep],
                                        "observed": np.exp(own[keep]), "synthetic": np.exp(path[keep])}))
            synthetic_tax.append(np.exp(path[post]))
        cohort_null.append((np.array(placebo), np.array(synthetic_tax), et[post], list(donors)))
    if not series:
        raise ScenarioError(f"no treated unit has {min_pre} months before its start and {min_donors} units not yet "
                            f"treated over its first {horizon} months: synthetic control has no donors",
                            source="evaluate", key="synth")
    if left_out:
        notes.append(f"{len(left_out)} treated unit(s) left out (fewer than {min_pre} months before the start or "
                     f"{min_donors} units not yet treated over the next {horizon} months): "
                     + ", ".join(map(str, left_out[:6])) + ("…" if len(left_out) > 6 else ""))
    frame = pd.concat(series, ignore_index=True)
    on = frame[frame["event_time"] >= 0]
    share = float((on["observed"].sum() - on["synthetic"].sum()) / on["synthetic"].sum())
    by_event = on.groupby("event_time")[["observed", "synthetic"]].sum()
    event_share = (by_event["observed"] / by_event["synthetic"] - 1).to_numpy()
    # what the placebos find, in the same units: Σ synthetic × (e^gap − 1) ÷ Σ synthetic
    num, den = np.zeros(draws), 0.0
    ev_index = {e: i for i, e in enumerate(by_event.index)}
    ev_num, ev_den = np.zeros((draws, len(ev_index))), np.zeros(len(ev_index))
    # a draw takes one unit as the placebo and puts it through every cohort it is a donor of (the cohorts share
    # donors, so their errors are common: drawing a placebo per cohort apart made the interval too narrow — 75%
    # coverage at 90% on the test panels); a cohort it cannot serve gets one of its own donors at random
    pool = sorted({d for *_, names in cohort_null for d in names})
    chosen = rng.integers(0, len(pool), draws)
    for placebo, synthetic_tax, ets, names in cohort_null:
        where = {n: i for i, n in enumerate(names)}
        same = np.array([where.get(pool[c], -1) for c in chosen])
        pick = np.where(same >= 0, same, rng.integers(0, len(placebo), draws))
        weight = synthetic_tax.sum(axis=0)  # the cohort's synthetic tax, month by month
        found = np.expm1(placebo[pick]) * weight  # draws × months
        num += found.sum(axis=1)
        den += weight.sum()
        cols = [ev_index[e] for e in ets]
        np.add.at(ev_num, (slice(None), cols), found)
        np.add.at(ev_den, cols, weight)
    null = num / den
    a = (1 - level) / 2
    q_lo, q_hi = np.quantile(null, [a, 1 - a])
    ev_null = ev_num / ev_den
    e_lo, e_hi = np.quantile(ev_null, a, axis=0), np.quantile(ev_null, 1 - a, axis=0)
    rows = [{"event_time": int(e), "estimate": float(v), "low": float(v - e_hi[i]), "high": float(v - e_lo[i])}
            for i, (e, v) in enumerate(zip(by_event.index, event_share, strict=True))]
    fewest = min(donor_counts)
    notes.append(f"{len(series)} treated unit(s) in {len(cohort_null)} cohort(s), each over its first {horizon} "
                 f"months, against {fewest}–{max(donor_counts)} units not yet treated; median fit before the start "
                 f"{np.median(fit_rmspe):.1%} (root mean square, log tax)")
    if fewest < 10:
        notes.append(f"with {fewest} donors a cohort has only {fewest} placebos: its part of the interval is coarse")
    notes.append("effects after the first months of each unit are not in it (the donors start too)")
    cells = on[["unit", "month"]].reset_index(drop=True)
    return Estimate("synth", share, share - q_hi, share - q_lo, rows, notes, cells=cells, series=frame)


METHODS: dict[str, Callable[..., Estimate]] = {"did": did, "synth": synth, "its": its}
"""The estimators, by name (``fuelseal evaluate --method``)."""


def evaluate(panel: pd.DataFrame, methods: list[str] | None = None, level: float = 0.9,
             covariates: tuple[str, ...] | None = None) -> list[Estimate]:
    """Each method's :class:`Estimate` on ``panel`` (default: every method). Asked for one method that cannot
    apply to the panel (too few units, donors or months), it raises; among several, that method's estimate is
    None and its note says why. ``covariates`` (of :data:`COVARIATES`; default all) go to ``its``; the
    comparisons (``did``, ``synth``) adjust for what the units share by comparing them."""
    names = list(METHODS) if not methods else methods
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise ScenarioError(f"unknown method {unknown[0]!r}; expected {', '.join(METHODS)} or all",
                            source="evaluate", key="--method")
    if not 0 < level < 1:
        raise ScenarioError(f"expected a level between 0 and 1, got {level}", source="evaluate", key="--level")
    covariates = COVARIATES if covariates is None else tuple(covariates)
    for c in covariates:
        if c not in COVARIATES:
            why = (": litres are read only from a unit's first seal, and partly the campaign's doing" if c == "litres"
                   else "")
            raise ScenarioError(f"cannot adjust for {c!r}{why}; expected {', '.join(COVARIATES)} or none",
                                source="evaluate", key="--covariates")
    if len(names) == 1:
        return [_method(names[0], panel, level, covariates)]
    # several: one that cannot apply says why, the others answer
    return [_answer(m, panel, level, covariates) for m in names]


def _method(name: str, panel: pd.DataFrame, level: float, covariates: tuple[str, ...] = COVARIATES) -> Estimate:
    if name == "its":
        return its(panel, level=level, covariates=covariates)
    return METHODS[name](panel, level=level)


def _answer(method: str, panel: pd.DataFrame, level: float, covariates: tuple[str, ...] = COVARIATES) -> Estimate:
    """``method``'s estimate, or — when it cannot apply to the panel — an empty one whose note says why."""
    try:
        return _method(method, panel, level, covariates)
    except ScenarioError as err:
        if err.source != "evaluate" or err.key != method:
            raise
        return Estimate(method, None, None, None, notes=[err.detail])


# ---- which estimator to trust: the simulation study -------------------------------------------------
def truth_over(panel: pd.DataFrame, cells: pd.DataFrame) -> float | None:
    """The true effect on the treated over the unit-months ``cells`` (an :class:`Estimate`'s): Σ(tax −
    tax_without) ÷ Σ tax_without, from a simulated panel with ``tax_without``."""
    p = panel.merge(cells[["unit", "month"]], on=["unit", "month"], how="inner")
    without = float(p["tax_without"].sum())
    return float((p["tax"] - p["tax_without"]).sum()) / without if without > 0 else None


def reach(panel: pd.DataFrame, cells: pd.DataFrame) -> float:
    """The share of the treated unit-months' tax (without the campaign) that ``cells`` cover: how much of the
    campaign an estimate speaks for."""
    treated = panel[panel["treated_from"].notna() & (panel["month"] >= panel["treated_from"])]
    inside = treated.merge(cells[["unit", "month"]], on=["unit", "month"], how="inner")
    total = float(treated["tax_without"].sum())
    return float(inside["tax_without"].sum()) / total if total > 0 else 0.0


def target_truth(panel: pd.DataFrame, method: str) -> float | None:
    """The true effect on the treated over the unit-months ``method`` estimates, from a simulated panel with
    ``tax_without``: every month from a unit's start for ``its``; for ``did``, when no unit is left untreated,
    only the months before the last cohort starts (after it, no unit is left to compare with)."""
    p = panel[panel["treated_from"].notna() & (panel["month"] >= panel["treated_from"])]
    if method == "did" and not panel["treated_from"].isna().any():
        p = p[p["month"] < panel["treated_from"].max()]
    without = float(p["tax_without"].sum())
    return float((p["tax"] - p["tax_without"]).sum()) / without if without > 0 else None


MIN_PANELS = 20
"""Fewer simulated panels than this cannot tell an honest interval's coverage from a poor one's: no verdict."""


@dataclass
class Check:
    """Each method's estimates on simulated panels against their truth (``rows``: replication × method), and
    the summary per method: bias, RMSE, coverage of the interval, its mean width."""

    rows: pd.DataFrame
    level: float
    seconds: dict[str, float]

    def summary(self) -> pd.DataFrame:
        """Per method: panels, how many it could estimate (``estimated``), the mean truth and estimate, bias,
        RMSE, coverage of its interval, the interval's mean width and mean interval score (:meth:`trusted`) — over
        the panels it estimated — the share of the treated months' tax it speaks for (``reach``) and the seconds
        it took a panel."""
        x = self.rows.assign(estimated=self.rows["estimate"].notna())
        outside = (x["low"] - x["truth"]).clip(lower=0) + (x["truth"] - x["high"]).clip(lower=0)
        r = x.assign(error=x["estimate"] - x["truth"], squared=(x["estimate"] - x["truth"]) ** 2,
                     covered=((x["low"] <= x["truth"]) & (x["truth"] <= x["high"])).where(x["estimated"]),
                     width=x["high"] - x["low"], score=x["high"] - x["low"] + 2 / (1 - self.level) * outside)
        g = r.groupby("method", sort=False)
        out = pd.DataFrame({"panels": g.size(), "estimated": g["estimated"].sum(), "truth_mean": g["truth"].mean(),
                            "estimate_mean": g["estimate"].mean(),
                            "bias": g["error"].mean(), "rmse": np.sqrt(g["squared"].mean()),
                            "coverage": g["covered"].mean(), "width_mean": g["width"].mean(),
                            "reach": g["reach"].mean(), "interval_score": g["score"].mean()})
        out["seconds_per_panel"] = [self.seconds[m] / n for m, n in zip(out.index, out["panels"], strict=True)]
        return out.reset_index()

    def coverage_floor(self) -> float:
        """The lowest coverage an honest interval reaches by chance on this many panels (one-sided 5%): with 100
        panels a 90% interval covers at least 85% of them 95 times in 100."""
        n = max(int(self.rows["replication"].nunique()), 1)
        return float(self.level - 1.645 * np.sqrt(self.level * (1 - self.level) / n))

    def trusted(self) -> str | None:
        """The method to trust on panels like these (None under 20 panels): of those that estimated every panel
        and whose interval covered the truth as often as an honest one would by chance (:meth:`coverage_floor`),
        the one with the best interval score — the interval's width plus 2/(1 − level) times how far the truth
        fell outside it (Gneiting & Raftery 2007), so that neither a narrow interval that misses nor a wide one
        that says little wins. Each method is judged on its own unit-months: read its ``reach`` beside it."""
        if self.rows["replication"].nunique() < MIN_PANELS:
            return None
        s = self.summary()
        ok = s[(s["estimated"] == s["panels"]) & (s["coverage"] >= self.coverage_floor())]
        return None if ok.empty else str(ok.sort_values("interval_score").iloc[0]["method"])

    def to_json(self) -> dict:
        summary = self.summary()
        s = summary.astype(object).where(summary.notna(), None)
        return {"level": self.level, "trusted": self.trusted(), "coverage_floor": self.coverage_floor(),
                "methods": [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
                            for r in s.to_dict("records")]}

    def text(self, lang: str = "en") -> str:
        from ..numbers import Numbers

        nf = Numbers(lang)
        _ = nf.gettext

        summary = self.summary()

        def points(x, signed=False):  # a difference of two shares is in percentage points
            text = nf.signed_pct(x) if signed else nf.pct(x)
            return _("{value} pp").format(value=text.replace("%", ""))

        lines = []
        for r in summary.itertuples():
            if not r.estimated:
                note = self.rows.loc[self.rows["method"] == r.method, "note"].dropna()
                lines.append(_("{method}: could not estimate any of the {n} simulated panels ({why})").format(
                    method=r.method, n=nf.number(r.panels), why=note.iloc[0] if len(note) else "?"))
                continue
            lines.append(_("{method}: on {n} simulated panels its {level} interval covers the truth {coverage} of "
                           "the time; bias {bias}, RMSE {rmse} (true effect {truth} on average, over {reach} of the "
                           "treated months' tax; {seconds} s a panel)").format(
                               method=r.method, n=nf.number(r.estimated), level=nf.pct(self.level, 0),
                               coverage=nf.pct(r.coverage, 0), bias=points(r.bias, signed=True), rmse=points(r.rmse),
                               truth=nf.pct(r.truth_mean), reach=nf.pct(r.reach, 0),
                               seconds=nf.number(r.seconds_per_panel, 2)))
            if r.estimated < r.panels:
                lines[-1] += _(" — it could not estimate {k} of the panels").format(k=nf.number(r.panels - r.estimated))
        lines.append(_("Each method is judged on the unit-months it estimates (synth: each unit's first months; did: "
                       "those with a unit not yet treated to compare with; its: every month from each start)."))
        lines.append(self.verdict(lang))
        return "\n".join(lines)

    def verdict(self, lang: str = "en", words: Callable[[str], str] | None = None) -> str:
        """The study's verdict in a sentence (the last line of :meth:`text`; the check chart's caption): the
        method to trust and how much of the campaign it speaks for, or why there is none. ``words`` names a
        method (default: its short name)."""
        from ..numbers import Numbers

        nf = Numbers(lang)
        _ = nf.gettext
        if self.rows["replication"].nunique() < MIN_PANELS:
            return _("Too few panels to judge coverage (fewer than 20): run more with -n.")
        best = self.trusted()
        if not best:
            return _("Verdict: no method's interval holds the truth as often as it says on panels like these; "
                     "read every estimate with care")
        reach = float(self.summary().set_index("method").loc[best, "reach"])
        return _("Verdict: on panels like these, trust {method} for the months it covers — {reach} of the treated "
                 "months' tax (its interval holds the truth as often as an honest one would, with the best "
                 "interval score); the simulated provinces share one behaviour, so real data will be harder").format(
                     method=words(best) if words else best, reach=nf.pct(reach, 0))


def check(panels, methods: list[str] | None = None, level: float = 0.9) -> Check:
    """Apply each method to every panel of a :class:`simulator.analysis.panel.SimulatedPanel` and compare with
    the truth over the unit-months it estimated (its ``cells``: :func:`truth_over`)."""
    import time

    names = list(METHODS) if not methods else methods
    rows, seconds = [], dict.fromkeys(names, 0.0)
    for rep in panels.replications:
        full = panels.data[panels.data["replication"] == rep].sort_values(["unit", "month"]).reset_index(drop=True)
        panel = full.drop(columns=["replication", "tax_without"])
        for name in names:
            t = time.perf_counter()
            e = _answer(name, panel, level)
            seconds[name] += time.perf_counter() - t
            rows.append({"replication": rep, "method": name, "estimate": e.estimate, "low": e.low, "high": e.high,
                         "truth": truth_over(full, e.cells) if e.cells is not None else None,
                         "reach": reach(full, e.cells) if e.cells is not None else None,
                         "note": None if e.estimate is not None else (e.notes or [""])[0]})
    return Check(pd.DataFrame(rows), level, seconds)
