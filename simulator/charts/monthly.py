"""Month by month, with and without the campaign: tax collected, and fuel sold and declared."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .data import Results, _campaign_on, _mid_month, _same, _wide
from .figure import (
    _band_line,
    _campaign_line,
    _chart,
    _date_axis,
    _figure,
    _frame,
    _note,
    _reps_note,
    _y_numbers,
    _zero_axis,
)
from .numbers import _money, _scale
from .style import EXTRA, TALL, TRUE, WITH, WITHOUT


@_chart
def monthly_tax(results: Results, *, number_style: str = "en") -> Figure:
    """Monthly tax with and without the campaign (median, 90% band), and the monthly difference."""
    style = number_style
    fig, (ax, bx) = _figure(TALL, 2, 1, sharex=True, height_ratios=[2, 1])
    n = results.replications
    w, wo = _wide(results, "with", "tax"), _wide(results, "without", "tax")
    months = pd.DatetimeIndex(w.index)
    x = _mid_month(months)
    div, unit = _scale(np.concatenate([w.to_numpy(float).ravel(), [0.0]]), "VND")
    # before the campaign both worlds are the same: one band there, not two blended into a third colour
    _band_line(ax, x, wo, WITHOUT, "without the campaign", n)
    _band_line(ax, x, w, WITH, "with the campaign", n, hide=_same(w, wo))
    _campaign_line(ax, results, style)
    _y_numbers(ax, style, f"Tax per month ({unit})", div)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", ncols=3)
    ax.set_title(f"Tax collected per month ({_reps_note(n)})", loc="left", fontsize=11)
    diff = w - wo
    d_div, d_unit = _scale(np.concatenate([diff.to_numpy(float).ravel(), [0.0]]), "VND")
    mid = _band_line(bx, x, diff, EXTRA, "extra tax (with − without)", n)
    _campaign_line(bx, results, style, label=False)
    bx.axhline(0, color="#888888", lw=0.8)
    _y_numbers(bx, style, f"Extra tax ({d_unit})", d_div)
    bx.set_title("Extra tax per month: with minus without the campaign", loc="left", fontsize=11)
    _date_axis(bx, style, "Month")
    _zero_axis(bx, "y", diff)
    best = float(np.nanmax(mid)) if np.isfinite(mid).any() else 0.0
    if not _campaign_on(results):
        _note(bx, "Campaign disabled: both worlds are the same")
        cap = "Read: the campaign is disabled, so tax is the same with and without it."
    elif best <= 0:
        _note(bx, "No dispensers sealed: no extra tax")
        cap = "Read: no dispenser was sealed within the horizon, so tax is the same with and without the campaign."
    else:
        cap = ("Read: the gap between the blue and orange lines is the tax the campaign adds; the lower panel shows "
               f"it directly, up to about {_money(best, style)} a month (median).")
    return _frame(fig, "Monthly tax with and without the campaign", cap)


@_chart
def monthly_sales(results: Results, *, number_style: str = "en") -> Figure:
    """Monthly true and declared litres (median, 90% band), and the litres left undeclared in each arm."""
    style = number_style
    fig, (ax, bx) = _figure(TALL, 2, 1, sharex=True, height_ratios=[2, 1])
    n = results.replications
    true = _wide(results, "with", "true_litres")
    dw, dwo = _wide(results, "with", "declared_litres"), _wide(results, "without", "declared_litres")
    x = _mid_month(pd.DatetimeIndex(true.index))
    div, unit = _scale(np.concatenate([true.to_numpy(float).ravel(), [0.0]]), "litres")
    # medians only: three overlapping bands would blend into colours that mean nothing; the lower panel has them
    _band_line(ax, x, true, TRUE, "true sales", n, marker=None, ls=":", band=False)
    _band_line(ax, x, dwo, WITHOUT, "declared, without the campaign", n, band=False)
    _band_line(ax, x, dw, WITH, "declared, with the campaign", n, band=False)
    _campaign_line(ax, results, style)
    _y_numbers(ax, style, f"Litres per month ({unit})", div)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", ncols=2)
    ax.set_title(f"Fuel sold and declared per month (median of {n} replication{'s' if n > 1 else ''})", loc="left",
                 fontsize=11)
    uw, uwo = true - dw, true - dwo
    u_div, u_unit = _scale(np.concatenate([uwo.to_numpy(float).ravel(), [0.0]]), "litres")
    _band_line(bx, x, uwo, WITHOUT, "without the campaign", n)
    _band_line(bx, x, uw, WITH, "with the campaign", n, hide=_same(uw, uwo))
    _campaign_line(bx, results, style, label=False)
    _y_numbers(bx, style, f"Undeclared ({u_unit})", u_div)
    bx.set_ylim(bottom=0)
    bx.set_title(f"Litres sold but not declared (true − declared; {_reps_note(n)})", loc="left", fontsize=11)
    _date_axis(bx, style, "Month")
    cap = ("Read: before sealing, stations declare less than they sell; once their totalisers are sealed the blue "
           "declared line rises to the true sales and the undeclared litres fall towards zero.")
    return _frame(fig, "Monthly fuel sales: true and declared", cap)
