"""The house style: the same font, colours and sizes on every chart, and saving them unchanged.

DejaVu Sans (shipped with matplotlib; it has every Vietnamese diacritic), the Okabe–Ito
colour-blind-safe palette with one fixed meaning per colour (blue = with the campaign,
orange = without it, green = extra tax, vermillion = cost), a unit on every axis, a title
above each chart and a one-line caption under it saying what to read from it (title,
caption and axes: :mod:`.figure`).

The style applies inside :func:`house_style` only, around building a figure and again around
saving it (:func:`save_figure`), so a notebook's own settings are left alone.

Two sizes (:data:`SIZES`): ``"screen"``, 10 inches wide, for the PNGs of a run folder, and
``"print"``, 6.7 inches wide (the text width of an A4 page), every text 0.8 of its screen size but
never under 8 pt, for a report that places the chart at that width. A chart asks :func:`font` for
the size of each text it sets explicitly.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from ..files import write_atomic

# Okabe & Ito (2008), "Color Universal Design": distinguishable with any common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
# One meaning per colour across every chart, so a reader learns it once.
WITH = OKABE_ITO["blue"]
WITHOUT = OKABE_ITO["orange"]
EXTRA = OKABE_ITO["bluish_green"]
COST = OKABE_ITO["vermillion"]
TRUE = "#333333"
REFERENCE = OKABE_ITO["black"]
MUTED = "#BBBBBB"
# Categorical colours (districts): yellow last, it is the hardest to see on white.
CATEGORICAL = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "reddish_purple", "sky_blue",
                                      "vermillion", "yellow")]
HATCHES = ("", "//", "..", "xx", "\\\\")  # told apart by pattern once the colours run out

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": True,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "#DDDDDD",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "axes.prop_cycle": mpl.cycler(color=CATEGORICAL),  # matplotlib's own re-export of its cycler dependency
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "fuelseal",  # the same run gives byte-identical SVG files
    "text.parse_math": False,  # names from a scenario are text: "Quận $x$" is not TeX (nor a failed run)
}
WIDE = (10.0, 5.6)
TALL = (10.0, 7.2)
BAND = 0.25  # alpha of a 90% band


# ---- sizes: on screen, or printed on A4 ---------------------------------------------------

@dataclass(frozen=True)
class Size:
    """How big a chart is drawn: its width (inches) and how its text and height follow from the screen
    size. A text of ``pt`` points on screen is ``max(floor, pt × font_scale)`` points (:meth:`font`)."""

    name: str
    width: float
    height_scale: float = 1.0
    font_scale: float = 1.0
    floor: float = 0.0

    def font(self, pt: float) -> float:
        """The size, in points, of a text that is ``pt`` points on screen."""
        return max(self.floor, round(pt * self.font_scale, 2))

    def figsize(self, screen: tuple[float, float]) -> tuple[float, float]:
        """The figure size (inches) of a chart that is ``screen`` on screen: this width, the height scaled."""
        return (self.width, screen[1] * self.height_scale) if self.name != "screen" else screen


PRINT_WIDTH_IN = 6.7
"""The width of a print-sized chart: the text width of an A4 page with 2 cm margins (about 482 pt)."""
MIN_PRINT_PT = 8.0
"""The smallest text of a print-sized chart, in points, when it is placed at :data:`PRINT_WIDTH_IN`."""
SIZES = {
    "screen": Size("screen", WIDE[0]),
    "print": Size("print", PRINT_WIDTH_IN, height_scale=0.8, font_scale=0.8, floor=MIN_PRINT_PT),
}
"""``size=`` of every chart: ``"screen"`` (10 inches wide, the PNGs of a run folder) or ``"print"``
(:data:`PRINT_WIDTH_IN` wide, no text under :data:`MIN_PRINT_PT` points, for a report on A4)."""
_SIZE: ContextVar[Size] = ContextVar("fuelseal_chart_size", default=SIZES["screen"])
_FONT_KEYS = ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize",
              "legend.fontsize")


def check_size(size: str) -> Size:
    """The :class:`Size` named ``size``; an unknown name is refused by name."""
    if size not in SIZES:
        raise ValueError(f"size: expected one of {', '.join(SIZES)}, got {size!r}")
    return SIZES[size]


def current_size() -> Size:
    """The size of the chart being built (inside :func:`house_style` with ``size=``; else screen)."""
    return _SIZE.get()


def font(pt: float) -> float:
    """A text of ``pt`` points on screen, at the size of the chart being built."""
    return _SIZE.get().font(pt)


@contextmanager
def house_style(size: str | None = None):
    """The house style for figures built or saved inside the ``with`` block (see :data:`STYLE`), at
    ``size`` (``"screen"`` or ``"print"``; default: the size already in force, else screen)."""
    chosen = check_size(size) if size is not None else _SIZE.get()
    rc = {**STYLE, **{k: chosen.font(STYLE[k]) for k in _FONT_KEYS}}
    token = _SIZE.set(chosen)
    try:
        # rc_context, not rcParams.update: the caller's (or the notebook's) settings come back afterwards
        with mpl.rc_context(rc):
            yield
    finally:
        _SIZE.reset(token)


def save_figure(fig: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Save one figure; the format follows the suffix. No timestamps, so the same run gives the same files."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    metadata = {"png": {"Software": "fuelseal"}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
    with house_style():
        write_atomic(path, lambda fh: fig.savefig(fh, format=fmt, dpi=dpi, metadata=metadata))
    return path


# ---- colours for districts -------------------------------------------------------------

def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` (WCAG relative luminance)."""
    rgb = np.array(mpl.colors.to_rgb(colour))
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return "black" if float(lin @ [0.2126, 0.7152, 0.0722]) > 0.25 else "white"


def _district_style(names: list[str]) -> dict[str, tuple[str, str]]:
    n = len(CATEGORICAL)
    return {d: (CATEGORICAL[i % n], HATCHES[(i // n) % len(HATCHES)]) for i, d in enumerate(names)}
