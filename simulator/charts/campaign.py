"""Charts of the campaign itself: how fast dispensers are sealed, and where each team is."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .data import (
    Results,
    _campaign_on,
    _campaign_start,
    _district_order,
    _first_visits,
    _horizon,
    _num,
    _setting,
    _wide,
)
from .figure import _band_line, _chart, _date_axis, _figure, _frame, _note, _reps_note, _y_numbers
from .numbers import _day, format_number, format_percent
from .style import MUTED, OKABE_ITO, REFERENCE, WIDE, WITH, _district_style, _ink

MAX_TEAM_ROWS = 20  # team schedule: rows shown


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
