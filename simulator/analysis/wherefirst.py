"""Where first: a planner's rollout list — districts (provinces, in a national scenario) ranked by the
extra tax each VND spent there brings, with how sure the ranking is.

Each district is judged on its own first year: its extra tax (with − without) in the
``run.evaluation_months`` months from the month its first dispenser was sealed (so a province sealed in
September 2017 is not penalised for sealing late), against the government's cost spent on its stations
until that window ends (:func:`simulator.model.replication.station_costs`: visits, seals, readings, audits
and its teams' days and equipment; the campaign's fixed cost by dispensers — a re-verification after its
first year is the next year's cost). Both come from the run's ``districts`` table.

* the order: by expected extra tax per VND, E[extra tax] / E[cost] across replications (a ratio of means:
  stable where a district's cost is small in some replications);
* its uncertainty: the 90% range of the per-replication ratio, and of the district's rank, replication
  by replication — two districts whose rank ranges overlap widely are not told apart by the model;
* the list's running totals: the share of the whole extra tax and cost reached by sealing down to each row.

A district whose own window is cut short by the horizon's end is flagged (``own_window_months`` below
``run.evaluation_months``): its figure covers fewer months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..i18n import N_

COLUMNS = ["order", "district", "pumps", "cost_mean", "extra_tax_mean", "extra_tax_p05", "extra_tax_p95",
           "extra_tax_per_vnd", "extra_tax_per_vnd_p05", "extra_tax_per_vnd_p95", "rank_p05", "rank_p50",
           "rank_p95", "own_window_months", "cumulative_extra_tax_share", "cumulative_cost_share"]
"""The rollout list's columns (money in VND; shares 0–1; ranks 1 = first)."""


@dataclass
class WhereFirst:
    """The rollout list (:data:`COLUMNS`, best first) and how it was made."""

    table: pd.DataFrame
    replications: int
    evaluation_months: int

    def to_json(self) -> dict:
        """``{"districts": [{column: value, …}, …] (best first), "replications", "evaluation_months"}``;
        None where a figure is undefined."""
        rows = [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
                for r in self.table.to_dict("records")]
        for r in rows:
            for k in ("order", "pumps", "own_window_months"):
                r[k] = None if r[k] is None else int(r[k])
        return {"districts": rows, "replications": self.replications, "evaluation_months": self.evaluation_months}

    def text(self, lang: str = "en", top: int | None = None) -> str:
        """The list as a planner reads it, in ``lang``: each district's extra tax per VND (90% range), its
        rank range, and the running shares of the extra tax and the cost."""
        from ..numbers import Numbers

        nf = Numbers(lang)
        _ = nf.gettext
        t = self.table if top is None else self.table.head(top)
        lines = [_("Where first: districts by extra tax per VND spent there, each over its first {months} months "
                   "from its first seal ({n} replications; mean, 90% range; rank 1 = first).")
                 .format(months=nf.number(self.evaluation_months), n=nf.number(self.replications))]
        rows = [["#", _("District"), _("Extra tax per VND"), _("Rank"), _("Extra tax"), _("Cost"),
                 _("Running share of tax / cost")]]
        short = 0
        for r in t.itertuples():
            ratio = (_("n/a") if not np.isfinite(r.extra_tax_per_vnd) else
                     f"{nf.ratio(r.extra_tax_per_vnd)} ({nf.ratio(r.extra_tax_per_vnd_p05)}–"
                     f"{nf.ratio(r.extra_tax_per_vnd_p95)})")
            rank = f"{r.rank_p50:.0f} ({r.rank_p05:.0f}–{r.rank_p95:.0f})" if np.isfinite(r.rank_p50) else "–"
            mark = ""
            if r.own_window_months < self.evaluation_months:
                short += 1
                mark = " *"
            rows.append([str(r.order), str(r.district), ratio, rank, nf.vnd(r.extra_tax_mean), nf.vnd(r.cost_mean),
                         f"{nf.pct(r.cumulative_extra_tax_share, 0)} / {nf.pct(r.cumulative_cost_share, 0)}{mark}"])
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        right = {0, 4, 5}  # numbers that line up on their last digit
        for row in rows:
            lines.append("  " + "  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                                          for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip())
        if top is not None and len(self.table) > top:
            lines.append("  " + _("… and {n} more").format(n=nf.number(len(self.table) - top)))
        if short:
            lines.append(_("* fewer than {months} months between its first seal and the end of the horizon: its "
                           "figures cover fewer months.").format(months=nf.number(self.evaluation_months)))
        return "\n".join(lines)


def where_first(results) -> WhereFirst:
    """The rollout list of a run (a :class:`simulator.Results`, fresh or loaded from a run folder written by
    this version; see the module docstring)."""
    d = results.districts
    if not len(d) or "cost_own_window" not in d:
        raise ScenarioError("this run has no per-district cost (a run folder written before fuelseal could "
                            "rank districts): run the scenario again", source="where-first")
    if d["district"].nunique() < 2:
        raise ScenarioError("one district only: nothing to rank (give the scenario several districts)",
                            source="where-first")
    months = int(results.scenario.run.evaluation_months)
    d = d.assign(ratio=d["extra_tax_own_window"] / d["cost_own_window"].where(d["cost_own_window"] > 0))
    # rank within each replication: 1 = the most extra tax per VND; a district without a figure ranks last
    d["rank"] = d.groupby("replication")["ratio"].rank(ascending=False, method="average", na_option="bottom")
    g = d.groupby("district", sort=False)
    t = pd.DataFrame({
        "district": list(g.groups),
        "pumps": g["pumps"].mean().round().to_numpy(),
        "cost_mean": g["cost_own_window"].mean().to_numpy(float),
        "extra_tax_mean": g["extra_tax_own_window"].mean().to_numpy(float),
        "extra_tax_p05": g["extra_tax_own_window"].quantile(0.05).to_numpy(float),
        "extra_tax_p95": g["extra_tax_own_window"].quantile(0.95).to_numpy(float),
        "extra_tax_per_vnd_p05": g["ratio"].quantile(0.05).to_numpy(float),
        "extra_tax_per_vnd_p95": g["ratio"].quantile(0.95).to_numpy(float),
        "rank_p05": g["rank"].quantile(0.05).to_numpy(float),
        "rank_p50": g["rank"].median().to_numpy(float),
        "rank_p95": g["rank"].quantile(0.95).to_numpy(float),
        "own_window_months": g["own_window_months"].min().to_numpy(float),
    })
    t["extra_tax_per_vnd"] = t["extra_tax_mean"] / t["cost_mean"].where(t["cost_mean"] > 0)
    t = t.sort_values(["extra_tax_per_vnd", "extra_tax_mean"], ascending=False, na_position="last",
                      kind="stable").reset_index(drop=True)
    t["order"] = np.arange(1, len(t) + 1)
    tax = t["extra_tax_mean"].fillna(0.0).cumsum()
    cost = t["cost_mean"].fillna(0.0).cumsum()
    t["cumulative_extra_tax_share"] = tax / tax.iloc[-1] if tax.iloc[-1] else np.nan
    t["cumulative_cost_share"] = cost / cost.iloc[-1] if cost.iloc[-1] else np.nan
    t["own_window_months"] = t["own_window_months"].fillna(0).astype(int)
    t["pumps"] = t["pumps"].astype(int)
    return WhereFirst(t[COLUMNS], int(d["replication"].nunique()), months)


HEADINGS = (N_("District"), N_("Extra tax per VND"), N_("Rank"), N_("Extra tax"), N_("Cost"),
            N_("Running share of tax / cost"))
"""The list's column headings, marked for the catalogue (the text above translates them at print time)."""
