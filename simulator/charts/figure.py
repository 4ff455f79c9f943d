"""Building a figure: the scaffolding every chart shares.

Figures are built directly (never through pyplot), so no backend is chosen, nothing global
changes and a notebook's own settings are left alone; saving to PNG, SVG or PDF works without
a display. :func:`_chart` checks ``number_style`` and builds a chart inside the house style;
:func:`_frame` puts the title above and the caption below; :func:`_note` puts a sentence in
place of the data when there is nothing to draw; the axis helpers write numbers and dates in
the chosen style; :func:`_band_line` draws a median across replications with its 90% band.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from ..numbers import NUMBER_STYLES
from .data import Results, _bands, _campaign_on, _campaign_start, _num
from .numbers import _DATE_FORMATS, NumberFormatter, _day
from .style import BAND, REFERENCE, WIDE, house_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _chart(fn: Callable[..., Figure]) -> Callable[..., Figure]:
    """Check ``number_style`` and build the figure inside the house style."""

    @wraps(fn)
    def wrapper(results: Results, *args, number_style: str = "en", **kw) -> Figure:
        if number_style not in NUMBER_STYLES:
            raise ValueError(f"number_style: expected one of {', '.join(NUMBER_STYLES)}, got {number_style!r}")
        with house_style():
            return fn(results, *args, number_style=number_style, **kw)

    return wrapper


def _figure(size: tuple[float, float] = WIDE, rows: int = 1, cols: int = 1, **kw) -> tuple[Figure, Any]:
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=True, **kw)
    return fig, axes


def _frame(fig: Figure, title: str, caption: str) -> Figure:
    """Title above, a caption below saying what to read from the chart."""
    fig.suptitle(title, x=0.012, ha="left", fontsize=14, fontweight="bold")
    width_in, height_in = fig.get_size_inches()
    chars = int(width_in * 72 / (10 * 0.52))  # DejaVu Sans at 10 pt averages about half an em per character
    lines = textwrap.wrap(caption, chars) or [""]
    fig.text(0.012, 0.012, "\n".join(lines), ha="left", va="bottom", fontsize=10, color="#444444", style="italic")
    # keep the caption out of the constrained-layout area so it never overlaps a tick label
    bottom = (len(lines) * 10 * 1.3 + 10) / 72 / height_in
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))  # (left, bottom, width, height)
    return fig


def _note(ax: Axes, text: str) -> None:
    """A sentence in place of the data, when there is nothing to draw."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=12, color="#333333",
            wrap=True, bbox=dict(boxstyle="round,pad=0.6", facecolor="#F7F7F7", edgecolor="#CCCCCC"))


def _date_axis(ax: Axes, style: str, label: str = "Month") -> None:
    loc = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc, **_DATE_FORMATS[style]))
    ax.set_xlabel(label)


def _y_numbers(ax: Axes, style: str, label: str, scale: float = 1.0, suffix: str = "") -> None:
    ax.yaxis.set_major_formatter(NumberFormatter(style, 1.0 / scale, suffix))
    ax.set_ylabel(label)


def _x_numbers(ax: Axes, style: str, label: str, scale: float = 1.0, suffix: str = "") -> None:
    ax.xaxis.set_major_formatter(NumberFormatter(style, 1.0 / scale, suffix))
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

def _band_line(ax: Axes, x, table, color: str, label: str, n: int, marker: str | None = "o", *,
               band: bool = True, hide=None, centre: str = "median", **kw) -> np.ndarray:
    """Median (or mean) line with its 90% band; ``hide`` (bool per x) leaves the band out where another arm's
    already shows."""
    lo, mid, hi = _bands(table)
    if centre == "mean":
        mid = np.asarray(table, dtype=float).mean(axis=1)
    if n > 1 and band:
        where = None if hide is None else ~np.asarray(hide, dtype=bool)
        ax.fill_between(x, lo, hi, where=where, color=color, alpha=BAND, linewidth=0, interpolate=False)
    ax.plot(x, mid, color=color, lw=2, marker=marker, ms=3.5, label=label, **kw)
    return mid


def _reps_note(n: int, centre: str = "median") -> str:
    return "1 replication, so no band" if n == 1 else f"{centre} and 90% band of {n} replications"


def _campaign_line(ax: Axes, results: Results, style: str, label: bool = True) -> None:
    if _campaign_on(results):
        s = _campaign_start(results)
        ax.axvline(_num(s)[0], color=REFERENCE, lw=1, ls="--",
                   label=f"campaign starts {_day(s, style)}" if label else None)
