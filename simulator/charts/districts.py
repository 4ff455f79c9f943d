"""District by district: where the extra tax comes from, and how much each district's tax rises."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..i18n import translator
from ..numbers import Numbers
from .data import Results, _campaign_on, _district_order
from .figure import _chart, _figure, _frame, _note, _panel_title, _x_numbers, _zero_axis
from .numbers import _scale
from .style import EXTRA, WIDE, WITH

MAX_DISTRICT_ROWS = 24  # district breakdown: rows shown; the rest become one "average of the others" row
OTHERS = "others"  # the district name of that row in the chart's table
DISTRICT_COLUMNS = ["district", "districts_in_row", "extra_tax_vnd_mean", "extra_tax_vnd_p05", "extra_tax_vnd_p50",
                    "extra_tax_vnd_p95", "uplift_pct_mean", "uplift_pct_p05", "uplift_pct_p50", "uplift_pct_p95",
                    "dispensers_sealed_pct_p50"]


def district_breakdown_data(results: Results) -> pd.DataFrame:
    """Per district, sorted by mean extra tax (largest first): the extra tax in the evaluation window
    (VND) and the uplift against no campaign (%: (tax with − tax without) / tax without), each as the
    mean (the bar: the districts' means add up to the mean extra tax of the province) and the 5th, 50th
    and 95th percentile across replications, and the median share of its dispensers sealed.
    Beyond :data:`MAX_DISTRICT_ROWS` districts, the largest are kept and the rest become one last row,
    ``others``: their average per district, replication by replication (``districts_in_row`` says how many)."""
    d = results.districts
    if not len(d):
        return pd.DataFrame(columns=DISTRICT_COLUMNS)
    d = d.copy()
    for c in ("tax_with", "tax_without", "pumps", "pumps_sealed"):
        if c not in d:
            d[c] = np.nan  # a run folder from before these columns: the uplift reads n/a
    names = _district_order(results)
    names = [x for x in names if x in set(d["district"])]
    size = dict.fromkeys(names, 1)
    if len(names) > MAX_DISTRICT_ROWS:
        # many districts (a national run has 63 provinces): the largest by mean extra tax, then the
        # average of the rest, taken replication by replication so that its quantiles are honest too
        # (their sum would dwarf every other bar)
        med = d.groupby("district")["extra_tax"].mean().sort_values(ascending=False, kind="stable")
        keep = list(med.index[:MAX_DISTRICT_ROWS - 1])
        size = {**dict.fromkeys(keep, 1), OTHERS: len(names) - len(keep)}
        d = d.assign(district=d["district"].where(d["district"].isin(keep), OTHERS))
        d = d.groupby(["replication", "district"], as_index=False)[
            ["extra_tax", "tax_with", "tax_without", "pumps", "pumps_sealed"]].mean()
    d = d.assign(uplift=100 * (d["tax_with"] - d["tax_without"]) / d["tax_without"].where(d["tax_without"] > 0),
                 sealed=100 * d["pumps_sealed"] / d["pumps"].where(d["pumps"] > 0))
    g = d.groupby("district", sort=False)
    out = {"district": list(size), "districts_in_row": list(size.values())}
    for col, name in (("extra_tax", "extra_tax_vnd"), ("uplift", "uplift_pct")):
        out[f"{name}_mean"] = g[col].mean().reindex(list(size)).to_numpy(float)
        for level, tag in ((0.05, "p05"), (0.5, "p50"), (0.95, "p95")):
            out[f"{name}_{tag}"] = g[col].quantile(level).reindex(list(size)).to_numpy(float)
    out["dispensers_sealed_pct_p50"] = g["sealed"].median().reindex(list(size)).to_numpy(float)
    t = pd.DataFrame(out, columns=DISTRICT_COLUMNS)
    rest = t[t["district"] == OTHERS]
    t = t[t["district"] != OTHERS].sort_values("extra_tax_vnd_mean", ascending=False, kind="stable")
    return pd.concat([t, rest], ignore_index=True) if len(rest) else t.reset_index(drop=True)


def _bars(ax, y, t: pd.DataFrame, name: str, colour: str, n: int) -> None:
    mid = t[f"{name}_mean"].to_numpy(float)
    ax.barh(y, mid, color=colour, height=0.6)
    if n > 1:
        lo, hi = t[f"{name}_p05"].to_numpy(float), t[f"{name}_p95"].to_numpy(float)
        ax.errorbar(mid, y, xerr=[mid - lo, hi - mid], fmt="none", color="#333333", capsize=3, lw=1)
    ax.axvline(0, color="#888888", lw=0.8)
    ax.grid(axis="y", visible=False)


def _overlap(t: pd.DataFrame, name: str) -> bool:
    """Whether every district's 90% range overlaps every other's: the highest 5th percentile is below the
    lowest 95th."""
    lo, hi = t[f"{name}_p05"].to_numpy(float), t[f"{name}_p95"].to_numpy(float)
    ok = np.isfinite(lo) & np.isfinite(hi)
    return int(ok.sum()) > 1 and float(lo[ok].max()) <= float(hi[ok].min())


def _overlap_sentence(t: pd.DataFrame, lang: str) -> str:
    """What the whiskers say about the differences between districts (empty when they say nothing plain)."""
    _ = translator(lang)
    if _overlap(t, "uplift_pct") and _overlap(t, "extra_tax_vnd"):
        return " " + _("Every district's whiskers overlap every other's, in both panels: the differences between "
                       "districts are within the spread between replications.")
    if _overlap(t, "uplift_pct"):
        return " " + _("The uplifts' whiskers all overlap: the differences in uplift between districts are within "
                       "the spread between replications; the extra tax differs more, with the districts' size.")
    return ""


@_chart
def district_breakdown(results: Results, *, lang: str = "en") -> Figure:
    """Per district, largest first: extra tax in the evaluation window (VND) and the uplift against no
    campaign (%), means with 90% whiskers."""
    _ = translator(lang)
    nf = Numbers(lang)
    n = results.replications
    t = district_breakdown_data(results)
    fig, (ax, bx) = _figure((WIDE[0], max(5.0, 2.2 + 0.36 * len(t))), 1, 2, sharey=True)
    title = _("By district: extra tax and tax uplift")
    if not len(t):
        ax.set_xlabel(_("Extra tax in the evaluation window ({unit})").format(unit=_scale([0.0], "VND", lang)[1]))
        bx.set_xlabel(_("Uplift against no campaign (%)"))
        ax.set_ylabel(_("District"))
        _note(ax, _("No districts in this run"))
        return _frame(fig, title, _("No districts in this run."), lang)
    y = np.arange(len(t))
    e = t[["extra_tax_vnd_p05", "extra_tax_vnd_p50", "extra_tax_vnd_p95"]].to_numpy(float)
    div, unit = _scale(np.concatenate([e.ravel(), [0.0]]), "VND", lang)
    _bars(ax, y, t, "extra_tax_vnd", EXTRA, n)
    _x_numbers(ax, lang, _("Extra tax in the evaluation window ({unit})").format(unit=unit), div)
    _panel_title(ax, _("Extra tax (with − without the campaign)"), 0.5, 1.6)
    _zero_axis(ax, "x", e)
    _bars(bx, y, t, "uplift_pct", WITH, n)
    _x_numbers(bx, lang, _("Uplift against no campaign (%)"), suffix="%")
    _panel_title(bx, _("Tax uplift against no campaign"), 0.5, 0.3)
    _zero_axis(bx, "x", t[["uplift_pct_p05", "uplift_pct_p95"]].to_numpy(float))
    labels = []
    for r in t.itertuples():
        name = _("average of {n} others").format(n=r.districts_in_row) if r.district == OTHERS else str(r.district)
        if np.isfinite(r.dispensers_sealed_pct_p50) and r.dispensers_sealed_pct_p50 < 100 - 1e-9:
            name += "\n" + _("({share} sealed)").format(share=nf.pct(r.dispensers_sealed_pct_p50 / 100, 0))
        labels.append(name)
    ax.set_yticks(y, labels)
    ax.set_ylim(len(t) - 0.5, -0.5)
    ax.set_ylabel(_("District"))
    if not _campaign_on(results):
        _note(ax, _("Campaign disabled:\nno extra tax"))
    sealed = t["dispensers_sealed_pct_p50"].to_numpy(float)
    cap = _("districts from the largest extra tax down; bars are means of {n} replications, sums over the "
            "evaluation window, so the districts add up to the province's extra tax; the uplift is the extra tax "
            "as a share of the district's tax without the campaign.").format(n=nf.number(n, 0))
    if n > 1:
        cap += " " + _("Whiskers: 90% of replications.")
        cap += _overlap_sentence(t, lang)
    if _campaign_on(results) and np.all(sealed >= 100 - 1e-9):
        cap += " " + _("Every dispenser is sealed in every district (median).")
    elif _campaign_on(results):
        cap += " " + _("A district not fully sealed says what share of its dispensers is (median).")
    if (t["district"] == OTHERS).any():
        cap += " " + _("The {k} largest districts are shown, then the average of the others.").format(
            k=len(t) - 1)
    return _frame(fig, title, cap, lang)
