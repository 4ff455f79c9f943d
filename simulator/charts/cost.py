"""Cost against benefit: cumulative campaign cost and extra tax, and the month they break even."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..i18n import translator
from ..kpis import break_even_index
from ..numbers import Numbers
from .data import Results, _campaign_on, _campaign_start, _horizon, _month_end, _num, _wide
from .figure import _band_line, _campaign_line, _chart, _figure, _frame, _month_axis, _note, _reps_note, _y_numbers
from .numbers import _scale
from .style import COST, EXTRA, OKABE_ITO, REFERENCE

COST_COLUMNS = ["month", "cumulative_cost_vnd_mean", "cumulative_cost_vnd_p05", "cumulative_cost_vnd_p95",
                "cumulative_extra_tax_vnd_mean", "cumulative_extra_tax_vnd_p05", "cumulative_extra_tax_vnd_p95",
                "break_even"]


def _cumulative(results: Results) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """From the campaign month on: the months, and cumulative cost and extra tax by each month's end
    (months × replications)."""
    start = _campaign_start(results)
    cost, w, wo = _wide(results, "with", "cost"), _wide(results, "with", "tax"), _wide(results, "without", "tax")
    rows = np.asarray(w.index >= pd.Timestamp(start.year, start.month, 1))
    months = pd.DatetimeIndex(w.index)[rows]
    cum_cost = np.cumsum(cost.to_numpy(float)[rows], axis=0)
    cum_extra = np.cumsum((w - wo).to_numpy(float)[rows], axis=0)
    return months, cum_cost, cum_extra


def break_even(results: Results) -> pd.Timestamp | None:
    """The month (its first day) by whose end the mean cumulative extra tax covers the mean cumulative
    cost for good (:func:`simulator.kpis.break_even_index`), counted from the campaign month; None when
    it never does or nothing was spent."""
    if not _campaign_on(results):
        return None
    months, cum_cost, cum_extra = _cumulative(results)
    if not len(months):
        return None
    i = break_even_index(np.concatenate([[0.0], cum_extra.mean(axis=1)]),
                         np.concatenate([[0.0], cum_cost.mean(axis=1)]))
    return None if i is None or i == 0 else months[i - 1]


def cost_benefit_data(results: Results) -> pd.DataFrame:
    """Per month from the campaign's first: cumulative campaign cost and cumulative extra tax (with −
    without) by the month's end (VND), each as the mean and the 5th and 95th percentiles across
    replications, and ``break_even``: true in the month the mean extra tax covers the mean cost for good
    (:func:`break_even`). Empty when the campaign is disabled."""
    if not _campaign_on(results):
        return pd.DataFrame(columns=COST_COLUMNS)
    months, cum_cost, cum_extra = _cumulative(results)
    out = {"month": months.date}
    for name, a in (("cumulative_cost_vnd", cum_cost), ("cumulative_extra_tax_vnd", cum_extra)):
        out[f"{name}_mean"] = a.mean(axis=1) if a.size else np.zeros(len(months))
        lo, hi = (np.quantile(a, q, axis=1) if a.size else np.zeros(len(months)) for q in (0.05, 0.95))
        out[f"{name}_p05"], out[f"{name}_p95"] = lo, hi
    month = break_even(results)
    out["break_even"] = [month is not None and pd.Timestamp(m) == month for m in months]
    return pd.DataFrame(out, columns=COST_COLUMNS)


@_chart
def cost_benefit(results: Results, *, lang: str = "en") -> Figure:
    """Cumulative campaign cost against cumulative extra tax from the campaign month on (means, 90% bands),
    the break-even month marked."""
    _ = translator(lang)
    nf = Numbers(lang)
    fig, ax = _figure()
    n = results.replications
    title = _("Cost against benefit: cumulative campaign cost and extra tax")
    t = cost_benefit_data(results)
    vals = t.drop(columns=["month", "break_even"]).to_numpy(float).ravel()
    div, unit = _scale(np.concatenate([vals, [0.0]]), "VND", lang)
    _y_numbers(ax, lang, _("Cumulative amount ({unit})").format(unit=unit), div)
    if not len(t) or not np.any(t["cumulative_cost_vnd_p95"].to_numpy(float) > 0):
        s0, s1 = _horizon(results)
        ax.set_xlim(_num(s0)[0], _num(s1 + pd.Timedelta(days=1))[0])
        _month_axis(ax, lang, _("Month"), 12 * (s1.year - s0.year) + s1.month - s0.month + 1)
        why = _("Campaign disabled: no cost and no extra tax") if not _campaign_on(results) else \
            _("No campaign cost recorded in this run")
        ax.set_yticks([])  # nothing to measure
        _note(ax, why)
        return _frame(fig, title, why + ".", lang)
    months = pd.DatetimeIndex(t["month"])
    # a total to the end of a month sits at the month's end (the horizon's end, in a last month cut short)
    x = np.minimum(_month_end(months), _num(_horizon(results)[1] + pd.Timedelta(days=1))[0])
    _band_line(ax, x, t["cumulative_extra_tax_vnd_p05"], t["cumulative_extra_tax_vnd_mean"],
               t["cumulative_extra_tax_vnd_p95"], EXTRA, _("extra tax (with − without), cumulative, mean"), n,
               band_label=_("extra tax: 90% of replications") if n > 1 else None)
    # the cost varies little between replications: its band is thin, so it is drawn stronger, with its own entry
    _band_line(ax, x, t["cumulative_cost_vnd_p05"], t["cumulative_cost_vnd_mean"], t["cumulative_cost_vnd_p95"],
               COST, _("campaign cost, cumulative, mean"), n, marker="s", edges=True,
               band_label=_("campaign cost: 90% of replications") if n > 1 else None)
    _campaign_line(ax, results, lang)
    hit = np.flatnonzero(t["break_even"].to_numpy(bool))
    if hit.size:
        i = int(hit[0])
        month = nf.month(months[i])
        edges = _num(pd.DatetimeIndex([months[i], months[i] + pd.offsets.MonthBegin(1)]))
        ax.axvspan(edges[0], edges[1], color=OKABE_ITO["yellow"], alpha=0.3, lw=0, zorder=0,
                   label=_("pays for itself in {month} (means)").format(month=month))
        ax.plot([x[i]], [t["cumulative_extra_tax_vnd_mean"].iloc[i]], "o", ms=11, mfc="none", mec=REFERENCE,
                mew=1.5, zorder=5)
        verdict = _("the mean extra tax covers the mean cost for good by the end of {month}").format(month=month)
    else:
        ax.plot([], [], " ", label=_("no break-even within the horizon"))
        verdict = _("the mean extra tax does not cover the mean cost for good within the horizon")
    k = results.kpis
    spread = ""
    if n > 1 and "payback_months" in k:
        p = k["payback_months"].to_numpy(float)
        if np.isfinite(p).all():
            lo, hi = np.quantile(p, [0.05, 0.95])
            spread = " " + (_("In 90% of replications it pays for itself within {low} to {high} months.").format(
                low=nf.number(lo, 0), high=nf.number(hi, 0)) if round(lo) != round(hi) else
                _("In 90% of replications it pays for itself within {months} months.").format(
                    months=nf.number(lo, 0)))
        elif np.isfinite(p).any():
            spread = " " + _("In {share} of replications it pays for itself within the horizon.").format(
                share=nf.pct(float(np.isfinite(p).mean()), 0))
    end = _horizon(results)[1]
    ax.set_xlim(_num(months[0])[0] - 3, _num(min(months[-1] + pd.offsets.MonthBegin(1),
                                                 end + pd.Timedelta(days=1)))[0] + 3)
    _month_axis(ax, lang, _("Month"), len(months))
    ax.set_ylim(bottom=min(0.0, float(np.nanmin(t["cumulative_extra_tax_vnd_p05"])) * 1.1))
    ax.legend(loc="upper left")
    cap = (_("each point is the total from the campaign's first month to the end of that month; once the green "
             "extra-tax line is above the cost line the campaign has paid for itself: {verdict}").format(
        verdict=verdict) + " (" + _reps_note(n, lang, "mean") + ")." + spread)
    if n > 1:
        lo, hi = (float(t[f"cumulative_cost_vnd_{q}"].iloc[-1]) for q in ("p05", "p95"))
        a, z = nf.vnd(lo), nf.vnd(hi)
        if a != z:
            cap += " " + _("The cost varies little between replications, so its band is thin: {low} to {high} in "
                           "all by the end of {month}.").format(low=a, high=z, month=nf.month(months[-1]))
    return _frame(fig, title, cap, lang)
