"""Sweeps: the same scenario at many settings, and the planners' questions they answer.

A sweep runs a grid of points — every combination of the values given for each dotted
name (``{"campaign.teams": [1, 2, 3], "campaign.order": ["route", "largest_first"]}``),
or a list of points written out one by one — each with the same replications from the
same seed. Because every point sees the same stations, demand and durations (common
random numbers), the differences along a sweep are the parameters' effect, not noise:
adding a team can only bring the last seal forward, never back.

Two helpers answer a planner directly: :func:`fewest_teams` (the fewest teams that seal
every dispenser before a date with a given probability) and :func:`earliest_break_even`
(the visiting order whose extra tax covers the campaign's cost soonest).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..charts.analysis import DONE, sweep_figure
from ..errors import ScenarioError
from ..kpis import break_even_index
from ..model.campaign import ORDERS
from ..results.tables import summarise
from ..scenario import Scenario
from ..timeline import month_start
from .points import PointRun, check_kpis, replications_and_seed, resolve, run_points

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# KPIs drawn by :func:`plot_sweep` when none are named: the ones a planner asks about.
MAIN_KPIS = ("completion_days", "uplift", "uplift_before_after", "extra_tax", "cost", "benefit_cost_ratio")
STAT_COLUMNS = ("mean", "sd", "p05", "p50", "p95", "n")

Grid = Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]


# ---- the grid ----------------------------------------------------------------------
def grid_points(grid: Grid, source: str = "sweep") -> list[dict[str, Any]]:
    """The points of a sweep: the full factorial of a ``{name: [values]}`` mapping (first
    name varying slowest), or a list of ``{name: value}`` points as given."""
    if isinstance(grid, Mapping):
        if not grid:
            raise ScenarioError("expected at least one dotted name with values to sweep", source=source)
        names, lists = [], []
        for name, values in grid.items():
            if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
                values = [values]  # one value: a fixed setting shown as a column
            values = list(values)
            if not values:
                raise ScenarioError("expected at least one value to sweep", source=source, key=str(name))
            names.append(str(name))
            lists.append(values)
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*lists)]
    points = [dict(p) for p in grid]
    if not points:
        raise ScenarioError("expected at least one point", source=source)
    for i, p in enumerate(points):
        if not isinstance(p, dict) or not p:
            raise ScenarioError(f"point {i + 1}: expected a non-empty {{name: value}} mapping", source=source)
        if set(p) != set(points[0]):
            raise ScenarioError(f"point {i + 1}: sets {sorted(p)}, but point 1 sets {sorted(points[0])}; "
                                "every listed point must set the same names", source=source)
    return points


def _check_names(scenario: Scenario, points: list[dict[str, Any]], source: str) -> None:
    for name in points[0]:
        resolve(scenario, name, source)


# ---- the sweep -----------------------------------------------------------------------
def sweep(scenario: Scenario, grid: Grid, replications: int | None = None, seed: int | None = None, *,
          kpis: Sequence[str] | None = None, workers: int | None = None, progress: bool | None = None,
          checkpoint: str | Path | None = None, executor: str = "process",
          scheduler: str | None = None) -> pd.DataFrame:
    """Run every point of ``grid`` from the same ``seed`` and summarise each KPI.

    Returns a tidy table, one row per point and KPI: ``point`` (1, 2, …), one column per
    swept dotted name, ``kpi``, ``mean``, ``sd``, ``p05``, ``p50``, ``p95`` and ``n``
    (replications with a finite value). ``replications`` and ``seed`` default to the
    scenario's ``[run]`` settings; ``kpis`` keeps only the named KPIs. With a
    ``checkpoint`` folder every finished point is saved there, and a sweep run again
    with the same folder only runs the points that are missing.
    """
    table, _ = sweep_runs(scenario, grid, replications, seed, kpis=kpis, workers=workers, progress=progress,
                          checkpoint=checkpoint, executor=executor, scheduler=scheduler)
    return table


def sweep_runs(scenario: Scenario, grid: Grid, replications: int | None = None, seed: int | None = None, *,
               kpis: Sequence[str] | None = None, workers: int | None = None, progress: bool | None = None,
               keep_monthly: bool = False, checkpoint: str | Path | None = None, executor: str = "process",
               scheduler: str | None = None) -> tuple[pd.DataFrame, list[PointRun]]:
    """Like :func:`sweep`, and also the per-replication tables of each point."""
    n, s = replications_and_seed(scenario, replications, seed, "sweep")
    points = grid_points(grid)
    _check_names(scenario, points, "sweep")
    if kpis is not None:
        check_kpis(scenario, kpis, "sweep")
    runs = run_points(scenario, points, n, s, workers=workers, progress=progress, keep_monthly=keep_monthly,
                      source="sweep", checkpoint=None if checkpoint is None else Path(checkpoint),
                      executor=executor, scheduler=scheduler)
    return summarise_points(runs, kpis), runs


def summarise_points(runs: Sequence[PointRun], kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """The tidy sweep table (see :func:`sweep`) from the runs of each point."""
    frames = []
    for i, r in enumerate(runs, start=1):
        s = summarise(r.kpis)
        if kpis is not None:
            unknown = [k for k in kpis if k not in s.index]
            if unknown:
                raise ScenarioError(f"unknown KPI; expected one of {', '.join(s.index)}", source="sweep",
                                    key=unknown[0])
            s = s.loc[list(kpis)]
        frames.append(_at_point(s.reset_index()[["kpi", *STAT_COLUMNS]], i, r.settings))
    out = pd.concat(frames, ignore_index=True)
    out["n"] = out["n"].astype(np.int64)
    return out


def _at_point(frame: pd.DataFrame, point: int, settings: dict) -> pd.DataFrame:
    """``frame`` led by its ``point`` number and one column per swept name (in place)."""
    frame.insert(0, "point", point)
    for j, (name, value) in enumerate(settings.items(), start=1):
        frame.insert(j, name, [value] * len(frame))
    return frame


def swept_names(table: pd.DataFrame) -> list[str]:
    """The dotted-name columns of a sweep table, in the order they were given."""
    cols = list(table.columns)
    return cols[cols.index("point") + 1: cols.index("kpi")]


def table_json(table: pd.DataFrame) -> dict:
    """The ``--json`` shape: ``{"rows": [{name: value, …, "kpi", "mean", "sd", "p05", "p50", "p95", "n"}]}``."""
    names = swept_names(table)
    rows = []
    for rec in table.to_dict("records"):
        row: dict[str, Any] = {"point": int(rec["point"])}
        row.update({k: _json_value(rec[k]) for k in names})
        row["kpi"] = rec["kpi"]
        row.update({c: _json_value(rec[c]) for c in STAT_COLUMNS})
        rows.append(row)
    return {"rows": rows}


def _json_value(x: Any) -> Any:
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if not math.isfinite(float(x)) else float(x)
    if isinstance(x, (dt.date, pd.Timestamp)):
        return x.isoformat()
    return x


# ---- per replication, and the chart ----------------------------------------------------------
def per_replication(runs: Sequence[PointRun]) -> pd.DataFrame:
    """Every point's per-replication KPIs in one table: ``point`` (1, 2, …), one column per swept
    name, ``replication`` and one column per KPI — what the sweep chart's paired differences need."""
    frames = []
    for i, r in enumerate(runs, start=1):
        frames.append(_at_point(r.kpis.copy(), i, r.settings))
    out = pd.concat(frames, ignore_index=True)
    out["point"] = out["point"].astype(np.int64)
    return out


def finished_before(kpis: pd.DataFrame, budget_days: Any) -> np.ndarray:
    """THE deadline rule of :func:`fewest_teams` and of the sweep chart's marker, per replication:
    every dispenser sealed (``completed``) and the last seal strictly before the deadline's day
    begins (``completion_days`` < the days from ``campaign.start`` to the deadline)."""
    done = kpis["completed"].to_numpy(dtype=float) == 1
    days = kpis["completion_days"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        return done & (days < np.asarray(budget_days, dtype=float))


def default_deadline(scenario: Scenario) -> dt.date | None:
    """The deadline a sweep over ``campaign.teams`` is marked against when ``--deadline`` is not given: the
    plan's own ``campaign.deadline`` (None when the scenario states none: fuelseal invents no target)."""
    return scenario.campaign.deadline


def check_deadline(scenario: Scenario, deadline: dt.date | str, source: str = "fewest_teams") -> dt.date:
    """``deadline`` as a date after ``campaign.start`` and no later than the day after ``scenario.end``."""
    if isinstance(deadline, dt.datetime):  # also a pandas Timestamp: the day is what counts
        deadline = deadline.date()
    if isinstance(deadline, str):
        try:
            deadline = dt.date.fromisoformat(deadline)
        except ValueError:
            raise ScenarioError(f"expected a date like 2017-06-30, got {deadline!r}", source=source,
                                key="deadline") from None
    start, end = scenario.campaign.start, scenario.scenario.end
    if not deadline > start:
        raise ScenarioError(f"expected a date after campaign.start ({start}), got {deadline}", source=source,
                            key="deadline")
    if deadline > end + dt.timedelta(days=1):
        raise ScenarioError(f"{deadline} is after scenario.end ({end}); campaigns are only simulated up to the end "
                            "of the horizon (extend scenario.end)", source=source, key="deadline")
    return deadline


def mark_deadline(per_rep: pd.DataFrame, deadline: dt.date, start: dt.date) -> pd.DataFrame:
    """``per_rep`` with a ``done_by_deadline`` column (1.0 or 0.0 per replication, :func:`finished_before`);
    the days allowed count from each point's ``campaign.start`` when that is swept, else from ``start``."""
    if "campaign.start" in per_rep.columns:
        starts = [pd.Timestamp(v).date() for v in per_rep["campaign.start"]]
        budget: Any = np.array([(deadline - s).days for s in starts], dtype=float)
    else:
        budget = float((deadline - start).days)
    return per_rep.assign(**{DONE: finished_before(per_rep, budget).astype(float)})


def plot_sweep(table: pd.DataFrame, kpis: Sequence[str] | None = None, x: str | None = None, *,
               runs: Sequence[PointRun] | None = None, per_rep: pd.DataFrame | None = None, reference: Any = None,
               lang: str | None = None, number_style: str | None = None) -> Figure:
    """The sweep chart (:func:`simulator.charts.analysis.sweep_figure`): one panel per KPI against the
    first swept name (or ``x``), one line per combination of the others. Given the points' ``runs``
    (:func:`sweep_runs`) or their ``per_rep`` table (:func:`per_replication`), the bars are the paired
    change from the ``reference`` value (default: the first); otherwise the 90% range across replications."""
    if per_rep is None and runs is not None:
        per_rep = per_replication(runs)
    return sweep_figure(table, per_rep, x=x, kpis=kpis, reference=reference, lang=lang, number_style=number_style)


# ---- planners' answers -----------------------------------------------------------------
@dataclass
class TeamsAnswer:
    """The fewest teams that finish by ``deadline`` with probability ≥ ``probability``."""

    teams: int | None
    """None when even ``max_teams`` teams do not reach the probability."""
    deadline: dt.date
    probability: float
    table: pd.DataFrame
    """One row per number of teams tried: ``teams``, ``p_done`` (share of replications
    sealing every dispenser before the deadline), ``completion_days`` p50 and p95."""

    def __str__(self) -> str:
        if self.teams is None:
            best = self.table["p_done"].max()
            return (f"No number of teams up to {int(self.table['teams'].max())} seals every dispenser before "
                    f"{self.deadline} with probability {self.probability:.0%} (best: {best:.0%}).")
        p = float(self.table.loc[self.table["teams"] == self.teams, "p_done"].iloc[0])
        return (f"{self.teams} team{'s' if self.teams > 1 else ''} seal every dispenser before {self.deadline} "
                f"in {p:.0%} of replications (needed: {self.probability:.0%}).")


def fewest_teams(scenario: Scenario, deadline: dt.date | str, probability: float = 0.9, *,
                 replications: int | None = None, seed: int | None = None, max_teams: int = 64,
                 workers: int | None = None, progress: bool | None = None) -> TeamsAnswer:
    """The fewest ``campaign.teams`` that seal every dispenser before ``deadline`` (the
    last seal strictly before that day begins) in at least ``probability`` of replications.

    With common random numbers the last seal never comes later when a team is added, so
    the search doubles the teams until the probability is reached and then bisects:
    about 2·log₂(answer) runs.
    """
    deadline = check_deadline(scenario, deadline)
    start = scenario.campaign.start
    if not 0 < probability <= 1:
        raise ScenarioError(f"expected a probability in (0, 1], got {probability}", source="fewest_teams",
                            key="probability")
    if not scenario.campaign.enabled:
        raise ScenarioError("the campaign is disabled (campaign.enabled = false)", source="fewest_teams")
    n, s = replications_and_seed(scenario, replications, seed, "fewest_teams")
    budget = (deadline - start).days  # completion_days counts from campaign.start
    tried: dict[int, dict] = {}

    def p_done(teams: int) -> float:
        if teams not in tried:
            (r,) = run_points(scenario, [{"campaign.teams": teams}], n, s, workers=workers, progress=progress,
                              source="fewest_teams")
            k = r.kpis
            ok = finished_before(k, budget)
            c = k["completion_days"].to_numpy(dtype=float)
            tried[teams] = {"teams": teams, "p_done": float(ok.mean()),
                            "completion_days_p50": _quantile(c, 0.5), "completion_days_p95": _quantile(c, 0.95)}
        return tried[teams]["p_done"]

    lo, hi = 0, 1  # lo fails (0 teams never finish), hi is the candidate
    while p_done(hi) < probability:
        lo = hi
        if hi >= max_teams:
            hi = 0
            break
        hi = min(2 * hi, max_teams)
    if hi:
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if p_done(mid) >= probability:
                hi = mid
            else:
                lo = mid
    table = pd.DataFrame(sorted(tried.values(), key=lambda r: r["teams"]))
    return TeamsAnswer(hi or None, deadline, probability, table)


def _quantile(x: np.ndarray, q: float) -> float:
    # an unfinished campaign has no completion time: it counts as later than any finished one
    x = np.where(np.isfinite(x), x, np.inf)
    v = float(np.quantile(x, q, method="higher"))
    return v if math.isfinite(v) else math.nan


@dataclass
class BreakEvenAnswer:
    """The visiting order whose cumulative extra tax covers the cumulative cost soonest."""

    order: str | None
    """None when no order breaks even within the horizon."""
    month: pd.Timestamp | None
    table: pd.DataFrame
    """One row per order: ``break_even_month`` (from the mean curves), ``surplus_then``
    (mean cumulative extra tax − cost at the end of that month, VND), ``p_by_end`` (share of
    replications breaking even within the horizon), ``median_month`` (per replication),
    ``cost`` and ``extra_tax`` (means from the campaign month to the end of the horizon)."""
    curves: pd.DataFrame = field(repr=False)
    """``order``, ``month``, ``cumulative_cost``, ``cumulative_extra_tax`` (means, VND)."""

    def __str__(self) -> str:
        if self.order is None:
            return "No visiting order pays for itself within the horizon."
        return f"Order {self.order!r} breaks even first, in {self.month:%Y-%m}."


def break_even(monthly: pd.DataFrame, campaign_month: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per replication and on average: the first month from which the cumulative extra tax
    (tax with − tax without) covers the cumulative campaign cost for good (:func:`simulator.kpis.break_even_index`),
    counting from the
    campaign's first month. Returns (per-replication months, mean curves)."""
    m = monthly[monthly["month"] >= campaign_month]
    tax = m.pivot_table(index="replication", columns=["arm", "month"], values="tax", aggfunc="sum")
    extra = tax["with"] - tax["without"]  # replications × months
    cost = m[m["arm"] == "with"].pivot_table(index="replication", columns="month", values="cost", aggfunc="sum")
    cum_extra, cum_cost = extra.cumsum(axis=1), cost.cumsum(axis=1)
    per_rep = pd.DataFrame({"replication": cum_extra.index,
                            "month": [_first_for_good(e, c, cum_extra.columns)
                                      for e, c in zip(cum_extra.to_numpy(), cum_cost.to_numpy(), strict=True)]})
    curves = pd.DataFrame({"month": cum_extra.columns, "cumulative_cost": cum_cost.mean().to_numpy(),
                           "cumulative_extra_tax": cum_extra.mean().to_numpy()})
    return per_rep, curves


def _first_for_good(extra: np.ndarray, cost: np.ndarray, months: pd.Index) -> pd.Timestamp:
    i = break_even_index(extra, cost)  # the one rule (see simulator.kpis.break_even_index)
    return pd.NaT if i is None else months[i]


def earliest_break_even(scenario: Scenario, orders: Sequence[str] | None = None, *,
                        replications: int | None = None, seed: int | None = None, workers: int | None = None,
                        progress: bool | None = None) -> BreakEvenAnswer:
    """Run each visiting order (default: every registered order) from the same seed and
    find the one whose mean cumulative extra tax covers its mean cumulative cost soonest.
    Months are whole calendar months, so orders often tie; a tie goes to the order with
    the larger surplus (extra tax − cost, cumulative) at the end of that month."""
    orders = list(ORDERS) if orders is None else list(orders)
    if not orders:
        raise ScenarioError("expected at least one visiting order", source="earliest_break_even")
    if not scenario.campaign.enabled:
        raise ScenarioError("the campaign is disabled (campaign.enabled = false)", source="earliest_break_even")
    n, s = replications_and_seed(scenario, replications, seed, "earliest_break_even")
    runs = run_points(scenario, [{"campaign.order": o} for o in orders], n, s, workers=workers, progress=progress,
                      keep_monthly=True, source="earliest_break_even")
    first = pd.Timestamp(month_start(scenario.campaign.start))
    rows, curves = [], []
    for order, r in zip(orders, runs, strict=True):
        per_rep, curve = break_even(r.monthly, first)
        mean_month = _first_for_good(curve["cumulative_extra_tax"].to_numpy(), curve["cumulative_cost"].to_numpy(),
                                     pd.Index(curve["month"]))
        months = per_rep["month"]
        reached = months.notna()
        median = months.sort_values(na_position="last").iloc[(len(months) - 1) // 2] if len(months) else pd.NaT
        at = curve["month"] == mean_month
        surplus = float((curve["cumulative_extra_tax"] - curve["cumulative_cost"])[at].sum()) if at.any() else math.nan
        rows.append({"order": order, "break_even_month": mean_month, "surplus_then": surplus,
                     "p_by_end": float(reached.mean()),
                     "median_month": median, "cost": float(curve["cumulative_cost"].iloc[-1]),
                     "extra_tax": float(curve["cumulative_extra_tax"].iloc[-1])})
        curves.append(curve.assign(order=order))
    table = pd.DataFrame(rows)
    table["net"] = table["extra_tax"] - table["cost"]
    ranked = table[table["break_even_month"].notna()].sort_values(["break_even_month", "surplus_then"],
                                                                  ascending=[True, False])
    best = ranked.iloc[0] if len(ranked) else None
    curves_df = pd.concat(curves, ignore_index=True)[["order", "month", "cumulative_cost", "cumulative_extra_tax"]]
    return BreakEvenAnswer(None if best is None else str(best["order"]),
                           None if best is None else pd.Timestamp(best["break_even_month"]), table, curves_df)
