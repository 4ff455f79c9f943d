"""One replication: the world with the campaign and the same world without it.

The replication draws its network, its stations' behaviour and its demand growth, then
runs one SimPy environment in which the teams visit and seal (``campaign``) and a
month-end process declares every station's month in one vectorised pass
(``declarations``) for both arms. Each mechanism draws from its own named sub-stream
of the replication's ``SeedSequence``, so switching one off never shifts another's
draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from ..kpis import break_even_index
from ..scenario import REGIMES, Scenario
from ..scenario.schema import calibrated_point
from .campaign import Campaign, calendar_for
from .declarations import DISTRICT_FIELDS, FIELDS, Ledger, months_of, station_terms, windows_of
from .enforcement import Enforcement
from .instruments import Channels, build_channels, instrument_costs
from .metrology import Dispensers, draw_dispensers
from .network import Network, build_network
from .sales import demand_profile

STREAMS = ("network", "behaviour", "demand", "campaign", "enforcement", "metrology", "prices", "calibration",
           "instruments", "sales_split")  # appended last: each stream's seed depends on its position


def streams(seed: int, replication: int) -> dict[str, np.random.Generator]:
    """The named random sub-streams of one replication (independent of how many run)."""
    return {
        name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication, i)))
        for i, name in enumerate(STREAMS)
    }


def scheduled_events(env: simpy.Environment) -> float:
    """How many events ``env`` scheduled (a built-in monitor: it should grow with visits,
    audits and month ends, not with dispensers). Read from SimPy's event counter, which
    costs nothing per event; NaN if a SimPy version lacks it."""
    counter = getattr(env, "_eid", None)
    return float(next(counter)) if counter is not None else float("nan")


DISTRICT_COLUMNS = (*DISTRICT_FIELDS, "cost", "team_days_to_seal", "extra_tax_per_month_sealed",
                    "regime_switch_per_month_sealed", "steady_months")
"""Per district: the ledger's sums over the evaluation window, the government's cost spent there to the
window's end (:func:`station_costs`; the districts' add up to the ``cost`` KPI) and what "where first"
weighs (:func:`district_flows`)."""


@dataclass
class ReplicationOutput:
    replication: int
    kpis: dict[str, float]
    monthly: np.ndarray  # months × arms × declarations.FIELDS
    districts: np.ndarray  # districts × DISTRICT_COLUMNS (folders written before: DISTRICT_FIELDS)
    district_names: tuple[str, ...]
    district_pumps: np.ndarray
    district_sealed: np.ndarray
    visits: list[tuple] = field(default_factory=list)  # (team, station id, district, pumps, start, end, kind)
    station_ids: tuple[str, ...] = ()
    stations: np.ndarray | None = None  # months × arms × stations × (true, declared, undeclared) litres
    # months × districts × (tax with, tax without, litres metered by sealed totalisers): the panel a tax office
    # sees (fuelseal panel); not kept in run folders
    district_months: np.ndarray | None = None
    price_index: np.ndarray | None = None  # per month: the mean retail price ÷ the first month's


def run_replication(sc: Scenario, replication: int, seed: int, keep_visits: bool = False) -> ReplicationOutput:
    rng = streams(seed, replication)
    draw = np.nan
    cal = sc.calibration
    if cal is not None and cal.use:
        # this replication's values of the calibrated parameters: one row of the posterior draws
        if cal.worlds and cal.same_worlds:
            # the posterior of the observed province: the row re-run in the world it was kept in
            row = replication % len(cal.draws)
            rng = streams(cal.seed, cal.worlds[row])
        else:  # a similar province: the row's values in this replication's own world
            row = int(rng["calibration"].integers(len(cal.draws)))
        sc, draw = calibrated_point(sc, row), float(row)
    net = build_network(sc, rng["network"])
    terms = station_terms(sc, net, rng["behaviour"])
    dispensers = draw_dispensers(sc, net.n_dispensers, rng["metrology"], net.dispenser_station)
    growth = float(sc.demand.annual_growth.sample(rng["demand"], 1)[0])
    profile = demand_profile(sc, growth, rng["prices"])
    months = months_of(sc)
    windows = windows_of(sc, months)
    channels = build_channels(sc, net, terms.undeclared, terms.residual, rng["instruments"], months, terms.off_book)
    ledger = Ledger(sc, net, profile, terms, dispensers, rng["demand"], months, windows, channels,
                    split_rng=rng["sales_split"])

    env = simpy.Environment()
    enforcement = Enforcement(env, sc, net.n_stations, rng["enforcement"], calendar_for(sc))
    campaign = Campaign(env, sc, net, rng["campaign"], dispensers, enforcement) if sc.campaign.enabled else None
    dispenser_station = net.dispenser_station
    enforcement.deliberate = np.bincount(dispenser_station, weights=dispensers.deliberate,
                                         minlength=net.n_stations) > 0
    enforcement.seal_time = campaign.seal_time if campaign is not None else None
    unsealed = np.full(net.n_dispensers, np.inf)
    detail = enforcement.can_tamper or sc.enforcement.selection == "risk"
    last = windows.evaluation.stop - 1 if windows.evaluation is not None else -1
    open_at_end = [0.0]

    def month_ends():
        for month in months:
            during = enforcement.tampering.copy()  # decided at the end of last month
            yield env.timeout(month.d1 - env.now)
            seal = campaign.seal_time[dispenser_station] if campaign is not None else unsealed
            ledger.close_month(month, seal, during, station_detail=detail,
                               open_share=enforcement.open_share(month.d0, month.d1))
            if month.index == last:  # seals still broken as the window closes (before its last decisions)
                open_at_end[0] = float(np.count_nonzero(enforcement.tampering))
            if campaign is not None:
                enforcement.gap = ledger.station_gap
                enforcement.decide(np.isfinite(campaign.seal_time), ledger.station_gain, ledger.station_tax_gain,
                                   campaign.next_due, ledger.station_margin)

    env.run(until=env.process(month_ends()))
    out = _outputs(sc, replication, net, ledger, campaign, enforcement, dispensers, profile.volume.size, growth,
                   keep_visits, channels)
    price = np.array([profile.price[int(m.d0):int(m.d1)].mean() for m in months])
    out.price_index = price / price[0]
    out.kpis["broken_seals_open"] = open_at_end[0]
    out.kpis["simpy_events"] = scheduled_events(env)
    out.kpis["calibration_draw"] = draw
    return out


def _monthly_costs(sc: Scenario, ledger: Ledger, campaign: Campaign | None, enforcement: Enforcement,
                   net: Network, horizon_days: int, channels: Channels | None = None,
                   last: int | None = None) -> tuple[float, float, float, float]:
    """Book the government's costs in the month they are incurred (``cost`` field of the ``with`` arm):
    the campaign's and the instruments'. Returns what was spent up to the end of month ``last`` (the
    evaluation window's last: the costs set against its extra tax) — the government's, the stations' fees
    and costs, of the government's the instruments' — and the government's over the whole horizon."""
    col = ledger.table[:, 0, FIELDS.index("cost")]
    end = len(ledger.months) if last is None else last + 1
    until = ledger.months[end - 1].d1
    rewards = ledger.rewards.sum(axis=2) if ledger.rewards is not None else None
    ins_col, ins_stations, _ = instrument_costs(sc, channels, net, ledger.months, horizon_days, rewards, until)
    col += ins_col
    instruments = float(ins_col[:end].sum())
    if campaign is None:
        return instruments, ins_stations, instruments, float(col.sum())
    c = sc.costs
    bounds = np.array([m.d1 for m in ledger.months])  # month i covers days [d0, d1)
    col[np.searchsorted(bounds, campaign.start_day, side="right")] += c.fixed
    for pool in campaign.pools:  # each pool's teams equipped when it starts
        col[np.searchsorted(bounds, pool.start_day, side="right")] += c.per_team_fixed * pool.teams
    for days in campaign.days_worked:
        d = np.fromiter(days, dtype=float, count=len(days))
        d = d[d < horizon_days]
        np.add.at(col, np.searchsorted(bounds, d, side="right"), c.per_team_day)
    verified = 0.0
    for v in campaign.visits:
        col[np.searchsorted(bounds, v.end, side="right")] += c.per_visit + c.per_seal * net.pumps[v.station]
        verified += net.pumps[v.station] if v.end < until else 0.0
    if c.per_reading:
        # every station sealed by a month's end is read that month
        sealed = np.sort(campaign.seal_time[np.isfinite(campaign.seal_time)])
        col += c.per_reading * np.searchsorted(sealed, bounds, side="right")
    if c.per_audit:
        days = np.array([d for d, kind, _ in enforcement.events if kind == "audit" and campaign.start_day <= d
                         < horizon_days])
        np.add.at(col, np.searchsorted(bounds, days, side="right"), c.per_audit)
    return float(col[:end].sum()), c.station_fee_per_dispenser * verified + ins_stations, instruments, float(col.sum())


def station_costs(sc: Scenario, campaign: Campaign | None, enforcement: Enforcement, net: Network,
                  months: list, horizon_days: int, channels: Channels | None = None,
                  until: np.ndarray | None = None, rewards: np.ndarray | None = None) -> np.ndarray:
    """The government's cost (the ``cost`` KPI) shared out to the stations it was spent on, VND: visits,
    seals, readings, audits and instrument connections to their station; a pool's team-days and team
    equipment to its visits by the hours each took (by dispensers if no visit ended); the campaign's
    fixed cost by dispensers. Adds up to the ``cost`` KPI (tested). With ``until`` (a day per station),
    only what was spent on a station before that day counts (one-off costs at the start always do)."""
    n = net.n_stations
    out = np.zeros(n)
    until = np.full(n, np.inf) if until is None else until
    bounds = np.array([m.d1 for m in months])
    starts = np.array([m.d0 for m in months], dtype=float)
    pumps = net.pumps.astype(float)
    if channels is not None:
        for i, name in enumerate(channels.names):
            ins = sc.instruments[name]
            inside = channels.connected[i] < np.minimum(horizon_days, until)
            out += np.where(inside, ins.cost_per_station + ins.cost_per_dispenser * pumps, 0.0)
            # running costs: each month whose first day is on or after the station's reporting day
            out += ins.running_cost * np.maximum(
                np.searchsorted(starts, until, side="left") - np.searchsorted(starts, channels.effective[i], "left"),
                0)
    if rewards is not None:  # instruments × months × stations, each paid in its month
        out += (rewards.sum(axis=0) * (bounds[:, None] <= until[None, :])).sum(axis=0)
    if campaign is None or n == 0:
        return out
    c = sc.costs
    if pumps.sum() > 0:
        out += c.fixed * pumps / pumps.sum()
    pool_of = campaign.pool_of_station
    spend = np.zeros(len(campaign.pools))
    for p, pool in enumerate(campaign.pools):
        days = sum(sum(1 for d in campaign.days_worked[t] if d < horizon_days)
                   for t, q in enumerate(campaign.team_pool) if q == p)
        spend[p] = c.per_team_day * days + c.per_team_fixed * pool.teams
    hours = [(v.station, campaign.visit_hours(v.station, v.kind == "first")) for v in campaign.visits]
    pool_hours = np.bincount(pool_of[[s for s, _ in hours]], weights=[h for _, h in hours],
                             minlength=len(spend)) if hours else np.zeros(len(spend))
    for v, (s, h) in zip(campaign.visits, hours, strict=True):
        if v.end < until[s]:
            out[s] += c.per_visit + c.per_seal * pumps[s]
            if pool_hours[pool_of[s]] > 0:
                out[s] += spend[pool_of[s]] * h / pool_hours[pool_of[s]]
    for p, pool in enumerate(campaign.pools):  # a pool whose teams worked but finished no visit
        if spend[p] and not pool_hours[p] and len(pool.stations):
            w = pumps[pool.stations] if pumps[pool.stations].sum() > 0 else np.ones(len(pool.stations))
            out[pool.stations] += spend[p] * w / w.sum()
    if c.per_reading:  # read every month end from the seal on (the end of the month before ``until`` too)
        sealed = np.isfinite(campaign.seal_time)
        out[sealed] += c.per_reading * np.maximum(
            np.searchsorted(bounds, until[sealed], "right") - np.searchsorted(bounds, campaign.seal_time[sealed],
                                                                              "left"), 0)
    if c.per_audit:
        for d, station in enforcement.audited:
            if campaign.start_day <= d < min(horizon_days, until[station]):
                out[station] += c.per_audit
    return out


def district_flows(sc: Scenario, ledger: Ledger, campaign: Campaign | None, net: Network) -> np.ndarray:
    """Per district, what "where first" weighs (Smith's rule: the flow a month's delay loses, per unit of
    the scarce resource): the team-days its first visits need (their hours ÷ the working day), and its
    mean monthly extra tax once sealed — over the same calendar months for every district, those that
    begin after the last district's last first seal, to the horizon's end — with, of it, the regime
    switch (households moved off lump sums). Columns: team_days_to_seal, extra_tax_per_month_sealed,
    regime_switch_per_month_sealed, steady_months (NaN and 0 without such months)."""
    nd = len(net.district_names)
    out = np.full((nd, 4), np.nan)
    out[:, 3] = 0.0
    if campaign is None:
        return out
    hours = np.zeros(net.n_stations)
    for v in campaign.visits:
        if v.kind == "first":
            hours[v.station] = campaign.visit_hours(v.station, True)
    out[:, 0] = np.bincount(net.district, weights=hours, minlength=nd) / sc.campaign.work_hours_per_day
    if not np.isfinite(campaign.seal_time).all() or not net.n_stations:
        return out  # some district is not wholly sealed within the horizon: no common months
    first = int(np.searchsorted([m.d0 for m in ledger.months], campaign.seal_time.max(), side="right"))
    steady = slice(first, len(ledger.months))
    n = len(ledger.months) - first
    if n <= 0:
        return out
    extra = ledger.district_tax[steady, :, 0] - ledger.district_tax[steady, :, 1]
    out[:, 1] = extra.mean(axis=0)
    out[:, 2] = ledger.district_switch[steady].mean(axis=0)
    out[:, 3] = n
    return out


def policy_start(sc: Scenario):
    """The first day of any policy: the campaign's start or an instrument's, whichever comes first (None:
    no policy)."""
    days = [ins.start for ins in sc.active_instruments.values()]
    if sc.campaign.enabled:
        days.append(sc.campaign.start)
    return min(days) if days else None


def _payback_months(sc: Scenario, ledger: Ledger, campaign: Campaign | None) -> float:
    """Months from the policy's first month (the campaign's, or an instrument's if earlier) until its
    cumulative extra tax (with − without) covers its cumulative cost for good, to the end of the horizon
    (:func:`simulator.kpis.break_even_index`; 1 = by the end of the first month); NaN with no policy or
    when the horizon's end is not covered. The same months and rule as the cost chart's break-even."""
    start = policy_start(sc)
    if start is None:
        return np.nan
    first = next((m.index for m in ledger.months if m.first == start.replace(day=1)), None)
    if first is None:
        return np.nan
    t = ledger.table[first:]
    tax, cost = FIELDS.index("tax"), FIELDS.index("cost")
    i = break_even_index(np.cumsum(t[:, 0, tax] - t[:, 1, tax]), np.cumsum(t[:, 0, cost]))
    return np.nan if i is None else float(i + 1)


def shapley(value: dict[frozenset, float], players: tuple[str, ...]) -> dict[str, float]:
    """Shapley values: each player's marginal contribution averaged over every order of arrival.
    ``value`` maps each coalition (a frozenset of players) to its worth. The values add up to
    value[all] − value[none], and do not depend on the order ``players`` is given in."""
    from itertools import permutations

    orders = list(permutations(players))
    out = dict.fromkeys(players, 0.0)
    for order in orders:
        seen: frozenset = frozenset()
        for p in order:
            out[p] += value[seen | {p}] - value[seen]
            seen = seen | {p}
    return {p: v / len(orders) for p, v in out.items()}


def _campaign_parts(without: float, compliance: float, metrology: float, both: float, base: float) -> dict:
    """The campaign's part of the before/after uplift, split between compliance (declarations on
    sealed totalisers) and metrology (corrected dispensers) by Shapley values — order-free and adding
    up exactly to (tax with − tax without) / tax before. The trend (what the world without the
    campaign did) is the counterfactual itself, so it is not shared out."""
    v = {frozenset(): without, frozenset({"compliance"}): compliance, frozenset({"metrology"}): metrology,
         frozenset({"compliance", "metrology"}): both}
    parts = shapley(v, ("compliance", "metrology"))
    return {"uplift_compliance": parts["compliance"] / base, "uplift_metrology": parts["metrology"] / base}


def _ratio(a: float, b: float) -> float:
    """``a / b`` for a cost ``b`` > 0 (NaN otherwise); a cost so small that the ratio overflows gives inf
    quietly (the fuzz test's 5e-324 VND a team-day), which the summary shows as n/a."""
    if not b > 0:
        return np.nan
    with np.errstate(over="ignore"):
        return float(np.float64(a) / np.float64(b))


def _outputs(sc: Scenario, replication: int, net: Network, ledger: Ledger, campaign: Campaign | None,
             enforcement: Enforcement, dispensers: Dispensers, horizon_days: int, growth: float,
             keep_visits: bool, channels: Channels | None = None) -> ReplicationOutput:
    w = ledger.windows
    tax_with = ledger.window_sum(w.evaluation, "with", "tax")
    tax_without = ledger.window_sum(w.evaluation, "without", "tax")
    tax_no_metrology = ledger.window_sum(w.evaluation, "with", "tax_no_metrology")
    tax_metrology_only = ledger.window_sum(w.evaluation, "with", "tax_metrology_only")
    tax_before = ledger.window_sum(w.before, "without", "tax")  # the no-campaign arm: an announcement is the campaign's
    up_with = ledger.window_sum(w.evaluation, "with", "upstream_tax")
    up_without = ledger.window_sum(w.evaluation, "without", "upstream_tax")
    up_before = ledger.window_sum(w.before, "without", "upstream_tax")
    first_day = ledger.months[w.evaluation.start].d0
    last_day = ledger.months[w.evaluation.stop - 1].d1
    events = enforcement.totals(first_day, last_day)
    short_with = ledger.window_sum(w.evaluation, "with", "short_delivered_litres")
    short_without = ledger.window_sum(w.evaluation, "without", "short_delivered_litres")
    # netted both ways: correcting an under-reading dispenser makes its customers pay more
    saved_value = (ledger.window_sum(w.evaluation, "without", "overpaid_value")
                   - ledger.window_sum(w.evaluation, "with", "overpaid_value"))
    n_pumps = net.n_dispensers
    if campaign is not None:
        sealed_station = np.isfinite(campaign.seal_time)
        pumps_sealed = int(net.pumps[sealed_station].sum())
        visits = len(campaign.visits)
        reverifications = sum(v.kind == "reverification" for v in campaign.visits)
        failed = int(campaign.failed[sealed_station].sum())
        team_days = campaign.team_days(horizon_days)
        done = bool(sealed_station.all())
        completion = float(campaign.seal_time.max() - campaign.start_day) if done and net.n_stations else np.nan
    else:
        sealed_station = np.zeros(net.n_stations, dtype=bool)
        pumps_sealed = visits = team_days = reverifications = failed = 0
        done, completion = False, np.nan
    cost, cost_stations, cost_instruments, cost_horizon = _monthly_costs(
        sc, ledger, campaign, enforcement, net, horizon_days, channels, w.evaluation.stop - 1)
    # the benefit window covers an announcement: what unvisited stations declared more before the campaign
    # month counts in the extra tax (the uplift and the before/after keep their windows)
    before_campaign = 0.0
    c = sc.campaign
    if c.enabled and c.announcement is not None and c.announcement < c.start.replace(day=1):
        first = next(m.index for m in ledger.months if m.first == c.announcement.replace(day=1))
        early = range(first, w.evaluation.start)
        before_campaign = ledger.window_sum(early, "with", "tax") - ledger.window_sum(early, "without", "tax")
    extra = tax_with - tax_without + before_campaign
    payback = _payback_months(sc, ledger, campaign)
    base = tax_before if tax_before > 0 else np.nan
    kpis = {
        "uplift": (tax_with - tax_without) / tax_without if tax_without > 0 else np.nan,
        "uplift_before_after": tax_with / tax_before - 1 if tax_before > 0 else np.nan,
        "extra_tax": extra,
        "extra_tax_before_campaign": before_campaign,
        "tax_with": tax_with,
        "tax_without": tax_without,
        "tax_before": tax_before,
        "completion_days": completion,
        "completed": float(done),
        "pumps_sealed": float(pumps_sealed),
        "share_sealed": pumps_sealed / n_pumps if n_pumps else np.nan,
        "stations": float(net.n_stations),
        "pumps": float(n_pumps),
        "visits": float(visits),
        "team_days": float(team_days),
        "cost": cost,
        "cost_government": cost,
        "cost_stations": cost_stations,
        "benefit_cost_ratio": _ratio(extra, cost),
        "net_benefit": extra - cost if ledger.policy else np.nan,
        # the fiscal figures above count the government's cost; these count the stations' too
        "net_benefit_all_costs": extra - cost - cost_stations if ledger.policy else np.nan,
        "benefit_cost_ratio_all_costs": _ratio(extra, cost + cost_stations),
        "cost_instruments": cost_instruments,
        "cost_horizon": cost_horizon,
        "payback_months": payback,
        "annual_growth": growth,
        # decomposition of uplift_before_after: the three parts add up to it
        "uplift_growth": tax_without / base - 1,
        **_campaign_parts(tax_without, tax_no_metrology, tax_metrology_only, tax_with, base),
        # enforcement and metrology, over the evaluation window
        "seals_broken": events["seal_broken"],
        "detections": events["detection"],
        "fines": events["fine"],
        "back_taxes": events["back_taxes"],
        "stations_fined": events["stations_fined"],
        "stations_fined_by_audits": events["stations_fined_by_audits"],
        "short_delivery_found_by_audits": events["short_delivery_found_by_audit"],
        "stations_suspended": events["suspension"],
        "broken_seals_open": np.nan,  # set by run_replication: as the evaluation window closes
        "audits": events["audit"],
        "reverification_visits": float(reverifications),
        "dispensers_failed": float(failed),
        "tampered_dispensers_found": events["tampered_dispenser_found"],
        "short_delivered_litres_with": short_with,
        "short_delivered_litres_without": short_without,
        "consumer_savings": saved_value,
        # upstream taxes on the stations' on-book purchases (central budget, not the stations' tax)
        "tax_upstream_with": up_with,
        "tax_upstream_without": up_without,
        "extra_tax_upstream": up_with - up_without,
        "uplift_upstream": (up_with - up_without) / up_without if up_without > 0 else np.nan,
        "uplift_upstream_before_after": up_with / up_before - 1 if up_before > 0 else np.nan,
        # the extra tax by the stations' regime (adds up to extra_tax)
        **{f"extra_tax_{r}": float(ledger.by_regime[i, 0] - ledger.by_regime[i, 1]) for i, r in enumerate(REGIMES)},
        # of the extra tax: lump-sum households moved onto declaration, before any change in what they hide
        "extra_tax_regime_switch": ledger.regime_switch,
        "uplift_regime_switch": ledger.regime_switch / tax_without if tax_without > 0 else np.nan,
    }
    visit_rows = []
    if keep_visits and campaign is not None:
        visit_rows = [(v.team, net.station_ids[v.station], net.district_names[net.district[v.station]],
                       int(net.pumps[v.station]), v.start, v.end, v.kind) for v in campaign.visits]
    nd = len(net.district_names)
    window_end = np.full(net.n_stations, float(ledger.months[ledger.windows.evaluation.stop - 1].d1))
    spent = np.bincount(net.district, weights=station_costs(sc, campaign, enforcement, net, ledger.months,
                                                            horizon_days, channels, window_end, ledger.rewards),
                        minlength=nd)
    return ReplicationOutput(
        replication=replication,
        kpis=kpis,
        monthly=ledger.table,
        districts=np.column_stack([ledger.by_district, spent, district_flows(sc, ledger, campaign, net)]),
        district_names=net.district_names,
        district_pumps=np.bincount(net.district, weights=net.pumps, minlength=nd),
        district_sealed=np.bincount(net.district, weights=net.pumps * sealed_station, minlength=nd),
        visits=visit_rows,
        station_ids=net.station_ids if ledger.stations is not None else (),
        stations=ledger.stations,
        district_months=np.stack([ledger.district_tax[:, :, 0], ledger.district_tax[:, :, 1],
                                  ledger.district_metered], axis=2),
    )
