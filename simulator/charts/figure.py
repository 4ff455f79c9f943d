"""Building a figure: the scaffolding every chart shares.

Figures are built directly (never through pyplot), so no backend is chosen, nothing global
changes and a notebook's own settings are left alone; saving to PNG, SVG or PDF works without
a display. :func:`_chart` settles the language (``lang``, or the older ``number_style``, or the
run's ``run.lang``) and the size (``size="screen"`` or ``"print"``, :data:`~.style.SIZES`) and builds
a chart inside the house style; :func:`_frame` puts the title above and the caption below, both
wrapped to the figure's width, and breaks a value-axis label too long for its panel; :func:`_note`
puts a sentence in place of the data when there is nothing to draw; the axis helpers write numbers
and dates in the chosen language; :func:`_band_line` draws a median (or mean) across replications with its 90% band.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import dates as mdates
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from ..i18n import LANGS, check_lang, translator
from .data import Results, _campaign_on, _campaign_start, _num, _setting
from .numbers import DateTickFormatter, NumberFormatter, _day, month_interval
from .style import BAND, REFERENCE, STYLE, WIDE, check_size, current_size, font, house_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def resolve_lang(results: Results | None, lang: str | None = None, number_style: str | None = None) -> str:
    """The language a chart writes: ``lang``; else ``number_style`` (its older name); else the run's
    ``run.lang``; else English. A language fuelseal does not write is refused by name."""
    if lang is not None:
        return check_lang(lang)
    if number_style is not None:
        if number_style not in LANGS:
            raise ValueError(f"number_style: expected one of {', '.join(LANGS)}, got {number_style!r}")
        return number_style
    run_lang = None
    if results is not None:
        try:
            run_lang = _setting(results, "run.lang", None)
        except (AttributeError, KeyError, TypeError, ValueError):
            run_lang = None
    return run_lang if run_lang in LANGS else "en"


def _chart(fn: Callable[..., Figure]) -> Callable[..., Figure]:
    """Settle the language (:func:`resolve_lang`) and build the figure inside the house style, at ``size``
    (``"screen"``, the default, or ``"print"``: see :data:`~.style.SIZES`)."""

    @wraps(fn)
    def wrapper(results: Results, *args, lang: str | None = None, number_style: str | None = None,
                size: str = "screen", **kw) -> Figure:
        lang = resolve_lang(results, lang, number_style)
        check_size(size)
        with house_style(size):
            return fn(results, *args, lang=lang, **kw)

    return wrapper


def _figure(size: tuple[float, float] = WIDE, rows: int = 1, cols: int = 1, **kw) -> tuple[Figure, Any]:
    """A figure that is ``size`` inches on screen (at print size: the print width, the height scaled)."""
    fig = Figure(figsize=current_size().figsize(size), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=True, **kw)
    return fig, axes


CAPTION_PT = 10.0  # on screen (font() gives it at the chart's size)
CAPTION_FONT = FontProperties(family=STYLE["font.family"], size=CAPTION_PT, style="italic")


def _caption_font() -> FontProperties:
    return FontProperties(family=STYLE["font.family"], size=font(CAPTION_PT), style="italic")


def _wrap(text: str, width_pt: float, font: FontProperties) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width_pt`` points in ``font``, measured glyph by
    glyph (a line of Vietnamese or of capitals is wider than the same number of average letters); each word
    once, with its space, so a caption costs words, not words squared."""
    measure = TextToPath()

    def width(s: str) -> float:
        return measure.get_text_width_height_descent(s, font, ismath=False)[0]

    lines: list[str] = []
    used = 0.0  # the current line's width: each word is measured once, with the space before it
    for word in text.split():
        extra = width(" " + word) if lines else 0.0
        if lines and used + extra <= width_pt:
            lines[-1], used = f"{lines[-1]} {word}", used + extra
        else:
            lines.append(word)
            used = width(word)
    return lines or [""]


def _frame(fig: Figure, title: str, caption: str, lang: str = "en") -> Figure:
    """Title above, a caption below saying how to read the chart (it starts "Read:")."""
    _ = translator(lang)
    width_in, height_in = fig.get_size_inches()
    # wrapped when drawn (a long title on a print-size chart), so get_suptitle() stays the title itself
    fig.suptitle(title, x=0.012, ha="left", fontsize=font(14), fontweight="bold", wrap=True)
    cap_font = _caption_font()
    lines = _wrap(_("Read:") + " " + caption, 0.97 * width_in * 72, cap_font)
    fig.text(0.012, 0.012, "\n".join(lines), ha="left", va="bottom", fontproperties=cap_font,
             color="#444444")
    # keep the caption out of the constrained-layout area so it never overlaps a tick label
    bottom = (len(lines) * cap_font.get_size_in_points() * 1.3 + 10) / 72 / height_in
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))  # (left, bottom, width, height)
    if current_size().name != "screen":
        # tick labels are made when the figure is drawn, perhaps outside this size's style: fix their size now
        for ax in fig.axes:
            ax.tick_params(labelsize=font(STYLE["xtick.labelsize"]))
    _fit_ylabels(fig)
    return fig


def _fit_ylabels(fig: Figure) -> None:
    """Break before its unit a value-axis label longer than its panel is high (two panels one above the
    other: the labels would run into each other). The panels' heights are known once laid out, so the
    figure is laid out first, and only when a label is long against the figure's height."""
    measure = TextToPath()

    def length(label) -> float:
        prop = FontProperties(family=STYLE["font.family"], size=label.get_fontsize())
        return measure.get_text_width_height_descent(label.get_text(), prop, ismath=False)[0] / 72

    labels = [(ax, ax.yaxis.label) for ax in fig.axes if " (" in ax.get_ylabel() and "\n" not in ax.get_ylabel()]
    height = float(fig.get_size_inches()[1])
    if not any(length(lab) > 0.4 * height for _ax, lab in labels):
        return
    fig.draw_without_rendering()
    for ax, lab in labels:
        if length(lab) > ax.get_window_extent().height / fig.dpi:
            head, _sep, unit = lab.get_text().rpartition(" (")
            lab.set_text(f"{head}\n({unit}")


def _panel_title(ax: Axes, text: str, share: float = 1.0, margin_in: float = 0.9) -> None:
    """A panel's title at its top left, wrapped to the panel: ``share`` of the figure's width less ``margin_in``
    inches for the axis labels (a narrow print-size figure breaks a long title rather than cut it)."""
    width_pt = max(1.0, share * float(ax.figure.get_size_inches()[0]) - margin_in) * 72
    bold = FontProperties(family=STYLE["font.family"], size=font(11), weight="bold")
    ax.set_title("\n".join(_wrap(text, width_pt, bold)), loc="left", fontsize=font(11))


def _wrap_text(text: str, width_pt: float, size_pt: float) -> str:
    """``text`` broken at spaces into lines no wider than ``width_pt`` points at ``size_pt`` (tick labels, axis
    labels of a narrow panel)."""
    return "\n".join(_wrap(text, width_pt, FontProperties(family=STYLE["font.family"], size=size_pt)))


def _note(ax: Axes, text: str) -> None:
    """A sentence in place of the data, when there is nothing to draw."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=font(12), color="#333333",
            wrap=True, bbox=dict(boxstyle="round,pad=0.6", facecolor="#F7F7F7", edgecolor="#CCCCCC"))


def _date_axis(ax: Axes, lang: str, label: str) -> None:
    """A day axis: ticks chosen by matplotlib, labelled "3 Jan 2017", "16 Jan" / "03/01/2017", "16/01"."""
    loc = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(DateTickFormatter(lang, "day"))
    ax.set_xlabel(label)


def _month_axis(ax: Axes, lang: str, label: str, n_months: int) -> None:
    """A month axis: a tick on the first day of every k-th month, labelled "Jan 2017", "Feb" / "1/2017"."""
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=month_interval(n_months), bymonthday=1))
    ax.xaxis.set_major_formatter(DateTickFormatter(lang, "month"))
    ax.set_xlabel(label)


def _y_numbers(ax: Axes, lang: str, label: str, scale: float = 1.0, suffix: str = "") -> None:
    ax.yaxis.set_major_formatter(NumberFormatter(lang, 1.0 / scale, suffix))
    ax.set_ylabel(label)


def _x_numbers(ax: Axes, lang: str, label: str, scale: float = 1.0, suffix: str = "") -> None:
    ax.xaxis.set_major_formatter(NumberFormatter(lang, 1.0 / scale, suffix))
    ax.set_xlabel(label)


def _zero_axis(ax: Axes, which: str, values) -> None:
    """An axis whose data are all zero gets one tick at 0, not ±0.04 of nothing."""
    a = np.asarray(values, dtype=float)
    if a.size and np.all(np.nan_to_num(a) == 0):
        if which == "y":
            ax.set_ylim(-1, 1)
            ax.set_yticks([0])
        else:
            ax.set_xlim(-1, 1)
            ax.set_xticks([0])


# ---- lines across replications ---------------------------------------------------------

def _tint(color: str, alpha: float = BAND) -> tuple[float, float, float]:
    """``color`` at ``alpha`` over white, as an opaque colour: two such bands overlapping show the one on
    top, not a muddy grey mixture of both."""
    rgb = np.array(to_rgb(color))
    return tuple(float(c) for c in alpha * rgb + (1 - alpha) * np.ones(3))


def _band_line(ax: Axes, x, lo, mid, hi, color: str, label: str, n: int, marker: str | None = "o", *,
               band: bool = True, hide=None, step: bool = False, band_label: str | None = None,
               opaque: bool = False, edges: bool = False, **kw):
    """A centre line (median or mean, as given) with its 90% band from ``lo`` to ``hi``; ``hide`` (bool per
    x) leaves the band out where another arm's already shows; ``step`` draws both as steps (each value
    holds from its x to the next); ``band_label`` names the band in the legend. ``opaque`` fills the band
    with its tint (:func:`_tint`) under every line, so a band drawn later covers an earlier one cleanly;
    ``edges`` draws the band's two bounds as thin lines, so they still show where another band covers it."""
    x, lo, mid, hi = (np.asarray(a, dtype=float) for a in (x, lo, mid, hi))
    if n > 1 and band:
        where = None if hide is None else ~np.asarray(hide, dtype=bool)
        fill = dict(color=_tint(color), zorder=1.2) if opaque else dict(color=color, alpha=BAND)
        ax.fill_between(x, lo, hi, where=where, linewidth=0, interpolate=False, step="post" if step else None,
                        label=band_label, **fill)
        if edges:
            for bound in (lo, hi):
                ax.plot(x, bound, color=color, lw=0.7, alpha=0.8, zorder=1.9,
                        drawstyle="steps-post" if step else "default")
    if step:
        return ax.step(x, mid, where="post", color=color, lw=2, label=label, **kw)[0]
    return ax.plot(x, mid, color=color, lw=2, marker=marker, ms=3.5, label=label, **kw)[0]


def _reps_note(n: int, lang: str = "en", centre: str = "median") -> str:
    _ = translator(lang)
    if n == 1:
        return _("1 replication, so no band")
    if centre == "mean":
        return _("mean and 90% band of {n} replications").format(n=n)
    return _("median and 90% band of {n} replications").format(n=n)


def _campaign_line(ax: Axes, results: Results, lang: str, label: bool = True) -> None:
    if _campaign_on(results):
        _ = translator(lang)
        s = _campaign_start(results)
        ax.axvline(_num(s)[0], color=REFERENCE, lw=1, ls="--",
                   label=_("campaign starts {date}").format(date=_day(s, lang)) if label else None)
