"""Which instrument? Sealing against e-invoices and the other instruments, option by option, on one chart.

:func:`instruments_chart` draws an instruments comparison (``fuelseal compare --instruments``,
:func:`simulator.analysis.instruments.compare_instruments`): one row per option, named in words
(:func:`option_words`), and one small panel per figure — the tax uplift against no policy, the extra tax
(provincial and upstream), the cost to the government and to the stations, the extra tax per VND the
government spends and the months until it pays for itself — each option's mean as a dot and the range that
holds 90% of the replications as a line. :func:`instruments_chart_data` is the table it draws.

The comparison is taken as it comes (anything with ``options``, ``replications`` and ``summary()``, and
``kinds`` to name the options), so this module imports nothing of :mod:`simulator.analysis`, which uses it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from matplotlib import ticker, transforms
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from ..i18n import N_, check_lang, translator
from ..names import INSTRUMENT_KINDS, SEAL
from ..numbers import Numbers
from .figure import _figure, _frame, _panel_title, _wrap_text, _x_numbers, _zero_axis
from .numbers import _scale, pct_digits
from .style import COST, EXTRA, OKABE_ITO, REFERENCE, STYLE, TRUE, check_size, current_size, font, house_style

KIND_LABELS = INSTRUMENT_KINDS
"""What each kind of instrument is, in words (``seal``: the campaign; kept in :mod:`simulator.names`)."""


def option_words(option: str, kinds: Mapping[str, str] | None, gettext: Callable[[str], str]) -> str:
    """"sealing the totalisers + e-invoices by handheld POS": an option's instruments in words; ``kinds`` maps
    each instrument's name to its kind (a name not there is taken as its own kind; an unknown kind keeps its
    name)."""
    words = []
    for name in option.split("+"):
        name = name.strip()
        kind = SEAL if name == SEAL else (kinds or {}).get(name, name)
        words.append(gettext(KIND_LABELS[kind]) if kind in KIND_LABELS else name)
    return " + ".join(words)


PANELS = (
    ("uplift", N_("Tax uplift against no policy"), "share", OKABE_ITO["blue"]),
    ("extra_tax", N_("Extra tax, provincial"), "money", EXTRA),
    ("extra_tax_upstream", N_("Extra tax upstream (importers, producers)"), "money", EXTRA),
    ("net_benefit", N_("Net gain to the budget"), "money", OKABE_ITO["reddish_purple"]),
    ("cost", N_("Cost to the government"), "money", COST),
    ("cost_stations", N_("Cost to the stations"), "money", COST),
    ("benefit_cost_ratio", N_("Extra tax per VND the government spends"), "ratio", REFERENCE),
    ("payback_months", N_("Months until it pays for itself"), "months", TRUE),
)
"""The panels, in order: (KPI, title, how its numbers read, colour)."""
DATA_COLUMNS = ["option", "label", "kpi", "mean", "p05", "p50", "p95", "replications"]
STATS = ("mean", "p05", "p50", "p95")
_LABEL_BOX = dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.85)  # over grid and lines


def _kinds(cmp, scenario) -> dict[str, str]:
    """Instrument name → kind: the comparison's own record, else the scenario's instruments."""
    kinds = dict(getattr(cmp, "kinds", None) or {})
    if scenario is not None:
        for name, inst in getattr(scenario, "instruments", {}).items():
            kinds.setdefault(name, inst.kind_of(name))
    return kinds


def instruments_chart_data(cmp, lang: str = "en", scenario=None) -> pd.DataFrame:
    """The numbers :func:`instruments_chart` draws: one row per option and panel (:data:`PANELS`, in order),
    ``option`` as written (``seal+einvoice_pos``), ``label`` its instruments in words in ``lang``, ``kpi``,
    and the ``mean``, ``p05``, ``p50`` and ``p95`` across replications in the KPI's own unit (uplift: a share
    of the tax without any policy; money: VND; the ratio: VND of extra tax per VND) — the comparison's own
    summary (payback: months from the policy's first month); ``replications``: how many have a value — a ratio
    needs a cost, a payback a month by which the extra tax covers the cost for good, and the statistics are of
    those replications alone. NaN where none has a value."""
    _ = translator(check_lang(lang))
    kinds = _kinds(cmp, scenario)
    s = cmp.summary().set_index(["option", "kpi"])
    k = cmp.kpis
    rows = []
    for kpi, *_rest in PANELS:
        for option in cmp.options:
            r = s.loc[(option, kpi)] if (option, kpi) in s.index else None
            values = {c: np.nan if r is None or r[c] is None else float(r[c]) for c in STATS}
            have = int(np.isfinite(k.loc[k["option"] == option, kpi].to_numpy(float)).sum()) if kpi in k else 0
            rows.append({"option": option, "label": option_words(option, kinds, _), "kpi": kpi, **values,
                         "replications": have})
    return pd.DataFrame(rows, columns=DATA_COLUMNS)


def _axis(kind: str, values: np.ndarray, lang: str) -> tuple[float, str, str]:
    """(divisor, tick suffix, unit words for the axis label) of a panel."""
    _ = translator(lang)
    if kind == "share":
        return 0.01, "%", "%"
    if kind == "money":
        div, unit = _scale(np.concatenate([values, [0.0]]), "VND", lang)
        return div, "", unit
    if kind == "months":
        return 1.0, "", _("months")
    return 1.0, "×", _("VND per VND")


def _value(kind: str, x: float, div: float, nf: Numbers) -> str:
    """The mean beside its dot, with no more figures than it means, in the axis's unit: a percentage to
    :func:`~.numbers.pct_digits`, a ratio as :meth:`Numbers.ratio`, money and months to two significant figures."""
    if kind == "share":
        return nf.pct(x, pct_digits(x))
    if kind == "ratio":
        return nf.ratio(x)
    if kind == "months":
        return nf.plain(x, significant=2)
    return nf.plain(x / div, significant=2).replace("-", "\N{MINUS SIGN}")


def _balanced(text: str, width_pt: float, size_pt: float) -> str:
    """``text`` in as few lines as fit ``width_pt``, made as even as they can be (no word left alone on a line)."""
    wrapped = _wrap_text(text, width_pt, size_pt)
    lines = wrapped.count("\n")
    narrower = width_pt
    while lines and narrower > 0.4 * width_pt:
        trial = _wrap_text(text, narrower * 0.96, size_pt)
        if trial.count("\n") > lines:
            break
        wrapped, narrower = trial, narrower * 0.96
    return wrapped


def _text_width(text: str, size_pt: float) -> float:
    """The width of ``text`` in points, in the house font at ``size_pt``."""
    prop = FontProperties(family=STYLE["font.family"], size=size_pt)
    return TextToPath().get_text_width_height_descent(text, prop, ismath=False)[0]


def instruments_chart(cmp, *, lang: str = "en", scenario=None, size: str = "screen") -> Figure:
    """Each option (a row, named in words) in small panels sharing the rows (:data:`PANELS`): the mean across
    replications as a dot with its value, the 90% range (5th to 95th percentile) as a line; ``scenario`` names
    the options' instruments when the comparison does not, and the scenario in the title."""
    check_lang(lang)
    check_size(size)
    with house_style(size):
        return _draw(cmp, lang, scenario)


def _draw(cmp, lang: str, scenario) -> Figure:
    _ = translator(lang)
    nf = Numbers(lang)
    n = int(cmp.replications)
    t = instruments_chart_data(cmp, lang, scenario)
    options = list(cmp.options)
    screen = current_size().name == "screen"
    cols = 4
    rows = math.ceil(len(PANELS) / cols)
    width = current_size().width
    label_in = 2.0 if screen else 1.45  # the options' names, left of the first column
    label_pt = font(10)
    labels = [_balanced(option_words(o, _kinds(cmp, scenario), _), 72 * label_in, label_pt) for o in options]
    lines = max(label.count("\n") + 1 for label in labels)
    row_in = max(0.42, (0.2 if screen else 0.12) + lines * 1.25 * label_pt / 72)  # each option: its name's lines
    panel_in = len(options) * row_in + (1.25 if screen else 1.4)  # the rows, the panel's title and its axis
    height = 0.9 + rows * panel_in + 0.9  # the title, the panels, the caption: in inches at this size
    fig, axes = _figure((width, height / current_size().height_scale), rows, cols, sharey=True)
    axes = np.atleast_1d(axes).ravel()
    sec = getattr(scenario, "scenario", None)
    name = sec.said("name", lang) if sec is not None else getattr(scenario, "name", None)  # [scenario.vi] too
    title = (_("Which instrument? Extra tax and cost, option by option: {scenario}").format(scenario=name) if name
             else _("Which instrument? Extra tax and cost, option by option"))
    y = np.arange(len(options), dtype=float)
    share = (width - label_in) / width / cols
    panel_w = (width - label_in) / cols - 0.25  # inches, less the gap between panels
    missing = partial = False
    for ax, (kpi, heading, kind, colour) in zip(axes, PANELS, strict=False):
        d = t[t["kpi"] == kpi].set_index("option").loc[options]
        mean, lo, hi = (d[c].to_numpy(float) for c in ("mean", "p05", "p95"))
        have = d["replications"].to_numpy(int)
        div, suffix, unit = _axis(kind, np.concatenate([mean, lo, hi]), lang)
        ok = np.isfinite(mean)
        if n > 1:
            ax.hlines(y[ok], lo[ok], hi[ok], color=colour, lw=2.2, alpha=0.55, zorder=2)
        ax.plot(mean[ok], y[ok], "o", color=colour, ms=7, zorder=3)
        if kind == "ratio":
            ax.axvline(1.0, color="#888888", lw=1, ls="--", zorder=1)
        elif kind != "months":
            ax.axvline(0.0, color="#888888", lw=0.8, zorder=1)
        reach = np.concatenate([lo[np.isfinite(lo)], hi[np.isfinite(hi)], mean[ok], [0.0, 1.0 if kind == "ratio"
                                                                                     else 0.0]])
        a, b = float(reach.min()), float(reach.max())
        ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))  # 0, 2, 4, 6×: never 2.5×
        if b > a:
            ax.set_xlim(a - 0.06 * (b - a), b + 0.06 * (b - a))
        else:
            _zero_axis(ax, "x", reach)
        _x_numbers(ax, lang, unit, div, suffix)
        _panel_title(ax, _(heading), share, 0.3)
        ax.grid(axis="y", visible=False)
        x0, x1 = ax.get_xlim()
        # a mean that is rounding noise beside the panel's figures reads 0, not "0.00000000000000011"
        noise = 1e-9 * max(float(np.abs(reach).max()) if reach.size else 0.0, 1.0)
        left = transforms.blended_transform_factory(ax.transAxes, ax.transData)
        for i in range(len(options)):
            if not ok[i]:
                missing = True
                ax.text(0.5, y[i], _("n/a"), transform=left, ha="center", va="center", fontsize=font(9),
                        color="#555555", style="italic", bbox=_LABEL_BOX, zorder=4)
                continue
            text = _value(kind, 0.0 if abs(mean[i]) < noise else mean[i], div, nf)
            if have[i] < n:
                partial = True
                text = _("{value} ({k} of {n})").format(value=text, k=nf.number(have[i]), n=nf.number(n))
            # above its dot; a text wider than the room beside an edge moves inwards, never over the axis
            half = _text_width(text, font(8.5)) / 2 / (panel_w * 72)  # half the text, in panel widths
            at = (mean[i] - x0) / (x1 - x0)
            at = min(max(at, half + 0.03), 1 - half - 0.03) if half < 0.47 else 0.5
            ax.annotate(text, (at, y[i]), xycoords=left, xytext=(0, 6), textcoords="offset points",
                        ha="center", va="bottom", fontsize=font(8.5), color=TRUE, zorder=4, bbox=_LABEL_BOX)
    for ax in axes[len(PANELS):]:
        ax.set_visible(False)
    axes[0].set_yticks(y, labels, fontsize=label_pt)
    axes[0].set_ylim(len(options) - 0.5, -0.75)  # the first option on top, room above it for its value
    for ax in axes[::cols]:
        ax.tick_params(axis="y", length=0)
    if n > 1:
        cap = _("each row is one option, each panel one figure; the dot is the mean of {n} replications (its value "
                "beside it, in the panel's unit) and the line the range that holds 90% of them (5th to 95th "
                "percentile).").format(n=nf.number(n, 0))
    else:
        cap = _("each row is one option, each panel one figure; the dot is the value of the one replication "
                "(beside it, in the panel's unit), so there are no ranges.")
    cap += " " + _("Every option runs on the same stations, against the same world without any policy, with the "
                   "same random draws (common random numbers), so the rows differ by the instruments alone, and two "
                   "ranges that overlap can still differ in every replication: the paired differences from the first "
                   "option are in the table. The upstream tax is the importers' and producers', not the province's; "
                   "the dashed line at 1× is where the extra tax just covers the government's cost.")
    if partial:
        cap += " " + _("A figure some replications lack (a payback within the horizon) is the mean and range of "
                       "those that have it; “(k of n)” says how many.")
    if missing:
        cap += " " + _("n/a: no replication has a value (nothing spent by the government, or never paid back "
                       "within the horizon).")
    return _frame(fig, title, cap, lang)
