"""The KPIs: every figure a replication reports, each described once.

A KPI is one entry — its name (the column of ``Results.kpis``), its unit, the kind of
number it is (a share, an amount of money, days, a count…, from which presentation
picks a formatter) and, if the planner's summary shows it, its label. The model fills
the values (``model.replication._outputs``); units, labels, summary order and the check of a KPI
name given on the command line all come from here, so nobody has to run a replication
to learn which KPIs exist. Adding a KPI is one entry here and its value in the model
(a test checks the two agree).

This module imports nothing from the package: it is the vocabulary the others share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Kind = Literal["share", "share_fine", "money", "days", "months", "count", "ratio", "value"]


@dataclass(frozen=True)
class KPI:
    name: str
    unit: str
    kind: Kind = "value"
    label: str | None = None
    """Shown in the planner's summary, in registry order, when set."""


# summary KPIs first, in the order the summary shows them; then the rest
KPIS: dict[str, KPI] = {k.name: k for k in (
    KPI("uplift", "share of tax without the campaign", "share", "Tax uplift against no campaign"),
    KPI("uplift_regime_switch", "share of tax without the campaign (households moved onto declaration)", "share",
        "  of which moved to declaration"),
    KPI("uplift_before_after", "share of tax in the same months before", "share", "Tax uplift, before/after"),
    KPI("uplift_growth", "share of tax before (what the world without the campaign did)", "share",
        "  of which trend (no campaign)"),
    KPI("uplift_compliance", "share of tax before (declarations: compliance and regime switch)", "share",
        "  of which declarations (sealing)"),
    KPI("uplift_metrology", "share of tax before (dispenser correction)", "share_fine",
        "  of which dispenser correction"),
    KPI("extra_tax", "VND", "money", "Extra tax in the window"),
    KPI("tax_with", "VND", "money", "Tax with the campaign"),
    KPI("tax_without", "VND", "money", "Tax without the campaign"),
    KPI("tax_before", "VND", "money", "Tax in the months before the campaign"),
    KPI("completion_days", "days", "days", "Start to last seal"),
    KPI("share_sealed", "share of dispensers", "share", "Share of dispensers sealed"),
    KPI("pumps_sealed", "dispensers", "count", "Dispensers sealed (count)"),
    KPI("team_days", "team-days", "count", "Team-days worked"),
    KPI("cost", "VND (spent to the end of the evaluation window)", "money", "Campaign cost"),
    KPI("cost_stations", "VND", "money", "Paid by the stations (fees, own equipment)"),
    KPI("cost_instruments", "VND (of the cost: the instruments', beside sealing)", "money", "Of which instruments"),
    KPI("benefit_cost_ratio", "VND of tax per VND spent", "ratio", "Extra tax per VND spent"),
    KPI("net_benefit", "VND (extra tax in the window − campaign cost)", "money", "Net gain (extra tax − cost)"),
    KPI("net_benefit_all_costs", "VND (extra tax in the window − the government's cost − the stations')", "money",
        "Net gain counting the stations' costs"),
    KPI("benefit_cost_ratio_all_costs", "VND of tax per VND spent by the government and the stations", "ratio",
        "Extra tax per VND spent by anyone"),
    KPI("payback_months", "months from the campaign's first month until the extra tax covers the cost for good",
        "months", "Pays for itself within"),
    KPI("seals_broken", "seal breaks", "count", "Seals broken"),
    KPI("extra_tax_upstream", "VND", "money", "Extra upstream tax (importers)"),
    KPI("uplift_upstream", "share of upstream tax without the campaign", "share",
        "Upstream tax uplift against no campaign"),
    KPI("uplift_upstream_before_after", "share of upstream tax in the same months before", "share",
        "Upstream tax, before/after"),
    KPI("fines", "VND", "money", "Fines collected (not tax)"),
    KPI("back_taxes", "VND", "money", "Back taxes and interest"),
    KPI("stations_fined", "stations", "count", "Stations fined"),
    KPI("broken_seals_open", "stations", "count"),
    KPI("stations_suspended", "stations", "count"),
    KPI("stations_fined_by_audits", "stations", "count", "Stations fined by inspections"),
    KPI("short_delivery_found_by_audits", "stations", "count"),
    KPI("calibration_draw", "row of [calibration] draws (0 = first; empty without one)", "count"),
    KPI("consumer_savings", "VND", "money", "Consumers' net gain from accurate dispensers"),
    KPI("completed", "share of replications", "share"),
    KPI("stations", "stations", "count"),
    KPI("pumps", "dispensers", "count"),
    KPI("visits", "visits", "count"),
    KPI("annual_growth", "per year", "share"),
    KPI("detections", "broken seals found", "count"),
    KPI("audits", "audits", "count"),
    KPI("reverification_visits", "visits", "count"),
    KPI("dispensers_failed", "dispensers", "count"),
    KPI("tampered_dispensers_found", "dispensers", "count"),
    KPI("short_delivered_litres_with", "litres", "count"),
    KPI("short_delivered_litres_without", "litres", "count"),
    KPI("tax_upstream_with", "VND", "money"),
    KPI("tax_upstream_without", "VND", "money"),
    KPI("extra_tax_declared_household", "VND", "money"),
    KPI("extra_tax_presumptive", "VND", "money"),
    KPI("extra_tax_enterprise", "VND", "money"),
    KPI("extra_tax_regime_switch", "VND", "money"),
    KPI("extra_tax_before_campaign", "VND (an announcement's effect before the campaign month)", "money"),
    KPI("cost_government", "VND (the same as cost)", "money"),
    KPI("cost_horizon", "VND (the government's cost over the whole simulation, after the window too)", "money"),
    KPI("simpy_events", "events (diagnostic)", "count"),
)}

UNITS: dict[str, str] = {k.name: k.unit for k in KPIS.values()}
SUMMARY: tuple[str, ...] = tuple(k.name for k in KPIS.values() if k.label)


def unknown(names) -> list[str]:
    """The names in ``names`` that are not KPIs."""
    return [str(n) for n in names if n not in KPIS]


def break_even_index(cum_extra_tax, cum_cost) -> int | None:
    """THE break-even rule, used by the cost chart, the report and ``earliest_break_even``.

    Given cumulative extra tax (with − without) and cumulative campaign cost at successive
    month ends from the campaign's first month, the break-even point is the first one from
    which the extra tax is positive and covers the cost **for good** — to the end of the
    horizon. A curve that crosses and falls back does not break even at its first crossing.
    Applied to the *mean* curves for the headline month (money adds up across replications;
    medians do not) and to each replication's curves for its spread. None when the last
    point is not covered. Index into the arrays given.
    """
    extra, cost = np.asarray(cum_extra_tax, dtype=float), np.asarray(cum_cost, dtype=float)
    covered = (extra >= cost) & (extra > 0)
    if not covered.size or not covered[-1]:
        return None
    bad = np.flatnonzero(~covered)
    return int(bad[-1] + 1) if bad.size else 0
