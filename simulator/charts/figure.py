"""Building a figure: the scaffolding every chart shares.

Figures are built directly (never through pyplot), so no backend is chosen, nothing global
changes and a notebook's own settings are left alone; saving to PNG, SVG or PDF works without
a display. :func:`_chart` settles the language (``lang``, or the older ``number_style``, or the
run's ``run.lang``) and builds a chart inside the house style; :func:`_frame` puts the title
above and the caption below; :func:`_note` puts a sentence in place of the data when there is
nothing to draw; the axis helpers write numbers and dates in the chosen language;
:func:`_band_line` draws a median (or mean) across replications with its 90% band.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from ..i18n import LANGS, check_lang, translator
from .data import Results, _campaign_on, _campaign_start, _num, _setting
from .numbers import DateTickFormatter, NumberFormatter, _day, month_interval
from .style import BAND, REFERENCE, STYLE, WIDE, house_style

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
    """Settle the language (:func:`resolve_lang`) and build the figure inside the house style."""

    @wraps(fn)
    def wrapper(results: Results, *args, lang: str | None = None, number_style: str | None = None, **kw) -> Figure:
        lang = resolve_lang(results, lang, number_style)
        with house_style():
            return fn(results, *args, lang=lang, **kw)

    return wrapper


def _figure(size: tuple[float, float] = WIDE, rows: int = 1, cols: int = 1, **kw) -> tuple[Figure, Any]:
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=True, **kw)
    return fig, axes


CAPTION_FONT = FontProperties(family=STYLE["font.family"], size=10, style="italic")


def _wrap(text: str, width_pt: float, font: FontProperties) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width_pt`` points in ``font``, measured glyph by
    glyph (a line of Vietnamese or of capitals is wider than the same number of average letters)."""
    measure = TextToPath()
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and measure.get_text_width_height_descent(trial, font, ismath=False)[0] <= width_pt:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines or [""]


def _frame(fig: Figure, title: str, caption: str, lang: str = "en") -> Figure:
    """Title above, a caption below saying how to read the chart (it starts "Read:")."""
    _ = translator(lang)
    fig.suptitle(title, x=0.012, ha="left", fontsize=14, fontweight="bold")
    width_in, height_in = fig.get_size_inches()
    lines = _wrap(_("Read:") + " " + caption, 0.97 * width_in * 72, CAPTION_FONT)
    fig.text(0.012, 0.012, "\n".join(lines), ha="left", va="bottom", fontproperties=CAPTION_FONT,
             color="#444444")
    # keep the caption out of the constrained-layout area so it never overlaps a tick label
    bottom = (len(lines) * 10 * 1.3 + 10) / 72 / height_in
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))  # (left, bottom, width, height)
    return fig


def _note(ax: Axes, text: str) -> None:
    """A sentence in place of the data, when there is nothing to draw."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=12, color="#333333",
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

def _band_line(ax: Axes, x, lo, mid, hi, color: str, label: str, n: int, marker: str | None = "o", *,
               band: bool = True, hide=None, step: bool = False, band_label: str | None = None, **kw):
    """A centre line (median or mean, as given) with its 90% band from ``lo`` to ``hi``; ``hide`` (bool per
    x) leaves the band out where another arm's already shows; ``step`` draws both as steps (each value
    holds from its x to the next); ``band_label`` names the band in the legend."""
    x, lo, mid, hi = (np.asarray(a, dtype=float) for a in (x, lo, mid, hi))
    if n > 1 and band:
        where = None if hide is None else ~np.asarray(hide, dtype=bool)
        ax.fill_between(x, lo, hi, where=where, color=color, alpha=BAND, linewidth=0, interpolate=False,
                        step="post" if step else None, label=band_label)
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
