"""Month by month, with and without the campaign: the extra tax, tax collected, and fuel sold and declared."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..i18n import translator
from .data import Results, _bands, _campaign_on, _campaign_start, _mid_month, _same, _setting, _wide
from .figure import (
    _band_line,
    _campaign_line,
    _chart,
    _figure,
    _frame,
    _month_axis,
    _note,
    _panel_title,
    _reps_note,
    _y_numbers,
    _zero_axis,
)
from .numbers import _money, _month, _scale
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


def _about(x: float, lang: str) -> str:
    """Money to two significant figures, for a figure read off a chart: "140 million VND"."""
    return _money(float(f"{x:.2g}"), lang)


def _full_months(results: Results, months: pd.DatetimeIndex) -> np.ndarray:
    """Whether every dispenser is sealed by each month's start (medians across replications)."""
    sealed = _bands(_wide(results, "with", "pumps_sealed"))[1]
    pumps = float(np.nanmedian(results.kpis["pumps"])) if "pumps" in results.kpis and len(results.kpis) else np.nan
    done = np.nan_to_num(sealed) >= pumps - 1e-9 if np.isfinite(pumps) and pumps > 0 else np.zeros(len(sealed), bool)
    # sealed by the month's start: the month before had every dispenser sealed by its end
    return np.concatenate([[False], done[:-1]]) if len(done) == len(months) else np.zeros(len(months), bool)


def _monthly_extra_story(results: Results, t: pd.DataFrame, lang: str) -> str:
    """What the extra tax per month does, in words: its range once every dispenser is sealed, why it grows
    through the year (households moved onto declaration), and why a first month can fall below zero."""
    _ = translator(lang)
    months = pd.DatetimeIndex(t["month"])
    mid = t["extra_tax_vnd_p50"].to_numpy(float)
    full = _full_months(results, months) & np.isfinite(mid)
    parts = []
    if full.sum() >= 2:
        idx = np.flatnonzero(full)
        lo_i, hi_i = idx[np.argmin(mid[idx])], idx[np.argmax(mid[idx])]
        parts.append(_("Once every dispenser is sealed it is between about {low} ({low_month}) and about {high} "
                       "({high_month}) a month (medians).").format(
            low=_about(mid[lo_i], lang), low_month=_month(months[lo_i], lang), high=_about(mid[hi_i], lang),
            high_month=_month(months[hi_i], lang)))
        k = results.kpis
        moved = float(k["extra_tax_regime_switch"].mean()) if "extra_tax_regime_switch" in k else 0.0
        total = float(k["extra_tax"].mean()) if "extra_tax" in k else np.nan
        if moved > 0.5 * total > 0 and mid[idx[-1]] >= 1.25 * mid[idx[0]] > 0:
            parts.append(_("It grows through the year: households moved from a lump sum onto declaration pay tax on "
                           "what they sell each month, which follows prices and demand, where without the campaign "
                           "they would pay a lump sum fixed for {months} months.").format(
                months=int(_setting(results, "tax.assessment_months", 12) or 12)))
    else:
        best = int(np.nanargmax(mid))
        parts.append(_("It reaches about {best} a month (median, {month}).").format(
            best=_about(mid[best], lang), month=_month(months[best], lang)))
    start = _campaign_start(results)
    first = np.flatnonzero(months >= pd.Timestamp(start.year, start.month, 1))
    if first.size and mid[first[0]] < 0:
        i = int(first[0])
        m = results.monthly
        metrology = None
        if "tax_metrology_only" in m:
            w, wo = _wide(results, "with", "tax_metrology_only"), _wide(results, "without", "tax_metrology_only")
            metrology = float(np.nanmedian((w - wo).to_numpy(float)[i]))
        if metrology is not None and metrology < 0:
            parts.append(_("In {month} it is below zero ({value}): dispensers that short-deliver are corrected as "
                           "they are sealed, so at once they record, and are taxed on, fewer litres, while "
                           "declarations rise only as the sealing proceeds.").format(
                month=_month(months[i], lang), value=_about(mid[i], lang)))
        else:
            parts.append(_("In {month} it is below zero ({value}), while the sealing has only begun.").format(
                month=_month(months[i], lang), value=_about(mid[i], lang)))
    return " ".join(parts)


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
    _panel_title(ax, _("The campaign's effect: with minus without the campaign, within each replication"))
    _zero_axis(ax, "y", np.concatenate([lo, hi]))
    ax.legend(loc="upper left")

    w = _cols(t, "tax_with_vnd")
    wo = _cols(t, "tax_without_vnd")
    div, unit = _scale(np.concatenate([w[2], wo[2], [0.0]]), "VND", lang)
    # opaque tints: where the bands overlap the blue one shows on top, not a grey mixture of both
    _band_line(bx, x, *wo, WITHOUT, _("without the campaign"), n, opaque=True, edges=True)
    _band_line(bx, x, *w, WITH, _("with the campaign"), n, hide=t.attrs["same"], opaque=True)
    _campaign_line(bx, results, lang, label=False)
    _y_numbers(bx, lang, _("Tax per month ({unit})").format(unit=unit), div)
    bx.set_ylim(bottom=0)
    bx.legend(loc="lower left", ncols=2)
    _panel_title(bx, _("Tax collected per month ({note})").format(note=_reps_note(n, lang)))
    _month_axis(bx, lang, _("Month"), len(months))

    best = float(np.nanmax(mid)) if np.isfinite(mid).any() else 0.0
    if not _campaign_on(results):
        _note(ax, _("Campaign disabled: both worlds are the same"))
        cap = _("the campaign is disabled, so tax is the same with and without it.")
    elif best <= 0:
        _note(ax, _("No dispensers sealed: no extra tax"))
        cap = _("no dispenser was sealed within the horizon, so tax is the same with and without the campaign.")
    else:
        cap = _("the upper panel is what the campaign adds: tax with minus tax without the campaign, taken within "
                "each replication on the same random draws, so it is known far more precisely than the wide bands "
                "below suggest.")
        cap += " " + _monthly_extra_story(results, t, lang)
        cap += " " + _("Below, the two levels: their bands overlap because demand and behaviour differ between "
                       "replications and move both arms together; before the campaign the two are the same and the "
                       "blue line covers the orange.")
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
    # one unit on both panels (the larger one's), so the undeclared litres compare with the sales at a glance
    div, unit = _scale(np.concatenate([true, [0.0]]), "litres", lang)
    # medians only: three overlapping bands would blend into colours that mean nothing; the lower panel has them
    ax.plot(x, true, color=TRUE, lw=2, ls=":", label=_("true sales"))
    ax.plot(x, dwo, color=WITHOUT, lw=2, marker="o", ms=3.5, label=_("declared, without the campaign"))
    ax.plot(x, dw, color=WITH, lw=2, marker="o", ms=3.5, label=_("declared, with the campaign"))
    _campaign_line(ax, results, lang)
    _y_numbers(ax, lang, _("Litres per month ({unit})").format(unit=unit), div)
    # not from zero: the gap between sold and declared is a few percent of the sales, and from zero it would be
    # a hairline; the lowest third is kept free for the legend
    lines = np.concatenate([true, dw, dwo])
    lines = lines[np.isfinite(lines)]
    if lines.size and lines.max() > lines.min():
        span = (lines.max() - lines.min()) / 0.62
        ax.set_ylim(max(0.0, lines.min() - 0.34 * span), lines.max() + 0.04 * span)
    else:
        ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", ncols=2)
    _panel_title(ax, _("Fuel sold and declared per month (median of {n} replications)").format(n=n) if n > 1 else
                 _("Fuel sold and declared per month (1 replication)"))
    uw, uwo = _cols(t, "undeclared_with_litres"), _cols(t, "undeclared_without_litres")
    _band_line(bx, x, *uwo, WITHOUT, _("without the campaign"), n, opaque=True, edges=True)
    _band_line(bx, x, *uw, WITH, _("with the campaign"), n, hide=t.attrs["same"], opaque=True)
    _campaign_line(bx, results, lang, label=False)
    _y_numbers(bx, lang, _("Undeclared ({unit})").format(unit=unit), div)
    # headroom above the highest band for the legend, so that it covers no data
    top = np.concatenate([uwo[2] if n > 1 else uwo[1], uw[2] if n > 1 else uw[1]])
    top = float(np.nanmax(top)) if np.isfinite(top).any() else 0.0
    bx.set_ylim(0, 1.45 * top if top > 0 else 1.0)
    bx.legend(loc="upper right", ncols=2)
    _panel_title(bx, _("Litres sold but not declared (true − declared; {note})").format(note=_reps_note(n, lang)))
    _month_axis(bx, lang, _("Month"), len(months))
    cap = _("before sealing, stations declare less than they sell; once their totalisers are sealed the blue "
            "declared line rises to the true sales and the undeclared litres fall towards zero. Before the campaign "
            "the two arms are the same and the blue line covers the orange; the lower bands are the spread between "
            "replications.")
    if ax.get_ylim()[0] > 0:
        cap += " " + _("The upper scale does not start at zero, so that the gap between sold and declared shows.")
    return _frame(fig, _("Monthly fuel sales: sold and declared"), cap, lang)
