"""Where first: a planner's rollout list — districts (provinces, in a national scenario) in the order that
loses the least tax while the teams work, with how sure the order is.

Every district gets sealed in the end, so the campaign's total cost does not depend on the order; what
the order decides is how much tax is lost while a district waits. With teams as the scarce resource,
the order that loses least is Smith's rule: highest first the extra tax a month the district brings once
sealed (w) per team-day its sealing takes (p). Both come from the run's ``districts`` table
(:func:`simulator.model.replication.district_flows`):

* w — the district's mean monthly extra tax (with − without) over the same calendar months for every
  district (those after the last district is sealed, to the horizon's end), so that no district is
  favoured by when the scenario happens to seal it (a January re-assessment, a price rise); of it, the
  part that is households moved off their lump sums (a decision that needs no seal) is shown apart;
* p — the team-days its first visits need (their hours ÷ the working day).

:func:`where_first` takes a scenario and runs it with every district sealed from the campaign's start by
its own teams (its schedule's, else ``campaign.teams``) — the question is asked before any order is fixed
— or a run already made, whose districts must all be sealed within its horizon. The list gives, per
district, w/p with the 90% range of its per-replication value and of the district's rank across
replications: districts whose rank ranges overlap are not told apart by the model. What the model leaves
out, and the list cannot know: fuel moving to districts not yet sealed, and the upstream taxes (which
accrue to the central budget).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ScenarioError

COLUMNS = ["order", "district", "pumps", "extra_tax_per_month", "regime_switch_per_month", "team_days",
           "per_team_day", "per_team_day_p05", "per_team_day_p95", "rank_p05", "rank_p50", "rank_p95",
           "cost", "cumulative_extra_tax_share", "cumulative_team_days_share"]
"""The rollout list's columns: money in VND (extra tax and its regime-switch part a month once sealed, the
government's cost spent there to the window's end), team-days, per_team_day = extra tax a month per
team-day, ranks 1 = first, shares 0–1."""


@dataclass
class WhereFirst:
    """The rollout list (:data:`COLUMNS`, first first) and how it was made."""

    table: pd.DataFrame
    replications: int
    months: int  # the common months w is measured over
    common_start: str | None  # the start every district was given (None: the run as it was made)

    @property
    def told_apart(self) -> bool:
        """Whether the first and the last district's 90% rank ranges are apart — if not, the model does
        not tell the list's ends apart, let alone its neighbours."""
        t = self.table
        return bool(len(t) > 1 and t["rank_p95"].iloc[0] < t["rank_p05"].iloc[-1])

    def to_json(self) -> dict:
        """``{"districts": [{column: value, …}, …] (first first), "replications", "months", "common_start",
        "told_apart"}``; None where a figure is undefined."""
        rows = [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
                for r in self.table.to_dict("records")]
        for r in rows:
            for k in ("order", "pumps"):
                r[k] = int(r[k])
        return {"districts": rows, "replications": self.replications, "months": self.months,
                "common_start": self.common_start, "told_apart": self.told_apart}

    def text(self, lang: str = "en", top: int | None = None) -> str:
        """The list as a planner reads it, in ``lang``."""
        from ..numbers import Numbers
        from ..results.summary import kpi_range, kpi_value

        nf = Numbers(lang)
        _ = nf.gettext
        t = self.table if top is None else self.table.head(top)
        how = (_("every district sealed from {date} by its own teams").format(date=self.common_start)
               if self.common_start else _("the districts sealed as the run did"))
        lines = [_("Where first: the order that loses the least tax while the teams work — highest first the "
                   "extra tax a month once sealed per team-day of sealing ({how}; extra tax over the same {n} "
                   "months for every district; {reps} replications: mean, 90% range; rank 1 = first).")
                 .format(how=how, n=nf.number(self.months), reps=nf.number(self.replications))]
        rows = [["#", _("District"), _("Per team-day"), _("Rank"), _("Extra tax a month"),
                 _("of which lump sums ended"), _("Team-days"), _("Running share of tax / team-days")]]
        for r in t.itertuples():
            ratio = (_("n/a") if not np.isfinite(r.per_team_day) else
                     f"{kpi_value('extra_tax', r.per_team_day, nf)} "
                     f"({kpi_range('extra_tax', r.per_team_day_p05, r.per_team_day_p95, nf)})")
            rank = f"{r.rank_p50:.0f} ({r.rank_p05:.0f}–{r.rank_p95:.0f})" if np.isfinite(r.rank_p50) else "–"
            switch = (nf.pct(r.regime_switch_per_month / r.extra_tax_per_month, 0)
                      if r.extra_tax_per_month > 0 else "–")
            rows.append([str(r.order), str(r.district), ratio, rank, kpi_value("extra_tax", r.extra_tax_per_month, nf),
                         switch,
                         nf.number(r.team_days), f"{nf.pct(r.cumulative_extra_tax_share, 0)} / "
                                                 f"{nf.pct(r.cumulative_team_days_share, 0)}"])
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        right = {0, 4, 5, 6}  # numbers that line up on their last digit
        for row in rows:
            lines.append("  " + "  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                                          for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip())
        if top is not None and len(self.table) > top:
            lines.append("  " + _("… and {n} more").format(n=nf.number(len(self.table) - top)))
        if not self.told_apart:
            lines.append(_("The first and the last district's rank ranges overlap: the model does not tell these "
                           "districts apart — they differ in the scenario only in size (give each its own "
                           "behaviour, operators or register, and the list will differ as they do)."))
        lines.append(_("Left out: fuel moving to districts not yet sealed, and the upstream taxes (central "
                       "budget)."))
        return "\n".join(lines)


def common_start(scenario):
    """``scenario`` with every district sealed from ``campaign.start`` by its own teams (its schedule's, else
    ``campaign.teams``): the order the scenario gives them does not enter the list."""
    c = scenario.campaign
    own = c.schedules
    plan = {name: {"start": c.start, "teams": own[name].teams if name in own else c.teams}
            for name in scenario.district_names}
    return scenario.with_overrides({"campaign.districts": plan})


def where_first(source, *, replications: int | None = None, seed: int | None = None, workers: int | None = None,
                progress: bool | None = None) -> WhereFirst:
    """The rollout list of a scenario (run here at a common start: see the module docstring) or of a
    :class:`simulator.Results` (as it was run)."""
    from ..scenario import Scenario

    start = None
    if isinstance(source, Scenario):
        from ..runner import run

        if not source.campaign.enabled:
            raise ScenarioError("the campaign is disabled: there is nothing to order", source="where-first")
        start = source.campaign.start.isoformat()
        results = run(common_start(source), replications, seed, workers=workers, progress=progress)
    else:
        results = source
    return _rank(results, start)


def _rank(results, start: str | None) -> WhereFirst:
    d = results.districts
    if not len(d) or "extra_tax_per_month_sealed" not in d:
        raise ScenarioError("this run has no per-district flows (a run folder written before fuelseal could "
                            "rank districts): rank the scenario instead", source="where-first")
    if d["district"].nunique() < 2:
        raise ScenarioError("one district only: nothing to order (give the scenario several districts)",
                            source="where-first")
    if not (d["steady_months"] > 0).all():
        raise ScenarioError("some district is not sealed early enough in this run to leave months after every "
                            "district is sealed; rank the scenario instead (fuelseal where-first SCENARIO seals "
                            "every district from the same start)", source="where-first")
    months = int(d["steady_months"].min())
    d = d.assign(ratio=d["extra_tax_per_month_sealed"] / d["team_days_to_seal"].where(d["team_days_to_seal"] > 0))
    # rank within each replication: 1 = the most extra tax a month per team-day
    d["rank"] = d.groupby("replication")["ratio"].rank(ascending=False, method="average", na_option="bottom")
    g = d.groupby("district", sort=False)
    t = pd.DataFrame({
        "district": list(g.groups),
        "pumps": g["pumps"].mean().round().to_numpy(),
        "extra_tax_per_month": g["extra_tax_per_month_sealed"].mean().to_numpy(float),
        "regime_switch_per_month": g["regime_switch_per_month_sealed"].mean().to_numpy(float),
        "team_days": g["team_days_to_seal"].mean().to_numpy(float),
        "per_team_day_p05": g["ratio"].quantile(0.05).to_numpy(float),
        "per_team_day_p95": g["ratio"].quantile(0.95).to_numpy(float),
        "rank_p05": g["rank"].quantile(0.05).to_numpy(float),
        "rank_p50": g["rank"].median().to_numpy(float),
        "rank_p95": g["rank"].quantile(0.95).to_numpy(float),
        "cost": g["cost"].mean().to_numpy(float),
    })
    t["per_team_day"] = t["extra_tax_per_month"] / t["team_days"].where(t["team_days"] > 0)
    t = t.sort_values(["per_team_day", "extra_tax_per_month"], ascending=False, na_position="last",
                      kind="stable").reset_index(drop=True)
    t["order"] = np.arange(1, len(t) + 1)
    tax, days = t["extra_tax_per_month"].cumsum(), t["team_days"].cumsum()
    t["cumulative_extra_tax_share"] = tax / tax.iloc[-1] if tax.iloc[-1] else np.nan
    t["cumulative_team_days_share"] = days / days.iloc[-1] if days.iloc[-1] else np.nan
    t["pumps"] = t["pumps"].astype(int)
    return WhereFirst(t[COLUMNS], int(d["replication"].nunique()), months, start)

