"""Charts of a run, in one house style, for planners and for the printed report.

Each chart is one function that takes a :class:`~simulator.results.Results` and returns
a :class:`matplotlib.figure.Figure`. Figures are built directly (never through pyplot), so
no backend is chosen, nothing global changes and a notebook's own settings are left
alone; saving to PNG, SVG or PDF works without a display.

The house style: DejaVu Sans (shipped with matplotlib; it has every Vietnamese
diacritic), the Okabe–Ito colour-blind-safe palette with one fixed meaning per colour
(blue = with the campaign, orange = without it, green = extra tax, vermillion = cost), a
unit on every axis, a title above each chart and a one-line caption under it saying what
to read from it. ``number_style="vi"`` writes numbers as 1.234.567,8 (dot thousands,
comma decimals) and months as 01/2017; the default ``"en"`` writes 1,234,567.8 and Jan.

Charts that cannot show anything — the campaign is disabled, nothing was sealed, there
is no before window — still return a figure, with a sentence saying why in place of the
data, so that a report never fails on an unusual run.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .files import write_atomic

if TYPE_CHECKING:
    from matplotlib.axes import Axes


class Results(Protocol):
    """What a chart reads of a run: the tidy tables and the manifest. A
    :class:`simulator.results.Results` is one; charts do not import it, so the results layer
    can offer ``Results.plot`` without a loop between the two modules."""

    kpis: pd.DataFrame
    monthly: pd.DataFrame
    districts: pd.DataFrame
    visits: pd.DataFrame
    manifest: dict

    @property
    def replications(self) -> int: ...

    def setting(self, dotted: str, default: Any = None) -> Any: ...

# ---- house style -------------------------------------------------------------------

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
}
NUMBER_STYLES = ("en", "vi")
WIDE = (10.0, 5.6)
TALL = (10.0, 7.2)
BAND = 0.25  # alpha of a 90% band
MAX_TEAM_ROWS = 20  # team schedule: rows shown
MAX_DISTRICT_ROWS = 24  # district breakdown: rows shown; the rest become one "average of the others" row

_DATE_FORMATS = {
    "en": dict(formats=["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"],
               zero_formats=["", "%Y", "%b", "%d %b", "%H:%M", "%H:%M"],
               offset_formats=["", "%Y", "%Y", "%b %Y", "%d %b %Y", "%d %b %Y %H:%M"]),
    "vi": dict(formats=["%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M", "%S.%f"],
               zero_formats=["", "%Y", "%m/%Y", "%d/%m", "%H:%M", "%H:%M"],
               offset_formats=["", "%Y", "%Y", "%m/%Y", "%d/%m/%Y", "%d/%m/%Y %H:%M"]),
}
_DAY = {"en": "%d %b %Y", "vi": "%d/%m/%Y"}
_MONTH = {"en": "%b %Y", "vi": "%m/%Y"}


# ---- numbers as a reader expects them ----------------------------------------------

def format_number(x: float, decimals: int = 0, style: str = "en") -> str:
    """``1234567.8`` → ``"1,234,567.8"`` (en) or ``"1.234.567,8"`` (vi)."""
    if x is None or not math.isfinite(x):
        return "n/a"
    s = f"{x:,.{decimals}f}"
    if s.startswith("-") and float(s.replace(",", "")) == 0:
        s = s[1:]  # no "-0.0"
    if style == "vi":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def format_percent(x: float, decimals: int = 1, style: str = "en") -> str:
    """A share as a percentage: ``0.165`` → ``"16.5%"`` (en) or ``"16,5%"`` (vi)."""
    return "n/a" if x is None or not math.isfinite(x) else format_number(100 * x, decimals, style) + "%"


class NumberFormatter(ticker.Formatter):
    """Tick labels in the chosen number style, with as many decimals as the tick step needs."""

    def __init__(self, style: str = "en", scale: float = 1.0, suffix: str = ""):
        self.style, self.scale, self.suffix = style, scale, suffix
        self._decimals = 0

    def format_ticks(self, values):
        v = np.asarray(values, dtype=float) * self.scale
        # the fewest decimals that still write every tick exactly (2.5 needs one, 2 needs none)
        tol = 1e-6 * max(float(np.abs(v).max()) if v.size else 0.0, 1e-12)
        self._decimals = next((d for d in range(7) if np.all(np.abs(np.round(v, d) - v) <= tol)), 6)
        return [self(x) for x in values]

    def __call__(self, x, pos=None):
        return format_number(x * self.scale, self._decimals, self.style) + self.suffix


def _scale(values: Iterable[float], unit: str) -> tuple[float, str]:
    """A divisor and unit label that keep axis numbers short: VND in million/billion, litres in thousands/millions."""
    a = np.asarray(list(values), dtype=float)
    top = float(np.nanmax(np.abs(a))) if a.size and np.isfinite(a).any() else 0.0
    if unit == "VND":
        steps = ((1e9, "billion VND"), (1e6, "million VND"), (1e3, "thousand VND"))
    else:
        steps = ((1e6, "million litres"), (1e3, "thousand litres"))
    for div, label in steps:
        if top >= div:
            return div, label
    return 1.0, unit


def _money(x: float, style: str) -> str:
    """VND in words a planner reads: 2.67 billion VND, 215.2 million VND."""
    if x is None or not math.isfinite(x):
        return "n/a"
    a = abs(x)
    if a >= 1e9:
        return f"{format_number(x / 1e9, 2, style)} billion VND"
    if a >= 1e6:
        return f"{format_number(x / 1e6, 1, style)} million VND"
    return f"{format_number(x, 0, style)} VND"


# ---- figure scaffolding --------------------------------------------------------------

@contextmanager
def house_style():
    """The house style for figures built or saved inside the ``with`` block (see :data:`STYLE`)."""
    # rc_context, not rcParams.update: the caller's (or the notebook's) settings come back afterwards
    with mpl.rc_context(STYLE):
        yield


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


def _signed_percent(x: float, style: str) -> str:
    """+7.6%, −0.1% (a true minus sign), and 0.0% without a sign when it rounds to nothing."""
    text = format_percent(abs(x), 1, style)
    return text if text == format_percent(0.0, 1, style) else ("+" if x > 0 else "−") + text


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


def _day(ts: pd.Timestamp, style: str) -> str:
    # "3 Jan 2017", not "03 Jan 2017": %-d is not portable, so the day is written by hand
    return f"{ts.day} {ts:%b %Y}" if style == "en" else ts.strftime(_DAY[style])


def _month(ts: pd.Timestamp, style: str) -> str:
    return ts.strftime(_MONTH[style])


# ---- reading a run ---------------------------------------------------------------------

def _setting(results: Results, dotted: str, default: Any = None) -> Any:
    """A setting the run used (typed, defaults included; see ``Results.setting``)."""
    return results.setting(dotted, default)


def _campaign_on(results: Results) -> bool:
    return bool(_setting(results, "campaign.enabled", True))


def _campaign_start(results: Results) -> pd.Timestamp:
    return pd.Timestamp(_setting(results, "campaign.start"))


def _horizon(results: Results) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(_setting(results, "scenario.start")), pd.Timestamp(_setting(results, "scenario.end"))


def _num(ts) -> np.ndarray:
    """Dates as matplotlib day numbers: explicit, so no pandas unit converter is needed."""
    return mdates.date2num(pd.DatetimeIndex(np.atleast_1d(ts)).to_numpy(dtype="datetime64[ns]"))


def _wide(results: Results, arm: str, value: str | Callable[[pd.DataFrame], pd.Series]) -> pd.DataFrame:
    """Month × replication table of one monthly field (or an expression of fields) for one arm."""
    m = results.monthly[results.monthly["arm"] == arm]
    v = m[value] if isinstance(value, str) else value(m)
    # one row per replication × month, so "first" only reshapes; dropna=False keeps months without a value
    return pd.DataFrame({"month": m["month"], "replication": m["replication"], "v": v}).pivot_table(
        index="month", columns="replication", values="v", aggfunc="first", dropna=False, sort=True)


def _bands(table: pd.DataFrame | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """5%, 50% and 95% across replications (columns), month by month (rows)."""
    a = np.asarray(table, dtype=float)
    if a.size == 0:
        return (np.zeros(0),) * 3
    ok = np.isfinite(a)
    lo, mid, hi = (np.full(a.shape[0], np.nan) for _ in range(3))
    rows = ok.any(axis=1)
    if rows.any():
        # quantile row by row only where there is data: nanquantile warns on all-NaN rows
        q = np.array([np.quantile(r[f], [0.05, 0.5, 0.95]) for r, f in zip(a[rows], ok[rows], strict=True)])
        lo[rows], mid[rows], hi[rows] = q.T
    return lo, mid, hi


def _mid_month(months: pd.DatetimeIndex) -> np.ndarray:
    """The middle of each month, where a monthly total is drawn."""
    return (_num(months) + _num(months + pd.offsets.MonthBegin(1))) / 2


def _band_line(ax: Axes, x, table, color: str, label: str, n: int, marker: str | None = "o", *,
               band: bool = True, hide=None, **kw) -> np.ndarray:
    """Median line with its 90% band; ``hide`` (bool per x) leaves the band out where another arm's already shows."""
    lo, mid, hi = _bands(table)
    if n > 1 and band:
        where = None if hide is None else ~np.asarray(hide, dtype=bool)
        ax.fill_between(x, lo, hi, where=where, color=color, alpha=BAND, linewidth=0, interpolate=False)
    ax.plot(x, mid, color=color, lw=2, marker=marker, ms=3.5, label=label, **kw)
    return mid


def _same(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Months in which two arms are equal in every replication (before the campaign starts)."""
    x, y = a.to_numpy(float), b.to_numpy(float)
    return np.all(np.isclose(x, y, rtol=1e-12, atol=0.0), axis=1)


def _reps_note(n: int) -> str:
    return "1 replication, so no band" if n == 1 else f"median and 90% band of {n} replications"


def _campaign_line(ax: Axes, results: Results, style: str, label: bool = True) -> None:
    if _campaign_on(results):
        s = _campaign_start(results)
        ax.axvline(_num(s)[0], color=REFERENCE, lw=1, ls="--",
                   label=f"campaign starts {_day(s, style)}" if label else None)


def _first_visits(results: Results) -> pd.DataFrame:
    """The campaign's sealing visits: re-verification visits a year later (``kind``) are not part of it."""
    v = results.visits
    return v[v["kind"] == "first"] if "kind" in v.columns else v


def _district_order(results: Results) -> list[str]:
    names = list(dict.fromkeys(results.districts["district"])) if len(results.districts) else []
    if len(results.visits):
        names += [d for d in dict.fromkeys(results.visits["district"]) if d not in names]
    return names


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` (WCAG relative luminance)."""
    rgb = np.array(mpl.colors.to_rgb(colour))
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return "black" if float(lin @ [0.2126, 0.7152, 0.0722]) > 0.25 else "white"


def _district_style(names: list[str]) -> dict[str, tuple[str, str]]:
    n = len(CATEGORICAL)
    return {d: (CATEGORICAL[i % n], HATCHES[(i // n) % len(HATCHES)]) for i, d in enumerate(names)}


# ---- the charts ----------------------------------------------------------------------

@_chart
def campaign_progress(results: Results, *, number_style: str = "en") -> Figure:
    """Share of dispensers sealed over time: median and 90% band, campaign start and 100% date marked."""
    style = number_style
    fig, ax = _figure()
    n = results.replications
    title = "Campaign progress: dispensers sealed"
    _y_numbers(ax, style, "Dispensers sealed (% of all dispensers)", suffix="%")
    _date_axis(ax, style, "Date")
    pumps = results.kpis.set_index("replication")["pumps"]
    sealed_total = results.monthly.loc[results.monthly["arm"] == "with", "pumps_sealed"].sum()
    if not _campaign_on(results) or sealed_total == 0 or pumps.sum() == 0:
        s0, s1 = _horizon(results)
        ax.set_xlim(_num(s0)[0], _num(s1)[0])
        ax.set_ylim(0, 105)
        why = "Campaign disabled: no dispensers sealed" if not _campaign_on(results) else \
            "No dispensers sealed within the horizon in any replication"
        _note(ax, why)
        return _frame(fig, title, why + ".")

    start = _campaign_start(results)
    _, end = _horizon(results)
    wide = _wide(results, "with", "pumps_sealed")
    # monthly counts are taken at the end of each month, i.e. at the next month's first instant
    ends = pd.DatetimeIndex(wide.index) + pd.offsets.MonthBegin(1)
    ends = ends.where(ends <= end + pd.Timedelta(days=1), end + pd.Timedelta(days=1))
    keep = np.asarray(ends > start)
    total = pumps.reindex(wide.columns).to_numpy(float)
    share = 100 * np.divide(wide.to_numpy(float)[keep], total[None, :], out=np.zeros((keep.sum(), total.size)),
                            where=total[None, :] > 0)
    x = np.concatenate([_num(start), _num(ends[keep])])
    share = np.vstack([np.zeros((1, share.shape[1])), share])  # nothing is sealed before the start

    k = results.kpis.set_index("replication")
    done_days = k["completion_days"].reindex(wide.columns).to_numpy(float)
    v = _first_visits(results)
    logged = sorted(v["replication"].unique()) if len(v) else []
    if n > 1 and len(logged) == n:
        # every replication's visits are logged: a daily band is finer than the monthly one
        grid = np.arange(_num(start)[0], x[-1] + 1.0, 0.25)
        curves = []
        for r in logged:
            vr = v[v["replication"] == r].sort_values("end")
            cum = np.concatenate([[0.0], vr["pumps"].cumsum().to_numpy(float)])
            idx = np.searchsorted(_num(vr["end"]), grid, side="right")
            curves.append(100 * cum[idx] / max(float(pumps.get(r, np.nan)), 1.0))
        _band_line(ax, grid, np.array(curves).T, WITH, f"{_reps_note(n)} (from the visit logs)", n, marker=None)
        how = "from every replication's visit log"
    else:
        # Only month-end counts and the completion date are known for every replication: join them
        # with straight lines (teams seal at a steady pace), replication by replication, before taking
        # quantiles; month-end points alone would draw the median reaching 100% weeks too late.
        x0 = _num(start)[0]
        grid = np.arange(x0, x[-1] + 0.25, 0.25)
        curves = []
        for j in range(share.shape[1]):
            px, py = x, share[:, j]
            if np.isfinite(done_days[j]):
                px, py = np.append(px, x0 + done_days[j]), np.append(py, 100.0)
            o = np.argsort(px, kind="stable")
            curves.append(np.interp(grid, px[o], np.maximum.accumulate(py[o])))
        _band_line(ax, grid, np.array(curves).T, WITH,
                   _reps_note(n) if n > 1 else "month-end counts and completion date", n, marker=None)
        how = "between month-end counts and each replication's completion date, joined by straight lines"
        if logged:
            r = logged[0]
            vr = v[v["replication"] == r].sort_values("end")
            cx = np.concatenate([_num(start), _num(vr["end"])])
            cy = np.concatenate([[0.0], 100 * vr["pumps"].cumsum().to_numpy(float) / max(float(pumps[r]), 1.0)])
            ax.step(cx, cy, where="post", color=OKABE_ITO["sky_blue"], lw=1.5,
                    label=f"replication {r}, visit by visit")

    ax.axvline(_num(start)[0], color=REFERENCE, lw=1, ls="--", label=f"campaign starts {_day(start, style)}")
    done = done_days[np.isfinite(done_days)]
    hi_x = x[-1]
    if done.size:
        d50, d05, d95 = np.quantile(done, [0.5, 0.05, 0.95])
        t50 = start + pd.Timedelta(days=float(d50))
        if done.size > 1 and d95 > d05:
            ax.axvspan(_num(start + pd.Timedelta(days=float(d05)))[0], _num(start + pd.Timedelta(days=float(d95)))[0],
                       color=OKABE_ITO["bluish_green"], alpha=0.15, lw=0, label="100% date, 90% range")
        share_done = done.size / n
        extra = "" if share_done == 1 else f" (reached in {format_percent(share_done, 0, style)} of replications)"
        ax.axvline(_num(t50)[0], color=OKABE_ITO["bluish_green"], lw=2,
                   label=f"100% sealed: {_day(t50, style)}, median{extra}")
        hi_x = _num(start + pd.Timedelta(days=float(d95) + 12))[0]
        spread = (f" (90% of replications: {format_number(d05, 0, style)}–{format_number(d95, 0, style)} days)"
                  if n > 1 else "")
        cap = (f"Read: the share of dispensers with a sealed totaliser; it reaches 100% "
               f"about {format_number(d50, 0, style)} days after the campaign starts{spread}.")
    else:
        cap = "Read: the share of dispensers with a sealed totaliser; no replication reaches 100% within the horizon."
    if n > 1:
        cap += f" Band: {how}."
    lo_x = _num(start - pd.Timedelta(days=7))[0]
    ax.set_xlim(lo_x, min(max(hi_x, lo_x + 30), _num(end + pd.Timedelta(days=1))[0]))
    ax.set_ylim(0, 105)
    ax.yaxis.set_major_locator(ticker.MultipleLocator(20))
    ax.legend(loc="upper left")  # the curve rises from lower left to upper right: this corner stays empty
    return _frame(fig, title, cap)


@_chart
def team_schedule(results: Results, replication: int | None = None, *, number_style: str = "en") -> Figure:
    """Gantt chart of one replication's team visits: one row per team, bars coloured by district."""
    style = number_style
    v = _first_visits(results)
    reps = sorted(v["replication"].unique()) if len(v) else []
    rep = (reps[0] if reps else 0) if replication is None else replication
    v = v[v["replication"] == rep].sort_values(["team", "start"]) if len(v) else v
    later = results.visits
    later = int(((later["replication"] == rep) & (later["kind"] != "first")).sum()) if "kind" in later else 0
    teams = int(_setting(results, "campaign.teams", 1) or 1)
    fig, ax = _figure((WIDE[0] + 1.5 * (teams > 10), max(3.6, 2.6 + 0.45 * min(teams, MAX_TEAM_ROWS))))
    title = f"Team schedule (replication {rep})"
    _date_axis(ax, style, "Date")
    ax.set_ylabel("Inspection team")
    if not len(v):
        if not _campaign_on(results):
            why = "Campaign disabled: no dispensers sealed, no team visits"
        elif not reps and len(results.visits) == 0:
            why = "No team visits logged (run.visit_log = \"none\", or nothing was sealed)"
        else:
            why = f"No team visits logged for replication {rep}"
        s0, s1 = _horizon(results)
        ax.set_xlim(_num(s0)[0], _num(s1)[0])
        ax.set_yticks([])
        _note(ax, why)
        return _frame(fig, title, why + ".")

    # consecutive visits of one team in one district make one bar: single visits of two or three
    # hours would be slivers on a two-month axis, while the district stints show who is where
    new = (v["team"] != v["team"].shift()) | (v["district"] != v["district"].shift())
    stints = v.groupby(new.cumsum()).agg(team=("team", "first"), district=("district", "first"),
                                         start=("start", "min"), end=("end", "max"),
                                         stations=("station", "size"), pumps=("pumps", "sum"))
    shown = min(teams, MAX_TEAM_ROWS)  # beyond ~20 rows a Gantt chart is a texture, not a schedule
    stints = stints[stints["team"] < shown]
    colours = _district_style(_district_order(results))
    x0, x1 = _num(stints["start"]), _num(stints["end"])
    style_of = [colours.get(d, (MUTED, "")) for d in stints["district"]]
    team = stints["team"].to_numpy(int)
    # one collection per hatch pattern, not one bar call per stint: a national run has thousands
    for hatch in dict.fromkeys(h for _, h in style_of):
        idx = [i for i, (_, h) in enumerate(style_of) if h == hatch]
        verts = [[(x0[i], team[i] - 0.31), (x1[i], team[i] - 0.31), (x1[i], team[i] + 0.31),
                  (x0[i], team[i] + 0.31)] for i in idx]
        ax.add_collection(PolyCollection(verts, facecolors=[style_of[i][0] for i in idx], edgecolors="white",
                                         linewidths=0.8, hatch=hatch or None, zorder=2))
    n_stations = stints["stations"].to_numpy()
    for i in np.flatnonzero(x1 - x0 > 2.2 * (x1.max() - x0.min()) / 60):  # labels only where they fit
        colour = style_of[i][0]
        ax.text((x0[i] + x1[i]) / 2, team[i], format_number(n_stations[i], 0, style), ha="center",
                va="center", fontsize=9 if shown <= 10 else 7.5, color=_ink(colour), fontweight="bold", zorder=4,
                # a chip of the bar's own colour keeps the label readable over a faded weekend
                bbox=dict(boxstyle="round,pad=0.2", facecolor=colour, edgecolor="none"))
    lo, hi = x0.min() - 2, x1.max() + 2
    # non-working days are drawn over the bars, fading them: a stint spans weekends and holidays
    # but no work happens then, and the reader should see the pause (weekends only on schedules
    # short enough for a day to be wider than a hairline)
    work = set(_setting(results, "campaign.working_weekdays", ["Mon", "Tue", "Wed", "Thu", "Fri"]))
    holidays = {pd.Timestamp(h).normalize() for h in _setting(results, "campaign.holidays", []) or []}
    days = pd.date_range(mdates.num2date(lo).date(), mdates.num2date(hi).date(), freq="D")
    weekends = hi - lo <= 120
    off = [d for d in days if (weekends and d.strftime("%a") not in work) or d in holidays]
    for d in off:
        ax.axvspan(_num(d)[0], _num(d)[0] + 1, color="#F4F4F4", alpha=0.7, lw=0, zorder=3)
    ax.set_xlim(lo, hi)
    ax.set_ylim(shown - 0.5, -0.5)  # team 1 on top
    ax.set_yticks(range(shown), [f"Team {t + 1}" for t in range(shown)])
    ax.grid(axis="y", visible=False)
    present = list(dict.fromkeys(stints.sort_values("start")["district"]))  # in the order the teams get there
    handles = [Patch(facecolor=colours.get(d, (MUTED, ""))[0], hatch=colours.get(d, (MUTED, ""))[1],
                     edgecolor="white", label=d) for d in present]
    if off:
        handles.append(Patch(facecolor="#F4F4F4", edgecolor="#CCCCCC",
                             label="non-working day" if weekends else "public holiday"))
    fig.legend(handles=handles, loc="outside right upper", title="District", alignment="left",
               ncols=max(1, math.ceil(len(handles) / 22)), fontsize=10 if len(handles) <= 22 else 8)
    n_st, n_p = int(v["station"].size), int(v["pumps"].sum())
    cap = (f"Read: where each team is, day by day; a bar is a run of visits in one district and the number in it "
           f"counts its stations; faded days are {'weekends and holidays' if weekends else 'public holidays'}. "
           f"{format_number(n_st, 0, style)} stations, {format_number(n_p, 0, style)} dispensers"
           + (f"; teams 1–{shown} of {teams} shown" if shown < teams else "")
           + (f"; {format_number(later, 0, style)} re-verification visits later are not shown." if later else "."))
    return _frame(fig, title, cap)


@_chart
def monthly_tax(results: Results, *, number_style: str = "en") -> Figure:
    """Monthly tax with and without the campaign (median, 90% band), and the monthly difference."""
    style = number_style
    fig, (ax, bx) = _figure(TALL, 2, 1, sharex=True, height_ratios=[2, 1])
    n = results.replications
    w, wo = _wide(results, "with", "tax"), _wide(results, "without", "tax")
    months = pd.DatetimeIndex(w.index)
    x = _mid_month(months)
    div, unit = _scale(np.concatenate([w.to_numpy(float).ravel(), [0.0]]), "VND")
    # before the campaign both worlds are the same: one band there, not two blended into a third colour
    _band_line(ax, x, wo, WITHOUT, "without the campaign", n)
    _band_line(ax, x, w, WITH, "with the campaign", n, hide=_same(w, wo))
    _campaign_line(ax, results, style)
    _y_numbers(ax, style, f"Tax per month ({unit})", div)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", ncols=3)
    ax.set_title(f"Tax collected per month ({_reps_note(n)})", loc="left", fontsize=11)
    diff = w - wo
    d_div, d_unit = _scale(np.concatenate([diff.to_numpy(float).ravel(), [0.0]]), "VND")
    mid = _band_line(bx, x, diff, EXTRA, "extra tax (with − without)", n)
    _campaign_line(bx, results, style, label=False)
    bx.axhline(0, color="#888888", lw=0.8)
    _y_numbers(bx, style, f"Extra tax ({d_unit})", d_div)
    bx.set_title("Extra tax per month: with minus without the campaign", loc="left", fontsize=11)
    _date_axis(bx, style, "Month")
    _zero_axis(bx, "y", diff)
    best = float(np.nanmax(mid)) if np.isfinite(mid).any() else 0.0
    if not _campaign_on(results):
        _note(bx, "Campaign disabled: both worlds are the same")
        cap = "Read: the campaign is disabled, so tax is the same with and without it."
    elif best <= 0:
        _note(bx, "No dispensers sealed: no extra tax")
        cap = "Read: no dispenser was sealed within the horizon, so tax is the same with and without the campaign."
    else:
        cap = ("Read: the gap between the blue and orange lines is the tax the campaign adds; the lower panel shows "
               f"it directly, up to about {_money(best, style)} a month (median).")
    return _frame(fig, "Monthly tax with and without the campaign", cap)


@_chart
def monthly_sales(results: Results, *, number_style: str = "en") -> Figure:
    """Monthly true and declared litres (median, 90% band), and the litres left undeclared in each arm."""
    style = number_style
    fig, (ax, bx) = _figure(TALL, 2, 1, sharex=True, height_ratios=[2, 1])
    n = results.replications
    true = _wide(results, "with", "true_litres")
    dw, dwo = _wide(results, "with", "declared_litres"), _wide(results, "without", "declared_litres")
    x = _mid_month(pd.DatetimeIndex(true.index))
    div, unit = _scale(np.concatenate([true.to_numpy(float).ravel(), [0.0]]), "litres")
    # medians only: three overlapping bands would blend into colours that mean nothing; the lower panel has them
    _band_line(ax, x, true, TRUE, "true sales", n, marker=None, ls=":", band=False)
    _band_line(ax, x, dwo, WITHOUT, "declared, without the campaign", n, band=False)
    _band_line(ax, x, dw, WITH, "declared, with the campaign", n, band=False)
    _campaign_line(ax, results, style)
    _y_numbers(ax, style, f"Litres per month ({unit})", div)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", ncols=2)
    ax.set_title(f"Fuel sold and declared per month (median of {n} replication{'s' if n > 1 else ''})", loc="left",
                 fontsize=11)
    uw, uwo = true - dw, true - dwo
    u_div, u_unit = _scale(np.concatenate([uwo.to_numpy(float).ravel(), [0.0]]), "litres")
    _band_line(bx, x, uwo, WITHOUT, "without the campaign", n)
    _band_line(bx, x, uw, WITH, "with the campaign", n, hide=_same(uw, uwo))
    _campaign_line(bx, results, style, label=False)
    _y_numbers(bx, style, f"Undeclared ({u_unit})", u_div)
    bx.set_ylim(bottom=0)
    bx.set_title(f"Litres sold but not declared (true − declared; {_reps_note(n)})", loc="left", fontsize=11)
    _date_axis(bx, style, "Month")
    cap = ("Read: before sealing, stations declare less than they sell; once their totalisers are sealed the blue "
           "declared line rises to the true sales and the undeclared litres fall towards zero.")
    return _frame(fig, "Monthly fuel sales: true and declared", cap)


@_chart
def uplift_distribution(results: Results, *, number_style: str = "en") -> Figure:
    """Histograms of the causal and the before/after uplift across replications, published figure marked."""
    style = number_style
    fig, ax = _figure()
    k = results.kpis
    n = results.replications
    series = [("uplift", "against no campaign (causal)", WITH),
              ("uplift_before_after", "against the months before (before/after)", WITHOUT)]
    data = {key: k[key].to_numpy(float)[np.isfinite(k[key].to_numpy(float))] if key in k else np.zeros(0)
            for key, _, _ in series}
    ref = results.manifest.get("reference_uplift")
    allv = np.concatenate([d for d in data.values()] + ([np.array([ref])] if ref is not None else []))
    _x_numbers(ax, style, "Tax uplift in the evaluation window (%)", 0.01, "%")
    ax.set_ylabel("Replications")
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    if allv.size == 0:
        _note(ax, "No uplift could be computed (no tax in the window)")
        return _frame(fig, "Tax uplift across replications", "No uplift could be computed.")
    lo, hi = float(allv.min()), float(allv.max())
    # one bin width for both, fitted to the narrower distribution (Freedman–Diaconis), so neither is
    # squeezed into two or three bars; bounded so that a wide spread still gets at most 80 bins
    fd = [2 * float(np.subtract(*np.quantile(d, [0.75, 0.25]))) / d.size ** (1 / 3)
          for d in data.values() if d.size > 3]
    fd = [w for w in fd if w > 0]
    width = max(min(fd) if fd else 0.0025, (hi - lo) / 80, 0.0005)
    pad = max(width, 0.05 * (hi - lo))
    edges = np.arange(lo - pad, hi + pad + width, width)
    for key, label, colour in series:
        d = data[key]
        if not d.size:
            continue
        ax.hist(d, bins=edges, color=colour, alpha=0.55, edgecolor=colour, lw=0.8,
                label=f"{label}: mean {format_percent(d.mean(), 1, style)}")
        ax.axvline(d.mean(), color=colour, lw=2)
    if ref is not None:
        ax.axvline(ref, color=REFERENCE, lw=2, ls="--", label=f"published figure: {format_percent(ref, 1, style)}")
    ax.set_xlim(edges[0], edges[-1])
    ax.grid(axis="x", visible=False)
    # above the plot, not on it: where the bars are depends on the run
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=2, borderaxespad=0)
    if not _campaign_on(results):
        cap = ("Read: the campaign is disabled, so the causal uplift is zero; the before/after figure is demand "
               "growth and price changes alone.")
    else:
        cap = ("Read: a before/after comparison (orange) also counts demand growth and price changes; only the "
               f"blue uplift is due to the campaign. Bars count replications ({format_number(n, 0, style)} in "
               "all); solid lines are the means.")
    return _frame(fig, "Tax uplift across replications", cap)


_LABEL_BOX = dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85)  # over grid and lines
DECOMPOSITION_KPIS = ("uplift_growth", "uplift_compliance", "uplift_metrology")


def uplift_parts(kpis: pd.DataFrame) -> dict[str, pd.Series]:
    """The before/after uplift split into parts that add up to it, per replication (label → series).

    The KPIs ``uplift_growth``, ``uplift_compliance`` and ``uplift_metrology`` when the run has them;
    otherwise an exact two-part split, since tax_with/tax_before − 1 =
    (tax_without/tax_before − 1) + (tax_with − tax_without)/tax_before: demand and prices (what the
    world without the campaign did) and the campaign.
    """
    k = kpis
    if all(c in k for c in DECOMPOSITION_KPIS):
        return {"Demand & prices": k["uplift_growth"], "Compliance (sealed totalisers)": k["uplift_compliance"],
                "Metrology (dispenser accuracy)": k["uplift_metrology"]}
    before = k["tax_before"].where(k["tax_before"] > 0)
    return {"Demand & prices": k["tax_without"] / before - 1,
            "Campaign (sealed totalisers)": (k["tax_with"] - k["tax_without"]) / before}


@_chart
def uplift_decomposition(results: Results, *, number_style: str = "en") -> Figure:
    """Waterfall of the before/after uplift: demand & prices, then the campaign (or compliance and metrology)."""
    style = number_style
    fig, ax = _figure()
    k = results.kpis
    title = "What the before/after uplift is made of"
    _y_numbers(ax, style, "Tax uplift against the months before (%)", 0.01, "%")
    ax.set_xlabel("Component (mean across replications)")
    colours = [OKABE_ITO["sky_blue"], WITH, OKABE_ITO["reddish_purple"]]
    parts = [(label.replace(" (", "\n("), p, c)
             for (label, p), c in zip(uplift_parts(k).items(), colours, strict=False)]
    total = k["uplift_before_after"].to_numpy(float)
    ok = np.isfinite(total) & np.all([np.isfinite(p.to_numpy(float)) for _, p, _ in parts], axis=0)
    if not ok.any():
        _note(ax, "No before window inside the horizon: the before/after uplift cannot be split")
        ax.set_xticks([])
        return _frame(fig, title, "The scenario's horizon holds no full window before the campaign.")
    n = int(ok.sum())
    level = 0.0
    labels = []
    means = np.array([p.to_numpy(float)[ok].mean() for _, p, _ in parts])
    span = max(float(np.abs(np.concatenate([np.cumsum(means), [total[ok].mean()]])).max()), 1e-9)
    for i, (label, p, colour) in enumerate(parts):
        vals = p.to_numpy(float)[ok]
        m = float(vals.mean())
        ax.bar(i, m, bottom=level, color=colour, width=0.62)
        if n > 1:
            q05, q95 = np.quantile(vals, [0.05, 0.95])
            ax.errorbar(i, level + m, yerr=[[m - q05], [q95 - m]], color="#333333", capsize=5, lw=1.2)
        # a sliver of a bar gets its label just above it, clear of the bar's neighbours and the published line
        small = abs(m) < 0.08 * span
        ax.text(i + 0.33, max(level, level + m) + 0.025 * span if small else level + m / 2,
                _signed_percent(m, style), va="bottom" if small else "center",
                ha="left", fontsize=11, fontweight="bold", zorder=5, bbox=_LABEL_BOX)
        if i < len(parts):
            ax.plot([i + 0.31, i + 0.69], [level + m] * 2, color="#888888", lw=1, ls=":")
        level += m
        labels.append(label)
    tot = float(total[ok].mean())
    j = len(parts)
    ax.bar(j, tot, color="#555555", width=0.62)
    if n > 1:
        q05, q95 = np.quantile(total[ok], [0.05, 0.95])
        ax.errorbar(j, tot, yerr=[[tot - q05], [q95 - tot]], color="#333333", capsize=5, lw=1.2)
    ax.text(j + 0.33, tot / 2, format_percent(tot, 1, style), va="center", ha="left", fontsize=11,
            fontweight="bold", zorder=5, bbox=_LABEL_BOX)
    labels.append("Before/after\nuplift")
    ref = results.manifest.get("reference_uplift")
    if ref is not None:
        ax.axhline(ref, color=REFERENCE, ls="--", lw=1.5, label=f"published figure: {format_percent(ref, 1, style)}")
        ax.legend(loc="upper left")
    ax.axhline(0, color="#888888", lw=0.8)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlim(-0.6, j + 0.9)
    ax.grid(axis="x", visible=False)
    lo_y, hi_y = ax.get_ylim()
    ax.set_ylim(min(lo_y, 0), hi_y * 1.12)
    whiskers = " Whiskers: 90% of replications." if n > 1 else ""
    cap = (f"Read: of the {format_percent(tot, 1, style)} rise in tax on the months before, each bar is the part due "
           f"to one cause; the parts add up to the grey total.{whiskers}")
    return _frame(fig, title, cap)


@_chart
def district_breakdown(results: Results, *, number_style: str = "en") -> Figure:
    """Per district: extra tax in the evaluation window (VND) and dispensers sealed out of all."""
    style = number_style
    d = results.districts
    n = results.replications
    names = _district_order(results)
    other = ""
    if len(names) > MAX_DISTRICT_ROWS:
        # many districts (a national run has 63 provinces): the largest by median extra tax, then the
        # average of the rest, taken replication by replication so that its quantiles are honest too
        # (their sum would dwarf every other bar)
        med = d.groupby("district")["extra_tax"].median().sort_values(ascending=False)
        keep = list(med.index[:MAX_DISTRICT_ROWS - 1])
        other = f"average of {len(names) - len(keep)} others"
        d = d.assign(district=d["district"].where(d["district"].isin(keep), other))
        d = d.groupby(["replication", "district"], as_index=False)[["extra_tax", "pumps", "pumps_sealed"]].mean()
        names = [*keep, other]
    fig, (ax, bx) = _figure((WIDE[0], max(5.8, 1.9 + 0.3 * len(names))), 1, 2, sharey=True)
    title = "By district: extra tax and dispensers sealed"
    if not len(d):
        _note(ax, "No districts in this run")
        return _frame(fig, title, "No districts in this run.")
    g = d.groupby("district", sort=False)
    # describe() gives the 5%, 50% and 95% columns in one pass per table column
    q = {c: g[c].describe(percentiles=[0.05, 0.5, 0.95]).reindex(names).rename(columns={"5%": 0.05, "50%": 0.5,
                                                                                          "95%": 0.95})
         for c in ("extra_tax", "pumps", "pumps_sealed")}
    y = np.arange(len(names))
    div, unit = _scale(np.concatenate([q["extra_tax"].to_numpy(float).ravel(), [0.0]]), "VND")
    e = q["extra_tax"]
    ax.barh(y, e[0.5], color=EXTRA, height=0.6, label="median")
    if n > 1:
        ax.errorbar(e[0.5], y, xerr=[e[0.5] - e[0.05], e[0.95] - e[0.5]], fmt="none", color="#333333", capsize=3,
                    lw=1)
    ax.axvline(0, color="#888888", lw=0.8)
    _x_numbers(ax, style, f"Extra tax in the evaluation window ({unit})", div)
    ax.set_title("Extra tax (with − without)", loc="left", fontsize=11)
    ax.set_yticks(y, names)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.set_ylabel("District")
    bx.barh(y, q["pumps"][0.5], color=MUTED, height=0.6, label="all dispensers")
    bx.barh(y, q["pumps_sealed"][0.5], color=WITH, height=0.36, label="sealed")
    for yi, (p, s) in enumerate(zip(q["pumps"][0.5], q["pumps_sealed"][0.5], strict=True)):
        bx.text(p, yi, " " + format_number(s, 0, style) + " / " + format_number(p, 0, style), va="center",
                fontsize=9)
    bx.set_xlim(0, float(np.nanmax(q["pumps"][0.5].to_numpy(float))) * 1.3 + 1)
    _x_numbers(bx, style, "Dispensers (count, median)")
    bx.set_title("Dispensers sealed (blue) / all (grey)", loc="left", fontsize=11)
    bx.xaxis.set_major_locator(ticker.MaxNLocator(nbins=5, integer=True))
    bx.grid(axis="y", visible=False)
    _zero_axis(ax, "x", d["extra_tax"])
    if not _campaign_on(results):
        _note(ax, "Campaign disabled:\nno extra tax")  # the grey bars on the right already say 0 sealed
    whiskers = "; whiskers: 90% of replications" if n > 1 else ""
    cap = (f"Read: which districts bring the extra tax, and whether all their dispensers were sealed "
           f"(medians of {n} replication{'s' if n != 1 else ''}{whiskers}; sums over the evaluation window"
           + (f"; the {MAX_DISTRICT_ROWS - 1} largest by extra tax, then the {other})." if other else ")."))
    return _frame(fig, title, cap)


def _cumulative(results: Results) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray, np.ndarray]:
    """From the campaign month on: the months, x (campaign start, then each month's end), and cumulative
    cost and extra tax (points × replications, starting at 0)."""
    start = _campaign_start(results)
    cost, w, wo = _wide(results, "with", "cost"), _wide(results, "with", "tax"), _wide(results, "without", "tax")
    rows = np.asarray(w.index >= pd.Timestamp(start.year, start.month, 1))
    months = pd.DatetimeIndex(w.index)[rows]
    _, end = _horizon(results)
    ends = months + pd.offsets.MonthBegin(1)
    ends = ends.where(ends <= end + pd.Timedelta(days=1), end + pd.Timedelta(days=1))
    x = np.concatenate([_num(start), _num(ends)])
    zero = np.zeros((1, w.shape[1]))
    cum_cost = np.vstack([zero, np.cumsum(cost.to_numpy(float)[rows], axis=0)])
    cum_extra = np.vstack([zero, np.cumsum((w - wo).to_numpy(float)[rows], axis=0)])
    return months, x, cum_cost, cum_extra


def _break_even_index(spent: np.ndarray, extra: np.ndarray) -> int | None:
    hit = np.flatnonzero((spent > 0) & (extra >= spent))
    return int(hit[0]) if hit.size else None


def break_even(results: Results) -> pd.Timestamp | None:
    """The month (its first day) by whose end the median cumulative extra tax covers the median
    cumulative cost, counted from the campaign month; None when it never does or nothing was spent."""
    if not _campaign_on(results):
        return None
    months, _, cum_cost, cum_extra = _cumulative(results)
    i = _break_even_index(_bands(cum_cost)[1], _bands(cum_extra)[1])
    return None if i is None else months[i - 1]


@_chart
def cost_benefit(results: Results, *, number_style: str = "en") -> Figure:
    """Cumulative campaign cost against cumulative extra tax from the campaign month on, break-even marked."""
    style = number_style
    fig, ax = _figure()
    n = results.replications
    title = "Cost against benefit over time"
    _date_axis(ax, style, "Month")
    start = _campaign_start(results)
    months, x, cum_cost, cum_extra = _cumulative(results)
    div, unit = _scale(np.concatenate([cum_cost.ravel(), cum_extra.ravel()]), "VND")
    _y_numbers(ax, style, f"Cumulative amount ({unit})", div)
    if not _campaign_on(results) or not np.any(cum_cost[-1] > 0):
        s0, s1 = _horizon(results)
        ax.set_xlim(_num(s0)[0], _num(s1 + pd.Timedelta(days=1))[0])
        why = "Campaign disabled: no cost and no extra tax" if not _campaign_on(results) else \
            "No campaign cost recorded in this run"
        _note(ax, why)
        return _frame(fig, title, why + ".")
    extra = _band_line(ax, x, cum_extra, EXTRA, "extra tax (with − without), cumulative", n)
    spent = _band_line(ax, x, cum_cost, COST, "campaign cost, cumulative", n, marker="s")
    ax.axvline(x[0], color=REFERENCE, lw=1, ls="--", label=f"campaign starts {_day(start, style)}")
    i = _break_even_index(spent, extra)
    if i is not None:
        month = _month(months[i - 1], style)  # point i is the end of month i - 1 (point 0 is the start)
        ax.axvline(x[i], color=OKABE_ITO["bluish_green"], lw=2, ls=":", label=f"break-even by the end of {month}")
        ax.plot([x[i]], [extra[i]], "o", ms=9, mfc="none", mec=REFERENCE, mew=1.5)
        verdict = f"the median extra tax covers the median cost by the end of {month}"
    else:
        ax.plot([], [], " ", label="no break-even within the horizon")
        verdict = "the median extra tax does not cover the median cost within the horizon"
    ax.set_xlim(x[0] - 5, x[-1] + 5)
    # ticks at month ends, named after the month they close, so "Feb" is read as "by the end of February"
    step = max(1, math.ceil(len(months) / 12))
    fmt = {"en": "%b", "vi": "%m"}[style]
    names = [m.strftime(fmt + ("\n%Y" if i == 0 or m.month == 1 else "")) for i, m in enumerate(months)]
    ax.set_xticks(x[1:][::step], names[::step])
    ax.set_xlabel("End of month")
    ax.set_ylim(bottom=min(0.0, float(np.nanmin(cum_extra)) * 1.1))
    ax.legend(loc="upper left")
    cap = (f"Read: once the green extra-tax line is above the cost line the campaign has paid for itself; "
           f"{verdict} ({_reps_note(n)}).")
    return _frame(fig, title, cap)


# ---- all of them -------------------------------------------------------------------------

CHARTS: dict[str, Callable[..., Figure]] = {
    "campaign_progress": campaign_progress,
    "team_schedule": team_schedule,
    "monthly_tax": monthly_tax,
    "monthly_sales": monthly_sales,
    "uplift_distribution": uplift_distribution,
    "uplift_decomposition": uplift_decomposition,
    "district_breakdown": district_breakdown,
    "cost_benefit": cost_benefit,
}
"""Chart name → function, in the order a report shows them."""
FORMATS = ("png", "svg", "pdf")


def chart(results: Results, name: str, **kw) -> Figure:
    """One chart by name (see :data:`CHARTS`)."""
    try:
        fn = CHARTS[name]
    except KeyError:
        raise ValueError(f"chart: expected one of {', '.join(CHARTS)}, got {name!r}") from None
    return fn(results, **kw)


def all_charts(results: Results, *, number_style: str = "en", names: Iterable[str] | None = None) -> dict[str, Figure]:
    """Every chart (or those in ``names``) as ``{name: Figure}``, in report order."""
    return {name: chart(results, name, number_style=number_style) for name in (names or CHARTS)}


def save_figure(fig: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Save one figure; the format follows the suffix. No timestamps, so the same run gives the same files."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    metadata = {"png": {"Software": "fuelseal"}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
    with house_style():
        write_atomic(path, lambda fh: fig.savefig(fh, format=fmt, dpi=dpi, metadata=metadata))
    return path


def write_charts(results: Results, folder: str | Path, formats: Iterable[str] = ("png",), *,
                 number_style: str = "en", dpi: int = 150) -> list[Path]:
    """Write every chart to ``<folder>/charts/<name>.<format>`` and return the paths written."""
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"formats: expected some of {', '.join(FORMATS)}, got {bad[0]!r}")
    out = Path(folder) / "charts"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in all_charts(results, number_style=number_style).items():
        for fmt in formats:
            written.append(save_figure(fig, out / f"{name}.{fmt}", dpi=dpi))
    return written
