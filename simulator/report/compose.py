"""What the report says, once, so the HTML page and the PDF say the same thing.

:func:`content` gathers it from a loaded run (see :func:`simulator.report.loading.load_run`) into a
:class:`Content`: the headline sentence and findings in plain words, the key figures with their 90%
intervals exactly as ``summary.csv`` has them, the assumptions stated from the resolved, typed
scenario, every parameter as run (:func:`flatten`) and the charts of :mod:`simulator.charts` as PNG.
Numbers, money and dates are written in the chosen number style (:class:`simulator.numbers.Numbers`).
Nothing here draws a page.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from ..numbers import KPI_DISPLAY, Numbers, plain
from ..results.summary import UNCERTAINTY, shown, uncertainty
from ..results.tables import Results
from ..scenario import Scenario
from ..scenario.quantities import Fixed, Quantity

PNG_DPI = 150  # sharp on screen and when printed half an A4 page wide


@dataclass
class Content:
    """Everything a report shows, once, so HTML and PDF say the same thing."""

    title: str
    description: str
    run_line: str
    headline: str
    findings: list[str]
    figures: list[tuple[str, str, str]]  # label, mean, 90% interval — as in ``fuelseal run``'s table
    assumptions: list[tuple[str, str]]
    parameters: list[tuple[str, str]]
    parameters_note: str = ""
    charts: dict[str, bytes] = field(default_factory=dict)  # name → PNG
    chart_text: dict[str, str] = field(default_factory=dict)  # name → title and caption, for alt text
    footer: str = ""


def _summary(res: Results, folder: Path) -> pd.DataFrame:
    """The summary table as written in the run folder, so the report repeats ``summary.csv`` exactly."""
    path = folder / "summary.parquet"
    if path.is_file():
        try:
            return pd.read_parquet(path).set_index("kpi")
        except (OSError, ValueError, KeyError):
            pass
    return res.summary()


def _scenario_view(res: Results) -> Any:
    """What :func:`simulator.summary.headline` needs of a scenario: the typed one (see
    :func:`settings_of`), else the campaign settings read from the manifest."""
    sc = settings_of(res)
    if sc is not None:
        return sc
    c = res.manifest["resolved_scenario"].get("campaign", {})
    return SimpleNamespace(campaign=SimpleNamespace(enabled=bool(c.get("enabled", True)), teams=int(c.get("teams", 1))))


def _get(raw: dict, dotted: str, default: Any = None) -> Any:
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def _interval(s: pd.DataFrame, key: str, fmt) -> str:
    """``mean (90%: p05–p95)`` with the same formatter as the summary table."""
    if key not in s.index:
        return "n/a"
    r = s.loc[key]
    if int(r.get("n", 2)) <= 1 or r["p05"] == r["p95"]:
        return fmt(r["mean"])
    return f"{fmt(r['mean'])} (90%: {fmt(r['p05'])}–{fmt(r['p95'])})"


def _headline(s: pd.DataFrame, res: Results, nf: Numbers) -> str:
    from ..results.summary import headline  # the same sentence ``fuelseal run`` prints

    try:
        return headline(s, _scenario_view(res), nf.style)
    except (KeyError, AttributeError, TypeError, ValueError):
        # a run folder from another version may lack a KPI the sentence uses: say less, never fail
        return f"Tax uplift against no campaign: {_interval(s, 'uplift', nf.pct)}."


def _findings(s: pd.DataFrame, res: Results, nf: Numbers) -> list[str]:
    from .. import charts

    enabled = bool(res.setting("campaign.enabled", True))
    n = res.replications
    out = []
    months = res.setting("run.evaluation_months", 12)
    w0 = pd.Timestamp(res.setting("campaign.start")).replace(day=1)
    spent = "cost" in s.index and s.loc["cost", "mean"] > 0
    if enabled and not spent:
        out.append("The teams do no work within the horizon (the campaign starts too late or has no working "
                   "days): no cost, no dispenser sealed and no extra tax.")
    elif enabled:
        out.append(f"Extra tax over the {months}-month evaluation window from {nf.month_long(w0)}: "
                   f"{_interval(s, 'extra_tax', nf.vnd)}, for a campaign costing {_interval(s, 'cost', nf.vnd)}; "
                   f"each VND spent brings {_interval(s, 'benefit_cost_ratio', nf.ratio)} of extra tax.")
        month = charts.break_even(res)
        if month is not None:
            out.append(f"Counted month by month from the start of the campaign, the extra tax has paid for the "
                       f"campaign for good by the end of {nf.month_long(month)} (on average across replications).")
        else:
            out.append("Counted month by month, the extra tax does not pay for the campaign for good within the "
                       "horizon.")
        if "team_days" in s.index and "visits" in s.index:
            out.append(f"The teams work {_interval(s, 'team_days', nf.number)} team-days for "
                       f"{_interval(s, 'visits', nf.number)} station visits; "
                       f"{_interval(s, 'share_sealed', nf.pct)} of dispensers are sealed by the end of the horizon.")
    ba = res.kpis["uplift_before_after"].to_numpy(float) if "uplift_before_after" in res.kpis else np.zeros(0)
    if np.isfinite(ba).any():
        parts = charts.uplift_parts(res.kpis)
        ok = np.isfinite(ba) & np.all([np.isfinite(p.to_numpy(float)) for p in parts.values()], axis=0)
        phrase = {"Trend (no campaign)": "the trend without the campaign",
                  "Moved onto declaration": "households moved from a lump sum onto declaration",
                  "Campaign (sealed totalisers)": "the campaign (sealed totalisers)"}
        words = [f"{nf.pct(float(p.to_numpy(float)[ok].mean()))} from "
                 f"{phrase.get(label, label[0].lower() + label[1:])}" for label, p in parts.items()]
        words = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]
        out.append(f"Against the same months before, tax rises by {_interval(s, 'uplift_before_after', nf.pct)}: "
                   f"on average {words}. A before/after comparison counts demand growth and price changes too; "
                   f"only the uplift against no campaign is due to the campaign.")
        if {"uplift_growth", "uplift"} <= set(s.index):
            g, c = s.loc["uplift_growth", "mean"], s.loc["uplift", "mean"]
            out.append(f"The identity behind it: tax after / tax before = (1 + what the world without the campaign "
                       f"did) × (1 + what the campaign did) — on average (1 + {nf.pct(g)}) × (1 + {nf.pct(c)}) = "
                       f"1 + {nf.pct((1 + g) * (1 + c) - 1)}. One before/after figure cannot tell the two factors "
                       f"apart: the split rests on the scenario's assumptions about growth, prices and tax regimes.")
    ref = res.manifest.get("reference_uplift")
    if ref is not None and "uplift_before_after" in s.index:
        source = res.setting("scenario.reference_source", "") or ""
        lo, hi = s.loc["uplift_before_after", "p05"], s.loc["uplift_before_after", "p95"]
        published = f"The published before/after figure, {nf.pct(ref)}{' (' + source + ')' if source else ''},"
        if n > 1 and math.isfinite(lo) and math.isfinite(hi):
            out.append(f"{published} lies {'inside' if lo <= ref <= hi else 'outside'} the simulated 90% interval.")
        else:
            out.append(f"{published} compares with a simulated {nf.pct(s.loc['uplift_before_after', 'mean'])}.")
    out.append(f"Figures are means across {n} replication{'s' if n != 1 else ''} (seed {res.seed})"
               + ("; ranges hold 90% of replications (5th to 95th percentile)." if n > 1 else "."))
    if n > 1:
        sc = settings_of(res)
        out.append(uncertainty(sc) if sc is not None else UNCERTAINTY)
    return out


def _figures(s: pd.DataFrame, nf: Numbers) -> list[tuple[str, str, str]]:
    rows = []
    for key in shown(s):
        label, fmt, r = KPI_DISPLAY[key][0], nf.kpi(key), s.loc[key]
        rows.append((label, fmt(r["mean"]), f"{fmt(r['p05'])} – {fmt(r['p95'])}"))
    return rows


def _quantity(v: Any, fmt=None, nf: Numbers | None = None) -> str:
    """A scenario value in words: a number, or a distribution by its mean and spread."""
    style = (nf or Numbers()).style
    fmt = fmt or (lambda x: plain(x, style))
    if isinstance(v, Quantity):
        v = v.model_dump()
    if isinstance(v, bool) or v is None:
        return str(v).lower()
    if isinstance(v, (int, float)):
        return fmt(v)
    if isinstance(v, dict) and "dist" in v:
        d = v["dist"]
        if "mean" in v:
            spread = f", sd {fmt(v['sd'])}" if "sd" in v else ""
            return f"mean {fmt(v['mean'])} ({d}{spread})"
        if {"low", "high"} <= set(v):
            mode = f", most often {fmt(v['mode'])}" if "mode" in v else ""
            return f"{fmt(v['low'])} to {fmt(v['high'])}{mode} ({d})"
        if "value" in v:
            return fmt(v["value"])
    return _flat_value(v)


def _clock(hours: Any) -> str:
    """7.5 → "07:30"."""
    try:
        minutes = round(float(hours) * 60)
    except (TypeError, ValueError):
        return str(hours)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _assumptions(sc: Scenario, nf: Numbers | None = None) -> list[tuple[str, str]]:
    """The assumptions a reader needs, stated from the resolved, typed scenario — the values the
    model used, defaults included — never from the raw file (which may leave keys out)."""
    nf = nf or Numbers()
    pct = nf.pct

    def q(v, fmt=None):
        return _quantity(v, fmt, nf)

    c, n, d, m, e, k = sc.campaign, sc.network, sc.demand, sc.metrology, sc.enforcement, sc.costs
    rows: list[tuple[str, str]] = [("Horizon", f"{nf.day(sc.scenario.start)} to {nf.day(sc.scenario.end)}; "
                                               f"evaluation window {sc.run.evaluation_months} months from the "
                                               "campaign month")]
    if n.districts is not None:
        fixed = [q.value for q in n.districts.values() if isinstance(q, Fixed)]
        total = f", {nf.number(sum(fixed))} stations" if len(fixed) == len(n.districts) else ""
        rows.append(("Network", f"{len(n.districts)} districts{total}; dispensers per station: "
                                f"{q(n.pumps_per_station)}"))
    else:
        count = f" ({nf.number(len(sc.register.ids))} stations)" if sc.register is not None else ""
        rows.append(("Network", f"station register {n.register_file}{count}"))
    if c.enabled:
        dorder = list(c.district_order)
        route = f" ({' → '.join(dorder)})" if c.order == "route" and dorder else ""
        rows.append(("Campaign", f"starts {nf.day(c.start)} with {c.teams} team{'s' if c.teams != 1 else ''}; "
                                 f"visiting order {c.order}{route}"))
        rows.append(("Working time", f"{q(c.work_hours_per_day)} hours a day from "
                                     f"{_clock(c.day_start_hour)}, "
                                     f"{', '.join(c.working_weekdays)}; {len(c.holidays)} holidays"))
        rows.append(("Verifying one dispenser", f"{q(c.minutes_per_pump)} minutes; travel "
                                                f"{q(c.travel_hours)} hours per station"))
    else:
        rows.append(("Campaign", "disabled (no dispenser is sealed)"))
    rows.append(("Undeclared share before sealing", q(sc.behaviour.undeclared_share, lambda x: pct(x, 1))))
    rows.append(("Undeclared share after sealing", q(sc.behaviour.residual_share, lambda x: pct(x, 2))))
    rows.extend(_money_rows(sc, nf))
    rows.append(("Sales per dispenser-day", f"{q(d.litres_per_pump_day)} litres"))
    rows.append(("Demand growth", f"{q(d.annual_growth, lambda x: pct(x, 1))} a year"))
    rows.append(("Dispenser accuracy", f"maximum permissible error ±{nf.pct(m.mpe, 1)}; "
                                       f"{pct(m.short_delivery_share, 1)} of dispensers deliberately short-deliver by "
                                       f"{q(m.short_delivery_error, lambda x: pct(x, 1))}"))
    rows.append(("Enforcement", f"{q(e.audits_per_year)} audits per station a year, "
                                f"detection probability "
                                f"{nf.pct(e.detection_probability, 0)}, fine {nf.vnd(e.fine)}"))
    if c.enabled:
        rows.append(("Campaign costs", f"{nf.vnd(k.per_team_day)} per team-day, {nf.vnd(k.per_seal)} per seal, "
                                       f"{nf.vnd(k.per_visit)} per visit, {nf.vnd(k.fixed)} fixed"))
    return rows


BASES = {"prior_period": "the previous period's revenue", "period_mean": "the period's own revenue",
         "assessment_day": "the period's volumes at the assessment day's price"}


def _money_rows(sc: Scenario, nf: Numbers) -> list[tuple[str, str]]:
    """Tax regimes, supply and prices as the model used them."""
    t, d, pct = sc.tax, sc.demand, nf.pct
    per_litre = f" + {nf.number(t.retail_per_litre)} VND per declared litre" if t.retail_per_litre else ""
    margin = (f"{nf.number(t.margin_per_litre)} VND/L" if t.margin_per_litre is not None
              else f"{pct(t.margin or 0, 1)} of the price")
    costs = " + ".join([f"{pct(t.cost_share, 1)} of sales"] * bool(t.cost_share)
                       + [f"{nf.number(t.cost_per_litre)} VND/L"] * bool(t.cost_per_litre)) or "none"
    words = {
        "declared_household": f"declared monthly, {pct(t.rate, 2)} of declared revenue{per_litre}",
        "presumptive": f"lump sum of {pct(t.rate, 2)} of the revenue the tax office sees, re-assessed every "
                       f"{t.assessment_months} months on {BASES[t.assessment_base]}"
                       + ("; a sealed station declares monthly from the next month" if t.seal_moves_to_declaration
                          else "; sealing shows the office the metered sales at the next assessment"),
        "enterprise": f"VAT {pct(t.vat_rate or 0, 0)} by the credit method and CIT {pct(t.cit_rate or 0, 0)}; "
                      f"retail margin {margin}, operating costs {costs}",
    }
    rows = []
    if sc.operators:
        for name, op in sc.operators.items():
            regime = sc.regime_of(name)
            share = f"{pct(op.share, 0)} of stations, " if sc.network.districts is not None else ""
            rows.append((f"Tax: {op.label or name}", f"{share}{regime.replace('_', ' ')} — {words[regime]}"))
    else:
        rows.append(("Tax", f"{t.regime.replace('_', ' ')} — {words[t.regime]}"))
    s = sc.supply
    if s.upstream:
        up = "; ".join(f"{fuel}: {nf.number(u.per_litre)} VND/L"
                       + (f" + {pct(u.rate, 1)} of the price" if u.rate else "") for fuel, u in s.upstream.items())
        if sc.operators:
            own = {name: s.off_book_share if op.off_book_share is None else op.off_book_share
                   for name, op in sc.operators.items()}
            share = ", ".join(f"{op.label or name} {pct(own[name], 0)}" for name, op in sc.operators.items())
            share = f"share of undeclared litres bought off-book: {share}"
        else:
            share = f"{pct(s.off_book_share, 0)} of undeclared litres bought off-book"
        taxed = f" ({pct(s.off_book_taxed_share, 0)} of it had paid upstream taxes)" if s.off_book_taxed_share else ""
        rows.append(("Supply and upstream taxes", f"{share}{taxed}; upstream taxes on on-book purchases — {up}"))
    if sc.prices is None:
        rows.append(("Retail price", f"{nf.number(d.price_per_litre)} VND/L" + (
            "; then " + ", ".join(f"{nf.number(p.price)} from {nf.day(p.date)}" for p in d.price_path)
            if d.price_path else "")))
    else:
        mix = sc.fuel_mix
        for fuel, path in sc.prices.items():
            lo, hi = min(p.price for p in path), max(p.price for p in path)
            rows.append((f"Retail price: {fuel}", f"{pct(mix[fuel], 0)} of litres; {len(path)} dated prices, "
                                                  f"{nf.number(lo)}–{nf.number(hi)} VND/L, {nf.number(path[0].price)} "
                                                  f"on {nf.day(path[0].date)}"))
    return rows


def settings_of(res: Results) -> Scenario | None:
    """The typed scenario a run used (see ``Results.settings``)."""
    return res.settings


def _flat_value(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, dict):
        if "dist" in v:
            return f"{v['dist']}(" + ", ".join(f"{k}={_flat_value(x)}" for k, x in v.items() if k != "dist") + ")"
        return ", ".join(f"{k}={_flat_value(x)}" for k, x in v.items())
    if isinstance(v, list):
        return "; ".join(_flat_value(x) for x in v) if any(isinstance(x, dict) for x in v) else \
            ", ".join(_flat_value(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def flatten(raw: dict, prefix: str = "") -> list[tuple[str, str]]:
    """A scenario as dotted keys → values (``campaign.teams`` → ``2``); distributions stay on one line."""
    rows = []
    for k, v in raw.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and "dist" not in v and v and all(not isinstance(x, dict) for x in v.values()) \
                and prefix:
            rows.extend((f"{key}.{kk}", _flat_value(vv)) for kk, vv in v.items())
        elif isinstance(v, dict) and "dist" not in v:
            rows.extend(flatten(v, key + "."))
        else:
            rows.append((key, _flat_value(v)))
    return rows


def _parameters_note(res: Results) -> str:
    note = "The scenario as run, after any overrides; keys not listed take the tool's defaults."
    raw = res.manifest["resolved_scenario"]
    scen_n, scen_seed = _get(raw, "run.replications"), _get(raw, "run.seed")
    if (scen_n is not None and scen_n != res.replications) or (scen_seed is not None and scen_seed != res.seed):
        # the command line may override both; say which numbers this run used
        note += f" This run used {res.replications} replications and seed {res.seed}."
    return note


def content(res: Results, folder: Path, *, number_style: str = "en", with_charts: bool = True) -> Content:
    """Everything the report shows, from a loaded run."""
    from .. import charts

    s = _summary(res, folder)
    m = res.manifest
    raw = m["resolved_scenario"]
    sc = settings_of(res)
    nf = Numbers(number_style)
    created = m.get("created", "")
    version = (m.get("versions") or {}).get("fuelseal", "")
    run_line = (f"{res.replications} replication{'s' if res.replications != 1 else ''}, seed {res.seed}; "
                f"run {created}; fuelseal {version}; scenario SHA-256 {str(m.get('scenario_sha256', ''))[:12]}…")
    pngs, text = {}, {}
    if with_charts:
        for name, fig in charts.all_charts(res, number_style=number_style).items():
            buf = io.BytesIO()
            with charts.house_style():
                fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": "fuelseal"})
            pngs[name] = buf.getvalue()
            text[name] = " ".join([fig.get_suptitle(), *(t.get_text() for t in fig.texts)]).strip()
    return Content(
        title=str(m.get("scenario") or _get(raw, "scenario.name", "fuelseal run")),
        description=str(res.setting("scenario.description", "") or ""),
        run_line=run_line,
        headline=_headline(s, res, nf),
        findings=_findings(s, res, nf),
        figures=_figures(s, nf),
        assumptions=_assumptions(sc, nf) if sc is not None else [],
        parameters=flatten(raw),
        parameters_note=_parameters_note(res),
        charts=pngs,
        chart_text=text,
        footer=(f"Built by fuelseal {version} from the run folder {folder.name} on "
                f"{dt.date.today():%Y-%m-%d}. Rebuild it with: fuelseal report {folder.name}"),
    )
