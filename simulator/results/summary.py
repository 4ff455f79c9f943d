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
above the results layer but the parameter labels of the report's appendix
(:func:`simulator.scenario.labels.parameter_name`), when it names calibrated parameters.
"""

from __future__ import annotations

import math
import re
import textwrap
from typing import TYPE_CHECKING

from ..i18n import N_
from ..kpis import KPIS
from ..names import instruments_in_words
from ..numbers import Numbers
from ..scenario.labels import parameter_name

if TYPE_CHECKING:
    from ..scenario import Scenario


UNCERTAINTY = N_("The 90% intervals hold 90% of replications: what is drawn anew in each one (stations, sales, "
                 "behaviour, dispenser errors, uncertain prices, growth, work times, audits). They do not include "
                 "the uncertainty of values calibrated to a published figure, nor of the assumptions themselves.")
"""What the summary's intervals include (a scenario without ``[calibration]`` draws)."""
UNCERTAINTY_CALIBRATED = N_(
    "The 90% intervals hold 90% of the replications. They carry what is drawn anew in each replication "
    "(stations, sales, behaviour, dispenser errors, prices, growth, work times, inspections) and the uncertainty "
    "of the values estimated from published figures{targets}: each replication runs with one of the {n} "
    "estimates of {names}{how}. They do not include the uncertainty of the assumptions themselves.")
"""What the intervals include when each replication draws calibrated values in a world of its own."""

UNCERTAINTY_POSTERIOR = N_(
    "The 90% intervals show what remains unknown about this province once the model is matched to its "
    "published figures{targets}. Values that cannot be observed directly — {names} — were estimated from those "
    "figures{how}. Each replication re-runs one of the {n} estimates in the simulated world where it was kept, "
    "so the intervals carry both what the published figures leave unknown about those values and everything "
    "drawn anew in each replication (stations, sales, behaviour, dispenser errors, prices, growth, work times, "
    "inspections). They do not include the uncertainty of the assumptions themselves.")
"""What the intervals include when each replication re-runs a calibrated draw in the world it was kept in."""

_ABC = re.compile(r"^\s*abc-rejection,\s*(\d+)\s+simulations,\s*(\d+)\s+kept\s*$")


def method_words(method: str, nf: Numbers) -> str:
    """How calibrated values were estimated, in plain words: "abc-rejection, 8000 simulations, 200 kept" (as
    ``fuelseal calibrate`` writes it) → "8,000 trial simulations with values drawn at random; the 200 closest
    to the published figures kept"; another method as written; "" for none."""
    _ = nf.gettext
    m = _ABC.match(method or "")
    if m:
        return _("{total} trial simulations with values drawn at random; the {kept} closest to the published "
                 "figures kept").format(total=nf.number(int(m[1])), kept=nf.number(int(m[2])))
    return str(method or "").strip()


def _lower_first(text: str) -> str:
    """A label inside a sentence: "Undeclared share …" → "undeclared share …"; "VAT rate" stays."""
    text = text.strip()
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def uncertainty(sc: Scenario, lang: str = "en") -> str:
    """What the summary's intervals include — said under every summary table and in the report — in plain
    words: calibrated parameters by their labels (as the report's appendix names them), the published
    figures by their KPI labels and values, the method of calibration in words."""
    from babel.lists import format_list

    nf = Numbers(lang)
    _ = nf.gettext
    cal = sc.calibration
    if cal is None or not cal.use:
        return _(UNCERTAINTY)

    names = format_list([_("the {name}").format(name=_lower_first(parameter_name(p, nf))) for p in cal.parameters],
                        locale=nf.style)
    targets = "; ".join(f"{_lower_first(nf.label(k))}: {kpi_value(k, v, nf)}" for k, v in cal.targets.items())
    method = method_words(cal.method, nf)
    words = dict(names=names, n=nf.number(len(cal.draws)), targets=f" ({targets})" if targets else "",
                 how=f" ({method})" if method else "")
    if cal.worlds and cal.same_worlds:
        return _(UNCERTAINTY_POSTERIOR).format(**words)
    return _(UNCERTAINTY_CALIBRATED).format(**words)


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
    return in_groups(shown(s))


def in_groups(keys: list[str]) -> list[tuple[str, list[str]]]:
    """``keys`` in :data:`GROUPS` (English titles), in the groups' order; the rest last under "Other figures";
    empty groups left out."""
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


SMALL_MONEY = 1e7
"""Below ten million đồng an amount reads to two significant figures ("2.3 million VND", "0–7.7 million VND"):
beside a campaign of hundreds of millions, the third one is noise."""


def _small_money(kind: str, x) -> bool:
    return kind == "money" and isinstance(x, (int, float)) and math.isfinite(x) and 0 < abs(x) < SMALL_MONEY


def kpi_value(name: str, x, nf: Numbers, *, trim: bool = True) -> str:
    """KPI ``name``'s value ``x`` as its kind reads (:meth:`Numbers.kpi`), with a true minus sign, without
    meaningless decimals on money ("220 million VND", not "220.0"; below :data:`SMALL_MONEY`, two significant
    figures: "2.3 million VND", not "2.28"; ``trim=False`` keeps them) and an exact share as "0%" or "100%"."""
    k = KPIS.get(name)
    kind = k.kind if k else "value"
    if kind in ("share", "share_fine") and isinstance(x, (int, float)) and x in (0, 1):
        return nf.pct(x, 0)
    if trim and _small_money(kind, x):
        return true_minus(nf.vnd(round(float(x), 1 - math.floor(math.log10(abs(x)))), trim=True))
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
    kind = KPIS[name].kind if name in KPIS else "value"
    small = _small_money(kind, low) or _small_money(kind, high)
    if low != 0 and not small and (a == full[0]) != (b == full[1]):  # both ends with their decimals:
        a, b = full  # "348.7–354.0", not "348.7–354"
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
    """", paying for itself within 4 months (median)" — the median replication's months (``payback_months``),
    labelled as such: the KPI table beside it shows means."""
    _ = nf.gettext
    if "payback_months" not in s.index:  # a run folder from before the KPI: say nothing rather than guess
        return ""
    r = s.loc["payback_months"]
    n_all = int(s["n"].max()) if "n" in s.columns else int(r.get("n", 0))
    if int(r.get("n", 0)) * 2 <= n_all or not math.isfinite(float(r["p50"])):
        return _(", without paying for itself within the horizon in most replications")
    months = int(math.ceil(float(r["p50"])))
    if months <= 1:
        return _(", paying for itself within its first month (median)")
    return _(", paying for itself within {n} months (median)").format(n=nf.number(months))


def _net(s, nf: Numbers) -> float:
    if _has(s, "net_benefit"):
        return float(s.loc["net_benefit", "mean"])
    return float(s.loc["extra_tax", "mean"] - s.loc["cost", "mean"])  # means add up: the same number


def pumps_phrase(s, nf: Numbers) -> tuple[str, bool]:
    """How many dispensers, and whether exactly: the count when every replication has the same ("20", True),
    else about its mean, to two significant figures ("450", False: 452.2 on average, 430–479)."""
    r = s.loc["pumps"]
    mean = float(r["mean"])
    sd = float(r["sd"]) if "sd" in r.index and math.isfinite(float(r["sd"])) else None
    exact = sd == 0 if sd is not None else float(r.get("p05", mean)) == float(r.get("p95", mean)) == mean
    if exact or not math.isfinite(mean) or mean == 0:
        return nf.number(mean), True
    digits = 2 - 1 - math.floor(math.log10(abs(mean)))
    return nf.number(round(mean, min(0, digits))), False


def _money_sentence(s, sc, nf: Numbers) -> str:
    _ = nf.gettext
    c = sc.campaign
    pumps, exact = pumps_phrase(s, nf)
    about = pumps if exact else _("about {n}").format(n=pumps)
    teams = teams_phrase(getattr(sc, "campaign_teams", c.teams), nf)  # every province's own teams too
    active = getattr(sc, "active_instruments", None) or {}  # a property of the typed scenario
    tools = instruments_in_words({k: v.kind for k, v in active.items()}, _)
    if not c.enabled and tools and _has(s, "extra_tax"):
        return _instruments_sentence(s, sc, nf, tools)
    if not c.enabled:
        ba = kpi_interval(s, "uplift_before_after", nf) if _has(s, "uplift_before_after") else None
        if exact and ba is not None:
            return _("No campaign: the {pumps} dispensers stay unsealed, so there is no cost and no extra tax; "
                     "tax in the window is {ba} above the same months before — the trend alone.").format(
                pumps=pumps, ba=ba)
        if exact:
            return _("No campaign: the {pumps} dispensers stay unsealed, so there is no cost and no extra "
                     "tax.").format(pumps=pumps)
        if ba is not None:
            return _("No campaign: none of the dispensers (about {pumps}) is sealed, so there is no cost and no "
                     "extra tax; tax in the window is {ba} above the same months before — the trend "
                     "alone.").format(pumps=pumps, ba=ba)
        return _("No campaign: none of the dispensers (about {pumps}) is sealed, so there is no cost and no extra "
                 "tax.").format(pumps=pumps)
    if _did_nothing(s):
        return _("With {teams} the campaign seals no dispenser within the horizon (it starts too late or has no "
                 "working days): no cost and no extra tax.").format(teams=teams)
    money, single = _money_words(s, sc, nf)
    if _has(s, "cost_horizon") and s.loc["cost_horizon", "mean"] > 1.005 * s.loc["cost", "mean"]:
        # the campaign spends after the window too (provinces sealed late, re-verification): say both
        money["cost"] = _("{cost} to the window's end ({total} in all)").format(
            cost=money["cost"], total=about_vnd(s.loc["cost_horizon", "mean"], nf))
    gain = _gain_words(_net(s, nf), nf)
    if single:
        text = _("{first} costs about {cost} and brings in {extra} more tax {window}{payback}: {gain}.")
    else:
        text = _("{first} costs about {cost} and brings in {extra} more tax {window} (90%: {range}){payback}: "
                 "{gain}.")
    stations = _stations_sentence(s, nf)
    if s.loc["completed", "mean"] == 1:
        first = (_("Sealing all {pumps} dispensers with {teams}") if exact else
                 _("Sealing every dispenser (about {pumps}) with {teams}")).format(pumps=pumps, teams=teams)
        if tools:
            first = _("{first}, together with {tools},").format(first=first, tools=tools)
        if _has(s, "completion_days") and math.isfinite(float(s.loc["completion_days", "mean"])):
            # how long, the second of the three questions, beside the money
            text = (_("{first} takes {days}, costs about {cost} and brings in {extra} more tax {window}{payback}: "
                      "{gain}.") if single else
                    _("{first} takes {days}, costs about {cost} and brings in {extra} more tax {window} (90%: "
                      "{range}){payback}: {gain}."))
            money["days"] = kpi_value("completion_days", s.loc["completion_days", "mean"], nf)
        return " ".join(t for t in (text.format(first=first, gain=gain, **money), stations) if t)
    first = _("With {teams} the campaign finishes within the horizon in only {done} of replications, sealing "
              "{share} of {pumps} dispensers on average; it").format(
        teams=teams, done=kpi_value("completed", s.loc["completed", "mean"], nf),
        share=kpi_value("share_sealed", s.loc["share_sealed", "mean"], nf), pumps=about)
    return " ".join(t for t in (text.format(first=first, gain=gain, **money), stations) if t)


def _money_words(s, sc, nf: Numbers) -> tuple[dict, bool]:
    """The headline's amounts in words — cost, extra tax with its window and 90% range, payback — and whether the
    range says nothing more than the amount (one replication, or a range that rounds to it)."""
    extra = s.loc["extra_tax"]
    money = dict(cost=about_vnd(s.loc["cost", "mean"] if _has(s, "cost") else 0, nf),
                 extra=kpi_value("extra_tax", extra["mean"], nf), window=window_phrase(sc, nf),
                 range=kpi_range("extra_tax", extra["p05"], extra["p95"], nf), payback=_payback(s, nf))
    return money, int(extra.get("n", 2)) <= 1 or money["range"] == money["extra"]


def _gain_words(net: float, nf: Numbers) -> str:
    """"a net gain of 1.90 billion VND" or "a net loss of …"."""
    _ = nf.gettext
    return (_("a net gain of {net}") if net >= 0 else _("a net loss of {net}")).format(
        net=kpi_value("net_benefit", abs(net), nf))


def _stations_sentence(s, nf: Numbers) -> str:
    """What the stations pay themselves (fees, their own equipment for an instrument), and the net gain counting
    it — when they pay anything: a budget's gain that the stations pay for is not the whole story."""
    _ = nf.gettext
    if not (_has(s, "cost_stations") and _has(s, "net_benefit_all_costs")) or not s.loc["cost_stations", "mean"] > 0:
        return ""
    net = float(s.loc["net_benefit_all_costs", "mean"])
    gain = _gain_words(net, nf)
    return _("The stations pay {stations} themselves (fees, own equipment); counting that, {gain}.").format(
        stations=about_vnd(s.loc["cost_stations", "mean"], nf), gain=gain)


def _instruments_sentence(s, sc, nf: Numbers, tools: str) -> str:
    """No sealing, other instruments in use: what they cost the government and bring in."""
    _ = nf.gettext
    money, single = _money_words(s, sc, nf)
    money.update(tools=tools, gain=_gain_words(_net(s, nf), nf))
    if single:
        text = _("Without sealing, {tools} cost the government about {cost} and bring in {extra} more tax "
                 "{window}{payback}: {gain}.")
    else:
        text = _("Without sealing, {tools} cost the government about {cost} and bring in {extra} more tax "
                 "{window} (90%: {range}){payback}: {gain}.")
    return " ".join(t for t in (text.format(**money), _stations_sentence(s, nf)) if t)


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
    figure, and why they differ. E.g. "Sealing every dispenser (about 450) with 2 teams costs about 353
    million VND and brings in 2.25 billion VND more tax in 2017 (90%: 1.79–2.66 billion VND), paying for
    itself within 4 months: a net gain of 1.90 billion VND. Against no campaign, …" (the number of
    dispensers exact when every replication has the same). ``lang`` (or the older ``style``) is "en" or "vi"."""
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
