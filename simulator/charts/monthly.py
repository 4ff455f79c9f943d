"""Month by month, with and without the campaign: the extra tax, tax collected, and fuel sold and declared."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..i18n import translator
from .data import Results, _bands, _campaign_on, _mid_month, _same, _wide
from .figure import (
    _band_line,
    _campaign_line,
    _chart,
    _figure,
    _frame,
    _month_axis,
    _note,
    _reps_note,
    _y_numbers,
    _zero_axis,
)
from .numbers import _money, _scale
from .style import EXTRA, TALL, TRUE, WITH, WITHOUT

Q = ("p05", "p50", "p95")


def _quantile_columns(out: dict, name: str, table: pd.DataFrame) -> None:
    for q, values in zip(Q, _bands(table), strict=True):
        out[f"{name}_{q}"] = values


def monthly_tax_data(results: Results) -> pd.DataFrame:
    """Per month: the extra tax (with − without, taken within each replication), the tax with and the tax
    without the campaign (VND), each as the 5th, 50th and 95th percentile across replications."""
    w, wo = _wide(results, "with", "tax"), _wide(results, "without", "tax")
    out = {"month": pd.DatetimeIndex(w.index).date}
    _quantile_columns(out, "extra_tax_vnd", w - wo)
    _quantile_columns(out, "tax_with_vnd", w)
    _quantile_columns(out, "tax_without_vnd", wo)
    t = pd.DataFrame(out)
    # before the campaign both worlds are the same: the chart draws one band there, not two
    t.attrs["same"] = _same(w, wo)
    return t


def _cols(t: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(t[f"{name}_{q}"].to_numpy(float) for q in Q)


@_chart
def monthly_tax(results: Results, *, lang: str = "en") -> Figure:
    """The extra tax per month (with − without, paired within each replication: median and 90% band) above;
    the tax with and without the campaign (median, 90% band across replications) below."""
    _ = translator(lang)
    fig, (ax, bx) = _figure(TALL, 2, 1, sharex=True, height_ratios=[3, 2])
    n = results.replications
    t = monthly_tax_data(results)
    months = pd.DatetimeIndex(t["month"])
    x = _mid_month(months)
    band = _("90% of replications") if n > 1 else None

    lo, mid, hi = _cols(t, "extra_tax_vnd")
    d_div, d_unit = _scale(np.concatenate([lo, hi, [0.0]]), "VND", lang)
    _band_line(ax, x, lo, mid, hi, EXTRA, _("extra tax (with − without), median"), n, band_label=band)
    _campaign_line(ax, results, lang)
    ax.axhline(0, color="#888888", lw=0.8)
    _y_numbers(ax, lang, _("Extra tax per month ({unit})").format(unit=d_unit), d_div)
    ax.set_title(_("The campaign's effect: with minus without the campaign, within each replication"), loc="left",
                 fontsize=11)
    _zero_axis(ax, "y", np.concatenate([lo, hi]))
    ax.legend(loc="upper left")

    w = _cols(t, "tax_with_vnd")
    wo = _cols(t, "tax_without_vnd")
    div, unit = _scale(np.concatenate([w[2], wo[2], [0.0]]), "VND", lang)
    _band_line(bx, x, *wo, WITHOUT, _("without the campaign"), n)
    _band_line(bx, x, *w, WITH, _("with the campaign"), n, hide=t.attrs["same"])
    _campaign_line(bx, results, lang, label=False)
    _y_numbers(bx, lang, _("Tax per month ({unit})").format(unit=unit), div)
    bx.set_ylim(bottom=0)
    bx.legend(loc="lower left", ncols=2)
    bx.set_title(_("Tax collected per month ({note})").format(note=_reps_note(n, lang)), loc="left", fontsize=11)
    _month_axis(bx, lang, _("Month"), len(months))

    best = float(np.nanmax(mid)) if np.isfinite(mid).any() else 0.0
    if not _campaign_on(results):
        _note(ax, _("Campaign disabled: both worlds are the same"))
        cap = _("the campaign is disabled, so tax is the same with and without it.")
    elif best <= 0:
        _note(ax, _("No dispensers sealed: no extra tax"))
        cap = _("no dispenser was sealed within the horizon, so tax is the same with and without the campaign.")
    else:
        cap = _("the upper panel is what the campaign adds. Each replication simulates the province twice, with "
                "and without the campaign, on the same random draws; the difference is taken within each "
                "replication, so it is known far more precisely than the two wide bands below suggest. It reaches "
                "about {best} a month (median). The lower panel shows the two levels: their bands overlap because "
                "demand and behaviour differ between replications and move both arms together. Before the campaign the "
                "two arms are the same and the blue line covers the orange.").format(
            best=_money(best, lang))
    return _frame(fig, _("Extra tax per month from the campaign"), cap, lang)


def monthly_sales_data(results: Results) -> pd.DataFrame:
    """Per month: true sales and the litres declared with and without the campaign (medians across
    replications), and the litres sold but not declared in each arm (5th, 50th, 95th percentiles)."""
    true = _wide(results, "with", "true_litres")
    dw, dwo = _wide(results, "with", "declared_litres"), _wide(results, "without", "declared_litres")
    out = {"month": pd.DatetimeIndex(true.index).date,
           "true_sales_litres_p50": _bands(true)[1],
           "declared_with_litres_p50": _bands(dw)[1],
           "declared_without_litres_p50": _bands(dwo)[1]}
    uw, uwo = true - dw, true - dwo
    _quantile_columns(out, "undeclared_with_litres", uw)
    _quantile_columns(out, "undeclared_without_litres", uwo)
    t = pd.DataFrame(out)
    t.attrs["same"] = _same(uw, uwo)
    return t


@_chart
def monthly_sales(results: Results, *, lang: str = "en") -> Figure:
    """Monthly true and declared litres (medians), and the litres left undeclared in each arm (median, 90% band)."""
    _ = translator(lang)
    fig, (ax, bx) = _figure(TALL, 2, 1, sharex=True, height_ratios=[2, 1])
    n = results.replications
    t = monthly_sales_data(results)
    months = pd.DatetimeIndex(t["month"])
    x = _mid_month(months)
    true, dw, dwo = (t[c].to_numpy(float) for c in ("true_sales_litres_p50", "declared_with_litres_p50",
                                                   "declared_without_litres_p50"))
    div, unit = _scale(np.concatenate([true, [0.0]]), "litres", lang)
    # medians only: three overlapping bands would blend into colours that mean nothing; the lower panel has them
    ax.plot(x, true, color=TRUE, lw=2, ls=":", label=_("true sales"))
    ax.plot(x, dwo, color=WITHOUT, lw=2, marker="o", ms=3.5, label=_("declared, without the campaign"))
    ax.plot(x, dw, color=WITH, lw=2, marker="o", ms=3.5, label=_("declared, with the campaign"))
    _campaign_line(ax, results, lang)
    _y_numbers(ax, lang, _("Litres per month ({unit})").format(unit=unit), div)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", ncols=2)
    ax.set_title(_("Fuel sold and declared per month (median of {n} replications)").format(n=n) if n > 1 else
                 _("Fuel sold and declared per month (1 replication)"), loc="left", fontsize=11)
    uw, uwo = _cols(t, "undeclared_with_litres"), _cols(t, "undeclared_without_litres")
    u_div, u_unit = _scale(np.concatenate([uwo[2], uw[2], [0.0]]), "litres", lang)
    _band_line(bx, x, *uwo, WITHOUT, _("without the campaign"), n)
    _band_line(bx, x, *uw, WITH, _("with the campaign"), n, hide=t.attrs["same"])
    _campaign_line(bx, results, lang, label=False)
    _y_numbers(bx, lang, _("Undeclared ({unit})").format(unit=u_unit), u_div)
    bx.set_ylim(bottom=0)
    bx.legend(loc="upper right", ncols=2)
    bx.set_title(_("Litres sold but not declared (true − declared; {note})").format(note=_reps_note(n, lang)),
                 loc="left", fontsize=11)
    _month_axis(bx, lang, _("Month"), len(months))
    cap = _("before sealing, stations declare less than they sell; once their totalisers are sealed the blue "
            "declared line rises to the true sales and the undeclared litres fall towards zero. Before the campaign "
            "the two arms are the same and the blue line covers the orange; the lower bands are the spread between "
            "replications.")
    return _frame(fig, _("Monthly fuel sales: sold and declared"), cap, lang)
