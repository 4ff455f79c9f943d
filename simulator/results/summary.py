"""The planner's summary: one sentence with the answer, then a table of KPIs with 90% intervals.

``fuelseal run`` prints it and the report repeats its headline, so both say exactly the
same thing. It reads a run's summary table and the typed scenario; it draws nothing and
imports nothing above the results layer.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

from ..numbers import KPI_DISPLAY, Numbers, pct

if TYPE_CHECKING:
    from ..scenario import Scenario


UNCERTAINTY = ("The 90% intervals hold 90% of replications: what is drawn anew in each one (stations, sales, "
               "behaviour, dispenser errors, uncertain prices, growth, work times, audits). They do not include "
               "the uncertainty of values calibrated to a published figure, nor of the assumptions themselves.")
"""What the summary's intervals include (a scenario without ``[calibration]`` draws)."""
UNCERTAINTY_CALIBRATED = (
    "The 90% intervals hold 90% of replications: what is drawn anew in each one (stations, sales, behaviour, "
    "dispenser errors, uncertain prices, growth, work times, audits) and the calibrated values ({names}: each "
    "replication runs at one of the [calibration] draws, {method}). They do not include the uncertainty of "
    "the assumptions themselves.")


UNCERTAINTY_POSTERIOR = (
    "The 90% intervals are the posterior for the province that was observed: each replication re-runs one of "
    "the [calibration] draws ({names}; {method}) in the world it was kept in, so they carry what the published "
    "figures ({targets}) leave unknown about those values and about everything else drawn (stations, sales, "
    "behaviour, dispenser errors, prices, growth, work times, audits). They do not include the uncertainty of "
    "the assumptions themselves.")


def uncertainty(sc: Scenario) -> str:
    """What the summary's intervals include — said under every summary table and in the report."""
    cal = sc.calibration
    if cal is None or not cal.use:
        return UNCERTAINTY
    if cal.worlds and cal.same_worlds:
        targets = ", ".join(f"{k} = {v:g}" for k, v in cal.targets.items()) or "the targets"
        method = f"{len(cal.draws)} draws" + (f" by {cal.method}" if cal.method else "")
        return UNCERTAINTY_POSTERIOR.format(names=", ".join(cal.parameters), method=method, targets=targets)
    names = ", ".join(cal.parameters)
    method = f"{len(cal.draws)} draws" + (f" by {cal.method}" if cal.method else "")
    return UNCERTAINTY_CALIBRATED.format(names=names, method=method)


def shown(s) -> list[str]:
    """The summary's KPIs a run has something to say about, in the registry's order: those with a
    value, the upstream rows only when the scenario taxes fuel upstream, the stations' fees only when
    they pay some."""
    import math

    def has(key: str) -> bool:
        return key in s.index and math.isfinite(float(s.loc[key, "mean"]))

    upstream = has("uplift_upstream")
    fees = has("cost_stations") and float(s.loc["cost_stations", "p95"]) > 0  # only when stations pay fees
    return [k for k in KPI_DISPLAY if has(k) and (upstream or not k.endswith("_upstream"))
            and (fees or k != "cost_stations")]


def summary_text(res, sc: Scenario) -> str:
    """The planner's summary: a headline sentence and a table of KPIs with 90% intervals."""
    s = res.summary()
    w0 = sc.campaign.start.replace(day=1)
    lines = [sc.name, f"{res.replications} replications, seed {res.seed}; evaluation window: "
             f"{sc.run.evaluation_months} months from {w0:%Y-%m}", ""]
    lines.append(textwrap.fill(headline(s, sc), 88))
    lines.append("")
    rows = []
    for key in shown(s):
        label, fmt = KPI_DISPLAY[key]
        r = s.loc[key]
        rows.append((label, fmt(r["mean"]), fmt(r["p05"]) + " – " + fmt(r["p95"])))
    w1 = max([len("mean"), *(len(m) for _, m, _ in rows)])
    w2 = max([len("90% interval"), *(len(i) for _, _, i in rows)])
    lines.append(f"{'':32} {'mean':>{w1}}   {'90% interval':>{w2}}")
    lines.extend(f"{label:32} {m:>{w1}}   {i:>{w2}}" for label, m, i in rows)
    lines.append("")
    lines.append(textwrap.fill(uncertainty(sc), 88))
    if sc.scenario.reference_uplift is not None:
        lines.append("")
        lines.append(f"Published before/after figure: {pct(sc.scenario.reference_uplift)}"
                     + (f" ({sc.scenario.reference_source})" if sc.scenario.reference_source else ""))
    return "\n".join(lines)


def headline(s, sc: Scenario, style: str = "en") -> str:
    """One sentence with the answer, e.g. "Sealing all 450 dispensers with 2 teams takes …"."""
    nf = Numbers(style)
    pct, number = nf.pct, nf.number
    c = sc.campaign
    pumps = s.loc["pumps", "mean"]
    teams = f"{c.teams} team{'s' if c.teams > 1 else ''}"
    ba = (f"{pct(s.loc['uplift_before_after', 'mean'])} ({pct(s.loc['uplift_before_after', 'p05'])}–"
          f"{pct(s.loc['uplift_before_after', 'p95'])})")
    if not c.enabled:
        return (f"No campaign: the {number(pumps)} dispensers stay unsealed; tax in the window is {ba} "
                f"above the same months before.")
    cd = s.loc["completion_days"]
    if s.loc["completed", "mean"] == 1:
        first = (f"Sealing all {number(pumps)} dispensers with {teams} takes {number(cd['p50'])} days "
                 f"({number(cd['p50'] / 30.44, 1)} months; 90%: {number(cd['p05'])}–{number(cd['p95'])} days)")
    else:
        first = (f"With {teams} the campaign finishes within the horizon in only "
                 f"{pct(s.loc['completed', 'mean'], 0)} of replications, sealing {pct(s.loc['share_sealed', 'mean'])} "
                 f"of {number(pumps)} dispensers on average,")
    switch = ""
    if "uplift_regime_switch" in s.index and s.loc["uplift_regime_switch", "mean"] > 0:
        switch = (f" ({pct(s.loc['uplift_regime_switch', 'mean'])} of it from households moving from a lump sum"
                  f" onto declaration)")
    text = (f"{first} and raises tax by {pct(s.loc['uplift', 'mean'])} (90%: {pct(s.loc['uplift', 'p05'])}–"
            f"{pct(s.loc['uplift', 'p95'])}) against no campaign{switch}, or by {ba} against the same months "
            f"before.")
    if "uplift_upstream" in s.index and np.isfinite(s.loc["uplift_upstream", "mean"]):
        up = s.loc["extra_tax_upstream"]
        text += (f" Fuel bought on-book instead of off-book adds {nf.vnd(up['mean'])} (90%: {nf.vnd(up['p05'])}–"
                 f"{nf.vnd(up['p95'])}) of upstream taxes, collected from importers and refineries.")
    return text
