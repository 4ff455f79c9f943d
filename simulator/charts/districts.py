"""District by district: where the extra tax comes from, and how many dispensers were sealed."""

from __future__ import annotations

import numpy as np
from matplotlib import ticker
from matplotlib.figure import Figure

from .data import Results, _campaign_on, _district_order
from .figure import _chart, _figure, _frame, _note, _x_numbers, _zero_axis
from .numbers import _scale, format_number
from .style import EXTRA, MUTED, WIDE, WITH

MAX_DISTRICT_ROWS = 24  # district breakdown: rows shown; the rest become one "average of the others" row


@_chart
def district_breakdown(results: Results, *, number_style: str = "en") -> Figure:
    """Per district: extra tax in the evaluation window (VND) and dispensers sealed out of all."""
    style = number_style
    d = results.districts
    n = results.replications
    names = _district_order(results)
    other = ""
    if len(names) > MAX_DISTRICT_ROWS:
        # many districts (a national run has 63 provinces): the largest by median extra tax, then the
        # average of the rest, taken replication by replication so that its quantiles are honest too
        # (their sum would dwarf every other bar)
        med = d.groupby("district")["extra_tax"].median().sort_values(ascending=False)
        keep = list(med.index[:MAX_DISTRICT_ROWS - 1])
        other = f"average of {len(names) - len(keep)} others"
        d = d.assign(district=d["district"].where(d["district"].isin(keep), other))
        d = d.groupby(["replication", "district"], as_index=False)[["extra_tax", "pumps", "pumps_sealed"]].mean()
        names = [*keep, other]
    fig, (ax, bx) = _figure((WIDE[0], max(5.8, 1.9 + 0.3 * len(names))), 1, 2, sharey=True)
    title = "By district: extra tax and dispensers sealed"
    if not len(d):
        _note(ax, "No districts in this run")
        return _frame(fig, title, "No districts in this run.")
    g = d.groupby("district", sort=False)
    # describe() gives the 5%, 50% and 95% columns in one pass per table column
    q = {c: g[c].describe(percentiles=[0.05, 0.5, 0.95]).reindex(names).rename(columns={"5%": 0.05, "50%": 0.5,
                                                                                          "95%": 0.95})
         for c in ("extra_tax", "pumps", "pumps_sealed")}
    y = np.arange(len(names))
    div, unit = _scale(np.concatenate([q["extra_tax"].to_numpy(float).ravel(), [0.0]]), "VND")
    e = q["extra_tax"]
    ax.barh(y, e[0.5], color=EXTRA, height=0.6, label="median")
    if n > 1:
        ax.errorbar(e[0.5], y, xerr=[e[0.5] - e[0.05], e[0.95] - e[0.5]], fmt="none", color="#333333", capsize=3,
                    lw=1)
    ax.axvline(0, color="#888888", lw=0.8)
    _x_numbers(ax, style, f"Extra tax in the evaluation window ({unit})", div)
    ax.set_title("Extra tax (with − without)", loc="left", fontsize=11)
    ax.set_yticks(y, names)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.set_ylabel("District")
    bx.barh(y, q["pumps"][0.5], color=MUTED, height=0.6, label="all dispensers")
    bx.barh(y, q["pumps_sealed"][0.5], color=WITH, height=0.36, label="sealed")
    for yi, (p, s) in enumerate(zip(q["pumps"][0.5], q["pumps_sealed"][0.5], strict=True)):
        bx.text(p, yi, " " + format_number(s, 0, style) + " / " + format_number(p, 0, style), va="center",
                fontsize=9)
    bx.set_xlim(0, float(np.nanmax(q["pumps"][0.5].to_numpy(float))) * 1.3 + 1)
    _x_numbers(bx, style, "Dispensers (count, median)")
    bx.set_title("Dispensers sealed (blue) / all (grey)", loc="left", fontsize=11)
    bx.xaxis.set_major_locator(ticker.MaxNLocator(nbins=5, integer=True))
    bx.grid(axis="y", visible=False)
    _zero_axis(ax, "x", d["extra_tax"])
    if not _campaign_on(results):
        _note(ax, "Campaign disabled:\nno extra tax")  # the grey bars on the right already say 0 sealed
    whiskers = "; whiskers: 90% of replications" if n > 1 else ""
    cap = (f"Read: which districts bring the extra tax, and whether all their dispensers were sealed "
           f"(medians of {n} replication{'s' if n != 1 else ''}{whiskers}; sums over the evaluation window"
           + (f"; the {MAX_DISTRICT_ROWS - 1} largest by extra tax, then the {other})." if other else ")."))
    return _frame(fig, title, cap)
