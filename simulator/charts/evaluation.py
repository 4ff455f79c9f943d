"""Did it work? The charts of ``fuelseal evaluate``: what each estimator finds on a province × month tax panel,
and how far each can be trusted.

* :func:`event_study_chart` — the effect month by month since each unit's start: each method's estimate and its
  interval (set slightly apart so they do not hide each other), a zero line, a line at the start and, for a
  simulated panel, the true effect (``truth.json``) as a line;
* :func:`synthetic_chart` — synthetic control's own picture: the tax the evaluated units collected against their
  synthetic control, summed month by month since each unit's start; the gap after the start is the estimate;
* :func:`check_chart` — the simulation study (``fuelseal evaluate --check``): per method, how often its interval
  held the truth against the level it claims, its bias and RMSE in percentage points and how much of the treated
  tax it speaks for, with the verdict.

Each has a ``*_data`` function returning the table it draws (``fuelseal evaluate --out`` writes it as CSV). The
estimates (anything with ``method``, ``estimate``, ``low``, ``high``, ``by_event_time`` and, for synthetic
control, ``series``) and the study (``summary()``, ``level``, ``trusted()``, ``rows``) are taken as they come, so
this module imports nothing of :mod:`simulator.analysis`, which uses it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from matplotlib import ticker, transforms
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.textpath import TextToPath

from ..i18n import N_, check_lang, translator
from ..numbers import Numbers
from .figure import _figure, _frame, _note, _panel_title, _tint, _x_numbers, _y_numbers
from .numbers import _scale
from .style import (
    EXTRA,
    OKABE_ITO,
    REFERENCE,
    STYLE,
    TRUE,
    WIDE,
    WITH,
    WITHOUT,
    check_size,
    current_size,
    font,
    house_style,
)

METHOD_WORDS = {"did": N_("difference-in-differences"),
                "synth": N_("synthetic control"),
                "its": N_("interrupted time series")}
"""Each estimator (``fuelseal evaluate --method``), in words."""
METHOD_STYLE = {"did": (OKABE_ITO["blue"], "o"), "synth": (OKABE_ITO["reddish_purple"], "s"),
                "its": (OKABE_ITO["bluish_green"], "D")}
"""Each estimator's colour and marker: told apart by shape as well as by colour."""
_OTHER = (OKABE_ITO["sky_blue"], "^")
TRUTH = "truth"
EVENT_STUDY_COLUMNS = ["method", "label", "event_time", "estimate", "low", "high"]
SYNTHETIC_COLUMNS = ["event_time", "units", "observed_vnd", "synthetic_vnd", "gap_vnd", "effect_share"]
CHECK_COLUMNS = ["method", "label", "measure", "value", "panels", "estimated", "level"]
MEASURES = ("coverage", "bias", "rmse", "reach")
_LABEL_BOX = dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.85)


def method_words(method: str, lang: str = "en") -> str:
    """"difference-in-differences (did)": a method in words with its short name (an unknown one: its name)."""
    _ = translator(check_lang(lang))
    return f"{_(METHOD_WORDS[method])} ({method})" if method in METHOD_WORDS else method


def _text_width(text: str, size_pt: float) -> float:
    """The width of ``text`` in points, in the house font at ``size_pt``."""
    prop = FontProperties(family=STYLE["font.family"], size=size_pt)
    return TextToPath().get_text_width_height_descent(text, prop, ismath=False)[0]


def _style(method: str) -> tuple[str, str]:
    return METHOD_STYLE.get(method, _OTHER)


def _finite(x) -> bool:
    return x is not None and np.isfinite(float(x))


def _signed(nf: Numbers, x: float) -> str:
    """A share as a signed percentage with one decimal, or two below 1% (no false precision, no "+0.0%")."""
    return nf.signed_pct(x, 1 if abs(round(100 * x, 1)) >= 1 else 2)


def _truth_rows(truth: Mapping | None, replication: int | None) -> list[dict]:
    """The true effect by event time of one replication of ``truth`` (a ``truth.json`` — all its replications —
    or one replication's record): ``replication`` (default: the first)."""
    if not truth:
        return []
    record = truth
    reps = truth.get("replications")
    if isinstance(reps, list):
        record = next((r for r in reps if replication is None or r.get("replication") == replication), None)
        if record is None:
            return []
    rows = record.get("by_event_time") or []
    return [{"event_time": int(r["event_time"]),
             "estimate": float(r["effect_share"]) if _finite(r.get("effect_share")) else np.nan}
            for r in rows if r.get("event_time") is not None]


# ---- the event study -----------------------------------------------------------------------------------------
def event_study_data(estimates: Iterable, truth: Mapping | None = None, lang: str = "en",
                     replication: int | None = None) -> pd.DataFrame:
    """The numbers :func:`event_study_chart` draws: one row per method and event time (months since the unit's
    start) — ``estimate``, ``low`` and ``high`` as the :class:`~simulator.analysis.evaluate.Estimate` has them,
    shares of the tax without the campaign (0.1 = +10%) — and, with ``truth``, the true effect by event time as
    the method ``truth`` (``low`` and ``high`` empty). ``label``: the method in words in ``lang``. A method that
    could not estimate the panel has no row."""
    _ = translator(check_lang(lang))
    rows = []
    for e in estimates:
        if e.estimate is None:
            continue
        label = method_words(e.method, lang)
        rows += [{"method": e.method, "label": label, "event_time": int(r["event_time"]),
                  **{k: float(r[k]) if _finite(r.get(k)) else np.nan for k in ("estimate", "low", "high")}}
                 for r in e.by_event_time]
    rows += [{"method": TRUTH, "label": _("true effect"), **r, "low": np.nan, "high": np.nan}
             for r in _truth_rows(truth, replication)]
    return pd.DataFrame(rows, columns=EVENT_STUDY_COLUMNS)


def event_study_chart(estimates: Iterable, lang: str = "en", truth: Mapping | None = None, *, level: float = 0.9,
                      replication: int | None = None, size: str = "screen") -> Figure:
    """The effect by months since each unit's start: each method's estimate (a marker) and its ``level``
    interval (a line), set slightly apart; a zero line, a dashed line at the start and, with ``truth`` (the
    ``truth.json`` of a simulated panel: ``replication``, default the first), the true effect as a line. The
    legend gives each method's overall estimate."""
    check_lang(lang)
    check_size(size)
    with house_style(size):
        return _event_study(list(estimates), lang, truth, level, replication)


def _event_study(estimates: list, lang: str, truth, level: float, replication) -> Figure:
    _ = translator(lang)
    nf = Numbers(lang)
    t = event_study_data(estimates, truth, lang, replication)
    fig, ax = _figure((WIDE[0], 6.6))
    title = _("Did it work? The effect month by month since each unit's start")
    done = [e for e in estimates if e.estimate is not None and len(e.by_event_time)]
    missing = [e for e in estimates if e.estimate is None]
    lvl = nf.pct(level, 0)
    if not done:
        _note(ax, _("No method could estimate this panel."))
        ax.set_axis_off()
        return _frame(fig, title, _("no estimate to show.") + _missing_sentence(missing, lang), lang)
    span = 0.6  # of a month: the methods' markers side by side within it
    step = span / max(len(done) - 1, 1) if len(done) > 1 else 0.0
    handles, others = [], []
    truth_t = t[t["method"] == TRUTH]
    if len(truth_t):
        others.append(ax.plot(truth_t["event_time"], truth_t["estimate"], color=TRUE, lw=1.8, alpha=0.75,
                              zorder=2, solid_capstyle="butt", label=_("true effect of the simulated panel"))[0])
    for i, e in enumerate(done):
        colour, marker = _style(e.method)
        d = t[t["method"] == e.method]
        x = d["event_time"].to_numpy(float) + (i * step - span / 2 if len(done) > 1 else 0.0)
        mid, lo, hi = (d[c].to_numpy(float) for c in ("estimate", "low", "high"))
        ax.vlines(x, lo, hi, color=colour, lw=1.6, alpha=0.8, zorder=3)
        overall = (_("{method}: {estimate} overall ({low} to {high})").format(
            method=method_words(e.method, lang), estimate=_signed(nf, e.estimate), low=_signed(nf, e.low),
            high=_signed(nf, e.high)) if _finite(e.low) and _finite(e.high) else
            _("{method}: {estimate} overall").format(method=method_words(e.method, lang),
                                                     estimate=_signed(nf, e.estimate)))
        handles.append(ax.plot(x, mid, marker, color=colour, ms=5, zorder=4, label=overall, ls="none")[0])
    ax.axhline(0.0, color="#888888", lw=0.8, zorder=1)
    others.append(ax.axvline(-0.5, color=REFERENCE, lw=1, ls="--", zorder=1,
                             label=_("the start (month 0: each unit's first campaign month)")))
    others.append(Line2D([], [], color="#777777", marker="|", ms=13, mew=1.6, ls="none",
                         label=_("{level} interval").format(level=lvl)))
    ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=12, integer=True, steps=[1, 2, 3, 6, 10]))
    _x_numbers(ax, lang, _("Months since the unit's start"))
    _y_numbers(ax, lang, _("Effect (% of the tax without the campaign)"), 0.01, "%")
    lows = t[["estimate", "low", "high"]].to_numpy(float)
    top, bottom = float(np.nanmax(lows)), float(np.nanmin(lows))
    pad = 0.06 * max(top - min(bottom, 0.0), 0.01)
    ax.set_ylim(min(bottom, 0.0) - pad, max(top, 0.0) + pad)
    x_all = t["event_time"].to_numpy(float)
    ax.set_xlim(x_all.min() - 1, x_all.max() + 1)
    _panel_title(ax, _("Each method's estimate and its {level} interval, as a share of the tax without the "
                       "campaign").format(level=lvl))
    _legend_below(ax, handles, others)
    cap = _("each marker is a method's estimate of how much more tax the units collected in their k-th month "
            "of campaign than they would have without it, the line through it its {level} interval; the markers "
            "are set a little apart so that they do not hide each other. Before the start (left of the dashed "
            "line) a method that compares units should find 0: an effect there says its comparison does not "
            "hold. Difference-in-differences compares each unit with the units not yet treated, synthetic "
            "control with a weighted mix of them over each unit's first months, interrupted time series with "
            "each unit's own trend before its start.").format(level=lvl)
    if len(truth_t):
        cap += " " + _("The grey line is the true effect of this simulated panel (truth.json): the tax with the "
                       "campaign less the same world's tax without it, over every unit in its k-th month — each "
                       "method's estimate covers only the unit-months it could compare, so it may differ.")
    return _frame(fig, title, cap + _missing_sentence(missing, lang), lang)


def _legend_below(ax, first: list, second: list) -> None:
    """A legend below the axes, off the data: ``first`` in one column and ``second`` in another beside it when
    both fit the figure's width, else all in one column."""
    size = font(9.5)
    width = float(ax.figure.get_size_inches()[0]) * 72

    def column(handles) -> float:  # the widest label and its handle (2 em and 0.8 em of padding), in points
        return max((_text_width(h.get_label(), size) for h in handles), default=0.0) + 2.8 * size

    # two columns 2 em apart, from the panel's left edge (about 70 pt in: the axis label and the ticks)
    two = bool(first) and bool(second) and column(first) + 2 * size + column(second) <= width - 70
    first, second = list(first), list(second)
    rows = max(len(first), len(second))
    if two:  # matplotlib fills the columns in turn: make them as long as each other
        first += [Line2D([], [], color="none", label=" ")] * (rows - len(first))
        second += [Line2D([], [], color="none", label=" ")] * (rows - len(second))
    else:  # one column: the figure grows by the rows it adds, so the panel keeps its height
        fig = ax.figure
        w, h = fig.get_size_inches()
        fig.set_size_inches(w, h + (len(first) + len(second) - rows) * 1.75 * size / 72)
    # below the tick labels and the axis label, whatever the panel's height
    below = transforms.offset_copy(ax.transAxes, fig=ax.figure, y=-(1.4 * font(10) + 1.4 * font(11) + 10),
                                   units="points")
    ax.legend(handles=first + second, loc="upper left", bbox_to_anchor=(0.0, 0.0), bbox_transform=below,
              ncols=2 if two else 1, frameon=False, borderaxespad=0, fontsize=size, handlelength=2.0)


def _missing_sentence(missing: list, lang: str) -> str:
    _ = translator(lang)
    if not missing:
        return ""
    return " " + _("Not applicable to this panel: {methods} (the notes of fuelseal evaluate say why).").format(
        methods=", ".join(method_words(e.method, lang) for e in missing))


# ---- synthetic control against the observed tax ------------------------------------------------------------
def synthetic_data(estimate) -> pd.DataFrame:
    """The numbers :func:`synthetic_chart` draws: by event time, the tax the units evaluated by synthetic control
    collected (``observed_vnd``) and their synthetic control (``synthetic_vnd``), summed over the ``units``,
    their difference (``gap_vnd``) and ``effect_share`` (observed ÷ synthetic − 1). From the start on, every
    unit-month evaluated (so Σ observed ÷ Σ synthetic − 1 over those rows is the estimate); before it, only the
    months every evaluated unit has, so each sum is over the same units. Empty when synthetic control could not
    estimate the panel."""
    series = getattr(estimate, "series", None)
    if estimate is None or estimate.estimate is None or series is None or not len(series):
        return pd.DataFrame(columns=SYNTHETIC_COLUMNS)
    g = series.groupby("event_time").agg(units=("unit", "nunique"), observed_vnd=("observed", "sum"),
                                         synthetic_vnd=("synthetic", "sum")).reset_index()
    n = series["unit"].nunique()
    g = g[(g["event_time"] >= 0) | (g["units"] == n)]
    g = g.assign(gap_vnd=g["observed_vnd"] - g["synthetic_vnd"],
                 effect_share=g["observed_vnd"] / g["synthetic_vnd"] - 1)
    return g[SYNTHETIC_COLUMNS].astype({"event_time": int, "units": int}).reset_index(drop=True)


def synthetic_chart(estimate, lang: str = "en", *, level: float = 0.9, size: str = "screen") -> Figure:
    """Synthetic control's picture (:func:`synthetic_data`): the evaluated units' tax against their synthetic
    control, summed by months since each unit's start, in billion VND; the gap after the start shaded — the
    estimate, with its ``level`` interval in the legend."""
    check_lang(lang)
    check_size(size)
    with house_style(size):
        return _synthetic(estimate, lang, level)


def _synthetic(estimate, lang: str, level: float) -> Figure:
    _ = translator(lang)
    nf = Numbers(lang)
    t = synthetic_data(estimate)
    fig, ax = _figure((WIDE[0], 6.8))
    title = _("Synthetic control: the tax observed against its synthetic control")
    if t.empty:
        _note(ax, _("Synthetic control could not estimate this panel."))
        ax.set_axis_off()
        return _frame(fig, title, _("no estimate to show (the notes of fuelseal evaluate say why)."), lang)
    x = t["event_time"].to_numpy(float)
    obs, syn = t["observed_vnd"].to_numpy(float), t["synthetic_vnd"].to_numpy(float)
    div, unit = _scale(np.concatenate([obs, syn]), "VND", lang)
    after = x >= 0
    n = int(estimate.series["unit"].nunique())
    ax.fill_between(x[after], syn[after], obs[after], color=_tint(EXTRA, 0.35), lw=0, zorder=1)
    ax.plot(x, syn, color=WITHOUT, lw=2, marker="o", ms=3.5, zorder=3,
            label=_("synthetic control: a weighted mix of units not yet treated"))
    ax.plot(x, obs, color=WITH, lw=2, marker="o", ms=3.5, zorder=4, label=_("tax observed"))
    ax.axvline(-0.5, color=REFERENCE, lw=1, ls="--", zorder=2,
               label=_("the start (month 0: each unit's first campaign month)"))
    gap = _("the gap from the start: the effect, {estimate} ({low} to {high}; {level} interval)").format(
        estimate=_signed(nf, estimate.estimate), low=_signed(nf, estimate.low), high=_signed(nf, estimate.high),
        level=nf.pct(level, 0)) if _finite(estimate.low) and _finite(estimate.high) else (
        _("the gap from the start: the effect, {estimate}").format(estimate=_signed(nf, estimate.estimate)))
    handles, _labels = ax.get_legend_handles_labels()
    handles = [handles[1], handles[0], Patch(color=_tint(EXTRA, 0.35), label=gap), handles[2]]
    ax.set_ylim(0, 1.08 * float(max(obs.max(), syn.max())))
    ax.set_xlim(x.min() - 0.7, x.max() + 0.7)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=12, integer=True, steps=[1, 2, 3, 6, 10]))
    _x_numbers(ax, lang, _("Months since the unit's start"))
    _y_numbers(ax, lang, _("Tax a month, summed over the units ({unit})").format(unit=unit), div)
    _panel_title(ax, _("{n} units evaluated by synthetic control, each over its own months since its start")
                 .format(n=nf.number(n)))
    _legend_below(ax, handles[:2], handles[2:])
    months_after = int(after.sum())
    before = int((~after).sum())
    cap = _("the blue line is the tax the {n} units evaluated collected, the orange line what their synthetic "
            "controls — for each unit a weighted mix of the units not yet treated, fitted on its months before "
            "its start — say they would have collected without the campaign; both summed month by month since "
            "each unit's start. Before the start the mix follows each unit, so the lines lie together ({before} "
            "months that every unit has); from the start, the gap over the first {after} months is the effect: "
            "Σ observed ÷ Σ synthetic − 1 = {estimate}. Units without enough months before their start, or "
            "without enough units not yet treated to mix, are left out.").format(
                n=nf.number(n), before=nf.number(before), after=nf.number(months_after),
                estimate=_signed(nf, estimate.estimate))
    return _frame(fig, title, cap, lang)


# ---- the simulation study ----------------------------------------------------------------------------------
def check_data(check, lang: str = "en") -> pd.DataFrame:
    """The numbers :func:`check_chart` draws: one row per method and measure (:data:`MEASURES`) — ``coverage``
    (the share of the panels whose interval held the truth), ``bias`` and ``rmse`` (shares of the tax without
    the campaign: 0.01 = 1 percentage point) and ``reach`` (the share of the treated unit-months' tax its
    estimate covers), over the panels it could estimate — with ``panels``, how many it ``estimated`` and the
    interval's ``level``. ``value`` is empty (NaN) for a method that could estimate no panel: not applicable, not
    0."""
    check_lang(lang)
    s = check.summary()
    rows = []
    for r in s.itertuples():
        for m in MEASURES:
            v = getattr(r, m)
            rows.append({"method": r.method, "label": method_words(r.method, lang), "measure": m,
                         "value": float(v) if r.estimated and _finite(v) else np.nan, "panels": int(r.panels),
                         "estimated": int(r.estimated), "level": float(check.level)})
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def check_chart(check, lang: str = "en", *, size: str = "screen") -> Figure:
    """The simulation study, one row per method and one panel per measure: coverage of the interval against
    its level (a line at the level, the band a trusted method reaches shaded), bias and RMSE in percentage
    points, and the share of the treated tax each method speaks for; the verdict (``check.trusted()``) in the
    caption. A method that could estimate no panel reads "not applicable"."""
    check_lang(lang)
    check_size(size)
    with house_style(size):
        return _check(check, lang)


def _points(nf: Numbers, x: float, signed: bool = False) -> str:
    """A difference of shares in percentage points, to no finer than a hundredth of a point (a ten-thousandth of
    the tax: finer is noise on a few dozen panels) and two significant figures: "+0.35 pp", "1.9 pp", "12 pp",
    "0.00 pp"."""
    _ = nf.gettext
    v = 100 * x
    digits = 2 if abs(v) < 1 else 1 if abs(v) < 10 else 0
    text = nf.number(abs(v), digits)
    if signed and text != nf.number(0.0, digits):
        text = ("+" if v > 0 else "\N{MINUS SIGN}") + text
    return _("{value} pp").format(value=text)


def _binomial_range(n: int, p: float, tail: float = 0.05) -> tuple[float, float]:
    """The coverage a correct interval at level ``p`` shows on ``n`` panels, 5th to 95th percentile."""
    pmf = np.array([math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)])
    cdf = np.cumsum(pmf)
    lo = int(np.searchsorted(cdf, tail))
    hi = int(np.searchsorted(cdf, 1 - tail))
    return lo / n, min(hi, n) / n


def _check(check, lang: str) -> Figure:
    _ = translator(lang)
    nf = Numbers(lang)
    t = check_data(check, lang)
    s = check.summary()
    methods = list(s["method"])
    level = float(check.level)
    panels = int(s["panels"].max()) if len(s) else 0
    screen = current_size().name == "screen"
    width = current_size().width
    names = [method_words(m, lang) for m in methods]
    # the methods' names left of the first panel: their width, the tick's pad and the figure's margin
    label_in = (max((_text_width(n, font(10)) for n in names), default=0.0) + 12) / 72
    row_in = 0.55
    height = 0.9 + len(methods) * row_in + 1.5 + 1.7
    fig, axes = _figure((width, height / current_size().height_scale), 1, 4, sharey=True)
    axes = np.atleast_1d(axes)
    title = _("Which estimator to trust? {n} simulated panels whose true effect is known").format(
        n=nf.number(panels))
    y = np.arange(len(methods), dtype=float)
    share = (width - label_in) / width / 4
    panel_w = (width - label_in - 0.1) / 4 - 0.12  # inches, less the gap between panels
    heads = {"coverage": _("How often its {level} interval held the truth").format(level=nf.pct(level, 0)),
             "bias": _("Bias: mean of estimate − truth"),
             "rmse": _("Typical error (RMSE)"),
             "reach": _("Share of the treated tax it speaks for")}
    colours = {m: _style(m)[0] for m in methods}
    shares = [0, 0.25, 0.5, 0.75, 1.0] if screen else [0, 0.5, 1.0]  # ticks of a percentage panel
    missing = partial = False
    for ax, measure in zip(axes, MEASURES, strict=True):
        d = t[t["measure"] == measure].set_index("method").loc[methods]
        v = d["value"].to_numpy(float)
        ok = np.isfinite(v)
        for i, m in enumerate(methods):
            if ok[i]:
                ax.plot(v[i], y[i], _style(m)[1], color=colours[m], ms=8, zorder=3, clip_on=False)
        if measure == "coverage":
            ax.axvspan(check.coverage_floor(), 1.0, color="#EEEEEE", zorder=0, lw=0)
            ax.axvline(level, color=REFERENCE, lw=1.2, zorder=1)
            ax.set_xlim(-0.04, 1.04)
            ax.xaxis.set_major_locator(ticker.FixedLocator(shares))
            _x_numbers(ax, lang, "%", 0.01, "%")
        elif measure == "reach":
            ax.set_xlim(-0.04, 1.04)
            ax.xaxis.set_major_locator(ticker.FixedLocator(shares))
            _x_numbers(ax, lang, "%", 0.01, "%")
        else:
            shown = v[ok]
            top = float(np.abs(shown).max()) if shown.size else 0.0
            top = top if top > 0 else 0.01
            if measure == "bias":
                ax.axvline(0.0, color="#888888", lw=0.8, zorder=1)
                ax.set_xlim(-1.25 * top, 1.25 * top)
            else:
                ax.set_xlim(-0.04 * top, 1.25 * top)
            ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10], symmetric=
                                                          measure == "bias"))
            _x_numbers(ax, lang, _("percentage points"), 0.01)
        _panel_title(ax, heads[measure], share, 0.3)
        ax.grid(axis="y", visible=False)
        x0, x1 = ax.get_xlim()
        left = transforms.blended_transform_factory(ax.transAxes, ax.transData)
        for i in range(len(methods)):
            if not ok[i]:
                missing = True
                ax.text(0.5, y[i], _("not applicable"), transform=left, ha="center", va="center",
                        fontsize=font(9), color="#555555", style="italic", bbox=_LABEL_BOX, zorder=4)
                continue
            if measure in ("coverage", "reach"):
                text = nf.pct(v[i], 0)
            else:
                text = _points(nf, v[i], signed=measure == "bias")
            est, n = int(d["estimated"].iloc[i]), int(d["panels"].iloc[i])
            if est < n:
                partial = True
                text = _("{value} ({k} of {n})").format(value=text, k=nf.number(est), n=nf.number(n))
            def half(t: str) -> float:  # half the widest line, in panel widths
                return max(_text_width(line, font(9)) for line in t.split("\n")) / 2 / (panel_w * 72)

            if half(text) > 0.4 and " (" in text:  # a narrow panel: "(k of n)" on a line of its own
                text = text.replace(" (", "\n(", 1)
            at = (v[i] - x0) / (x1 - x0)
            h = half(text)
            at = min(max(at, h + 0.04), 1 - h - 0.04) if h < 0.46 else 0.5
            ax.annotate(text, (at, y[i]), xycoords=left, xytext=(0, 8), textcoords="offset points", ha="center",
                        va="bottom", fontsize=font(9), color=TRUE, zorder=4, bbox=_LABEL_BOX, linespacing=1.1)
    axes[0].set_yticks(y, names, fontsize=font(10))
    axes[0].set_ylim(len(methods) - 0.5, -0.8)
    axes[0].tick_params(axis="y", length=0)
    lo, hi = _binomial_range(panels, level) if panels else (np.nan, np.nan)
    cap = _("each row is a method, applied to {n} panels simulated from the scenario and judged against the true "
            "effect over the unit-months it estimates. Coverage: how often its {level} interval held the truth — "
            "an honest interval about {level} of the time (the black line); with {n} panels chance alone puts an "
            "honest interval's coverage between {low} and {high}; the grey band is what the verdict asks (at least "
            "{least}). Bias (the mean error) and RMSE (its typical size) are in percentage points of the tax "
            "without the campaign. The last panel: the share of the treated unit-months' tax each method's estimate "
            "covers — synthetic control only each unit's first months, difference-in-differences only the months "
            "with a unit not yet treated to compare with.").format(
                n=nf.number(panels), level=nf.pct(level, 0), low=nf.pct(lo, 0), high=nf.pct(hi, 0),
                least=nf.pct(check.coverage_floor(), 0))
    if partial:
        cap += " " + _("“(k of n)”: the method could estimate k of the n panels; its figures are over those.")
    if missing:
        cap += " " + _("Not applicable: the method could estimate none of the panels (too few units, donors or "
                       "months before the start).")
    cap += " " + _verdict(check, lang)
    return _frame(fig, title, cap, lang)


def _verdict(check, lang: str) -> str:
    """The study's verdict in a sentence, as ``fuelseal evaluate --check`` prints it, the method in words."""
    text = check.verdict(lang, lambda method: method_words(method, lang))
    return text if text.endswith(".") else text + "."
