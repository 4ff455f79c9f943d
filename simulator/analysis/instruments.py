"""Which instrument? Sealing against e-invoices and receipt printers, on the same stations.

:func:`compare_instruments` runs each option — one instrument (``seal`` is the ``[campaign]``), or a
combination ``"seal+einvoice_pos"`` — with the same seed: every option's world without any policy is
bit for bit the same (the instruments draw from their own stream), so each option's extra tax, uplift
and payback are measured against one no-policy world, replication by replication, and the options'
differences from the first are paired too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..charts.instruments import KIND_LABELS, option_words
from ..errors import ScenarioError
from ..i18n import N_
from ..scenario import Scenario

__all__ = ["BASELINE", "COMPARED", "KIND_LABELS", "LABELS", "InstrumentComparison", "compare_instruments",
           "instruments_files", "instruments_json", "instruments_text", "option_label", "option_scenario",
           "parse_options", "write_instruments"]

SOURCE = "--instruments"
SEAL = "seal"
COMPARED = ("uplift", "uplift_before_after", "extra_tax", "extra_tax_upstream", "cost", "cost_stations", "net_benefit",
            "benefit_cost_ratio", "payback_months", "net_benefit_all_costs", "benefit_cost_ratio_all_costs",
            "consumer_savings", "extra_tax_regime_switch")
"""The figures of an instruments comparison: causal uplift, extra tax (provincial and upstream), cost to the
government and to the stations, the fiscal net gain, extra tax per VND and payback (the government's cost),
the same counting the stations' costs, what consumers gain from corrected dispensers, and how much of the
extra tax is households moved off their lump sums (a one-off catch-up a later re-assessment collects too)."""
BASELINE = ("tax_without", "tax_upstream_without", "tax_before")
"""The no-policy world's figures (the same under every option)."""


def parse_options(scenario: Scenario, instruments: Sequence[str], combine: Sequence[str] = ()) -> list[str]:
    """The options to compare, as written (``["seal", "einvoice_link", "seal+einvoice_pos"]``), each name
    checked against the scenario's instruments (and ``seal``, the campaign)."""
    known = [SEAL, *scenario.instruments]
    options = [o.strip() for o in instruments if o.strip()] + [c.strip() for c in combine if c.strip()]
    if not options:
        raise ScenarioError(f"expected at least one instrument; the scenario has: {', '.join(known)}", source=SOURCE)
    for option in options:
        for name in option.split("+"):
            name = name.strip()
            if name not in known:
                where = "--combine" if "+" in option else SOURCE
                raise ScenarioError(f"unknown instrument {name!r}; the scenario has: {', '.join(known)} "
                                    f"(define [instruments.{name or 'NAME'}] to add one)", source=where)
    if len(set(options)) != len(options):
        raise ScenarioError("each option once, please", source=SOURCE)
    return options


def option_scenario(scenario: Scenario, option: str) -> Scenario:
    """The scenario with exactly the option's instruments in use (``seal``: the campaign)."""
    names = {n.strip() for n in option.split("+")}
    changes: dict = {"campaign.enabled": SEAL in names}
    for name in scenario.instruments:
        changes[f"instruments.{name}.enabled"] = name in names
    return scenario.with_overrides(changes)


STATS = ("mean", "p05", "p50", "p95")


def _finite(x) -> float | None:
    """A number for JSON: None where there is none (a payback never reached, a ratio without a cost)."""
    return None if x is None or not np.isfinite(x) else float(x)


def _stats(values: pd.Series) -> dict[str, float | None]:
    v = values.to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {"mean": None, "p05": None, "p50": None, "p95": None}
    return {"mean": float(v.mean()), "p05": float(np.quantile(v, 0.05)), "p50": float(np.quantile(v, 0.5)),
            "p95": float(np.quantile(v, 0.95))}


@dataclass
class InstrumentComparison:
    """Each option's KPIs per replication (``kpis``: option × replication rows), the no-policy world's,
    how they were run, and what kind each instrument is (``kinds``: name → kind, to name it in words)."""

    options: list[str]
    kpis: pd.DataFrame
    replications: int
    seed: int
    kinds: dict[str, str] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """One row per option and KPI: mean, p05, p50, p95 across replications."""
        rows = []
        for option in self.options:
            k = self.kpis[self.kpis["option"] == option]
            for name in COMPARED:
                rows.append({"option": option, "kpi": name, **_stats(k[name])})
        return pd.DataFrame(rows)

    def differences(self) -> pd.DataFrame:
        """Each option's KPIs minus the first option's, replication by replication (paired)."""
        first = self.kpis[self.kpis["option"] == self.options[0]].set_index("replication")
        rows = []
        for option in self.options[1:]:
            k = self.kpis[self.kpis["option"] == option].set_index("replication")
            for name in COMPARED:
                rows.append({"option": option, "kpi": name, **_stats(k[name] - first[name])})
        return pd.DataFrame(rows)

    def to_json(self) -> dict:
        """``{"instruments": [{"name", "kpis": {KPI: {mean, p05, p50, p95}}, "difference_from_first"}], "baseline":
        {"kpis": …}, "replications", "seed"}``."""
        s, d = self.summary(), self.differences()
        out = []
        for option in self.options:
            mine = s[s["option"] == option].set_index("kpi")
            entry = {"name": option, "kpis": {k: {c: _finite(mine.loc[k, c]) for c in STATS} for k in COMPARED}}
            if option != self.options[0]:
                diff = d[d["option"] == option].set_index("kpi")
                entry["difference_from_first"] = {k: {c: _finite(diff.loc[k, c]) for c in STATS} for k in COMPARED}
            out.append(entry)
        base = self.kpis[self.kpis["option"] == self.options[0]]
        return {"instruments": out, "baseline": {"kpis": {k: _stats(base[k]) for k in BASELINE}},
                "replications": self.replications, "seed": self.seed}

    def table(self) -> pd.DataFrame:
        """The summary and the paired differences in one tidy table (``instruments.csv``): ``option``, ``kpi``,
        ``figure`` (``value``: the option's own; ``difference_from_first``: minus the first option's in the same
        replication; ``no_policy``: the world without any policy, the same under every option, with an empty
        ``option``), and the ``mean``, ``p05``, ``p50`` and ``p95`` across replications."""
        parts = [self.summary().assign(figure="value")]
        if len(self.options) > 1:
            parts.append(self.differences().assign(figure="difference_from_first"))
        base = self.kpis[self.kpis["option"] == self.options[0]]
        parts.append(pd.DataFrame([{"option": "", "kpi": k, **_stats(base[k])} for k in BASELINE])
                     .assign(figure="no_policy"))
        t = pd.concat(parts, ignore_index=True)
        return t[["option", "kpi", "figure", *STATS]]


def compare_instruments(scenario: Scenario, instruments: Sequence[str], combine: Sequence[str] = (), *,
                        replications: int | None = None, seed: int | None = None, workers: int | None = None,
                        progress: bool | None = None) -> InstrumentComparison:
    """Run every option (see the module docstring) from the same seed and gather their KPIs."""
    from ..runner import run
    from .points import replications_and_seed

    options = parse_options(scenario, instruments, combine)
    n, s = replications_and_seed(scenario, replications, seed, SOURCE)
    frames = []
    for option in options:
        res = run(option_scenario(scenario, option), n, s, workers=workers, progress=progress)
        frames.append(res.kpis.assign(option=option))
    kpis = pd.concat(frames, ignore_index=True)
    without = kpis.groupby("replication")["tax_without"].nunique()
    if (without > 1).any():  # the promise this comparison rests on
        raise AssertionError("the no-policy world differs between options")
    names = {name.strip() for option in options for name in option.split("+")} - {SEAL}
    kinds = {name: scenario.instruments[name].kind_of(name) for name in sorted(names)}
    return InstrumentComparison(options, kpis, n, s, {SEAL: SEAL, **kinds})


LABELS = {"uplift": N_("Tax uplift against no policy"), "cost": N_("Cost to the government"),
          "cost_stations": N_("Cost to the stations"), "net_benefit": N_("Net gain to the budget"),
          "benefit_cost_ratio": N_("Extra tax per VND the government spends"),
          "extra_tax_regime_switch": N_("Of the extra tax: households moved off lump sums")}
"""Labels of the comparison where the KPI's own label speaks of the campaign alone."""

def option_label(scenario: Scenario, option: str, gettext) -> str:
    """"sealing the totalisers + e-invoices by handheld POS": an option's instruments in words
    (:data:`KIND_LABELS`, kept with the chart that shows them too)."""
    kinds = {name: inst.kind_of(name) for name, inst in scenario.instruments.items()}
    return option_words(option, kinds, gettext)


def instruments_text(cmp: InstrumentComparison, lang: str = "en", scenario: Scenario | None = None) -> str:
    """One block per option, as a planner reads it: each figure's mean and 90% range across replications,
    and for the options after the first, the paired difference from it (same replications), in ``lang``."""
    from ..numbers import Numbers
    from ..report.compare import change_interval
    from ..results.summary import kpi_range, kpi_value

    nf = Numbers(lang)
    _ = nf.gettext
    s = cmp.summary().set_index(["option", "kpi"])
    d = cmp.differences().set_index(["option", "kpi"]) if len(cmp.options) > 1 else None
    lines = [_("Each option on the same stations against the same world without any policy ({n} replications, "
               "seed {seed}): mean and 90% range; after the first option, the difference from it in the same "
               "replications.").format(n=nf.number(cmp.replications), seed=cmp.seed)]
    labels = {k: _(LABELS[k]) if k in LABELS else nf.label(k) for k in COMPARED}
    width = max(map(len, labels.values()))
    for option in cmp.options:
        lines.append("")
        words = option_label(scenario, option, _) if scenario is not None else option_words(option, cmp.kinds, _)
        lines.append(f"[{option}]" + (f" {words}" if scenario is not None or cmp.kinds else ""))
        for k in COMPARED:
            label = labels[k]
            r = s.loc[(option, k)]
            if r["mean"] is None or not np.isfinite(r["mean"]):
                lines.append(f"  {label:<{width}}  {_('n/a')}")
                continue
            mean, rng = kpi_value(k, r["mean"], nf), kpi_range(k, r["p05"], r["p95"], nf)
            cell = mean if rng == mean else f"{mean} ({rng})"
            have = int(np.isfinite(cmp.kpis.loc[cmp.kpis["option"] == option, k].to_numpy(float)).sum())
            if have < cmp.replications:  # a payback some replications never reach: its figures are of the others
                cell += ", " + _("in {k} of {n} replications").format(k=nf.number(have), n=nf.number(cmp.replications))
            if d is not None and option != cmp.options[0]:
                dr = d.loc[(option, k)]
                if dr["mean"] is not None and np.isfinite(dr["mean"]):
                    cell += "   " + _("vs {first}: {change}").format(
                        first=cmp.options[0], change=change_interval(k, dr["mean"], dr["p05"], dr["p95"], nf))
            lines.append(f"  {label:<{width}}  {cell}")
    return "\n".join(lines)


CHART, CHART_CSV, TABLE_CSV, JSON_FILE = "instruments", "instruments-chart.csv", "instruments.csv", "instruments.json"


def instruments_files(svg: bool = False) -> list[str]:
    """The files :func:`write_instruments` writes into its folder."""
    return [f"{CHART}.png", *([f"{CHART}.svg"] if svg else []), CHART_CSV, TABLE_CSV, JSON_FILE]


def instruments_json(cmp: InstrumentComparison) -> str:
    """:meth:`InstrumentComparison.to_json` as one line of JSON text (what ``--json`` prints)."""
    return json.dumps(cmp.to_json(), ensure_ascii=False, allow_nan=False)


def write_instruments(cmp: InstrumentComparison, folder: str | Path, *, lang: str = "en",
                      scenario: Scenario | None = None, svg: bool = False) -> list[Path]:
    """Write the comparison into ``folder`` (made if need be; files already there are replaced, so the caller
    decides whether they may be): the chart (``instruments.png``, and ``.svg`` with ``svg``) in ``lang``, the
    numbers it draws (``instruments-chart.csv``), the summary and paired differences (``instruments.csv``,
    :meth:`InstrumentComparison.table`) and the JSON ``--json`` prints (``instruments.json``). Returns the paths
    in that order."""
    from ..charts.instruments import instruments_chart, instruments_chart_data
    from ..charts.style import save_figure
    from ..files import write_atomic

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    fig = instruments_chart(cmp, lang=lang, scenario=scenario)
    written = [save_figure(fig, out / f"{CHART}.{fmt}") for fmt in ("png", "svg") if fmt == "png" or svg]

    def csv(table: pd.DataFrame):
        return lambda fh: fh.write(table.to_csv(index=False).encode("utf-8"))

    written.append(write_atomic(out / CHART_CSV, csv(instruments_chart_data(cmp, lang, scenario))))
    written.append(write_atomic(out / TABLE_CSV, csv(cmp.table())))
    written.append(write_atomic(out / JSON_FILE, (instruments_json(cmp) + "\n").encode("utf-8")))
    return written
