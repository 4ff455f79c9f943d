"""The planner's summary: what the campaign costs and brings in, then a table of KPIs with 90% intervals.

``fuelseal run`` prints it (:func:`summary_text`) and the report repeats its headline
(:func:`headline`), so both say exactly the same thing, in English or Vietnamese
(``lang="en"|"vi"``; numbers, money and dates through :class:`simulator.numbers.Numbers`).
Money comes first: the headline says what the campaign costs, how much more tax it brings in
the evaluation window (with its 90% interval), when it pays for itself and the net gain; then
the uplift against no campaign beside the before/after figure a tax office publishes, and why
the two differ.

The small helpers here — :func:`kpi_value` (a KPI as a reader reads it: true minus signs, no
".0" on an amount of money, "100%" for an exact share), :func:`kpi_range` ("1.79–2.66 billion
VND", a single value when the interval collapses) and :func:`kpi_interval` ("mean (90%: low–high)")
— are what the report's key figures use too, so the printed table and the report agree.

It reads a run's summary table and the typed scenario; it draws nothing and imports nothing
above the results layer.
"""

from __future__ import annotations

import math
import re
import textwrap
from typing import TYPE_CHECKING

from ..i18n import N_
from ..kpis import KPIS
from ..numbers import Numbers

if TYPE_CHECKING:
    from ..scenario import Scenario


UNCERTAINTY = N_("The 90% intervals hold 90% of replications: what is drawn anew in each one (stations, sales, "
                 "behaviour, dispenser errors, uncertain prices, growth, work times, audits). They do not include "
                 "the uncertainty of values calibrated to a published figure, nor of the assumptions themselves.")
"""What the summary's intervals include (a scenario without ``[calibration]`` draws)."""
UNCERTAINTY_CALIBRATED = N_(
    "The 90% intervals hold 90% of replications: what is drawn anew in each one (stations, sales, behaviour, "
    "dispenser errors, uncertain prices, growth, work times, audits) and the calibrated values ({names}: each "
    "replication runs at one of the [calibration] draws, {method}). They do not include the uncertainty of "
    "the assumptions themselves.")


UNCERTAINTY_POSTERIOR = N_(
    "The 90% intervals are the posterior for the province that was observed: each replication re-runs one of "
    "the [calibration] draws ({names}; {method}) in the world it was kept in, so they carry what the published "
    "figures ({targets}) leave unknown about those values and about everything else drawn (stations, sales, "
    "behaviour, dispenser errors, prices, growth, work times, audits). They do not include the uncertainty of "
    "the assumptions themselves.")


def uncertainty(sc: Scenario, lang: str = "en") -> str:
    """What the summary's intervals include — said under every summary table and in the report."""
    _ = Numbers(lang).gettext
    cal = sc.calibration
    if cal is None or not cal.use:
        return _(UNCERTAINTY)
    method = _("{n} draws").format(n=len(cal.draws)) + (_(" by {method}").format(method=cal.method)
                                                         if cal.method else "")
    if cal.worlds and cal.same_worlds:
        targets = ", ".join(f"{k} = {v:g}" for k, v in cal.targets.items()) or _("the targets")
        return _(UNCERTAINTY_POSTERIOR).format(names=", ".join(cal.parameters), method=method, targets=targets)
    return _(UNCERTAINTY_CALIBRATED).format(names=", ".join(cal.parameters), method=method)


def shown(s) -> list[str]:
    """The summary's KPIs a run has something to say about, in the registry's order: those with a
    value, the upstream rows only when the scenario taxes fuel upstream, the stations' fees only when
    they pay some."""
    from ..numbers import KPI_DISPLAY

    def has(key: str) -> bool:
        return key in s.index and math.isfinite(float(s.loc[key, "mean"]))

    upstream = has("uplift_upstream")
    fees = has("cost_stations") and float(s.loc["cost_stations", "p95"]) > 0  # only when stations pay fees
    return [k for k in KPI_DISPLAY if has(k) and (upstream or not k.endswith("_upstream"))
            and (fees or k != "cost_stations")]


GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Money and payback"), ("extra_tax", "cost", "cost_stations", "net_benefit", "payback_months",
                               "benefit_cost_ratio", "tax_with", "tax_without", "tax_before")),
    (N_("Tax uplift"), ("uplift", "uplift_regime_switch", "uplift_before_after", "uplift_growth",
                        "uplift_compliance", "uplift_metrology")),
    (N_("Campaign work"), ("completion_days", "share_sealed", "pumps_sealed", "team_days")),
    (N_("Upstream taxes (importers, refineries)"), ("extra_tax_upstream", "uplift_upstream",
                                                    "uplift_upstream_before_after")),
    (N_("Inspections and fines"), ("seals_broken", "stations_fined", "stations_fined_by_audits", "fines",
                                   "back_taxes")),
)
"""The summary's KPIs in groups, money first (the group titles are translated where shown)."""
OTHER = N_("Other figures")


def grouped(s) -> list[tuple[str, list[str]]]:
    """:func:`shown` in :data:`GROUPS` (English titles), money first; KPIs in no group come last under
    "Other figures"; empty groups are left out."""
    keys = shown(s)
    out, placed = [], set()
    for title, names in GROUPS:
        members = [k for k in names if k in keys]
        placed.update(members)
        if members:
            out.append((title, members))
    rest = [k for k in keys if k not in placed]
    if rest:
        out.append((OTHER, rest))
    return out


# ---- numbers as a reader reads them ----------------------------------------------------

_MINUS = re.compile(r"(?<![\w.,])-(?=\d)")
_MONEY_ZEROS = re.compile(r"(\d)[.,]0+(?= )")
_SPLIT = re.compile(r"^(−?[\d.,\u00a0\u202f]+)(.*)$")


def true_minus(text: str) -> str:
    """A hyphen before a number becomes a true minus sign: "-4.0%" → "−4.0%"."""
    return _MINUS.sub("−", text)


def kpi_value(name: str, x, nf: Numbers, *, trim: bool = True) -> str:
    """KPI ``name``'s value ``x`` as its kind reads (:meth:`Numbers.kpi`), with a true minus sign, without
    meaningless decimals on money ("220 million VND", not "220.0"; ``trim=False`` keeps them) and an exact
    share as "0%" or "100%"."""
    k = KPIS.get(name)
    kind = k.kind if k else "value"
    if kind in ("share", "share_fine") and isinstance(x, (int, float)) and x in (0, 1):
        return nf.pct(x, 0)
    text = nf.kpi(name)(x)
    if kind == "money" and trim:
        text = _MONEY_ZEROS.sub(r"\1", text)
    return true_minus(text)


def kpi_range(name: str, low, high, nf: Numbers) -> str:
    """The interval ``low``–``high`` of KPI ``name``, the unit said once: "1.79–2.66 billion VND", "11.1–15.5%";
    "−10.5% to −0.2%" when a bound is negative; the value alone when both bounds read the same."""
    a, b = kpi_value(name, low, nf), kpi_value(name, high, nf)
    if a == b:
        return a
    full = (kpi_value(name, low, nf, trim=False), kpi_value(name, high, nf, trim=False))
    if low != 0 and (a == full[0]) != (b == full[1]):  # both ends with their decimals: "348.7–354.0", not "–354"
        a, b = full
    _ = nf.gettext
    ma, mb = _SPLIT.match(a), _SPLIT.match(b)
    if a.startswith("−") or b.startswith("−") or not (ma and mb):
        return _("{low} to {high}").format(low=a, high=b)
    if ma.group(2) == mb.group(2) or low == 0:  # "0–7.7 million VND", not "0 VND – 7.7 million VND"
        return f"{ma.group(1)}–{mb.group(1)}{mb.group(2)}"
    k = KPIS.get(name)
    if k is not None and k.kind == "money" and 1e7 <= low < 1e9 <= high:  # "0.25–10.18 billion VND"
        return f"{true_minus(nf.number(low / 1e9, 2))}–{mb.group(1)}{mb.group(2)}"
    return f"{a} – {b}"


def kpi_interval(s, name: str, nf: Numbers, centre: str = "mean") -> str:
    """"2.25 billion VND (90%: 1.79–2.66 billion VND)": KPI ``name``'s ``centre`` and its 90% interval from the
    summary table ``s``; the value alone when the interval collapses or there is one replication; "n/a" if absent."""
    if name not in s.index:
        return "n/a"
    r = s.loc[name]
    value = kpi_value(name, r[centre], nf)
    if int(r.get("n", 2)) <= 1 or kpi_value(name, r["p05"], nf) == kpi_value(name, r["p95"], nf):
        return value
    _ = nf.gettext
    return _("{value} (90%: {range})").format(value=value, range=kpi_range(name, r["p05"], r["p95"], nf))


def about_vnd(x, nf: Numbers) -> str:
    """An amount "about" so much: three significant figures, no trailing zeros ("about 353 million VND")."""
    if not (isinstance(x, (int, float)) and math.isfinite(x)) or x == 0:
        return kpi_value("cost", x, nf)
    digits = 3 - 1 - math.floor(math.log10(abs(x)))
    return kpi_value("cost", round(float(x), digits), nf)


def window_phrase(sc, nf: Numbers) -> str:
    """The evaluation window in words: "in 2017" for a calendar year, else "in the 12 months from Feb 2017"."""
    _ = nf.gettext
    w0 = sc.campaign.start.replace(day=1)
    months = sc.run.evaluation_months
    if w0.month == 1 and months == 12:
        return _("in {year}").format(year=w0.year)
    return _("in the {n} months from {month}").format(n=months, month=nf.month(w0))


def teams_phrase(n: int, nf: Numbers) -> str:
    _ = nf.gettext
    return _("one team") if n == 1 else _("{n} teams").format(n=nf.number(n))


# ---- the headline ------------------------------------------------------------------------

def _has(s, key: str) -> bool:
    return key in s.index and math.isfinite(float(s.loc[key, "mean"]))


def _payback(s, nf: Numbers) -> str:
    """", paying for itself within 4 months" — the median replication's months (``payback_months``)."""
    _ = nf.gettext
    if "payback_months" not in s.index:  # a run folder from before the KPI: say nothing rather than guess
        return ""
    r = s.loc["payback_months"]
    n_all = int(s["n"].max()) if "n" in s.columns else int(r.get("n", 0))
    if int(r.get("n", 0)) * 2 <= n_all or not math.isfinite(float(r["p50"])):
        return _(", without paying for itself within the horizon in most replications")
    months = int(math.ceil(float(r["p50"])))
    if months <= 1:
        return _(", paying for itself within its first month")
    return _(", paying for itself within {n} months").format(n=nf.number(months))


def _net(s, nf: Numbers) -> float:
    if _has(s, "net_benefit"):
        return float(s.loc["net_benefit", "mean"])
    return float(s.loc["extra_tax", "mean"] - s.loc["cost", "mean"])  # means add up: the same number


def _money_sentence(s, sc, nf: Numbers) -> str:
    _ = nf.gettext
    c = sc.campaign
    pumps = nf.number(s.loc["pumps", "mean"])
    teams = teams_phrase(c.teams, nf)
    if not c.enabled:
        if _has(s, "uplift_before_after"):
            return _("No campaign: the {pumps} dispensers stay unsealed, so there is no cost and no extra tax; "
                     "tax in the window is {ba} above the same months before — the trend alone.").format(
                pumps=pumps, ba=kpi_interval(s, "uplift_before_after", nf))
        return _("No campaign: the {pumps} dispensers stay unsealed, so there is no cost and no extra "
                 "tax.").format(pumps=pumps)
    if _did_nothing(s):
        return _("With {teams} the campaign seals no dispenser within the horizon (it starts too late or has no "
                 "working days): no cost and no extra tax.").format(teams=teams)
    extra = s.loc["extra_tax"]
    money = dict(cost=about_vnd(s.loc["cost", "mean"], nf), extra=kpi_value("extra_tax", extra["mean"], nf),
                 window=window_phrase(sc, nf), range=kpi_range("extra_tax", extra["p05"], extra["p95"], nf),
                 payback=_payback(s, nf))
    net = _net(s, nf)
    gain = (_("a net gain of {net}") if net >= 0 else _("a net loss of {net}")).format(
        net=kpi_value("net_benefit", abs(net), nf))
    if int(extra.get("n", 2)) <= 1 or money["range"] == money["extra"]:
        text = _("{first} costs about {cost} and brings in {extra} more tax {window}{payback}: {gain}.")
    else:
        text = _("{first} costs about {cost} and brings in {extra} more tax {window} (90%: {range}){payback}: "
                 "{gain}.")
    if s.loc["completed", "mean"] == 1:
        first = _("Sealing all {pumps} dispensers with {teams}").format(pumps=pumps, teams=teams)
        return text.format(first=first, gain=gain, **money)
    first = _("With {teams} the campaign finishes within the horizon in only {done} of replications, sealing "
              "{share} of {pumps} dispensers on average; it").format(
        teams=teams, done=kpi_value("completed", s.loc["completed", "mean"], nf),
        share=kpi_value("share_sealed", s.loc["share_sealed", "mean"], nf), pumps=pumps)
    return text.format(first=first, gain=gain, **money)


def _did_nothing(s) -> bool:
    """The campaign sealed nothing and spent nothing (it starts too late or has no working day)."""
    sealed = _has(s, "pumps_sealed") and s.loc["pumps_sealed", "mean"] > 0
    return not sealed and not (_has(s, "cost") and s.loc["cost", "mean"] > 0)


def _uplift_sentence(s, sc, nf: Numbers) -> str:
    _ = nf.gettext
    if not sc.campaign.enabled or not _has(s, "uplift"):
        return ""
    causal = kpi_interval(s, "uplift", nf)
    if not _has(s, "uplift_before_after"):
        return "" if _did_nothing(s) else _("Against no campaign, tax rises by {uplift}.").format(uplift=causal)
    r = s.loc["uplift_before_after"]
    ba = kpi_value("uplift_before_after", r["mean"], nf)
    ref = sc.scenario.reference_uplift
    single = int(r.get("n", 2)) <= 1 or kpi_value("uplift_before_after", r["p05"], nf) == kpi_value(
        "uplift_before_after", r["p95"], nf)
    if ref is not None and single:
        inside = _("{value} (published: {published})").format(
            value=ba, published=kpi_value("uplift_before_after", ref, nf))
    elif ref is not None:
        inside = _("{value} (90%: {range}; published: {published})").format(
            value=ba, range=kpi_range("uplift_before_after", r["p05"], r["p95"], nf),
            published=kpi_value("uplift_before_after", ref, nf))
    else:
        inside = kpi_interval(s, "uplift_before_after", nf)
    if _did_nothing(s):
        return _("Against the same months before, tax rises by {before_after}: the trend alone.").format(
            before_after=inside)
    return _("Against no campaign, tax rises by {uplift}; against the same months before it rises by "
             "{before_after}, because a before/after comparison also counts the trend — prices and demand — that "
             "would have happened anyway.").format(uplift=causal, before_after=inside)


def headline(s, sc: Scenario, style: str = "en", *, lang: str | None = None) -> str:
    """What the campaign costs, how much more tax it brings in the evaluation window (90% interval), when
    it pays for itself and the net gain; then the uplift against no campaign beside the before/after
    figure, and why they differ. E.g. "Sealing all 452 dispensers with 2 teams costs about 353 million
    VND and brings in 2.25 billion VND more tax in 2017 (90%: 1.79–2.66 billion VND), paying for itself
    within 4 months: a net gain of 1.90 billion VND. Against no campaign, …". ``lang`` (or the older
    ``style``) is "en" or "vi"."""
    nf = Numbers(lang or style)
    return " ".join(t for t in (_money_sentence(s, sc, nf), _uplift_sentence(s, sc, nf)) if t)


# ---- the printed summary ------------------------------------------------------------------

def summary_rows(s, nf: Numbers) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The KPI table, money first: (group title, [(label, mean, 90% interval)]) in ``nf``'s language;
    labels keep their "  of which" indent."""
    _ = nf.gettext
    out = []
    for title, keys in grouped(s):
        rows = []
        for key in keys:
            r = s.loc[key]
            rows.append((nf.label(key), kpi_value(key, r["mean"], nf), kpi_range(key, r["p05"], r["p95"], nf)))
        out.append((_(title), rows))
    return out


def summary_text(res, sc: Scenario, lang: str | None = None) -> str:
    """The planner's summary: the headline, then a table of KPIs with 90% intervals, in ``lang`` (default:
    the scenario's ``run.lang``)."""
    lang = lang or getattr(getattr(sc, "run", None), "lang", "en") or "en"
    nf = Numbers(lang)
    _ = nf.gettext
    s = res.summary()
    w0 = sc.campaign.start.replace(day=1)
    run_line = _("{n} replications, seed {seed}; evaluation window: {months} months from {month}").format(
        n=nf.number(res.replications), seed=res.seed, months=sc.run.evaluation_months, month=nf.month(w0))
    lines = [sc.scenario.said("name", nf.style), run_line, ""]
    lines.append(textwrap.fill(headline(s, sc, lang=lang), 88))
    lines.append("")
    groups = summary_rows(s, nf)
    rows = [r for _title, rs in groups for r in rs]
    mean, interval = _("mean"), _("90% interval")
    w0_ = max([len(title) for title, _rs in groups] + [2 + len(label) for label, _m, _i in rows])
    w1 = max([len(mean), *(len(m) for _l, m, _i in rows)])
    w2 = max([len(interval), *(len(i) for _l, _m, i in rows)])
    lines.append(f"{'':{w0_}}  {mean:>{w1}}   {interval:>{w2}}")
    for title, rs in groups:
        lines.append(title)
        lines.extend(f"{'  ' + label:{w0_}}  {m:>{w1}}   {i:>{w2}}" for label, m, i in rs)
    lines.append("")
    lines.append(textwrap.fill(uncertainty(sc, lang), 88))
    if sc.scenario.reference_uplift is not None:
        lines.append("")
        said = sc.scenario.said("reference_source", nf.style)
        source = f" ({said})" if said else ""
        lines.append(_("Published before/after figure: {value}").format(
            value=kpi_value("uplift_before_after", sc.scenario.reference_uplift, nf)) + source)
    return "\n".join(lines)
