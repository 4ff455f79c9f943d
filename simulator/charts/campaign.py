"""Charts of the campaign itself: how fast dispensers are sealed, day by day, and where each team is."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..i18n import translator
from .data import (
    Results,
    _bands,
    _campaign_on,
    _campaign_start,
    _district_order,
    _first_visits,
    _horizon,
    _num,
    _setting,
    _wide,
)
from .figure import _band_line, _chart, _date_axis, _figure, _frame, _note, _y_numbers
from .numbers import _day, format_number
from .style import MUTED, OKABE_ITO, REFERENCE, WIDE, WITH, _district_style, _ink, current_size, font

MAX_TEAM_ROWS = 20  # team schedule: rows shown
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PROGRESS_COLUMNS = ["date", "share_sealed_pct_p05", "share_sealed_pct_p50", "share_sealed_pct_p95"]
SCHEDULE_COLUMNS = ["replication", "team", "district", "start", "end", "stations", "dispensers"]
HOLIDAY = "#F0F0F0"
OFF_DAY = "#E4E4E4"  # team schedule: a day off, behind the gap it leaves in a bar


def _working_pieces(start: float, end: float, off: np.ndarray) -> list[tuple[float, float]]:
    """The parts of ``[start, end]`` (day numbers) outside the days off (each ``[d, d + 1]``, ``off`` sorted)."""
    pieces, cur = [], start
    for d in off[(off + 1 > start) & (off < end)]:
        if d > cur:
            pieces.append((cur, float(d)))
        cur = max(cur, float(d) + 1)
    if end > cur:
        pieces.append((cur, end))
    return pieces or [(start, end)]


def _holidays(results: Results) -> set[pd.Timestamp]:
    return {pd.Timestamp(h).normalize() for h in _setting(results, "campaign.holidays", []) or []}


def working_days(results: Results, days: pd.DatetimeIndex) -> np.ndarray:
    """Whether the teams work on each of ``days`` (the campaign's working weekdays, less its holidays)."""
    work = set(_setting(results, "campaign.working_weekdays", list(WEEKDAYS[:5])) or [])
    off = _holidays(results)
    return np.array([WEEKDAYS[d.weekday()] in work and d.normalize() not in off for d in days], dtype=bool)


def _daily_counts(results: Results, days: pd.DatetimeIndex, reps: list[int]) -> tuple[np.ndarray, bool]:
    """Dispensers sealed by the end of each of ``days`` (rows) in each replication (columns), and whether
    every replication's count comes from its visit log.

    A replication whose visits are logged is counted visit by visit. For the others only the month-end
    counts (``pumps_sealed`` of the monthly table) and the day of the last seal (``completion_days``) are
    known: between them the dispensers are spread evenly over the teams' working days, so weekends and
    holidays (Tết) stay flat and every month-end count is met exactly.
    """
    start = days[0]
    n_days = len(days)
    ends = _num(days + pd.Timedelta(days=1))  # each day's end (midnight)
    v = _first_visits(results)
    counts = np.zeros((n_days, len(reps)))
    logged = set(v["replication"].unique()) if len(v) else set()
    need = [r for r in reps if r not in logged]
    if need:
        work = working_days(results, days).astype(float)
        cum_work = np.concatenate([[0.0], np.cumsum(work)])  # working days in [start, start + k days)

        def w_at(t: np.ndarray) -> np.ndarray:  # working time elapsed by t days after the start
            t = np.clip(np.asarray(t, dtype=float), 0.0, float(n_days))
            k = np.minimum(np.floor(t).astype(int), n_days - 1)
            return np.minimum(cum_work[k] + work[k] * (t - k), cum_work[-1])

        wide = _wide(results, "with", "pumps_sealed")
        month_end = pd.DatetimeIndex(wide.index) + pd.offsets.MonthBegin(1)
        t_month = np.asarray((month_end - start).days, dtype=float)
        lead = float((_campaign_start(results).normalize() - start).days)
        keep = (t_month > 0) & (t_month <= n_days)
        k = results.kpis.set_index("replication")
        done = k["completion_days"].reindex(reps).to_numpy(float) if "completion_days" in k else np.full(len(reps),
                                                                                                         np.nan)
        total = k["pumps"].reindex(reps).to_numpy(float)
        for j, r in enumerate(reps):
            if r in logged:
                continue
            t = np.concatenate([[0.0], t_month[keep]])
            c = np.concatenate([[0.0], wide[r].to_numpy(float)[keep] if r in wide else np.zeros(keep.sum())])
            if np.isfinite(done[j]):  # completion_days counts from the campaign's first day
                t, c = np.append(t, done[j] + lead), np.append(c, total[j])
            o = np.argsort(t, kind="stable")
            counts[:, j] = np.interp(cum_work[1:], w_at(t[o]), np.maximum.accumulate(np.nan_to_num(c[o])))
    for j, r in enumerate(reps):
        if r in logged:
            vr = v[v["replication"] == r]
            t = _num(vr["end"])
            o = np.argsort(t, kind="stable")
            cum = np.concatenate([[0.0], np.cumsum(vr["pumps"].to_numpy(float)[o])])
            counts[:, j] = cum[np.searchsorted(t[o], ends, side="left")]  # sealed before the day's midnight
    return counts, not need


def campaign_progress_data(results: Results) -> pd.DataFrame:
    """The share of dispensers sealed by the end of each day from the campaign's start (%), across
    replications: 5th, 50th and 95th percentiles. Ends a week after the day by which 95% of the
    replications have sealed everything (or at the horizon's end). Empty when the campaign is disabled.
    ``attrs["from_visits"]``: every replication counted from its visit log (else see :func:`_daily_counts`)."""
    if not _campaign_on(results) or not len(results.kpis):
        out = pd.DataFrame(columns=PROGRESS_COLUMNS)
        out.attrs["from_visits"] = False
        return out
    start = _campaign_start(results).normalize()
    _, end = _horizon(results)
    # from the day before the start (nothing sealed yet), so the line starts at 0
    days = pd.date_range(start - pd.Timedelta(days=1), max(end.normalize(), start), freq="D")
    reps = sorted(int(r) for r in results.kpis["replication"])
    counts, exact = _daily_counts(results, days, reps)
    pumps = results.kpis.set_index("replication")["pumps"].reindex(reps).to_numpy(float)
    share = 100 * np.divide(counts, pumps[None, :], out=np.zeros_like(counts), where=pumps[None, :] > 0)
    lo, mid, hi = _bands(share)
    full = np.flatnonzero(lo >= 100 - 1e-9)
    last = min(len(days) - 1, full[0] + 7) if full.size else len(days) - 1
    out = pd.DataFrame({"date": days.date, "share_sealed_pct_p05": lo, "share_sealed_pct_p50": mid,
                        "share_sealed_pct_p95": hi}).iloc[: last + 1].reset_index(drop=True)
    out.attrs["from_visits"] = exact
    return out


def _first_full(table: pd.DataFrame, column: str):
    hit = np.flatnonzero(table[column].to_numpy(float) >= 100 - 1e-9)
    return pd.Timestamp(table["date"].iloc[hit[0]]) if hit.size else None


@_chart
def campaign_progress(results: Results, *, lang: str = "en") -> Figure:
    """Share of dispensers sealed by each day: median and 90% band as steps, campaign start, holidays and
    the day the median reaches 100% marked."""
    _ = translator(lang)
    fig, ax = _figure()
    n = results.replications
    title = _("Campaign progress: share of dispensers sealed, day by day")
    _y_numbers(ax, lang, _("Dispensers sealed (% of all dispensers)"), suffix="%")
    _date_axis(ax, lang, _("Date"))
    t = campaign_progress_data(results)
    if not len(t) or not np.nanmax(t["share_sealed_pct_p95"].to_numpy(float)) > 0:
        s0, s1 = _horizon(results)
        ax.set_xlim(_num(s0)[0], _num(s1)[0])
        ax.set_ylim(0, 105)
        why = _("Campaign disabled: no dispensers sealed") if not _campaign_on(results) else \
            _("No dispensers sealed within the horizon in any replication")
        _note(ax, why)
        return _frame(fig, title, why + ".", lang)

    start = _campaign_start(results)
    x = _num(pd.DatetimeIndex(t["date"]))
    lo, mid, hi = (t[f"share_sealed_pct_{q}"].to_numpy(float) for q in ("p05", "p50", "p95"))
    label = _("median of {n} replications").format(n=n) if n > 1 else _("1 replication, so no band")
    _band_line(ax, x, lo, mid, hi, WITH, label, n, step=True, band_label=_("90% of replications"))
    lo_x, hi_x = x[0] - 6, x[-1] + 1
    # the teams' days off, where the steps stay flat: weekends and public holidays (Tết)
    span = pd.date_range(pd.Timestamp(t["date"].iloc[0]), pd.Timestamp(t["date"].iloc[-1]), freq="D")
    off = span[~working_days(results, span)]
    for i, d in enumerate(off):
        ax.axvspan(_num(d)[0], _num(d)[0] + 1, color=HOLIDAY, lw=0, zorder=0,
                   label=_("weekend or public holiday (no work)") if i == 0 else None)
    ax.axvline(_num(start)[0], color=REFERENCE, lw=1, ls="--",
               label=_("campaign starts {date}").format(date=_day(start, lang)))
    d50, d05, d95 = (_first_full(t, f"share_sealed_pct_{q}") for q in ("p50", "p95", "p05"))
    if d50 is not None:
        ax.axvline(_num(d50)[0], color=OKABE_ITO["bluish_green"], lw=2,
                   label=(_("100% sealed by {date} (median)") if n > 1 else _("100% sealed by {date}")).format(
                       date=_day(d50, lang)))
        days = (d50 - start.normalize()).days  # the date and the days agree: 3 Jan + 52 days = 24 Feb
        cap = (_("the share of dispensers whose totaliser is sealed by the end of each day; flat steps are "
                 "weekends and holidays, when the teams do not work. Half of the replications have sealed every "
                 "dispenser by {date}, {days} days after the campaign starts") if n > 1 else
               _("the share of dispensers whose totaliser is sealed by the end of each day; flat steps are "
                 "weekends and holidays, when the teams do not work. Every dispenser is sealed by {date}, {days} "
                 "days after the campaign starts")).format(date=_day(d50, lang), days=format_number(days, 0, lang))
        if n > 1 and d05 is not None and d95 is not None and d05 != d95:  # never "between 24 Feb and 24 Feb"
            cap += _("; 90% of them between {first} and {last}").format(first=_day(d05, lang), last=_day(d95, lang))
        cap += "."
    else:
        cap = _("the share of dispensers whose totaliser is sealed by the end of each day; in most replications "
                "not every dispenser is sealed within the horizon.")
    if n > 1:
        cap += " " + (_("Line: median; band: 5th to 95th percentile across replications, each counted visit by "
                        "visit.") if t.attrs.get("from_visits") else
                      _("Line: median; band: 5th to 95th percentile across replications. Only one replication's "
                        "visits are logged: for the others the month-end counts are spread evenly over the "
                        "working days."))
    ax.set_xlim(lo_x, hi_x)
    ax.set_ylim(0, 105)
    ax.yaxis.set_major_locator(ticker.MultipleLocator(20))
    ax.legend(loc="upper left")  # the curve rises from lower left to upper right: this corner stays empty
    return _frame(fig, title, cap, lang)


def team_schedule_data(results: Results, replication: int | None = None) -> pd.DataFrame:
    """One replication's team visits as stints (consecutive visits of one team in one district): team
    (from 1), district, first start and last end, stations and dispensers; teams beyond
    :data:`MAX_TEAM_ROWS` left out. Empty when no visit of that replication is logged."""
    v = _first_visits(results)
    reps = sorted(v["replication"].unique()) if len(v) else []
    rep = (reps[0] if reps else 0) if replication is None else replication
    v = v[v["replication"] == rep].sort_values(["team", "start"]) if len(v) else v
    if not len(v):
        out = pd.DataFrame(columns=SCHEDULE_COLUMNS)
        out.attrs["replication"] = rep
        return out
    # consecutive visits of one team in one district make one bar: single visits of two or three
    # hours would be slivers on a two-month axis, while the district stints show who is where
    new = (v["team"] != v["team"].shift()) | (v["district"] != v["district"].shift())
    stints = v.groupby(new.cumsum()).agg(team=("team", "first"), district=("district", "first"),
                                         start=("start", "min"), end=("end", "max"),
                                         stations=("station", "size"), dispensers=("pumps", "sum"))
    teams = int(_setting(results, "campaign.teams", 1) or 1)
    stints = stints[stints["team"] < min(teams, MAX_TEAM_ROWS)]  # beyond ~20 rows a Gantt chart is a texture
    out = stints.assign(replication=int(rep), team=stints["team"].astype(int) + 1)[SCHEDULE_COLUMNS]
    out = out.astype({"stations": int, "dispensers": int}).reset_index(drop=True)
    out.attrs["replication"] = rep
    return out


@_chart
def team_schedule(results: Results, replication: int | None = None, *, lang: str = "en") -> Figure:
    """Gantt chart of one replication's team visits: one row per team, bars coloured by district."""
    _ = translator(lang)
    stints = team_schedule_data(results, replication)
    rep = stints.attrs["replication"]
    v = _first_visits(results)
    v = v[v["replication"] == rep] if len(v) else v
    later = results.visits
    later = int(((later["replication"] == rep) & (later["kind"] != "first")).sum()) if "kind" in later else 0
    teams = int(_setting(results, "campaign.teams", 1) or 1)
    shown = min(teams, MAX_TEAM_ROWS)
    fig, ax = _figure((WIDE[0] + 1.5 * (teams > 10), max(3.8, 2.8 + 0.45 * shown)))
    # the first replication is the one whose visits are logged by default: say so in plain words
    title = (_("Team schedule: where each team works (first replication)") if rep == 0 else
             _("Team schedule: where each team works (replication {rep})").format(rep=rep))
    _date_axis(ax, lang, _("Date"))
    ax.set_ylabel(_("Verification team"))
    if not len(stints):
        if not _campaign_on(results):
            why = _("Campaign disabled: no dispensers sealed, no team visits")
        elif len(results.visits) == 0:
            why = _("No team visits logged (run.visit_log = \"none\", or nothing was sealed)")
        else:
            why = _("No team visits logged for replication {rep}").format(rep=rep)
        s0, s1 = _horizon(results)
        ax.set_xlim(_num(s0)[0], _num(s1)[0])
        ax.set_yticks([])
        _note(ax, why)
        return _frame(fig, title, why + ".", lang)

    colours = _district_style(_district_order(results))
    x0, x1 = _num(stints["start"]), _num(stints["end"])
    style_of = [colours.get(d, (MUTED, "")) for d in stints["district"]]
    row = stints["team"].to_numpy(int) - 1
    lo, hi = x0.min() - 2, x1.max() + 2
    # the teams' days off (weekends only on schedules short enough for a day to be wider than a hairline):
    # a stint spans them but no work happens then, so its bar has a gap there, over a grey band. A gap, not a
    # faded bar: faded, two warm colours (orange, vermillion) would look alike
    days = pd.date_range(pd.Timestamp(stints["start"].min()).normalize() - pd.Timedelta(days=2),
                         pd.Timestamp(stints["end"].max()).normalize() + pd.Timedelta(days=2), freq="D")
    weekends = hi - lo <= 120
    holidays = _holidays(results)
    off = [d for d in days if (weekends and not working_days(results, pd.DatetimeIndex([d]))[0]) or d in holidays]
    off_x = np.sort(_num(pd.DatetimeIndex(off))) if off else np.zeros(0)
    for d in off_x:
        ax.axvspan(d, d + 1, color=OFF_DAY, lw=0, zorder=0)
    # one collection per hatch pattern, not one bar call per stint: a national run has thousands
    for hatch in dict.fromkeys(h for _c, h in style_of):
        idx = [i for i, (_c, h) in enumerate(style_of) if h == hatch]
        verts, faces = [], []
        for i in idx:
            for a, b in _working_pieces(x0[i], x1[i], off_x):
                verts.append([(a, row[i] - 0.31), (b, row[i] - 0.31), (b, row[i] + 0.31), (a, row[i] + 0.31)])
                faces.append(style_of[i][0])
        ax.add_collection(PolyCollection(verts, facecolors=faces, edgecolors="white", linewidths=0.8,
                                         hatch=hatch or None, zorder=2))
    n_stations = stints["stations"].to_numpy(int)
    room = 2.2 * (x1.max() - x0.min()) / 60
    for i in range(len(stints)):
        # in the middle of the stint's longest piece of work, so the number never sits in a gap
        a, b = max(_working_pieces(x0[i], x1[i], off_x), key=lambda p: p[1] - p[0])
        if b - a <= room and x1[i] - x0[i] <= 2 * room:  # labels only where they fit
            continue
        colour = style_of[i][0]
        ax.text((a + b) / 2, row[i], format_number(int(n_stations[i]), 0, lang), ha="center",
                va="center", fontsize=font(9 if shown <= 10 else 7.5), color=_ink(colour), fontweight="bold", zorder=4,
                # a chip of the bar's own colour: it may spill over the bar's end or a gap
                bbox=dict(boxstyle="round,pad=0.2", facecolor=colour, edgecolor="none"))
    ax.set_xlim(lo, hi)
    ax.set_ylim(shown - 0.5, -0.5)  # team 1 on top
    ax.set_yticks(range(shown), [_("Team {n}").format(n=t + 1) for t in range(shown)])
    ax.grid(axis="y", visible=False)
    present = list(dict.fromkeys(stints.sort_values("start")["district"]))  # in the order the teams get there
    handles = [Patch(facecolor=colours.get(d, (MUTED, ""))[0], hatch=colours.get(d, (MUTED, ""))[1],
                     edgecolor="white", label=d) for d in present]
    if off:
        handles.append(Patch(facecolor=OFF_DAY, edgecolor="#CCCCCC",
                             label=_("weekend or holiday") if weekends else _("public holiday")))
    legend = dict(handles=handles, title=_("District"), alignment="left", ncols=max(1, math.ceil(len(handles) / 22)),
                  fontsize=font(10 if len(handles) <= 22 else 8))
    if current_size().name == "screen":
        fig.legend(loc="outside right upper", **legend)
    else:  # a narrow page: beside the axes, below the title (which may wrap across the whole width)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, **legend)
    n_st, n_p = int(v["station"].size), int(v["pumps"].sum())
    cap = (_("where each team works, day by day; a bar is a run of visits in one district and the number in it "
             "counts its stations.") + " "
           + (_("Grey gaps in the bars are weekends and public holidays, when no team works.") if weekends else
              _("Grey gaps in the bars are public holidays, when no team works."))
           + " " + _("{stations} stations, {dispensers} dispensers.").format(
               stations=format_number(n_st, 0, lang), dispensers=format_number(n_p, 0, lang)))
    if shown < teams:
        cap += " " + _("Teams 1–{shown} of {teams} shown.").format(shown=shown, teams=teams)
    if later:
        cap += " " + _("Re-verification visits later are not shown: {n}.").format(n=format_number(later, 0, lang))
    return _frame(fig, title, cap, lang)
