"""The tax uplift: its spread across replications, and what it is made of."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from ..i18n import N_, translator
from ..numbers import Numbers
from .data import Results, _campaign_on
from .figure import _chart, _figure, _frame, _note, _panel_title, _wrap_text, _x_numbers, _y_numbers
from .numbers import pct_digits
from .style import OKABE_ITO, REFERENCE, TALL, WIDE, WITH, WITHOUT, current_size, font

# ---- the distribution ---------------------------------------------------------------------

DISTRIBUTION_SERIES = (("before_after", "uplift_before_after"), ("causal", "uplift"))
"""(series in the chart's table, KPI): the before/after uplift first (the published figure is one), then the
uplift against no campaign."""
DISTRIBUTION_COLUMNS = ["series", "kind", "bin_start_pct", "bin_end_pct", "replications", "value_pct"]
MIN_BINS, MAX_BINS = 10, 40


def bin_edges(values: np.ndarray) -> np.ndarray:
    """Histogram bin edges: Freedman–Diaconis (numpy ``bins="fd"``), bounded to 10–40 bins over the data's
    range; a single bin 0.1 wide around a value that never varies."""
    d = np.asarray(values, dtype=float)
    lo, hi = float(d.min()), float(d.max())
    if hi - lo <= 1e-9 * max(1.0, abs(lo)):
        return np.array([lo - 0.05, lo + 0.05])
    edges = np.histogram_bin_edges(d, bins="fd")
    bins = len(edges) - 1
    if MIN_BINS <= bins <= MAX_BINS:
        return edges
    return np.linspace(lo, hi, min(max(bins, MIN_BINS), MAX_BINS) + 1)


NICE_STEPS = (1.0, 2.0, 2.5, 5.0)


def _nice(width: float, up: bool = False) -> float:
    """The round bin width (1, 2, 2.5 or 5 × 10^k) nearest ``width`` on a log scale (``up``: the next one
    above it)."""
    k = math.floor(math.log10(width))
    options = [m * 10.0 ** e for e in (k - 1, k, k + 1) for m in NICE_STEPS]
    if up:
        return min(o for o in options if o > width * (1 + 1e-9))
    return min(options, key=lambda o: abs(math.log(o / width)))


def shared_bin_width(series: list[np.ndarray]) -> float | None:
    """One bin width for histograms drawn on a shared axis, so that their heights compare: the round width
    (:func:`_nice`) nearest the geometric mean of each series' own (:func:`bin_edges`), widened until no
    series needs more than 40 bins. None when no series varies."""
    widths, ranges = [], []
    for d in series:
        lo, hi = float(d.min()), float(d.max())
        if hi - lo > 1e-9 * max(1.0, abs(lo)):
            e = bin_edges(d)
            widths.append((e[-1] - e[0]) / (len(e) - 1))
            ranges.append(hi - lo)
    if not widths:
        return None
    w = _nice(math.exp(float(np.mean(np.log(widths)))))
    while max(ranges) / w > MAX_BINS:
        w = _nice(w, up=True)
    return w


def aligned_edges(values: np.ndarray, width: float) -> np.ndarray:
    """Bin edges ``width`` apart at whole multiples of ``width`` (0.25, 0.5, ...), covering ``values``."""
    d = np.asarray(values, dtype=float)
    k0 = math.floor(float(d.min()) / width + 1e-9)
    k1 = max(math.ceil(float(d.max()) / width - 1e-9), k0 + 1)
    return np.arange(k0, k1 + 1) * width


def uplift_distribution_data(results: Results) -> pd.DataFrame:
    """The uplift across replications, in percent, for each series (``before_after``, ``causal``): the
    histogram (``kind="bin"``: bin edges and replications in it; both series share one bin width,
    :func:`shared_bin_width`, with edges at its multiples) and its ``mean``, ``p05`` and ``p95``
    (``value_pct``); then the ``published`` figure when the scenario has one."""
    k = results.kpis
    rows = []
    data = {}
    for series, kpi in DISTRIBUTION_SERIES:
        if kpi not in k:
            continue
        d = 100 * k[kpi].to_numpy(float)
        d = d[np.isfinite(d)]
        if d.size:
            data[series] = d
    # one bin width for both histograms: they share the axis, so equal heights must mean equal densities
    width = shared_bin_width(list(data.values()))
    for series, d in data.items():
        edges = bin_edges(d) if width is None else aligned_edges(d, width)
        counts, _e = np.histogram(d, bins=edges)
        rows += [{"series": series, "kind": "bin", "bin_start_pct": a, "bin_end_pct": b, "replications": int(c)}
                 for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)]
        p05, p95 = np.quantile(d, [0.05, 0.95])
        rows += [{"series": series, "kind": kind, "value_pct": float(v)}
                 for kind, v in (("mean", d.mean()), ("p05", p05), ("p95", p95))]
    ref = results.manifest.get("reference_uplift")
    if ref is not None:
        rows.append({"series": "published", "kind": "published", "value_pct": 100 * float(ref)})
    t = pd.DataFrame(rows, columns=DISTRIBUTION_COLUMNS)
    return t.astype({"replications": "Int64"})


def _value(t: pd.DataFrame, series: str, kind: str) -> float | None:
    v = t.loc[(t["series"] == series) & (t["kind"] == kind), "value_pct"]
    return float(v.iloc[0]) if len(v) else None


@_chart
def uplift_distribution(results: Results, *, lang: str = "en") -> Figure:
    """Histograms of the before/after and the causal uplift across replications, each with its mean and
    90% interval; the published figure marked above the before/after one."""
    _ = translator(lang)
    nf = Numbers(lang)
    n = results.replications
    t = uplift_distribution_data(results)
    fig, axes = _figure(TALL, 2, 1, sharex=True)
    title = _("Tax uplift across replications: before/after, and against no campaign")
    panels = ((axes[0], "before_after", WITHOUT, _("Against the same months before (before/after)")),
              (axes[1], "causal", WITH, _("Against no campaign (the campaign's own effect)")))
    bins = t[t["kind"] == "bin"]
    if not len(bins):
        for ax in axes:
            ax.set_ylabel(_("Replications"))
        _x_numbers(axes[1], lang, _("Tax uplift in the evaluation window (%)"), suffix="%")
        _note(axes[0], _("No uplift could be computed (no tax in the window)"))
        return _frame(fig, title, _("No uplift could be computed."), lang)
    ref = _value(t, "published", "published")
    extra = [] if ref is None else [ref]
    lo_x = float(min([bins["bin_start_pct"].min(), *extra]))
    hi_x = float(max([bins["bin_end_pct"].max(), *extra]))
    pad = 0.04 * (hi_x - lo_x) or 0.1
    for ax, series, colour, label in panels:
        ax.set_ylabel(_("Replications"))
        ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True, nbins=5))
        ax.grid(axis="x", visible=False)
        b = bins[bins["series"] == series]
        if not len(b):
            _panel_title(ax, label)
            _note(ax, _("Not computed in this run"))
            continue
        left, right = b["bin_start_pct"].to_numpy(float), b["bin_end_pct"].to_numpy(float)
        counts = b["replications"].to_numpy(float)
        ax.bar(left, counts, width=right - left, align="edge", color=colour, alpha=0.7, edgecolor="white", lw=0.6,
               label=_("replications in each bin"))
        top = max(float(counts.max()), 1.0)  # a series whose values all fall outside the bins draws no bar
        mean, p05, p95 = (_value(t, series, q) for q in ("mean", "p05", "p95"))
        if n > 1:
            a, z = nf.pct(p05 / 100, 1), nf.pct(p95 / 100, 1)
            ax.axvspan(p05, p95, color=colour, alpha=0.12, lw=0,
                       label=(_("90% of replications: {low} to {high}").format(low=a, high=z) if a != z else
                              _("90% of replications: {value}").format(value=a)))
        # the mean stops at the tallest bar: the published figure's marker sits above it, never on it
        ax.vlines(mean, 0, top, color=REFERENCE, lw=2, label=_("mean: {value}").format(value=nf.pct(mean / 100, 1)))
        if series == "before_after" and ref is not None:
            ax.plot([ref], [top * 1.14], marker="v", ms=11, color=REFERENCE, ls="none",
                    label=_("published figure: {value}").format(value=nf.pct(ref / 100, 1)))
        ax.set_ylim(0, top * 1.3)
        _panel_title(ax, label)
        ax.legend(loc="upper left", fontsize=font(9))
    axes[1].set_xlim(lo_x - pad, hi_x + pad)
    _x_numbers(axes[1], lang, _("Tax uplift in the evaluation window (%)"), suffix="%")
    if not _campaign_on(results):
        cap = _("the campaign is disabled, so the uplift against no campaign is zero; the before/after figure is "
                "demand growth and price changes alone.")
    else:
        cap = _("each bar counts the replications ({n} in all) whose uplift falls in its range; the black line is "
                "the mean and the shaded range holds 90% of replications. A before/after comparison (above) also "
                "counts demand growth and price changes, so it is the one to set against the published figure; "
                "only the uplift against no campaign (below) is due to the campaign.").format(
            n=nf.number(n, 0))
    return _frame(fig, title, cap, lang)


# ---- the decomposition (waterfall) -------------------------------------------------------------

_LABEL_BOX = dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85)  # over grid and lines
DECOMPOSITION_KPIS = ("uplift_growth", "uplift_compliance", "uplift_metrology")
TREND, MOVED, COMPLIANCE, METROLOGY, CAMPAIGN = (
    N_("Trend (no campaign)"), N_("Moved onto declaration"), N_("Compliance (sealed totalisers)"),
    N_("Metrology (dispenser accuracy)"), N_("Campaign (sealed totalisers)"))
STEP_KEYS = {TREND: "trend", MOVED: "moved_onto_declaration", COMPLIANCE: "compliance", METROLOGY: "metrology",
             CAMPAIGN: "campaign"}
"""uplift_parts label → the step's name in the chart's table."""
DECOMPOSITION_COLUMNS = ["panel", "item", "start_pct", "change_pct", "end_pct", "change_pct_p05", "change_pct_p95"]


def uplift_parts(kpis: pd.DataFrame) -> dict[str, pd.Series]:
    """The before/after uplift split into parts that add up to it, per replication (label → series).

    The KPIs ``uplift_growth``, ``uplift_compliance`` and ``uplift_metrology`` when the run has them
    (with households moved from a lump sum onto declaration split out of compliance, as
    ``extra_tax_regime_switch`` over tax before, when there are any);
    otherwise an exact two-part split, since tax_with/tax_before − 1 =
    (tax_without/tax_before − 1) + (tax_with − tax_without)/tax_before: demand and prices (what the
    world without the campaign did) and the campaign. The labels are English, marked for the
    catalogue: ``translator(lang)(label)`` gives them in another language.
    """
    k = kpis
    if all(c in k for c in DECOMPOSITION_KPIS):
        parts = {TREND: k["uplift_growth"], COMPLIANCE: k["uplift_compliance"], METROLOGY: k["uplift_metrology"]}
        switch = k["extra_tax_regime_switch"] if "extra_tax_regime_switch" in k else None
        if switch is not None and switch.abs().sum() > 0:
            # households moved from a lump sum onto declaration: split from compliance, on the same base
            moved = switch / k["tax_before"].where(k["tax_before"] > 0)
            parts = {TREND: parts[TREND], MOVED: moved, COMPLIANCE: k["uplift_compliance"] - moved,
                     METROLOGY: k["uplift_metrology"]}
        return parts
    before = k["tax_before"].where(k["tax_before"] > 0)
    return {TREND: k["tax_without"] / before - 1, CAMPAIGN: (k["tax_with"] - k["tax_without"]) / before}


def _row(panel: str, item: str, start: float, values: np.ndarray) -> dict:
    change = float(values.mean())
    p05, p95 = np.quantile(values, [0.05, 0.95])
    return {"panel": panel, "item": item, "start_pct": start, "change_pct": change, "end_pct": start + change,
            "change_pct_p05": float(p05), "change_pct_p95": float(p95)}


def uplift_decomposition_data(results: Results) -> pd.DataFrame:
    """The waterfall and its bridge, in percent, means across the replications where every part is known.

    Panel ``before_after``: each part of the before/after uplift (:func:`uplift_parts`) as a step from
    ``start_pct`` by ``change_pct`` to ``end_pct`` (with the 5th and 95th percentiles of the step across
    replications), then the ``total`` (the steps add up to it) and the ``published`` figure (``end_pct``).
    Panel ``bridge`` (when the campaign is on): the uplift against no campaign (``uplift``), plus the
    ``base_effect``, gives the campaign's part of the before/after (every step but the trend). Replication
    by replication,
    (tax with − tax without) / tax before = uplift × (tax without / tax before) = uplift × (1 + trend),
    so the base effect is uplift × trend: the same extra tax reads as a larger share of the smaller tax
    of the months before.
    """
    k = results.kpis
    rows = []
    if "uplift_before_after" in k:
        parts = uplift_parts(k)
        total = k["uplift_before_after"].to_numpy(float)
        ok = np.isfinite(total) & np.all([np.isfinite(p.to_numpy(float)) for p in parts.values()], axis=0)
        if ok.any():
            level = 0.0
            for label, p in parts.items():
                row = _row("before_after", STEP_KEYS[label], level, 100 * p.to_numpy(float)[ok])
                rows.append(row)
                level = row["end_pct"]
            rows.append(_row("before_after", "total", 0.0, 100 * total[ok]))
            campaign = sum(p.to_numpy(float) for label, p in parts.items() if label != TREND)
            uplift = k["uplift"].to_numpy(float) if "uplift" in k else np.full(len(k), np.nan)
            both = ok & np.isfinite(uplift)
            if both.all() and _campaign_on(results):  # on the waterfall's replications, or none
                causal = _row("bridge", "against_no_campaign", 0.0, 100 * uplift[both])
                base = _row("bridge", "base_effect", causal["end_pct"], 100 * (campaign - uplift)[both])
                rows += [causal, base, _row("bridge", "campaign_part", 0.0, 100 * campaign[both])]
    ref = results.manifest.get("reference_uplift")
    if ref is not None:
        rows.append({"panel": "before_after", "item": "published", "end_pct": 100 * float(ref)})
    return pd.DataFrame(rows, columns=DECOMPOSITION_COLUMNS)


_COLOURS = {"trend": OKABE_ITO["sky_blue"], "moved_onto_declaration": OKABE_ITO["orange"], "compliance": WITH,
            "campaign": WITH, "metrology": OKABE_ITO["reddish_purple"], "total": "#555555",
            "against_no_campaign": OKABE_ITO["bluish_green"], "base_effect": "#9A9A9A", "campaign_part": "#555555"}
_NAMES = {"trend": TREND, "moved_onto_declaration": MOVED, "compliance": COMPLIANCE, "metrology": METROLOGY,
          "campaign": CAMPAIGN, "total": N_("Before/after uplift"),
          "against_no_campaign": N_("Against no campaign"), "base_effect": N_("Base effect"),
          "campaign_part": N_("Campaign's part (before/after)")}


def _wrapped(text: str, width: int) -> str:
    return textwrap.fill(text, width, break_long_words=False)


def _signed(nf: Numbers, x_pct: float) -> str:
    return nf.signed_pct(x_pct / 100, pct_digits(x_pct / 100))


def _plain(nf: Numbers, x_pct: float) -> str:
    return nf.pct(x_pct / 100, pct_digits(x_pct / 100))


def _waterfall(ax, steps: pd.DataFrame, nf: Numbers, n: int, span: float, totals: tuple[str, ...]) -> None:
    """Bars from start to end, each labelled on itself, whiskers over the step's 90% range, dotted links."""
    for i, r in enumerate(steps.itertuples()):
        colour = _COLOURS[r.item]
        ax.bar(i, r.change_pct, bottom=r.start_pct, color=colour, width=0.62, zorder=2)
        if n > 1:
            ax.vlines(i, r.start_pct + r.change_pct_p05, r.start_pct + r.change_pct_p95, color="#333333", lw=1.2,
                      zorder=3)
            ax.hlines([r.start_pct + r.change_pct_p05, r.start_pct + r.change_pct_p95], i - 0.07, i + 0.07,
                      color="#333333", lw=1.2, zorder=3)
        text = _plain(nf, r.change_pct) if r.item in totals else _signed(nf, r.change_pct)
        if abs(r.change_pct) >= 0.09 * span:  # inside the bar, in its middle
            y, va = r.start_pct + r.change_pct / 2, "center"
        elif r.change_pct >= 0:  # a sliver: just above its top (below its bottom when it falls)
            y, va = r.end_pct + 0.015 * span, "bottom"
        else:
            y, va = r.end_pct - 0.015 * span, "top"
        ax.text(i, y, text, ha="center", va=va, fontsize=font(11), fontweight="bold", zorder=5, bbox=_LABEL_BOX)
        if i + 1 < len(steps) and steps.iloc[i + 1]["item"] not in totals:
            ax.plot([i + 0.31, i + 0.69], [r.end_pct] * 2, color="#888888", lw=1, ls=":", zorder=1)
    ax.axhline(0, color="#888888", lw=0.8)
    ax.grid(axis="x", visible=False)


@_chart
def uplift_decomposition(results: Results, *, lang: str = "en") -> Figure:
    """Waterfall of the before/after uplift (trend, then the campaign's parts), the published figure as a
    marker beside the total, and a bridge from the uplift against no campaign to the campaign's part."""
    _ = translator(lang)
    nf = Numbers(lang)
    n = results.replications
    t = uplift_decomposition_data(results)
    steps = t[(t["panel"] == "before_after") & (t["item"] != "published")].reset_index(drop=True)
    bridge = t[t["panel"] == "bridge"].reset_index(drop=True)
    pub = t.loc[t["item"] == "published", "end_pct"]
    ref = float(pub.iloc[0]) if len(pub) else None
    title = _("What the before/after tax uplift is made of")
    printed = current_size().name != "screen"
    ratios = (3.2, 1.8) if printed else (3.2, 1.5)  # a narrow page: the bridge's three labels need the room
    if len(bridge):
        fig, (ax, bx) = _figure(WIDE, 1, 2, sharey=True, width_ratios=list(ratios))
    else:
        fig, ax = _figure(WIDE)
        bx = None
    width = float(fig.get_size_inches()[0])
    share = ratios[0] / sum(ratios) if len(bridge) else 1.0

    def ticks(names, chars: int, inches: float) -> list[str]:
        # on screen by characters (as always); on a narrow page measured, so that neighbours never touch
        if not printed:
            return [_wrapped(_(_NAMES[i]), chars) for i in names]
        return [_wrap_text(_(_NAMES[i]), 0.9 * 72 * inches / max(len(names), 1), font(10)) for i in names]

    _y_numbers(ax, lang, _("Uplift against the same months before (%)"), suffix="%")
    ax.set_xlabel(_("Cause (mean across replications)"))
    _panel_title(ax, _("The before/after uplift, cause by cause"), share)
    if not len(steps):
        _note(ax, _("No before window inside the horizon: the before/after uplift cannot be split"))
        ax.set_xticks([])
        return _frame(fig, title, _("The scenario's horizon holds no full window before the campaign."), lang)

    ends = np.concatenate([steps[["start_pct", "end_pct"]].to_numpy(float).ravel(), [ref or 0.0, 0.0]])
    span = max(float(ends.max() - min(ends.min(), 0.0)), 1e-9)
    _waterfall(ax, steps, nf, n, span, ("total",))
    j = len(steps) - 1
    ax.set_xticks(range(len(steps)), ticks(steps["item"], 14, share * width - 0.9))
    ax.set_xlim(-0.6, j + 0.6)
    if ref is not None:
        # beside the total bar, not across the chart: a line there hid the bar tops and their labels
        ax.plot([j + 0.31, j + 0.45], [ref, ref], color=REFERENCE, lw=1.5, zorder=4)
        ax.plot([j + 0.45], [ref], marker="D", ms=8, color=REFERENCE, ls="none", zorder=4,
                label=_("published figure: {value}").format(value=nf.pct(ref / 100, 1)))
        ax.set_xlim(-0.6, j + 0.75)
        ax.legend(loc="upper left")
    lo_y = min(0.0, float(ends.min()))
    ax.set_ylim(lo_y - 0.04 * span, float(ends.max()) + 0.16 * span)
    if n > 1:
        whisk = t[["start_pct", "change_pct_p05", "change_pct_p95"]].dropna()
        reach = np.concatenate([whisk["start_pct"] + whisk["change_pct_p05"], whisk["start_pct"]
                                + whisk["change_pct_p95"]])
        if reach.size:
            ax.set_ylim(min(ax.get_ylim()[0], float(reach.min()) - 0.04 * span),
                        max(ax.get_ylim()[1], float(reach.max()) + 0.08 * span))

    total = float(steps.loc[steps["item"] == "total", "change_pct"].iloc[0])
    cap = _("left, each bar is the part of the {total} rise in tax against the same months before that is due to "
            "one cause (means across replications); the parts add up to the grey total.").format(
        total=_plain(nf, total))
    if n > 1:
        cap += " " + _("Whiskers: 90% of replications.")
    if ref is not None:
        cap += " " + _("The black diamond is the published figure.")
    if bx is not None:
        _waterfall(bx, bridge, nf, n, span, ("against_no_campaign", "campaign_part"))
        bx_in = (1 - share) * width - 0.2
        bx.set_xticks(range(len(bridge)), ticks(bridge["item"], 12, bx_in), fontsize=font(9.5))
        bx.set_xlim(-0.6, len(bridge) - 0.4)
        label = _("Bridge (mean across replications)")
        bx.set_xlabel(_wrap_text(label, 72 * bx_in, font(11)) if printed else label)
        _panel_title(bx, _("Two measures of the campaign"), 1 - share, 0.2)
        u, b, c = (float(bridge.loc[bridge["item"] == i, "change_pct"].iloc[0])
                   for i in ("against_no_campaign", "base_effect", "campaign_part"))
        cap += " " + _("Right: the campaign's part, {campaign}, is the uplift against no campaign, {uplift}, "
                       "measured on the smaller tax of the months before: per replication it is the uplift × (1 + "
                       "trend), so {uplift} {op} {base} = {campaign}, the base effect being the uplift × the "
                       "trend.").format(campaign=_plain(nf, c), uplift=_plain(nf, u), op="+" if b >= 0 else "−",
                                        base=_plain(nf, abs(b)))
    return _frame(fig, title, cap, lang)
