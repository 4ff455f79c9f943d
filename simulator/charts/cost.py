"""Cost against benefit: cumulative campaign cost and extra tax, and the month they break even."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..kpis import break_even_index
from .data import Results, _campaign_on, _campaign_start, _horizon, _num, _wide
from .figure import _band_line, _chart, _date_axis, _figure, _frame, _note, _reps_note, _y_numbers
from .numbers import _day, _month, _scale
from .style import COST, EXTRA, OKABE_ITO, REFERENCE


def _cumulative(results: Results) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray, np.ndarray]:
    """From the campaign month on: the months, x (campaign start, then each month's end), and cumulative
    cost and extra tax (points × replications, starting at 0)."""
    start = _campaign_start(results)
    cost, w, wo = _wide(results, "with", "cost"), _wide(results, "with", "tax"), _wide(results, "without", "tax")
    rows = np.asarray(w.index >= pd.Timestamp(start.year, start.month, 1))
    months = pd.DatetimeIndex(w.index)[rows]
    _, end = _horizon(results)
    ends = months + pd.offsets.MonthBegin(1)
    ends = ends.where(ends <= end + pd.Timedelta(days=1), end + pd.Timedelta(days=1))
    x = np.concatenate([_num(start), _num(ends)])
    zero = np.zeros((1, w.shape[1]))
    cum_cost = np.vstack([zero, np.cumsum(cost.to_numpy(float)[rows], axis=0)])
    cum_extra = np.vstack([zero, np.cumsum((w - wo).to_numpy(float)[rows], axis=0)])
    return months, x, cum_cost, cum_extra


def break_even(results: Results) -> pd.Timestamp | None:
    """The month (its first day) by whose end the mean cumulative extra tax covers the mean cumulative
    cost for good (:func:`simulator.kpis.break_even_index`), counted from the campaign month; None when
    it never does or nothing was spent."""
    if not _campaign_on(results):
        return None
    months, _, cum_cost, cum_extra = _cumulative(results)
    i = break_even_index(cum_extra.mean(axis=1), cum_cost.mean(axis=1))
    return None if i is None else months[i - 1]


@_chart
def cost_benefit(results: Results, *, number_style: str = "en") -> Figure:
    """Cumulative campaign cost against cumulative extra tax from the campaign month on, break-even marked."""
    style = number_style
    fig, ax = _figure()
    n = results.replications
    title = "Cost against benefit over time"
    _date_axis(ax, style, "Month")
    start = _campaign_start(results)
    months, x, cum_cost, cum_extra = _cumulative(results)
    div, unit = _scale(np.concatenate([cum_cost.ravel(), cum_extra.ravel()]), "VND")
    _y_numbers(ax, style, f"Cumulative amount ({unit})", div)
    if not _campaign_on(results) or not np.any(cum_cost[-1] > 0):
        s0, s1 = _horizon(results)
        ax.set_xlim(_num(s0)[0], _num(s1 + pd.Timedelta(days=1))[0])
        why = "Campaign disabled: no cost and no extra tax" if not _campaign_on(results) else \
            "No campaign cost recorded in this run"
        _note(ax, why)
        return _frame(fig, title, why + ".")
    extra = _band_line(ax, x, cum_extra, EXTRA, "extra tax (with − without), cumulative", n, centre="mean")
    _band_line(ax, x, cum_cost, COST, "campaign cost, cumulative", n, marker="s", centre="mean")
    ax.axvline(x[0], color=REFERENCE, lw=1, ls="--", label=f"campaign starts {_day(start, style)}")
    i = break_even_index(cum_extra.mean(axis=1), cum_cost.mean(axis=1))
    if i is not None:
        month = _month(months[i - 1], style)  # point i is the end of month i - 1 (point 0 is the start)
        ax.axvline(x[i], color=OKABE_ITO["bluish_green"], lw=2, ls=":", label=f"break-even by the end of {month}")
        ax.plot([x[i]], [extra[i]], "o", ms=9, mfc="none", mec=REFERENCE, mew=1.5)
        verdict = f"the mean extra tax covers the mean cost for good by the end of {month}"
    else:
        ax.plot([], [], " ", label="no break-even within the horizon")
        verdict = "the mean extra tax does not cover the mean cost for good within the horizon"
    ax.set_xlim(x[0] - 5, x[-1] + 5)
    # ticks at month ends, named after the month they close, so "Feb" is read as "by the end of February"
    step = max(1, math.ceil(len(months) / 12))
    fmt = {"en": "%b", "vi": "%m"}[style]
    names = [m.strftime(fmt + ("\n%Y" if i == 0 or m.month == 1 else "")) for i, m in enumerate(months)]
    ax.set_xticks(x[1:][::step], names[::step])
    ax.set_xlabel("End of month")
    ax.set_ylim(bottom=min(0.0, float(np.nanmin(cum_extra)) * 1.1))
    ax.legend(loc="upper left")
    cap = (f"Read: once the green extra-tax line is above the cost line the campaign has paid for itself; "
           f"{verdict} ({_reps_note(n, 'mean')}).")
    return _frame(fig, title, cap)
