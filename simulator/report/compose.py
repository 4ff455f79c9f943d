"""What the run report says, once, so the HTML page and the PDF say the same thing.

:func:`content` gathers it from a loaded run (see :func:`simulator.report.loading.load_run`) into a
:class:`Content`, in the reader's language (``lang="en"|"vi"``): the headline — money first, as
``fuelseal run`` prints it (:func:`simulator.results.summary.headline`) — the findings in plain
words, the key figures with their 90% intervals exactly as ``summary.csv`` has them, the
assumptions stated from the resolved, typed scenario, the method and its limits in plain words
(parameters by their labels, no dotted keys), every parameter as run — the run's own replications
and seed where the command line overrode the file's (:func:`simulator.report.parameters.appendix`)
— and the charts of :mod:`simulator.charts` as PNG, drawn for print (``size="print"``) and placed
in the PDF at their own width, so their text prints at 8 pt or more. Fuels and operator types go by
their names in the reader's language (:func:`~simulator.report.parameters.fuel_name`,
:func:`~simulator.report.parameters.operator_label`). Words go through ``_()`` (their Vietnamese is
in ``simulator/locale/vi/report.po`` and ``report2.po``); numbers, money and dates through
:class:`simulator.numbers.Numbers`.

:meth:`Content.document` lays it out as a :class:`~simulator.report.document.Document`, which the
renderers draw. Nothing here draws a page.
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
from babel.lists import format_list

from ..i18n import LANGS, N_
from ..numbers import Numbers
from ..results.summary import (
    UNCERTAINTY,
    about_vnd,
    headline,
    kpi_interval,
    kpi_range,
    kpi_value,
    summary_rows,
    true_minus,
    uncertainty,
    window_phrase,
)
from ..results.tables import Results
from ..scenario import Scenario
from ..scenario.quantities import Fixed, Quantity
from .document import Bullets, Document, Figure, KeyFigures, Paragraph, Row, Section, Table, slug
from .parameters import ENUMS, WEEKDAYS, appendix, format_value, fuel_name, operator_label, price_path_text, share_text

PNG_DPI = 200  # charts are drawn for print and placed at their own size: sharp on paper and on screen
MONEY = ("extra_tax", "cost", "net_benefit", "payback_months")
"""The key figures that answer the question, set in bold."""


@dataclass
class Content:
    """Everything a run report shows, once, in one language, so HTML and PDF say the same thing.
    :meth:`document` lays it out for the renderers."""

    title: str
    description: str
    run_line: str
    headline: str
    findings: list[str]
    figures: list[tuple[str, str, str]]  # label, mean, 90% interval — as in ``fuelseal run``'s table
    assumptions: list[tuple[str, str]]
    parameters: list[tuple[str, str]]  # dotted key → value as written in the scenario (see :func:`flatten`)
    parameters_note: str = ""
    charts: dict[str, bytes] = field(default_factory=dict)  # name → PNG
    chart_text: dict[str, str] = field(default_factory=dict)  # name → title and caption, for alt text
    footer: str = ""  # how the report was built, at its foot
    lang: str = "en"
    figure_groups: list[tuple[str, list[tuple[str, str, str]]]] = field(default_factory=list)
    figures_note: str = ""
    method: list[str] = field(default_factory=list)
    appendix: list[tuple[str, list[tuple[str, str, str]]]] = field(default_factory=list)  # heading, (label, value, key)
    chart_titles: dict[str, str] = field(default_factory=dict)
    page_footer: str = ""  # on every PDF page, beside "page X of Y"
    money_labels: tuple[str, ...] = ()  # the key figures set in bold: cost, extra tax, net gain, payback
    chart_widths: dict[str, float] = field(default_factory=dict)  # name → mm wide in print (drawn for print)

    def document(self) -> Document:
        """The report laid out: lead, findings, key figures, assumptions, charts, method, parameter appendix."""
        _ = Numbers(self.lang).gettext
        rows: list[Row] = []
        for title, group in self.figure_groups or [("", self.figures)]:
            if title:
                rows.append(Row((title,), group=True))
            for label, mean, interval in group:
                indent = (len(label) - len(label.lstrip(" "))) // 2
                rows.append(Row((label.strip(), mean, interval), indent=indent, strong=label in self.money_labels))
        sections = [
            Section("key-figures", _("Key figures"), new_page=True, blocks=[KeyFigures(
                header=(_("Figure"), _("Mean"), _("90% interval")), rows=rows, numeric=(1, 2), widths=(5.3, 2.5, 3.6),
                caption=self.figures_note)]),
            Section("findings", _("Findings"), [Bullets(self.findings)]),
        ]
        if self.assumptions:
            sections.append(Section("assumptions", _("Key assumptions"), [Table(
                header=(_("Assumption"), _("As simulated")), rows=[Row(r) for r in self.assumptions],
                widths=(2.6, 7.4))]))
        if self.charts:
            sections.append(Section("charts", _("Charts"), [
                Figure(png=png, title=self.chart_titles.get(name, ""), alt=self.chart_text.get(name, name),
                       id=f"chart-{name.replace('_', '-')}", show_title=False, width_mm=self.chart_widths.get(name))
                for name, png in self.charts.items()]))
        if self.method:
            sections.append(Section("method", _("Method and limitations"), [Paragraph(p) for p in self.method]))
        if self.appendix:
            sections.append(Section("parameters", _("Appendix: scenario parameters"),
                                    [Paragraph(self.parameters_note, "note")]))
            header = (_("Parameter"), _("Value"), _("Key"))
            for title, group in self.appendix:
                parts = group[0][2].split(".")
                anchor = "-".join(parts[:2] if parts[0] == "operators" else parts[:1])
                sections.append(Section(f"parameters-{slug(anchor)}", title, [Table(
                    header=header, rows=[Row(r) for r in group], small=(2,), widths=(3.6, 4.2, 3.2))], level=1,
                    listed=False))  # its many parts are bookmarks, not lines of the contents
        return Document(title=self.title, subtitle=self.description, meta=self.run_line, lead=self.headline,
                        sections=sections, colophon=self.footer, footer=self.page_footer, lang=self.lang)


def report_lang(res: Results, lang: str | None = None, number_style: str | None = None) -> str:
    """The language of a run's report: ``lang``, else the older ``number_style``, else the run's
    ``run.lang`` (from its resolved scenario), else English."""
    chosen = lang or number_style
    if chosen is None:
        run = res.manifest.get("resolved_scenario", {}).get("run", {})
        chosen = run.get("lang") if isinstance(run, dict) else None
    chosen = chosen or "en"
    if chosen not in LANGS:
        raise ValueError(f"language: expected one of {', '.join(LANGS)}, got {chosen!r}")
    return chosen


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
    raw = res.manifest["resolved_scenario"]
    c = raw.get("campaign", {})
    start = dt.date.fromisoformat(str(c.get("start", "2000-01-01")))
    return SimpleNamespace(
        campaign=SimpleNamespace(enabled=bool(c.get("enabled", True)), teams=int(c.get("teams", 1)), start=start),
        run=SimpleNamespace(evaluation_months=int(_get(raw, "run.evaluation_months", 12))),
        scenario=SimpleNamespace(reference_uplift=_get(raw, "scenario.reference_uplift")))


def _get(raw: dict, dotted: str, default: Any = None) -> Any:
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def _headline(s: pd.DataFrame, res: Results, nf: Numbers) -> str:
    try:
        return headline(s, _scenario_view(res), lang=nf.style)
    except (KeyError, AttributeError, TypeError, ValueError):
        # a run folder from another version may lack a KPI the sentence uses: say less, never fail
        _ = nf.gettext
        return _("Tax uplift against no campaign: {uplift}.").format(uplift=kpi_interval(s, "uplift", nf))


def _month(d, nf: Numbers) -> str:
    """A month in running text: "April 2017" / "tháng 4/2017"."""
    return nf.month_long(d) if nf.style == "en" else nf.month(d)


PARTS = {
    "Trend (no campaign)": N_("the trend without the campaign"),
    "Moved onto declaration": N_("households moved from a lump sum onto declaration"),
    "Compliance (sealed totalisers)": N_("compliance (sealed totalisers)"),
    "Metrology (dispenser accuracy)": N_("correcting dispensers (metrology)"),
    "Campaign (sealed totalisers)": N_("the campaign (sealed totalisers)"),
}
"""The parts of the before/after uplift (:func:`simulator.charts.uplift_parts`) in running text."""


def _findings(s: pd.DataFrame, res: Results, nf: Numbers) -> list[str]:
    from .. import charts

    _ = nf.gettext
    enabled = bool(res.setting("campaign.enabled", True))
    view = _scenario_view(res)
    out = []
    spent = "cost" in s.index and s.loc["cost", "mean"] > 0
    if enabled and not spent:
        out.append(_("The teams do no work within the horizon (the campaign starts too late or has no working "
                     "days): no cost, no dispenser sealed and no extra tax."))
    elif enabled:
        out.append(_("Extra tax {window}: {extra}, for a campaign costing {cost}; each VND spent brings back "
                     "{ratio} in extra tax.").format(
            window=window_phrase(view, nf), extra=kpi_interval(s, "extra_tax", nf), cost=kpi_interval(s, "cost", nf),
            ratio=kpi_interval(s, "benefit_cost_ratio", nf)))
        month = charts.break_even(res)
        if month is not None:
            out.append(_("Counted month by month from the start of the campaign, the extra tax has covered the "
                         "campaign's cost for good by the end of {month} (on average across "
                         "replications).").format(month=_month(month, nf)))
        else:
            out.append(_("Counted month by month, the extra tax does not cover the campaign's cost for good within "
                         "the horizon."))
        if "team_days" in s.index and "visits" in s.index:
            out.append(_("The teams work {team_days} team-days for {visits} station visits; {share} of dispensers "
                         "are sealed by the end of the horizon.").format(
                team_days=kpi_interval(s, "team_days", nf), visits=kpi_interval(s, "visits", nf),
                share=kpi_interval(s, "share_sealed", nf)))
        if "completion_days" in s.index and math.isfinite(float(s.loc["completion_days", "mean"])):
            out.append(_("The last dispenser is sealed {days} after the campaign starts on {date}.").format(
                days=kpi_interval(s, "completion_days", nf), date=nf.day(view.campaign.start)))
    ba = res.kpis["uplift_before_after"].to_numpy(float) if "uplift_before_after" in res.kpis else np.zeros(0)
    if np.isfinite(ba).any():
        parts = charts.uplift_parts(res.kpis)
        ok = np.isfinite(ba) & np.all([np.isfinite(p.to_numpy(float)) for p in parts.values()], axis=0)
        words = [_("{value} from {what}").format(
            value=true_minus(nf.pct(float(p.to_numpy(float)[ok].mean()))),
            what=_(PARTS[label]) if label in PARTS else _(label)) for label, p in parts.items()]
        out.append(_("Against the same months before, tax rises by {before_after}: on average {parts}. Only the "
                     "uplift against no campaign ({uplift}) is due to the campaign; a before/after comparison also "
                     "counts demand growth and price changes.").format(
            before_after=kpi_interval(s, "uplift_before_after", nf), parts=format_list(words, locale=nf.style),
            uplift=kpi_value("uplift", s.loc["uplift", "mean"], nf) if "uplift" in s.index else "n/a"))
    consumers = _consumers(s, nf)
    if consumers:
        out.append(consumers)
    ref = res.manifest.get("reference_uplift")
    if ref is not None and "uplift_before_after" in s.index:
        source = _said(res, "reference_source", nf.style)
        published = kpi_value("uplift_before_after", ref, nf) + (f" ({source})" if source else "")
        r = s.loc["uplift_before_after"]
        lo, hi = r["p05"], r["p95"]
        if res.replications > 1 and math.isfinite(lo) and math.isfinite(hi):
            text = (_("The published before/after figure, {published}, lies inside the simulated 90% interval "
                      "({range}).") if lo <= ref <= hi else
                    _("The published before/after figure, {published}, lies outside the simulated 90% interval "
                      "({range})."))
            out.append(text.format(published=published, range=kpi_range("uplift_before_after", lo, hi, nf)))
        else:
            out.append(_("The published before/after figure, {published}, compares with a simulated {value}.").format(
                published=published, value=kpi_value("uplift_before_after", r["mean"], nf)))
    upstream = float(s.loc["extra_tax_upstream", "mean"]) if "extra_tax_upstream" in s.index else math.nan
    if math.isfinite(upstream) and upstream != 0:
        out.append(_("Fuel bought on-book instead of off-book also adds {extra} of upstream taxes, collected from "
                     "importers and refineries rather than from the stations.").format(
            extra=kpi_interval(s, "extra_tax_upstream", nf)))
    return out


def _consumers(s: pd.DataFrame, nf: Numbers) -> str:
    """Why correcting dispensers lowers tax, and what customers gain by it ("" when the run has neither)."""
    _ = nf.gettext
    metrology = float(s.loc["uplift_metrology", "mean"]) if "uplift_metrology" in s.index else math.nan
    savings = float(s.loc["consumer_savings", "mean"]) if "consumer_savings" in s.index else math.nan
    negative = math.isfinite(metrology) and kpi_value("uplift_metrology", metrology, nf).startswith("−")
    gain = math.isfinite(savings) and savings > 0
    if negative:
        text = _("The part from correcting dispensers is negative ({metrology}): a dispenser that short-delivers "
                 "shows more litres than it pours, so once it is corrected customers get the full litres they pay "
                 "for, and the sales it shows — and the tax on them — fall.").format(
            metrology=kpi_value("uplift_metrology", metrology, nf))
        if gain:
            text += " " + _("Customers gain {savings} from accurate dispensers.").format(
                savings=kpi_interval(s, "consumer_savings", nf))
        return text
    if gain:
        return _("Customers gain {savings} from accurate dispensers: once the dispensers that short-deliver are "
                 "corrected, they get the full litres they pay for.").format(
            savings=kpi_interval(s, "consumer_savings", nf))
    return ""


def _method(s: pd.DataFrame, res: Results, nf: Numbers) -> list[str]:
    """What the model is, what the intervals include and what they do not, and what the published figure is."""
    _ = nf.gettext
    n = res.replications
    out = [_("fuelseal simulates the campaign event by event: verification teams travel from station to station "
             "on working days, verify each dispenser and seal its totaliser; every station sells fuel day by day and "
             "declares part of it for tax under its tax regime; inspections look for broken seals and fine. Each "
             "replication simulates the same province twice on common random numbers — with the campaign and "
             "without it — so the difference between the two is the campaign's effect alone, not noise between "
             "two different draws.")]
    if n > 1:
        out.append(_("Figures are means across {n} replications (seed {seed}); a 90% interval runs from the 5th to "
                     "the 95th percentile of the replications.").format(n=nf.number(n), seed=res.seed))
        sc = settings_of(res)
        out.append(uncertainty(sc, nf.style) if sc is not None else _(UNCERTAINTY))
    else:
        out.append(_("Figures come from a single replication (seed {seed}): there is no interval.").format(
            seed=res.seed))
    out.append(_("Sales per dispenser, their growth, prices, tax regimes and rates, and costs are assumptions of "
                 "the scenario (see the key assumptions and the appendix): with other assumptions the answer "
                 "changes. A sensitivity analysis (the command fuelseal sensitivity) shows which of them move the "
                 "result most."))
    if {"uplift_growth", "uplift"} <= set(s.index) and math.isfinite(float(s.loc["uplift_growth", "mean"])):
        g, c = float(s.loc["uplift_growth", "mean"]), float(s.loc["uplift", "mean"])
        out.append(_("A published figure is a before/after comparison: tax in the campaign's months against the "
                     "same months before. It includes the trend — prices and demand — that would have happened "
                     "without the campaign. The model separates the two: tax after / tax before = (1 + the trend) × "
                     "(1 + the campaign's effect); on average (1 + {trend}) × (1 + {campaign}) = 1 + {total}. One "
                     "before/after figure cannot tell the two factors apart: the split rests on the scenario's "
                     "assumptions about growth, prices and tax regimes.").format(
            trend=true_minus(nf.pct(g)), campaign=true_minus(nf.pct(c)),
            total=true_minus(nf.pct((1 + g) * (1 + c) - 1))))
    out.append(_("Money is in đồng of the day, not discounted. The campaign's cost is the government's: teams, "
                 "seals, visits, equipment, totaliser readings and inspections as the scenario prices them; fees "
                 "the stations pay and fines collected are shown apart and are not counted as tax."))
    return out


def _figures(s: pd.DataFrame, nf: Numbers) -> list[tuple[str, list[tuple[str, str, str]]]]:
    return summary_rows(s, nf)


# ---- assumptions -------------------------------------------------------------------------

def _quantity(v: Any, fmt=None, nf: Numbers | None = None) -> str:
    """A scenario value in words: a number, or a distribution by its mean and spread."""
    nf = nf or Numbers()
    _ = nf.gettext
    fmt = fmt or (lambda x: true_minus(nf.plain(x)))
    if isinstance(v, Quantity):
        v = v.model_dump()
    if isinstance(v, bool) or v is None:
        return _("yes") if v else _("no")
    if isinstance(v, (int, float)):
        return fmt(v)
    if isinstance(v, dict) and "dist" in v:
        d = v["dist"]
        if "mean" in v:
            if "sd" in v:
                return _("mean {mean} ({dist}, sd {sd})").format(mean=fmt(v["mean"]), dist=_dist(d, nf),
                                                                 sd=fmt(v["sd"]))
            return _("mean {mean} ({dist})").format(mean=fmt(v["mean"]), dist=_dist(d, nf))
        if {"low", "high"} <= set(v):
            if "mode" in v:
                return _("{low} to {high}, most often {mode} ({dist})").format(
                    low=fmt(v["low"]), high=fmt(v["high"]), mode=fmt(v["mode"]), dist=_dist(d, nf))
            return _("{low} to {high} ({dist})").format(low=fmt(v["low"]), high=fmt(v["high"]), dist=_dist(d, nf))
        if "value" in v:
            return fmt(v["value"])
    return _flat_value(v)


def _dist(name: str, nf: Numbers) -> str:
    from .parameters import DISTRIBUTIONS

    return nf.gettext(DISTRIBUTIONS[name]) if name in DISTRIBUTIONS else name


def _clock(hours: Any) -> str:
    """7.5 → "07:30"."""
    try:
        minutes = round(float(hours) * 60)
    except (TypeError, ValueError):
        return str(hours)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _money(x: float, nf: Numbers) -> str:
    """An amount from the scenario, exactly: "3 million VND", "20,000 VND"."""
    return format_value("vnd", x, nf)


def _assumptions(sc: Scenario, nf: Numbers | None = None) -> list[tuple[str, str]]:
    """The assumptions a reader needs, stated from the resolved, typed scenario — the values the
    model used, defaults included — never from the raw file (which may leave keys out)."""
    nf = nf or Numbers()
    _ = nf.gettext

    def pct(x, digits: int = 1) -> str:  # a share as the appendix writes it: "10.7%", "5.6%", "0.5%", "6%"
        return share_text(x, nf)

    def q(v, fmt=None):
        return _quantity(v, fmt, nf)

    c, n, d, m, e, k = sc.campaign, sc.network, sc.demand, sc.metrology, sc.enforcement, sc.costs
    rows: list[tuple[str, str]] = [(_("Horizon"), _("{start} to {end}; evaluation window {months} months from the "
                                                    "campaign month").format(
        start=nf.day(sc.scenario.start), end=nf.day(sc.scenario.end), months=sc.run.evaluation_months))]
    if n.districts is not None:
        fixed = [q.value for q in n.districts.values() if isinstance(q, Fixed)]
        if len(fixed) == len(n.districts):
            text = _("{districts} districts, {stations} stations; dispensers per station: {pumps}").format(
                districts=len(n.districts), stations=nf.number(sum(fixed)), pumps=q(n.pumps_per_station))
        else:
            text = _("{districts} districts; dispensers per station: {pumps}").format(
                districts=len(n.districts), pumps=q(n.pumps_per_station))
        rows.append((_("Network"), text))
    elif sc.register is not None:
        rows.append((_("Network"), _("station register {file} ({n} stations)").format(
            file=n.register_file, n=nf.number(len(sc.register.ids)))))
    else:
        rows.append((_("Network"), _("station register {file}").format(file=n.register_file)))
    if c.enabled:
        from ..results.summary import teams_phrase

        order = _(ENUMS[c.order]) if c.order in ENUMS else c.order
        if c.order == "route" and c.district_order:
            order += f" ({' → '.join(c.district_order)})"
        rows.append((_("Campaign"), _("starts {date} with {teams}; order of visits: {order}").format(
            date=nf.day(c.start), teams=teams_phrase(sc.campaign_teams, nf), order=order)))
        rows.append((_("Working time"), _("{hours} hours a day from {clock}, {days}; {n} holidays").format(
            hours=q(c.work_hours_per_day), clock=_clock(c.day_start_hour), days=_weekdays(c.working_weekdays, nf),
            n=len(c.holidays))))
        rows.append((_("Verifying one dispenser"), _("minutes per dispenser: {minutes}; hours of travel per station: "
                                                     "{hours}").format(minutes=q(c.minutes_per_pump),
                                                                       hours=q(c.travel_hours))))
    else:
        rows.append((_("Campaign"), _("disabled (no dispenser is sealed)")))
    rows.append((_("Undeclared share before sealing"), q(sc.behaviour.undeclared_share, lambda x: pct(x, 1))))
    rows.append((_("Undeclared share after sealing"), q(sc.behaviour.residual_share, lambda x: pct(x, 2))))
    rows.extend(_money_rows(sc, nf))
    rows.append((_("Sales per dispenser-day"), _("litres: {litres}").format(litres=q(d.litres_per_pump_day))))
    rows.append((_("Demand growth"), _("{growth} a year").format(growth=q(d.annual_growth, lambda x: pct(x, 1)))))
    if m.short_delivery_stations is not None:
        short = _("{share} of stations have every dispenser set to short-deliver, by {error}").format(
            share=pct(m.short_delivery_stations, 1), error=q(m.short_delivery_error, lambda x: pct(x, 1)))
    else:
        short = _("{share} of dispensers deliberately short-deliver by {error}").format(
            share=pct(m.short_delivery_share, 1), error=q(m.short_delivery_error, lambda x: pct(x, 1)))
    rows.append((_("Dispenser accuracy"), _("maximum permissible error ±{mpe}; {short}").format(
        mpe=pct(m.mpe, 1), short=short)))
    rows.append((_("Enforcement"), _("{audits} inspections per station a year, detection probability {p}, fine "
                                     "{fine}").format(audits=q(e.audits_per_year), p=pct(e.detection_probability, 0),
                                                      fine=_money(e.fine, nf))))
    if c.enabled:
        items = [(k.per_team_day, N_("{x} per team-day")), (k.per_seal, N_("{x} per seal")),
                 (k.per_visit, N_("{x} per visit")), (k.per_team_fixed, N_("{x} per team, once")),
                 (k.fixed, N_("{x} fixed")), (k.per_reading, N_("{x} per monthly totaliser reading")),
                 (k.per_audit, N_("{x} per inspection"))]
        words = [_(text).format(x=_money(x, nf)) for x, text in items if x]
        rows.append((_("Campaign costs"), format_list(words, locale=nf.style) if words else _("none")))
    return rows


def _weekdays(days: list[str], nf: Numbers) -> str:
    from babel.dates import get_day_names

    names = get_day_names("abbreviated", locale=nf.style)
    return ", ".join(names[WEEKDAYS.index(d)] for d in days)


REGIMES = {"declared_household": N_("declared household"), "presumptive": N_("presumptive (lump sum)"),
           "enterprise": N_("enterprise")}


def _money_rows(sc: Scenario, nf: Numbers) -> list[tuple[str, str]]:
    """Tax regimes, supply and prices as the model used them."""
    _ = nf.gettext
    t, d = sc.tax, sc.demand

    def pct(x, digits: int = 1) -> str:  # a share as the appendix writes it: "10.7%", "1.5%", "16.5%"
        return share_text(x, nf)

    per_litre = _(" + {x} VND per declared litre").format(x=nf.number(t.retail_per_litre)) \
        if t.retail_per_litre else ""
    margin = (_("{x} VND/L").format(x=nf.number(t.margin_per_litre)) if t.margin_per_litre is not None
              else _("{x} of the price").format(x=pct(t.margin or 0, 1)))
    costs = " + ".join([_("{x} of sales").format(x=pct(t.cost_share, 1))] * bool(t.cost_share)
                       + [_("{x} VND/L").format(x=nf.number(t.cost_per_litre))] * bool(t.cost_per_litre)) \
        or _("none")
    base = {"prior_period": ENUMS["prior_period"], "period_mean": ENUMS["period_mean"],
            "assessment_day": ENUMS["assessment_day"]}[t.assessment_base]
    words = {
        "declared_household": _("declared monthly, {rate} of declared revenue").format(rate=pct(t.rate, 2))
        + per_litre,
        "presumptive": _("lump sum of {rate} of the revenue the tax office sees, re-assessed every {months} months "
                         "on {base}").format(rate=pct(t.rate, 2), months=t.assessment_months, base=_(base))
        + (_("; a sealed station declares monthly from the next month") if t.seal_moves_to_declaration
           else _("; sealing shows the office the metered sales at the next assessment")),
        "enterprise": _("VAT {vat} by the credit method and CIT {cit}; retail margin {margin}, operating costs "
                        "{costs}").format(vat=pct(t.vat_rate or 0, 0), cit=pct(t.cit_rate or 0, 0), margin=margin,
                                          costs=costs),
    }
    rows = []
    if sc.operators:
        for name, op in sc.operators.items():
            regime = sc.regime_of(name)
            text = _("{regime} — {words}").format(regime=_(REGIMES[regime]), words=words[regime])
            if sc.network.districts is not None:
                text = _("{share} of stations, {text}").format(share=pct(op.share, 0), text=text)
            rows.append((_("Tax: {operator}").format(operator=operator_label(name, op, nf.style)), text))
    else:
        rows.append((_("Tax"), _("{regime} — {words}").format(regime=_(REGIMES[t.regime]), words=words[t.regime])))
    s = sc.supply
    if s.upstream:
        up = "; ".join(_("{fuel}: {x} VND/L").format(fuel=fuel_name(fuel, nf.style), x=nf.number(u.per_litre))
                       + (_(" + {x} of the price").format(x=pct(u.rate, 1)) if u.rate else "")
                       for fuel, u in s.upstream.items())
        if sc.operators:
            own = {name: s.off_book_share if op.off_book_share is None else op.off_book_share
                   for name, op in sc.operators.items()}
            shares = ", ".join(f"{operator_label(name, op, nf.style)} {pct(own[name], 0)}"
                               for name, op in sc.operators.items())
            share = _("share of undeclared litres bought off-book: {shares}").format(shares=shares)
        else:
            share = _("{share} of undeclared litres bought off-book").format(share=pct(s.off_book_share, 0))
        taxed = _(" ({share} of it had paid upstream taxes)").format(share=pct(s.off_book_taxed_share, 0)) \
            if s.off_book_taxed_share else ""
        rows.append((_("Supply and upstream taxes"), _("{share}{taxed}; upstream taxes on on-book purchases — "
                                                       "{upstream}").format(share=share, taxed=taxed, upstream=up)))
    if sc.prices is None:
        text = _("{x} VND/L").format(x=nf.number(d.price_per_litre))
        if d.price_path:  # a price per litre from a date, never "16,400 from 1 Jan 2016" (which reads as days)
            text = price_path_text([(sc.scenario.start, d.price_per_litre), *((p.date, p.price) for p in d.price_path)],
                                   nf)
        rows.append((_("Retail price"), text))
    else:
        mix = sc.fuel_mix
        for fuel, path in sc.prices.items():
            rows.append((_("Retail price: {fuel}").format(fuel=fuel_name(fuel, nf.style)), _(
                "{share} of litres; {prices}").format(
                share=pct(mix[fuel], 0), prices=price_path_text([(p.date, p.price) for p in path], nf))))
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


def _parameters_note(res: Results, nf: Numbers) -> str:
    _ = nf.gettext
    return _("The scenario as run, after any overrides; keys not listed take the tool's defaults. The dotted key "
             "names each value in the scenario file.")


def _as_run(res: Results) -> dict[str, Any]:
    """The values the run itself used where the command line may override the scenario file (``-n``, ``--seed``)."""
    return {"run.replications": int(res.replications), "run.seed": res.seed}


def _created(text: str, nf: Numbers) -> str:
    """The manifest's ISO timestamp as a date and time: "27/11/2026 13:30 UTC"."""
    try:
        t = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    zone = " UTC" if t.utcoffset() is not None and t.utcoffset() == dt.timedelta(0) else ""
    return f"{nf.day(t.date())} {t:%H:%M}{zone}"


def _draw_charts(res: Results, lang: str) -> dict:
    """Every chart in ``lang``, drawn for print (``size="print"``: placed on the page at its own width, its text
    prints at 8 pt or more)."""
    from .. import charts

    return charts.all_charts(res, lang=lang, size=_PRINT)


_PRINT = "print"


def content(res: Results, folder: Path, *, lang: str | None = None, number_style: str | None = None,
            with_charts: bool = True) -> Content:
    """Everything the report shows, from a loaded run, in ``lang`` ("en" or "vi"; ``number_style`` is its
    older name; default: the run's ``run.lang``)."""
    from .. import charts

    lang = report_lang(res, lang, number_style)
    nf = Numbers(lang)
    _ = nf.gettext
    folder = Path(folder)
    s = _summary(res, folder)
    m = res.manifest
    raw = m["resolved_scenario"]
    sc = settings_of(res)
    version = (m.get("versions") or {}).get("fuelseal", "")
    run_line = _("{n} replications, seed {seed}; run on {created}; fuelseal {version}; scenario SHA-256 "
                 "{sha}…").format(n=nf.number(res.replications), seed=res.seed,
                                  created=_created(m.get("created", ""), nf), version=version,
                                  sha=str(m.get("scenario_sha256", ""))[:12])
    pngs, text, titles, widths = {}, {}, {}, {}
    if with_charts:
        for name, fig in _draw_charts(res, lang).items():
            buf = io.BytesIO()
            with charts.house_style(size=_PRINT):
                fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": "fuelseal"})
            pngs[name] = buf.getvalue()
            widths[name] = float(fig.get_figwidth()) * 25.4  # placed at the width drawn for: text prints as drawn
            titles[name] = " ".join(fig.get_suptitle().split())
            text[name] = _alt_text(fig)
    groups = _figures(s, nf)
    title = _said(res, "name", lang) or str(m.get("scenario") or _get(raw, "scenario.name", "fuelseal run"))
    return Content(
        title=title,
        description=_said(res, "description", lang),
        run_line=run_line,
        headline=_headline(s, res, nf),
        findings=_findings(s, res, nf),
        figures=[row for _t, rows in groups for row in rows],
        figure_groups=groups,
        figures_note=_("Mean across replications; the 90% interval runs from the 5th to the 95th percentile of the "
                       "replications. The same figures are in summary.csv in the run folder."),
        assumptions=_assumptions(sc, nf) if sc is not None else [],
        parameters=flatten(raw),
        parameters_note=_parameters_note(res, nf),
        appendix=appendix(raw, lang, as_run=_as_run(res)),
        method=_method(s, res, nf),
        charts=pngs,
        chart_text=text,
        chart_titles=titles,
        chart_widths=widths,
        footer=_("Built by fuelseal {version} from the run folder {folder} on {date}. Rebuild it with: fuelseal "
                 "report {folder}").format(version=version, folder=_shell_path(folder), date=nf.day(dt.date.today())),
        page_footer=f"{title} · {folder.name}",
        money_labels=tuple(nf.label(k) for k in MONEY),
        lang=lang,
    )


def _alt_text(fig) -> str:
    """What a chart shows, for screen readers: its title and caption as running text (each text once, lines
    joined)."""
    out: list[str] = []
    for t in [fig.get_suptitle(), *(t.get_text() for t in fig.texts)]:
        t = " ".join(str(t).split())
        if t and t not in out:
            out.append(t)
    return " ".join(out)


def _shell_path(folder: Path) -> str:
    """The run folder as a command can take it from anywhere: absolute, quoted if the shell needs it."""
    import shlex

    return shlex.quote(str(Path(folder).absolute()))


def _said(res: Results, field: str, lang: str) -> str:
    """The scenario's ``name``, ``description`` or ``reference_source`` in ``lang`` ([scenario.vi]), else its own."""
    own = str(res.setting(f"scenario.{field}", "") or "")
    if lang == "en":
        return own
    return str(res.setting(f"scenario.{lang}.{field}", "") or "") or own


__all__ = ["PNG_DPI", "Content", "about_vnd", "content", "flatten", "report_lang", "settings_of"]
