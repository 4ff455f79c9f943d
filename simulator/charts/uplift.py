"""The tax uplift: its spread across replications, and what it is made of."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from .data import Results, _campaign_on
from .figure import _chart, _figure, _frame, _note, _x_numbers, _y_numbers
from .numbers import _signed_percent, format_number, format_percent
from .style import OKABE_ITO, REFERENCE, WITH, WITHOUT


@_chart
def uplift_distribution(results: Results, *, number_style: str = "en") -> Figure:
    """Histograms of the causal and the before/after uplift across replications, published figure marked."""
    style = number_style
    fig, ax = _figure()
    k = results.kpis
    n = results.replications
    series = [("uplift", "against no campaign (causal)", WITH),
              ("uplift_before_after", "against the months before (before/after)", WITHOUT)]
    data = {key: k[key].to_numpy(float)[np.isfinite(k[key].to_numpy(float))] if key in k else np.zeros(0)
            for key, _, _ in series}
    ref = results.manifest.get("reference_uplift")
    allv = np.concatenate([d for d in data.values()] + ([np.array([ref])] if ref is not None else []))
    _x_numbers(ax, style, "Tax uplift in the evaluation window (%)", 0.01, "%")
    ax.set_ylabel("Replications")
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    if allv.size == 0:
        _note(ax, "No uplift could be computed (no tax in the window)")
        return _frame(fig, "Tax uplift across replications", "No uplift could be computed.")
    lo, hi = float(allv.min()), float(allv.max())
    # one bin width for both, fitted to the narrower distribution (Freedman–Diaconis), so neither is
    # squeezed into two or three bars; bounded so that a wide spread still gets at most 80 bins
    fd = [2 * float(np.subtract(*np.quantile(d, [0.75, 0.25]))) / d.size ** (1 / 3)
          for d in data.values() if d.size > 3]
    fd = [w for w in fd if w > 0]
    width = max(min(fd) if fd else 0.0025, (hi - lo) / 80, 0.0005)
    pad = max(width, 0.05 * (hi - lo))
    edges = np.arange(lo - pad, hi + pad + width, width)
    for key, label, colour in series:
        d = data[key]
        if not d.size:
            continue
        ax.hist(d, bins=edges, color=colour, alpha=0.55, edgecolor=colour, lw=0.8,
                label=f"{label}: mean {format_percent(d.mean(), 1, style)}")
        ax.axvline(d.mean(), color=colour, lw=2)
    if ref is not None:
        ax.axvline(ref, color=REFERENCE, lw=2, ls="--", label=f"published figure: {format_percent(ref, 1, style)}")
    ax.set_xlim(edges[0], edges[-1])
    ax.grid(axis="x", visible=False)
    # above the plot, not on it: where the bars are depends on the run
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=2, borderaxespad=0)
    if not _campaign_on(results):
        cap = ("Read: the campaign is disabled, so the causal uplift is zero; the before/after figure is demand "
               "growth and price changes alone.")
    else:
        cap = ("Read: a before/after comparison (orange) also counts demand growth and price changes; only the "
               f"blue uplift is due to the campaign. Bars count replications ({format_number(n, 0, style)} in "
               "all); solid lines are the means.")
    return _frame(fig, "Tax uplift across replications", cap)


_LABEL_BOX = dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85)  # over grid and lines
DECOMPOSITION_KPIS = ("uplift_growth", "uplift_compliance", "uplift_metrology")


def uplift_parts(kpis: pd.DataFrame) -> dict[str, pd.Series]:
    """The before/after uplift split into parts that add up to it, per replication (label → series).

    The KPIs ``uplift_growth``, ``uplift_compliance`` and ``uplift_metrology`` when the run has them
    (with households moved from a lump sum onto declaration split out of compliance, as
    ``extra_tax_regime_switch`` over tax before, when there are any);
    otherwise an exact two-part split, since tax_with/tax_before − 1 =
    (tax_without/tax_before − 1) + (tax_with − tax_without)/tax_before: demand and prices (what the
    world without the campaign did) and the campaign.
    """
    k = kpis
    if all(c in k for c in DECOMPOSITION_KPIS):
        parts = {"Trend (no campaign)": k["uplift_growth"], "Compliance (sealed totalisers)": k["uplift_compliance"],
                 "Metrology (dispenser accuracy)": k["uplift_metrology"]}
        switch = k["extra_tax_regime_switch"] if "extra_tax_regime_switch" in k else None
        if switch is not None and switch.abs().sum() > 0:
            # households moved from a lump sum onto declaration: split from compliance, on the same base
            moved = switch / k["tax_before"].where(k["tax_before"] > 0)
            parts = {"Trend (no campaign)": parts["Trend (no campaign)"], "Moved onto declaration": moved,
                     "Compliance (sealed totalisers)": k["uplift_compliance"] - moved,
                     "Metrology (dispenser accuracy)": k["uplift_metrology"]}
        return parts
    before = k["tax_before"].where(k["tax_before"] > 0)
    return {"Trend (no campaign)": k["tax_without"] / before - 1,
            "Campaign (sealed totalisers)": (k["tax_with"] - k["tax_without"]) / before}


@_chart
def uplift_decomposition(results: Results, *, number_style: str = "en") -> Figure:
    """Waterfall of the before/after uplift: demand & prices, then the campaign (or compliance and metrology)."""
    style = number_style
    fig, ax = _figure()
    k = results.kpis
    title = "What the before/after uplift is made of"
    _y_numbers(ax, style, "Tax uplift against the months before (%)", 0.01, "%")
    ax.set_xlabel("Component (mean across replications)")
    colours = {"Trend": OKABE_ITO["sky_blue"], "Moved": OKABE_ITO["orange"], "Compliance": WITH, "Campaign": WITH,
               "Metrology": OKABE_ITO["reddish_purple"]}
    parts = [(label.replace(" (", "\n(").replace(" onto ", "\nonto "), p, colours[label.split()[0]])
             for label, p in uplift_parts(k).items()]
    total = k["uplift_before_after"].to_numpy(float)
    ok = np.isfinite(total) & np.all([np.isfinite(p.to_numpy(float)) for _, p, _ in parts], axis=0)
    if not ok.any():
        _note(ax, "No before window inside the horizon: the before/after uplift cannot be split")
        ax.set_xticks([])
        return _frame(fig, title, "The scenario's horizon holds no full window before the campaign.")
    n = int(ok.sum())
    level = 0.0
    labels = []
    means = np.array([p.to_numpy(float)[ok].mean() for _, p, _ in parts])
    span = max(float(np.abs(np.concatenate([np.cumsum(means), [total[ok].mean()]])).max()), 1e-9)
    for i, (label, p, colour) in enumerate(parts):
        vals = p.to_numpy(float)[ok]
        m = float(vals.mean())
        ax.bar(i, m, bottom=level, color=colour, width=0.62)
        if n > 1:
            q05, q95 = np.quantile(vals, [0.05, 0.95])
            ax.errorbar(i, level + m, yerr=[[m - q05], [q95 - m]], color="#333333", capsize=5, lw=1.2)
        # a sliver of a bar gets its label just above it, clear of the bar's neighbours and the published line
        small = abs(m) < 0.08 * span
        ax.text(i + 0.33, max(level, level + m) + 0.025 * span if small else level + m / 2,
                _signed_percent(m, style), va="bottom" if small else "center",
                ha="left", fontsize=11, fontweight="bold", zorder=5, bbox=_LABEL_BOX)
        if i < len(parts):
            ax.plot([i + 0.31, i + 0.69], [level + m] * 2, color="#888888", lw=1, ls=":")
        level += m
        labels.append(label)
    tot = float(total[ok].mean())
    j = len(parts)
    ax.bar(j, tot, color="#555555", width=0.62)
    if n > 1:
        q05, q95 = np.quantile(total[ok], [0.05, 0.95])
        ax.errorbar(j, tot, yerr=[[tot - q05], [q95 - tot]], color="#333333", capsize=5, lw=1.2)
    ax.text(j + 0.33, tot / 2, format_percent(tot, 1, style), va="center", ha="left", fontsize=11,
            fontweight="bold", zorder=5, bbox=_LABEL_BOX)
    labels.append("Before/after\nuplift")
    ref = results.manifest.get("reference_uplift")
    if ref is not None:
        ax.axhline(ref, color=REFERENCE, ls="--", lw=1.5, label=f"published figure: {format_percent(ref, 1, style)}")
        ax.legend(loc="upper left")
    ax.axhline(0, color="#888888", lw=0.8)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlim(-0.6, j + 0.9)
    ax.grid(axis="x", visible=False)
    lo_y, hi_y = ax.get_ylim()
    ax.set_ylim(min(lo_y, 0), hi_y * 1.12)
    whiskers = " Whiskers: 90% of replications." if n > 1 else ""
    cap = (f"Read: of the {format_percent(tot, 1, style)} rise in tax on the months before, each bar is the part due "
           f"to one cause; the parts add up to the grey total.{whiskers}")
    return _frame(fig, title, cap)
