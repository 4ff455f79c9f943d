"""Charts of the analyses: settings compared (a sweep) and what moves a result (sensitivity).

Pure functions of plain DataFrames, so this module never imports :mod:`simulator.analysis`
(which calls it):

* :func:`sweep_data` / :func:`sweep_figure` — from a sweep's tidy table (one row per point and
  KPI, as :func:`simulator.analysis.sweep` returns it) and, when there is one, its
  per-replication table (``point``, ``replication`` and one column per KPI). Each KPI is a
  panel: its mean at every setting and, for every setting, the range of the **paired change**
  from a reference setting — the difference taken replication by replication, which common
  random numbers make the setting's own effect. With a ``done_by_deadline`` column (1 where a
  replication sealed every dispenser before the deadline) and ``campaign.teams`` swept, the
  fewest teams that meet the deadline with the given probability are marked.
* :func:`sensitivity_data` / :func:`sensitivity_figure` — from a sensitivity table
  (:func:`simulator.analysis.sensitivity`): a tornado for one-at-a-time ranges, the first-order
  and total Sobol indices with their intervals for a variance-based study.

``*_data`` returns exactly the numbers its figure draws (in the KPI's own unit: VND, shares,
days), one row per plotted point or bar, with machine column names and a ``label`` column in
the chart's language: written beside the PNG, it lets a reader check or redraw the chart.

Words go through the ``analysis`` catalogue (``simulator/locale/vi/analysis.po``), numbers
through :class:`simulator.numbers.Numbers`; a parameter's name through :func:`parameter_label`
(a short curated label, else its dotted key).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from ..i18n import N_, check_lang
from ..kpis import KPIS
from ..numbers import Numbers
from ..scenario.labels import parameter_name
from .names import fuel_name
from .style import (
    BAND,
    CATEGORICAL,
    COST,
    EXTRA,
    OKABE_ITO,
    REFERENCE,
    TRUE,
    WITH,
    check_size,
    current_size,
    font,
    house_style,
)

DONE = "done_by_deadline"
"""Per-replication column: 1 when every dispenser was sealed before the deadline, else 0."""
TEAMS = "campaign.teams"
SWEEP_KPIS = ("extra_tax", "cost", "net_benefit", "completion_days")
"""The panels of a sweep chart when none are named (those present; ``uplift`` stands in for a missing one)."""

# ---- parameters: plain names and values --------------------------------------------------
PARAMETERS: dict[str, tuple[str, str]] = {
    "campaign.teams": (N_("Verification teams"), "count"),
    "campaign.start": (N_("Campaign start"), "date"),
    "campaign.order": (N_("Order of station visits"), "order"),
    "campaign.minutes_per_pump": (N_("Time to verify and seal a dispenser"), "minutes"),
    "campaign.travel_hours": (N_("Travel time to a station"), "hours"),
    "campaign.work_hours_per_day": (N_("Working hours per day"), "hours"),
    "campaign.reverification_months": (N_("Months between verifications"), "months"),
    "campaign.announcement_effect": (N_("Compliance gained from the announcement"), "share"),
    "enforcement.audits_per_year": (N_("Inspections per station per year"), "value"),
    "enforcement.detection_probability": (N_("Chance an inspection finds a broken seal"), "share"),
    "enforcement.fine": (N_("Fine per broken seal found"), "money"),
    "enforcement.inspectors": (N_("Inspection teams"), "count"),
    "enforcement.honest_share": (N_("Share of stations that never break a seal"), "share"),
    "enforcement.suspension_days": (N_("Days a station is suspended"), "days"),
    "behaviour.undeclared_share": (N_("Share of sales undeclared before sealing"), "share"),
    "behaviour.residual_share": (N_("Share of sales still undeclared after sealing"), "share"),
    "demand.annual_growth": (N_("Annual growth of fuel sales"), "share"),
    "demand.litres_per_pump_day": (N_("Litres sold per dispenser per day"), "litres"),
    "demand.price_per_litre": (N_("Retail price per litre"), "money_per_litre"),
    "tax.rate": (N_("Tax rate"), "share"),
    "tax.margin_per_litre": (N_("Retail margin per litre"), "money_per_litre"),
    "supply.off_book_share": (N_("Share of undeclared fuel bought off the books"), "share"),
    "costs.per_team_day": (N_("Cost per team-day"), "money"),
    "costs.per_seal": (N_("Cost per dispenser sealed"), "money"),
    "costs.per_visit": (N_("Cost per station visit"), "money"),
    "costs.fixed": (N_("Fixed campaign cost"), "money"),
    "costs.per_team_fixed": (N_("Equipment and training per team"), "money"),
    "metrology.short_delivery_share": (N_("Share of dispensers set to short-deliver"), "share"),
    "demand.fuel_mix": (N_("Share of litres by fuel"), "fuel_shares"),
}
"""Dotted name → (short label, kind of value) for the parameters analysts sweep and vary most.
A distribution's number (``behaviour.undeclared_share.mean``) takes its parameter's label
with the qualifier of :data:`QUALIFIERS`."""
QUALIFIERS = {"mean": N_("{parameter} (mean)"), "mode": N_("{parameter} (most likely)"),
              "low": N_("{parameter} (lowest)"), "high": N_("{parameter} (highest)"),
              "sd": N_("{parameter} (standard deviation)")}
ORDERS = {"route": N_("along a route"), "largest_first": N_("largest stations first"),
          "random": N_("in random order")}
_UNITS = {"minutes": N_("{value} min"), "hours": N_("{value} h"), "litres": N_("{value} L"),
          "days": N_("{value} days"), "months": N_("{value} months"), "money_per_litre": N_("{value} VND/L")}
_MONEY = ((1e9, N_("billion VND")), (1e6, N_("million VND")), (1.0, N_("VND")))


def resolve_lang(lang: str | None = None, number_style: str | None = None) -> str:
    """The language to write in: ``lang``, else the older ``number_style``, else English."""
    return check_lang(lang or number_style or "en")


def _lookup(name: str) -> tuple[str, str, str | None] | None:
    if name in PARAMETERS:
        return (*PARAMETERS[name], None)
    base, _, last = name.rpartition(".")
    if base in PARAMETERS and last in QUALIFIERS:
        return (*PARAMETERS[base], last)
    if base == "demand.fuel_mix":  # one fuel's share
        return (FUEL_SHARE, "share", None)
    return None


FUEL_SHARE = N_("Share of litres: {fuel}")
"""The label of one fuel's share (``demand.fuel_mix.ron92``), the fuel by its plain name."""


def parameter_label(name: str, lang: str = "en") -> str:
    """A parameter's plain name in ``lang``: ``"campaign.teams"`` → "Verification teams" /
    "Số đoàn kiểm định", ``"demand.fuel_mix.ron92"`` → "Share of litres: RON 92 petrol"; a key without a
    short chart label by the scenario's own label (:func:`simulator.scenario.labels.parameter_name`), and the
    dotted key itself only when neither knows it."""
    base, _dot, last = name.rpartition(".")
    if base == "demand.fuel_mix":
        return Numbers(check_lang(lang)).gettext(FUEL_SHARE).format(fuel=fuel_name(last, lang))
    found = _lookup(name)
    if found is None:
        return parameter_name(name, check_lang(lang))
    _ = Numbers(check_lang(lang)).gettext
    label, _kind, qualifier = found
    text = _(label)
    return _(QUALIFIERS[qualifier]).format(parameter=text) if qualifier else text


def parameter_value(name: str, value: Any, lang: str = "en") -> str:
    """A parameter's value as a reader writes it: 0.15 → "15%" for a share, 45 → "45 min",
    a date → "02/01/2017" (vi), ``"route"`` → "along a route"."""
    nf = Numbers(check_lang(lang))
    _ = nf.gettext
    found = _lookup(name)
    kind = found[1] if found else "value"
    if isinstance(value, (dt.date, pd.Timestamp)):
        return nf.day(value)
    if isinstance(value, str):
        return _(ORDERS[value]) if kind == "order" and value in ORDERS else value
    if kind == "fuel_shares" and isinstance(value, dict):  # "RON 92 petrol 57%; E5 petrol 3%; diesel 40%"
        return "; ".join(f"{fuel_name(k, lang)} {parameter_value(f'{name}.{k}', v, lang)}" for k, v in value.items())
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (dict, list)) else str(value)
    x = float(value)
    if kind == "share":
        return _minus(nf.plain(100 * x, 3)) + "%"
    if kind == "money":
        return _minus(nf.vnd(x, trim=True))
    if kind == "count":
        return _minus(nf.plain(x, 6))
    if kind in _UNITS:
        return _(_UNITS[kind]).format(value=_minus(nf.plain(x, 3)))
    return _minus(nf.plain(x, 4))


# ---- numbers on axes -----------------------------------------------------------------------
def _minus(text: str) -> str:
    """A true minus sign (Babel writes a hyphen-minus)."""
    return "−" + text[1:] if text.startswith("-") else text


class _Ticks(ticker.Formatter):
    """Tick labels divided by ``divisor``, in the reader's number style, with the fewest decimals that write
    every tick exactly, a true minus sign and an optional suffix ("%"). Never an offset such as "1e9"."""

    def __init__(self, nf: Numbers, divisor: float = 1.0, suffix: str = ""):
        self.nf, self.divisor, self.suffix = nf, divisor, suffix
        self._digits = 0

    def format_ticks(self, values):
        v = np.asarray(values, dtype=float) / self.divisor
        tol = 1e-6 * max(float(np.abs(v).max()) if v.size else 0.0, 1e-12)
        self._digits = next((d for d in range(7) if np.all(np.abs(np.round(v, d) - v) <= tol)), 6)
        return [self(x) for x in values]

    def __call__(self, x, pos=None):
        return _minus(self.nf.number(x / self.divisor, self._digits)) + self.suffix


def kpi_axis(name: str, values, lang: str = "en") -> tuple[float, str, str]:
    """How KPI ``name`` sits on an axis: (divisor, tick suffix, unit words). Money in billion or
    million VND ("tỷ đồng", "triệu đồng") after its largest value, shares in percent."""
    _ = Numbers(lang).gettext
    kind = KPIS[name].kind if name in KPIS else "value"
    if kind in ("share", "share_fine"):
        return 0.01, "%", "%"
    if kind == "money":
        a = np.asarray(values, dtype=float)
        top = float(np.nanmax(np.abs(a))) if a.size and np.isfinite(a).any() else 0.0
        div, words = next(((d, w) for d, w in _MONEY if top >= d), _MONEY[-1])
        return div, "", _(words)
    if kind == "days":
        return 1.0, "", _("days")
    if kind == "months":
        return 1.0, "", _("months")
    if kind == "ratio":
        return 1.0, "×", ""  # "10.7×": the label says of what
    return 1.0, "", ""


# ---- the frame: title above, caption below --------------------------------------------------
SCREEN_WIDTH = 11.0
"""The width of a sweep or sensitivity chart on screen (inches); ``size="print"`` draws it
:data:`~.style.PRINT_WIDTH_IN` wide with no text under 8 pt."""


def _width() -> float:
    return SCREEN_WIDTH if current_size().name == "screen" else current_size().width


def _height(screen: float) -> float:
    return current_size().figsize((SCREEN_WIDTH, screen))[1]


def _after_colon(text: str) -> str:
    """``text`` as it reads after a colon, in lower case ("Verification teams" → "verification teams"); a
    first word in capitals (an acronym: "VAT") stays as it is."""
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() else text


def _frame(fig: Figure, title: str, caption: str) -> Figure:
    """Title above, a caption below saying what to read (as the run charts do)."""
    # wrapped when drawn (a long title on a print-size chart), so get_suptitle() stays the title itself
    fig.suptitle(title, x=0.012, ha="left", fontsize=font(14), fontweight="bold", wrap=True)
    width_in, height_in = fig.get_size_inches()
    size = font(10)
    lines = _wrap(caption, width_in * 72 * 0.95, size)
    fig.text(0.012, 0.012, "\n".join(lines), ha="left", va="bottom", fontsize=size, color="#444444",
             style="italic")
    bottom = (len(lines) * size * 1.3 + 12) / 72 / height_in  # the caption stays out of the layout area
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    if current_size().name != "screen":
        # tick labels are made when the figure is drawn, perhaps outside this size's style: fix their size now
        for ax in fig.axes:
            ax.tick_params(labelsize=font(10))
    return fig


def _with_legend_row(fig: Figure, nrows: int, ncols: int, panel_height: float, legend_rows: int = 2):
    """Panels under a row kept for the legend: an outside figure legend would overlap the title under the
    constrained layout, an axis of its own never does. Returns (legend axis, panel axes)."""
    legend_height = (0.28 * legend_rows + 0.05) * font(10) / 10
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=[legend_height / panel_height] + [1.0] * nrows)
    axes = np.array([fig.add_subplot(gs[1 + i, j]) for i in range(nrows) for j in range(ncols)])
    legend_ax = fig.add_subplot(gs[0, :])  # after the panels: fig.axes[0] is still the first panel
    legend_ax.set_axis_off()
    return legend_ax, axes


def _legend(ax, handles: list, ncols: int) -> None:
    if handles:
        ax.legend(handles=handles, loc="center left", ncols=min(ncols, len(handles)), fontsize=font(10),
                  frameon=False, borderaxespad=0, handlelength=2.2)


def _wrap(text: str, width_pt: float, size: float, bold: bool = False, upright: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width_pt`` points, measured in DejaVu Sans (italic, as the caption,
    or bold, as a title): Vietnamese with its diacritics runs wider than a count of characters suggests."""
    from matplotlib.font_manager import FontProperties

    from .figure import _wrap as wrap_measured

    prop = FontProperties(family="DejaVu Sans", style="normal" if bold or upright else "italic",
                          weight="bold" if bold else "normal", size=size)
    return wrap_measured(text, width_pt, prop)


# ---- sweep -----------------------------------------------------------------------------------
def swept_columns(table: pd.DataFrame) -> list[str]:
    """The swept dotted names of a sweep table: its columns between ``point`` and ``kpi``."""
    cols = list(table.columns)
    return cols[cols.index("point") + 1: cols.index("kpi")]


def _key(v: Any) -> Any:
    # tables and lists (distributions) are not hashable: compare them by their text
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, default=str)
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v


def _numeric(values) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values)


def _chosen(present: Sequence[str], kpis: Sequence[str] | None) -> list[str]:
    if kpis:
        return [k for k in kpis if k in present]
    chosen = [k for k in SWEEP_KPIS if k in present]
    if len(chosen) < len(SWEEP_KPIS) and "uplift" in present:
        chosen.insert(min(2, len(chosen)), "uplift")
    return chosen or list(present)[:4]


def _q(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if x.size else math.nan


def sweep_data(table: pd.DataFrame, per_rep: pd.DataFrame | None = None, *, x: str | None = None,
               kpis: Sequence[str] | None = None, reference: Any = None, probability: float = 0.9,
               lang: str | None = None, number_style: str | None = None,
               scenario_values: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The numbers a sweep chart draws, one row per KPI and point.

    ``table`` is the tidy sweep table (``point``, the swept names, ``kpi``, ``mean``, ``p05``, ``p95``,
    ``n``); ``per_rep`` the per-replication KPIs of every point (``point``, ``replication``, one column
    per KPI, and optionally ``done_by_deadline``). ``x`` is the swept name along the axis (default: the
    first); lines are the combinations of the others. ``reference`` is the value of ``x`` every point
    is compared with (default: the scenario's own value, ``scenario_values[x]``, when the grid holds it
    — what the plan is compared with — else the first value). ``scenario_values`` maps swept dotted
    names to the scenario's own values of them.

    Columns: ``point``, the swept names, ``kpi``, ``label`` (in ``lang``), ``n``, ``mean``, ``p05``, ``p95``
    (the spread across replications); with ``per_rep``: ``reference_point``, ``diff_n``, ``diff_mean``,
    ``diff_p05``, ``diff_p95`` (the change from the reference point, replication by replication) and
    ``bar_low`` / ``bar_high`` = the reference's mean + ``diff_p05`` / ``diff_p95`` (the bar drawn; it
    crosses the reference's level exactly when the interval of the change holds 0); without it the
    bar is ``p05`` – ``p95``. With a ``done_by_deadline`` column and ``campaign.teams`` along the axis,
    rows of kpi ``done_by_deadline`` give the share of replications finished in time (``mean``), and
    ``fewest`` is True on every row of the fewest teams reaching ``probability`` (per line).
    """
    lang = resolve_lang(lang, number_style)
    nf = Numbers(lang)
    _ = nf.gettext
    names = swept_columns(table)
    if not names:
        raise ValueError("the sweep table has no swept names")
    x = x or names[0]
    if x not in names:
        raise ValueError(f"x: expected one of {', '.join(names)}, got {x!r}")
    others = [n for n in names if n != x]
    points = table.drop_duplicates("point").set_index("point")[names]
    present = list(dict.fromkeys(table["kpi"]))
    if per_rep is not None:
        present += [c for c in per_rep.columns if c not in present and c in KPIS]
    chosen = _chosen(present, kpis)
    done = per_rep is not None and DONE in per_rep.columns and x == TEAMS
    xs = list(dict.fromkeys(_key(v) for v in points[x]))
    own = _scenario_value(scenario_values, x, xs)
    ref_key = (own if own is not None else xs[0]) if reference is None else _key(reference)
    if ref_key not in xs:
        raise ValueError(f"reference: {reference!r} is not a value of {x}")
    group_of = {p: tuple(_key(points.at[p, o]) for o in others) for p in points.index}
    ref_point = {g: p for p, g in group_of.items() if _key(points.at[p, x]) == ref_key}
    wide = {}
    if per_rep is not None:
        for k in chosen + ([DONE] if done else []):
            if k in per_rep.columns:
                wide[k] = per_rep.pivot_table(index="replication", columns="point", values=k, aggfunc="first",
                                              dropna=False)
    rows = []
    for k in chosen + ([DONE] if done else []):
        label = _("Finished before the deadline") if k == DONE else nf.label(k)
        for p in points.index:
            row: dict[str, Any] = {"point": int(p), **{n: points.at[p, n] for n in names}, "kpi": k, "label": label}
            if k in wide and p in wide[k].columns:
                v = wide[k][p].to_numpy(dtype=float)
                fin = v[np.isfinite(v)]
                row.update(n=int(fin.size), mean=float(fin.mean()) if fin.size else math.nan, p05=_q(fin, 0.05),
                           p95=_q(fin, 0.95))
                rp = ref_point.get(group_of[p])
                if k != DONE and rp is not None:
                    r = wide[k][rp].to_numpy(dtype=float)
                    ok = np.isfinite(v) & np.isfinite(r)
                    d = v[ok] - r[ok]
                    rfin = r[np.isfinite(r)]
                    ref_mean = float(rfin.mean()) if rfin.size else math.nan
                    row.update(reference_point=int(rp), diff_n=int(d.size),
                               diff_mean=float(d.mean()) if d.size else math.nan,
                               diff_p05=_q(d, 0.05), diff_p95=_q(d, 0.95),
                               bar_low=ref_mean + _q(d, 0.05), bar_high=ref_mean + _q(d, 0.95))
            else:
                s = table[(table["point"] == p) & (table["kpi"] == k)]
                if s.empty:
                    continue
                s = s.iloc[0]
                row.update(n=int(s["n"]), mean=float(s["mean"]), p05=float(s["p05"]), p95=float(s["p95"]),
                           bar_low=float(s["p05"]), bar_high=float(s["p95"]))
            rows.append(row)
    cols = ["point", *names, "kpi", "label", "n", "mean", "p05", "p95"]
    if per_rep is not None:
        cols += ["reference_point", "diff_n", "diff_mean", "diff_p05", "diff_p95"]
    cols += ["bar_low", "bar_high", "fewest"]
    out = pd.DataFrame(rows).reindex(columns=cols)
    out["fewest"] = False
    if done:
        d = out[out["kpi"] == DONE]
        for g in dict.fromkeys(group_of.values()):
            mine = d[d["point"].map(group_of) == g]
            ok = mine[mine["mean"] >= probability - 1e-12]
            if len(ok):
                best = ok.loc[ok[x].astype(float).idxmin(), "point"]
                out.loc[out["point"] == best, "fewest"] = True
    if "reference_point" in out:
        out["reference_point"] = out["reference_point"].astype("Int64")
        out["diff_n"] = out["diff_n"].astype("Int64")
    out["n"] = out["n"].astype("Int64")
    return out


def _scenario_value(scenario_values: Mapping[str, Any] | None, x: str, xs: list) -> Any:
    """The scenario's own value of ``x`` when the sweep's grid holds it (as a grid key), else None."""
    if not scenario_values or x not in scenario_values:
        return None
    own = _key(scenario_values[x])
    return next((v for v in xs if v == own), None)


def _colour(kpi: str) -> str:
    return {"extra_tax": EXTRA, "cost": COST, "net_benefit": OKABE_ITO["reddish_purple"], "uplift": WITH,
            "completion_days": TRUE}.get(kpi, TRUE)


def _x_positions(values: list, numeric: bool) -> dict:
    return {v: float(v) if numeric else float(i) for i, v in enumerate(values)}


def sweep_figure(table: pd.DataFrame, per_rep: pd.DataFrame | None = None, *, x: str | None = None,
                 kpis: Sequence[str] | None = None, reference: Any = None, deadline: dt.date | None = None,
                 start: dt.date | None = None, probability: float = 0.9, lang: str | None = None,
                 number_style: str | None = None, title: str | None = None,
                 scenario_values: Mapping[str, Any] | None = None, size: str = "screen") -> Figure:
    """One panel per KPI (default: extra tax, cost, net gain, start to last seal): the mean at every
    setting of ``x``, the 90% range of the paired change from the reference setting as bars and the
    reference's level as a dotted line (the numbers of :func:`sweep_data`). With a ``done_by_deadline``
    column in ``per_rep`` and ``campaign.teams`` along the axis, a star marks the fewest teams meeting
    ``deadline`` with ``probability``, and — given the campaign's ``start`` — the deadline is a dashed
    line on the completion panel, labelled with its date and days. Without ``per_rep`` the bands are the
    90% range across replications. Every value axis includes zero, so a change reads at its true size.
    ``scenario_values``: as :func:`sweep_data` (the reference is the scenario's own setting when the grid
    holds it). ``size``: ``"screen"`` (11 in wide) or ``"print"`` (6.7 in, for an A4 page)."""
    lang = resolve_lang(lang, number_style)
    check_size(size)
    data = sweep_data(table, per_rep, x=x, kpis=kpis, reference=reference, probability=probability, lang=lang,
                      scenario_values=scenario_values)
    x = x or swept_columns(table)[0]
    own = _scenario_value(scenario_values, x, list(dict.fromkeys(_key(v) for v in table[x])))
    with house_style(size):
        return _draw_sweep(data, swept_columns(table), per_rep is not None, x, deadline, start, probability, lang,
                           title, own)


def _draw_sweep(data: pd.DataFrame, names: list[str], paired: bool, x: str | None, deadline, start,
                probability: float, lang: str, title: str | None, own: Any = None) -> Figure:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    nf = Numbers(lang)
    _ = nf.gettext
    x = x or names[0]
    others = [n for n in names if n != x]
    panels = [k for k in dict.fromkeys(data["kpi"]) if k != DONE]
    ncols = 1 if len(panels) == 1 else 2 if len(panels) <= 4 else 3
    nrows = max(1, math.ceil(len(panels) / ncols))
    data = data.assign(_group=[tuple(_key(v) for v in r) for r in data[others].itertuples(index=False)])
    pts = data.drop_duplicates("point")
    values = list(dict.fromkeys(_key(v) for v in pts[x]))
    numeric = _numeric(values)
    if numeric:
        values = sorted(values)
    pos = _x_positions(values, numeric)
    groups = list(dict.fromkeys(pts["_group"]))
    single = len(groups) == 1
    # lines side by side, a little apart, so that their bars do not hide each other
    step = float(np.min(np.diff(sorted(pos.values())))) if len(pos) > 1 else 1.0
    dodge = {g: (i - (len(groups) - 1) / 2) * 0.06 * step for i, g in enumerate(groups)}
    data["_pos"] = [pos[_key(v)] + dodge[g] for v, g in zip(data[x], data["_group"], strict=True)]
    n = int(data["n"].max()) if len(data) and data["n"].notna().any() else 0
    label = parameter_label(x, lang)
    refs = data[data["point"] == data["reference_point"]] if paired else data.iloc[:0]
    ref_value = _key(refs[x].iloc[0]) if len(refs) else values[0]
    marked = pts[pts["fewest"]]
    has_deadline = deadline is not None and start is not None and DONE in set(data["kpi"]) and \
        np.isfinite(data.loc[data["kpi"] == "completion_days", "mean"].to_numpy(float)).any()

    def group_label(g_rows: pd.DataFrame) -> str:
        return "; ".join(f"{parameter_label(o, lang)}: {parameter_value(o, v, lang)}"
                         for o, v in zip(others, g_rows.iloc[0][others], strict=True))

    # the legend explains symbols in a neutral colour (each panel has its own); groups keep theirs
    handles = ([Line2D([], [], color=TRUE, lw=2, marker="o", ms=6,
                       label=_("mean of {n} replications").format(n=nf.number(n)))] if single else
               [Line2D([], [], color=CATEGORICAL[i % len(CATEGORICAL)], lw=2, marker="o", ms=6,
                       label=group_label(pts[pts["_group"] == g])) for i, g in enumerate(groups)])
    printed = current_size().name != "screen"
    legend_cols = 1 if printed else 3 if single else 2  # a narrow page: one entry a row, each whole
    width = _width()
    entries = len(handles) + (2 if paired else 1) + int(has_deadline) + int(len(marked) > 0)
    legend_rows = math.ceil(entries / legend_cols)
    extra = 0.2 * legend_rows if printed else 0.0  # a taller page rather than flatter panels
    fig = Figure(figsize=(width, _height(3.4 * nrows + 2.4) + extra), layout="constrained")
    legend_ax, axes = _with_legend_row(fig, nrows, ncols, _height(3.4), legend_rows)
    planned = own is not None and ref_value == own  # the reference is the scenario's own setting
    if paired:
        handles.append(legend_ax.errorbar([], [], yerr=[], fmt="none", ecolor=TRUE, elinewidth=2, capsize=5,
                                          capthick=1.5,
                                          label=_("90% of the change from the scenario's setting") if planned else
                                          _("90% of the change from the reference setting")))
        handles.append(Line2D([], [], color=TRUE, lw=1.2, ls=":",
                              label=_("level at the scenario's setting") if planned else
                              _("level at the reference setting")))
    else:
        handles.append(Patch(color=TRUE, alpha=BAND, label=_("90% of the replications")))
    if has_deadline:
        handles.append(Line2D([], [], color=REFERENCE, lw=1.2, ls="--",
                              label=_("deadline: {date}").format(date=nf.day(deadline))))
    if len(marked):
        handles.append(Line2D([], [], color=OKABE_ITO["yellow"], marker="*", ms=15, mec=REFERENCE, mew=1, ls="none",
                              label=_("fewest teams meeting the deadline")))
    for ax, k in zip(axes, panels, strict=False):
        d = data[data["kpi"] == k]
        div, suffix, unit = kpi_axis(k, d[["mean", "bar_low", "bar_high"]].to_numpy(float).ravel(), lang)
        for gi, g in enumerate(groups):
            sub = d[d["_group"] == g].sort_values("_pos")
            if sub.empty:
                continue
            colour = _colour(k) if single else CATEGORICAL[gi % len(CATEGORICAL)]
            xp = sub["_pos"].to_numpy(float)
            ax.plot(xp, sub["mean"].to_numpy(float) / div, color=colour, lw=2, marker="o", ms=6, zorder=3)
            lo, hi = sub["bar_low"].to_numpy(float) / div, sub["bar_high"].to_numpy(float) / div
            if paired:
                ax.errorbar(xp, (lo + hi) / 2, yerr=(hi - lo) / 2, fmt="none", ecolor=colour, elinewidth=2,
                            capsize=5, capthick=1.5, alpha=0.75, zorder=2)
                ref = sub[sub["point"] == sub["reference_point"]]
                if len(ref):
                    ax.axhline(float(ref["mean"].iloc[0]) / div, color=colour, lw=1.2, ls=":", zorder=1)
            elif np.nan_to_num(hi - lo).any():
                ax.fill_between(xp, lo, hi, color=colour, alpha=BAND, linewidth=0)
            star = sub[sub["fewest"]]
            if len(star):
                ax.plot(star["_pos"].to_numpy(float), star["mean"].to_numpy(float) / div, marker="*", ms=17,
                        color=OKABE_ITO["yellow"], mec=REFERENCE, mew=1, ls="none", zorder=4)
        if k == "completion_days" and has_deadline:
            allowed = (deadline - start).days
            ax.axhline(allowed, color=REFERENCE, lw=1.2, ls="--", zorder=1)
            # the line's number: the deadline as days from the start, what the axis counts
            ax.annotate(_("deadline {date} = {days} days").format(date=nf.day(deadline), days=nf.number(allowed)),
                        (0.99, allowed), xycoords=ax.get_yaxis_transform(), xytext=(0, 4), textcoords="offset points",
                        ha="right", va="bottom", fontsize=font(9), zorder=5,
                        bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85))
        ax.set_title("\n".join(_wrap(nf.label(k), 72 * (width / ncols - 1.1), font(11), bold=True)), loc="left",
                     fontsize=font(11))
        ax.yaxis.set_major_formatter(_Ticks(nf, 1.0, suffix))  # the data are already divided
        ax.set_ylabel(unit)
        ax.set_xlabel(label)
        ax.set_xticks([pos[v] for v in values], [parameter_value(x, v, lang) for v in values])
        ax.set_xlim(min(pos.values()) - step / 2, max(pos.values()) + step / 2)
        ax.grid(axis="x", visible=False)
        shown = d[["mean", "bar_low", "bar_high"]].to_numpy(float)
        if not np.isfinite(shown).any():
            ax.set_yticks([])
            ax.text(0.5, 0.5, _("No value at any setting"), transform=ax.transAxes, ha="center", va="center",
                    fontsize=font(11), color="#333333",
                    bbox=dict(boxstyle="round,pad=0.6", facecolor="#F7F7F7", edgecolor="#CCCCCC"))
        elif np.all(np.nan_to_num(shown) == 0):  # one tick at 0, not ±0.04 of nothing
            ax.set_ylim(-1, 1)
            ax.set_yticks([0])
        else:  # from zero: a rise of 8% must not look like a tripling
            lo, hi = ax.get_ylim()
            ax.set_ylim(min(lo, 0.0), max(hi, 0.0))
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    _legend(legend_ax, handles, legend_cols)
    parts = []
    if paired:
        words = (_("Dots: the mean of {n} replications. Bars: the range holding 90% of the change from the "
                   "scenario's own setting ({reference}), taken replication by replication on the same simulated "
                   "stations, sales and work times, so it is the effect of the setting and not chance; where a bar "
                   "does not cross the dotted line, the change is clear.") if planned else
                 _("Dots: the mean of {n} replications. Bars: the range holding 90% of the change from the "
                   "reference setting ({reference}), taken replication by replication on the same simulated "
                   "stations, sales and work times, so it is the effect of the setting and not chance; where a "
                   "bar does not cross the dotted line, the change is clear."))
        parts.append(words.format(n=nf.number(n), reference=f"{label}: {parameter_value(x, ref_value, lang)}"))
    else:
        parts.append(_("Dots: the mean of {n} replications; bands: the range holding 90% of them.")
                     .format(n=nf.number(n)))
    if deadline is not None and DONE in set(data["kpi"]):
        share = nf.plain(100 * probability, 3) + "%"
        if len(marked):
            teams = "; ".join(parameter_value(x, r[x], lang) if single else
                              f"{group_label(pts[pts['_group'] == r['_group']])}: {parameter_value(x, r[x], lang)}"
                              for _i, r in marked.iterrows())
            parts.append(_("Star: the fewest teams that seal every dispenser before {date} in at least {share} of "
                           "the replications ({teams}).").format(date=nf.day(deadline), share=share, teams=teams))
        else:
            parts.append(_("No number of teams in this comparison seals every dispenser before {date} in at least "
                           "{share} of the replications.").format(date=nf.day(deadline), share=share))
    title = title or _("Comparing settings: {parameter}").format(parameter=_after_colon(label))
    return _frame(fig, title, " ".join(parts))


# ---- sensitivity -----------------------------------------------------------------------------
ABOVE = 0.005
"""How far a first-order index must exceed the total one to be flagged as estimation error."""


def sensitivity_method(table: pd.DataFrame) -> str:
    """``"sobol"`` when the table holds Sobol indices, else ``"oat"`` (one at a time)."""
    return "sobol" if "ST" in table and table["ST"].notna().any() else "oat"


def sensitivity_data(table: pd.DataFrame, kpi: str | None = None, *, lang: str | None = None,
                     number_style: str | None = None, conf_level: float = 0.95) -> pd.DataFrame:
    """The numbers a sensitivity chart draws for ``kpi`` (default: the table's first), top bar first.

    One at a time: ``parameter``, ``label`` (in ``lang``), ``range`` (its low – high values as written),
    ``kpi``, ``value_low``, ``value_high``, ``base``, ``low``, ``high`` (the KPI with the parameter at each
    end) and ``swing``, widest first. Sobol: ``parameter``, ``label``, ``range``, ``kpi``, ``S1``,
    ``S1_low``, ``S1_high``, ``ST``, ``ST_low``, ``ST_high`` (index ± its bootstrap half-width at
    ``conf_level``) and ``first_above_total`` (S1 > ST: possible only through estimation error),
    largest total index first."""
    lang = resolve_lang(lang, number_style)
    kpi = kpi or str(table["kpi"].iloc[0])
    t = table[table["kpi"] == kpi]
    if t.empty:
        raise ValueError(f"kpi: expected one of {', '.join(dict.fromkeys(table['kpi']))}, got {kpi!r}")
    out = pd.DataFrame({
        "parameter": t["parameter"].to_numpy(),
        "label": [parameter_label(p, lang) for p in t["parameter"]],
        "range": [f"{parameter_value(p, lo, lang)} – {parameter_value(p, hi, lang)}"
                  for p, lo, hi in zip(t["parameter"], t["value_low"], t["value_high"], strict=True)],
        "kpi": kpi, "value_low": t["value_low"].to_numpy(), "value_high": t["value_high"].to_numpy()})
    if sensitivity_method(table) == "sobol":
        for k in ("S1", "ST"):
            v, c = t[k].to_numpy(float), t[f"{k}_conf"].to_numpy(float)
            out[k], out[f"{k}_low"], out[f"{k}_high"] = v, v - c, v + c
        # above by at least half a percentage point: what the chart can show (0.1% over 0.0% is noise)
        out["first_above_total"] = out["S1"] > out["ST"] + ABOVE
        out["conf_level"] = conf_level
        return out.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)
    for k in ("base", "low", "high", "swing"):
        out[k] = t[k].to_numpy(float)
    return out.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def sensitivity_figure(table: pd.DataFrame, kpi: str | None = None, *, lang: str | None = None,
                       number_style: str | None = None, method: str | None = None, conf_level: float = 0.95,
                       title: str | None = None, size: str = "screen") -> Figure:
    """What moves ``kpi``, as horizontal bars sorted widest on top, parameters by their plain names with
    their ranges: a tornado (one at a time) or the first-order and total Sobol indices in percent with
    their intervals (the numbers of :func:`sensitivity_data`). ``size``: ``"screen"`` (11 in wide) or
    ``"print"`` (6.7 in, for an A4 page)."""
    lang = resolve_lang(lang, number_style)
    check_size(size)
    data = sensitivity_data(table, kpi, lang=lang, conf_level=conf_level)
    method = method or sensitivity_method(table)
    if method not in ("oat", "sobol"):
        raise ValueError(f"method: expected oat or sobol, got {method!r}")
    with house_style(size):
        height = 0.62 * len(data) + 0.9
        fig = Figure(figsize=(_width(), _height(height + 2.4)), layout="constrained")
        rows = 3 if method == "oat" and current_size().name != "screen" else 2  # print: one entry a row
        legend_ax, (ax,) = _with_legend_row(fig, 1, 1, _height(height), rows)
        return (_draw_sobol if method == "sobol" else _draw_tornado)(fig, ax, legend_ax, data, lang, title)


LOW, HIGH = OKABE_ITO["sky_blue"], OKABE_ITO["reddish_purple"]


def _ylabels(ax, data: pd.DataFrame, marks: Sequence[str] = ()) -> np.ndarray:
    ypos = np.arange(len(data))[::-1].astype(float)  # the first row on top
    labels = [f"{lab}{m}\n{rng}" for lab, rng, m in zip(data["label"], data["range"],
                                                         list(marks) or [""] * len(data), strict=True)]
    if current_size().name != "screen":  # a narrow page: a long name in lines of at most a third of it
        labels = ["\n".join(line for part in text.split("\n")
                            for line in _wrap(part, 72 * _width() / 3, font(9.5), upright=True))
                  for text in labels]
    ax.set_yticks(ypos, labels, fontsize=font(9.5))
    ax.set_ylim(-0.6, len(data) - 0.4)
    ax.grid(axis="y", visible=False)
    return ypos


def _draw_tornado(fig: Figure, ax, legend_ax, data: pd.DataFrame, lang: str, title: str | None) -> Figure:
    nf = Numbers(lang)
    _ = nf.gettext
    kpi = str(data["kpi"].iloc[0])
    base = float(data["base"].iloc[0])
    fmt = nf.kpi(kpi)
    div, suffix, unit = kpi_axis(kpi, data[["base", "low", "high"]].to_numpy(float).ravel(), lang)
    ypos = _ylabels(ax, data)
    low, high = data["low"].to_numpy(float), data["high"].to_numpy(float)
    lows = ax.barh(ypos, (low - base) / div, left=base / div, height=0.6, color=LOW,
                   label=_("parameter at the low end of its range"))
    highs = ax.barh(ypos, (high - base) / div, left=base / div, height=0.6, color=HIGH,
                    label=_("parameter at the high end of its range"))
    for a, b in zip(lows, highs, strict=True):  # the shorter bar in front, so both colours show
        (a if abs(a.get_width()) <= abs(b.get_width()) else b).set_zorder(3)
    line = ax.axvline(base / div, color=REFERENCE, lw=1.2, zorder=4,
                      label=_("scenario as given: {value}").format(value=fmt(base)))
    span = float(np.nanmax(np.abs(np.r_[low, high] - base))) / div if len(data) else 0.0
    pad = 0.015 * span if span else 0.0
    for y, lo_v, hi_v in zip(ypos, low, high, strict=True):
        if lo_v == hi_v == base:
            ax.text(base / div + pad, y, _("no change"), va="center", ha="left", fontsize=font(9), color="#555555")
            continue
        # the result at each end of the bar; two ends on one side: only the outer one (the other is nearer the line)
        ends = [lo_v, hi_v] if (lo_v - base) * (hi_v - base) < 0 else [max(lo_v, hi_v, key=lambda v: abs(v - base))]
        for v in ends:
            right = v >= base
            ax.text(v / div + (pad if right else -pad), y, fmt(v), va="center", ha="left" if right else "right",
                    fontsize=font(9), color="#333333")
    if span:
        reach = 1.35 if current_size().name == "screen" else 1.9  # room for the values beside the bars
        ax.set_xlim(base / div - reach * span, base / div + reach * span)
    ax.xaxis.set_major_formatter(_Ticks(nf, 1.0, suffix))  # the data are already divided
    ax.set_xlabel(f"{nf.label(kpi)} ({unit})" if unit else nf.label(kpi))
    _legend(legend_ax, [lows, highs, line], 2 if current_size().name == "screen" else 1)
    cap = _("Each bar moves one parameter from the low to the high end of its range (under its name) while every "
            "other keeps the scenario's value; the black line is the scenario's own result, {base} (mean over the "
            "replications, the same simulated stations and sales at every point). Widest effect on top. One "
            "parameter at a time shows no interactions between them.").format(base=fmt(base))
    title = title or _("What moves the result, one parameter at a time: {kpi}").format(kpi=_after_colon(nf.label(kpi)))
    return _frame(fig, title, cap)


def _draw_sobol(fig: Figure, ax, legend_ax, data: pd.DataFrame, lang: str, title: str | None) -> Figure:
    nf = Numbers(lang)
    _ = nf.gettext
    kpi = str(data["kpi"].iloc[0])
    above = data["first_above_total"].to_numpy(bool)
    ypos = _ylabels(ax, data, ["*" if a else "" for a in above])
    s1, st = data["S1"].to_numpy(float), data["ST"].to_numpy(float)
    err = dict(ecolor="#333333", elinewidth=1.2, capsize=3)
    total = ax.barh(ypos + 0.19, st, height=0.36, color=HIGH, xerr=[st - data["ST_low"], data["ST_high"] - st],
                    error_kw=err, label=_("total index (alone and with the others)"))
    first = ax.barh(ypos - 0.19, s1, height=0.36, color=LOW, xerr=[s1 - data["S1_low"], data["S1_high"] - s1],
                    error_kw=err, label=_("first-order index (alone)"))
    lo = min(0.0, float(np.nanmin(data[["S1_low", "ST_low"]].to_numpy(float))) if len(data) else 0.0)
    hi = max(1.0, float(np.nanmax(data[["S1_high", "ST_high"]].to_numpy(float))) if len(data) else 1.0)
    ax.set_xlim(lo - 0.02, hi + 0.02)
    ax.axvline(0, color=REFERENCE, lw=1)
    ax.xaxis.set_major_formatter(_Ticks(nf, 0.01, "%"))
    ax.set_xlabel(_("Share of the variance of the result (%)"))
    _legend(legend_ax, [total, first], 1)
    parts = [_("First-order index: the share of the variance of the result that a parameter explains on its own; "
               "total index: the share it takes part in, interactions with the others included, so it is never "
               "below the first-order one. Lines: {level} confidence intervals. Largest total index on top.")
             .format(level=nf.plain(100 * float(data["conf_level"].iloc[0]), 3) + "%")]
    if above.any():
        parts.append(_("* marks a first-order index above the total one: that can only be estimation error "
                       "(more samples narrow it)."))
    if (np.r_[s1, st] < 0).any():
        parts.append(_("An index below zero is estimation error around zero."))
    title = title or _("What drives the uncertainty of the result: {kpi}").format(kpi=_after_colon(nf.label(kpi)))
    return _frame(fig, title, " ".join(parts))
