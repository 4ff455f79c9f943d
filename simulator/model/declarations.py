"""Monthly declarations to the tax office, and the tax they bring, in both arms.

At each month end every station declares its month's sales. Before its pumps are
sealed a station declares its true sales less its undeclared share *u*; once sealed,
the tax office reads the sealed totaliser, so the station declares the metered litres
less only its residual share *r*. A dispenser sealed part-way through a day counts the
rest of that day as sealed. The tax each station pays follows its regime
(:mod:`.regimes`: declared household, presumptive lump sum, or enterprise VAT and CIT),
and the upstream taxes on the litres it bought on-book are counted apart.

Indicated litres differ from delivered litres by each dispenser's error (see
:mod:`simulator.metrology`); stations declare, and pay tax on, indicated sales. A
station whose seal is broken (see :mod:`simulator.enforcement`) declares as before
sealing for that month. Before the campaign, an announcement can make unvisited
stations declare a little more (``campaign.announcement_effect``).

The whole province is declared in one numpy pass per month, for both arms at once:
``with`` (the campaign as simulated) and ``without`` (no seals), from the same draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario import REGIMES, Scenario
from ..timeline import Month, Windows, months_between, windows
from .instruments import Channels
from .metrology import Dispensers
from .network import Network
from .regimes import (
    ENTERPRISE,
    PRESUMPTIVE,
    Assessments,
    EnterpriseRates,
    enterprise_tax,
    month_fraction,
    month_upstream,
    on_book,
)
from .sales import DemandProfile, MonthSales, month_sales

ARMS = ("with", "without")
FIELDS = ("true_litres", "true_value", "declared_litres", "declared_value", "tax", "pumps_sealed", "cost",
          "delivered_litres", "short_delivered_litres", "short_delivered_value", "tax_no_metrology", "upstream_tax",
          "tax_metrology_only", "overpaid_value")
"""Monthly fields per arm. ``true_*`` are what the totalisers indicate (what customers
pay for); ``delivered_litres`` what they receive; ``tax`` what the stations pay under their
regimes; ``tax_no_metrology`` the tax of the arm had no dispenser been corrected (for the
decomposition); ``upstream_tax`` the upstream taxes on the litres they bought on-book;
``tax_metrology_only`` the tax had the dispensers been corrected but nobody declared more;
``overpaid_value`` what customers paid for litres they did not get, less what under-reading
dispensers gave them (VND, signed)."""
DISTRICT_FIELDS = ("tax_with", "tax_without", "declared_litres_with", "declared_litres_without", "true_litres")


def months_of(sc: Scenario) -> list[Month]:
    """The calendar months of the scenario's horizon (see :func:`simulator.timeline.months_between`)."""
    return months_between(sc.scenario.start, sc.scenario.end)


def windows_of(sc: Scenario, months: list[Month]) -> Windows:
    """The evaluation window and the one before it (see :func:`simulator.timeline.windows`)."""
    return windows(months, sc.campaign.start, sc.run.evaluation_months)


@dataclass(frozen=True)
class StationTerms:
    """Per station: behaviour drawn for its operator type, its tax regime and supply."""

    undeclared: np.ndarray
    residual: np.ndarray
    tax_rate: np.ndarray
    tax_per_litre: np.ndarray  # retail-stage charge per declared litre (tax.retail_per_litre)
    regime: np.ndarray  # index into simulator.scenario.REGIMES
    off_book: np.ndarray  # share of undeclared litres bought off-book


def station_terms(sc: Scenario, net: Network, rng: np.random.Generator) -> StationTerms:
    """Draw each station's undeclared and residual shares from its operator type's
    distributions (``[operators]``, else ``[behaviour]``) and look up its tax regime and supply."""
    n = net.n_stations
    b, t = sc.behaviour, sc.tax
    ops = [sc.operators.get(name) for name in net.operator_names]
    u, r = np.zeros(n), np.zeros(n)
    rate, per_litre = np.full(n, t.rate), np.full(n, t.retail_per_litre)
    regime = np.full(n, REGIMES.index(t.regime), dtype=np.int64)
    off_book = np.full(n, sc.supply.off_book_share)
    for code, op in enumerate(ops):
        mine = net.operator == code
        u_q = op.undeclared_share if op and op.undeclared_share is not None else b.undeclared_share
        r_q = op.residual_share if op and op.residual_share is not None else b.residual_share
        u[mine] = u_q.sample(rng, n)[mine]  # draw for all, keep this type's: stable under re-labelling
        r[mine] = r_q.sample(rng, n)[mine]
        if op and op.tax_rate is not None:
            rate[mine] = op.tax_rate
        if op and op.retail_per_litre is not None:
            per_litre[mine] = op.retail_per_litre
        if op and op.regime is not None:
            regime[mine] = REGIMES.index(op.regime)
        if op and op.off_book_share is not None:
            off_book[mine] = op.off_book_share
    # sealing never makes a station hide more than before
    return StationTerms(u, np.minimum(r, u), rate, per_litre, regime, off_book)


class Ledger:
    """Accumulates the monthly declarations of one replication for both arms."""

    def __init__(self, sc: Scenario, net: Network, profile: DemandProfile, behaviour: StationTerms,
                 dispensers: Dispensers, rng: np.random.Generator, months: list[Month], windows: Windows,
                 channels: Channels | None = None, split_rng: np.random.Generator | None = None):
        ds = net.dispenser_station
        self.channels = channels
        # consumer rewards (a receipt lottery) per instrument × month × station, VND: the government's cost
        self.rewards = (np.zeros((len(channels.names), len(months), net.n_stations))
                        if channels is not None and channels.reward.any() else None)
        self.rng, self.profile, self.months, self.windows = rng, profile, months, windows
        self.daily = sc.run.daily_sales
        self.split_rng = split_rng if split_rng is not None else rng.spawn(1)[0]  # sales after a seal, by day
        self.station = ds
        self.n_stations = net.n_stations
        self.level = net.level[ds]
        self.undeclared = behaviour.undeclared[ds]
        self.keep_before = 1.0 - self.undeclared  # share declared before sealing
        self.keep_after = 1.0 - behaviour.residual[ds]  # share declared after sealing
        self.rate, self.per_litre = behaviour.tax_rate[ds], behaviour.tax_per_litre[ds]
        self.regime, self.off_book = behaviour.regime[ds], behaviour.off_book[ds]
        self.off_book_untaxed = self.off_book * (1.0 - sc.supply.off_book_taxed_share)  # for upstream taxes
        self.enterprise = EnterpriseRates.of(sc) if (behaviour.regime == ENTERPRISE).any() else None
        self.enterprise_at = np.flatnonzero(self.regime == ENTERPRISE)
        self.upstream = profile.upstream
        self.by_regime = np.zeros((len(REGIMES), len(ARMS)))  # tax in the evaluation window
        self.regime_switch = 0.0  # of the extra tax in the window: moving lump-sum households onto declaration
        self.assess: Assessments | None = None
        if (behaviour.regime == PRESUMPTIVE).any():
            n_st = net.n_stations
            self.is_presumptive = self.regime == PRESUMPTIVE
            self.assess = Assessments(sc, months, profile.volume, profile.price,
                                      np.bincount(ds, weights=self.level, minlength=n_st), behaviour.tax_rate)
            self.lumps = np.zeros((len(ARMS), n_st))  # the monthly lump sum of the current period, per arm
            self.station_pumps = np.bincount(ds, minlength=n_st).astype(float)
            self.seen_before, self.seen_after = 1.0 - behaviour.undeclared, 1.0 - behaviour.residual
            self.moves = sc.tax.seal_moves_to_declaration
            self.seen_with = self.seen_before.copy()  # what the office sees of each station, with the campaign
            self.pres_rate = behaviour.tax_rate[ds]
        self.e0, self.e1, self.deliberate = dispensers.error_before, dispensers.error_after, dispensers.deliberate
        # what a station earns on a litre, net of its running costs (what a suspension takes from it)
        t = sc.tax
        self.margin_share = max((t.margin or 0.0) - (t.cost_share or 0.0), 0.0)
        self.margin_per_litre = max((t.margin_per_litre or 0.0) - (t.cost_per_litre or 0.0), 0.0)
        self.diverted = sc.enforcement.suspension_diverted_share
        self.district = net.district[ds]
        self.n_districts = len(net.district_names)
        self.campaign = sc.campaign.enabled
        self.policy = self.campaign or channels is not None  # whether the with arm differs at all
        c = sc.campaign
        self.announcement_day = (c.announcement - sc.scenario.start).days if c.announcement else None
        self.announcement_effect = c.announcement_effect
        self.table = np.zeros((len(months), len(ARMS), len(FIELDS)))
        self.by_district = np.zeros((self.n_districts, len(DISTRICT_FIELDS)))
        self.district_tax = np.zeros((len(months), self.n_districts, len(ARMS)))  # every month, both arms
        self.district_switch = np.zeros((len(months), self.n_districts))  # of the extra tax: the regime switch
        self.district_metered = np.zeros((len(months), self.n_districts))  # litres sealed totalisers indicate
        self._eval = set(windows.evaluation)
        # per station, last month (for the stations' decisions and risk-based audits)
        self.station_gain = np.zeros(net.n_stations)  # what breaking the seal would gain a station in a month
        self.station_tax_gain = np.zeros(net.n_stations)  # of it: the tax it would evade
        self.station_gap = np.zeros(net.n_stations)
        self.station_margin = np.zeros(net.n_stations)  # a station's margin net of running costs in a month, VND
        # what a station saves, per VND of sales, by breaking its seal: its marginal tax rate × (u − r)
        marginal = behaviour.tax_rate.copy()
        if self.enterprise is not None:
            st_ent = behaviour.regime == ENTERPRISE
            marginal[st_ent] = self.enterprise.marginal(behaviour.off_book[st_ent], float(profile.price.mean()))
        self._tax_share = marginal * (behaviour.undeclared - behaviour.residual)
        # optional per-station detail: months × arms × stations × (true, declared, undeclared) litres
        self.stations = (np.zeros((len(months), len(ARMS), net.n_stations, 3)) if sc.run.station_detail else None)

    def close_month(self, month: Month, seal_time: np.ndarray, tampering: np.ndarray | None = None,
                    station_detail: bool = False, open_share: np.ndarray | None = None) -> None:
        """Declare ``month`` for every dispenser, in both arms.

        ``seal_time`` is each dispenser's first seal (days; inf = not yet); ``tampering``
        marks the stations whose seal is broken during this month; ``open_share`` the share of
        the month each station was allowed to sell (suspensions, with-campaign arm only).
        """
        d0, d1 = month.d0, month.d1
        sales = month_sales(self.rng, self.level, self.profile, d0, d1, seal_time if self.campaign else None,
                            daily=self.daily, split_rng=self.split_rng)
        litres = sales.litres  # delivered
        value = sales.value  # paid for what is delivered, before meter error
        kb = self.keep_before
        e0 = 1.0 + self.e0
        wo_l, wo_v = litres * e0, value * e0
        pres_w = pres_wo = moved = None
        if self.assess is not None:
            pres_w, pres_wo, moved = self._presumptive(month, seal_time, tampering)
        self._delivered = (value, litres)
        tax_wo = self._tax(kb * wo_l, kb * wo_v, wo_v, wo_l, pres_wo)
        short_wo = np.maximum(self.e0, 0.0)
        up = month_upstream(self.profile.volume, self.upstream, month) if self.upstream is not None else 0.0
        up_wo = up * on_book(litres, self.undeclared, self.off_book_untaxed).sum() if up else 0.0
        row = self.table[month.index]
        row[1] = (wo_l.sum(), wo_v.sum(), (kb * wo_l).sum(), (kb * wo_v).sum(), tax_wo.sum(), 0.0, 0.0,
                  litres.sum(), (litres * short_wo).sum(), (value * short_wo).sum(), tax_wo.sum(), up_wo, tax_wo.sum(),
                  (value * self.e0).sum())
        if not self.policy:
            row[0] = row[1]
            decl_l, tax_w, ind_l = kb * wo_l, tax_wo, wo_l
            undecl_l = (1.0 - kb) * wo_l
        else:
            if open_share is not None:
                sales = self._suspend(sales, open_share)
                litres, value = sales.litres, sales.value
                self._delivered = (value, litres)
            verified = seal_time <= d0
            sealed = verified.copy()
            if tampering is not None and tampering.any():
                sealed &= ~tampering[self.station]
            sealed_l = np.where(sealed, litres, 0.0)
            sealed_v = np.where(sealed, value, 0.0)
            sealed_l[sales.partial] = sales.litres_after
            sealed_v[sales.partial] = sales.value_after
            open_l, open_v = litres - sealed_l, value - sealed_v
            # unsealed litres: as-found error, or the adjusted one once verified (a broken seal
            # brings back only deliberate short delivery)
            e_open = np.where(verified & ~self.deliberate, self.e1, self.e0)
            if self.announcement_day is not None and self.announcement_effect > 0:
                after_ann = min(max((d1 - self.announcement_day) / (d1 - d0), 0.0), 1.0)
                kb = 1.0 - self.undeclared * (1.0 - self.announcement_effect * after_ann * ~verified)
            ka = self.keep_after
            if self.channels is not None:  # the office takes the most a channel or the station reports
                k = self.channels.keep_at(d0)[self.station]
                on = ~np.isnan(k)
                kb = np.where(on, np.maximum(kb, k), kb)
                ka = np.where(on, np.maximum(ka, k), ka)
            ind_l = open_l * (1 + e_open) + sealed_l * (1 + self.e1)
            self.district_metered[month.index] = np.bincount(self.district, weights=sealed_l * (1 + self.e1),
                                                             minlength=self.n_districts)
            ind_v = open_v * (1 + e_open) + sealed_v * (1 + self.e1)
            decl_l = kb * open_l * (1 + e_open) + ka * sealed_l * (1 + self.e1)
            decl_v = kb * open_v * (1 + e_open) + ka * sealed_v * (1 + self.e1)
            tax_w = self._tax(decl_l, decl_v, ind_v, ind_l, pres_w, moved)
            if self.rewards is not None:  # rewards on the tax connected stations pay on receipted sales
                st_tax = np.bincount(self.station, weights=tax_w, minlength=self.n_stations)
                for i in np.flatnonzero(self.channels.reward):
                    on = self.channels.effective[i] <= d0
                    self.rewards[i, month.index] = self.channels.reward[i] * np.where(on, st_tax, 0.0)
            undecl_l = (1.0 - kb) * open_l * (1 + e_open) + (1.0 - ka) * sealed_l * (1 + self.e1)
            tax_nm = self._tax((kb * open_l + ka * sealed_l) * e0, (kb * open_v + ka * sealed_v) * e0, value * e0,
                               litres * e0, pres_w, moved)
            short_open, short_sealed = np.maximum(e_open, 0.0), np.maximum(self.e1, 0.0)
            up_w = 0.0
            if up:
                s = self.off_book_untaxed
                taxed = on_book(open_l, 1.0 - kb, s) + on_book(sealed_l, 1.0 - ka, s)
                if self.assess is not None:  # a household on a lump sum hides from its assessment
                    lump = self.is_presumptive if moved is None else self.is_presumptive & ~moved
                    taxed = np.where(lump, on_book(litres, 1.0 - self.seen_with[self.station], s), taxed)
                up_w = up * taxed.sum()
            keep = self.keep_before  # what the stations declared without the campaign, on corrected dispensers
            tax_mo = self._tax(keep * ind_l, keep * ind_v, ind_v, ind_l, pres_wo)
            row[0] = (ind_l.sum(), ind_v.sum(), decl_l.sum(), decl_v.sum(), tax_w.sum(),
                      np.count_nonzero(seal_time <= d1), 0.0, litres.sum(),
                      (open_l * short_open + sealed_l * short_sealed).sum(),
                      (open_v * short_open + sealed_v * short_sealed).sum(), tax_nm.sum(), up_w, tax_mo.sum(),
                      (open_v * e_open + sealed_v * self.e1).sum())
            if station_detail:
                n = self.n_stations
                st_ind = np.bincount(self.station, weights=ind_v, minlength=n)
                st_decl = np.bincount(self.station, weights=decl_v, minlength=n)
                # only a sealed totaliser gives the tax office a metered figure to compare with
                metered = np.zeros(n, dtype=bool)
                metered[self.station[seal_time <= d1]] = True
                self.station_gap = np.divide(st_ind - st_decl, st_ind, out=np.zeros(n), where=(st_ind > 0) & metered)
                skim = np.bincount(self.station, weights=value * np.where(self.deliberate, self.e0, 0.0), minlength=n)
                self.station_tax_gain = self._tax_share * np.bincount(self.station, weights=value, minlength=n)
                if self.assess is not None and moved is None:
                    # a station on a lump sum evades nothing in its period by breaking the seal
                    self.station_tax_gain[self.station[self.is_presumptive]] = 0.0
                self.station_gain = self.station_tax_gain + skim
                self.station_margin = (self.margin_per_litre * np.bincount(self.station, weights=litres, minlength=n)
                                       + self.margin_share * np.bincount(self.station, weights=value, minlength=n))
        if self.stations is not None:
            n, st = self.n_stations, self.station
            for arm, (t, d, u) in enumerate(((ind_l, decl_l, undecl_l),
                                             (wo_l, self.keep_before * wo_l, self.undeclared * wo_l))):
                self.stations[month.index, arm] = np.column_stack(
                    [np.bincount(st, weights=x, minlength=n) for x in (t, d, u)])
        nd = self.n_districts
        self.district_tax[month.index, :, 0] = np.bincount(self.district, weights=tax_w, minlength=nd)
        self.district_tax[month.index, :, 1] = np.bincount(self.district, weights=tax_wo, minlength=nd)
        if moved is not None and self.policy:
            m = self.is_presumptive & moved
            self.district_switch[month.index] = np.bincount(
                self.district[m], weights=self.pres_rate[m] * self.seen_before[self.station[m]] * ind_v[m] - pres_wo[m],
                minlength=nd)
        if month.index in self._eval:
            if moved is not None and self.policy:
                # what moving onto declaration alone changes: declaring what the assessment saw (1 − u)
                # of the sales, instead of the lump sum; the rest of a moved household's extra is compliance
                m = self.is_presumptive & moved
                self.regime_switch += float((self.pres_rate[m] * self.seen_before[self.station[m]] * ind_v[m]).sum()
                                            - pres_wo[m].sum())
            self.by_regime[:, 0] += np.bincount(self.regime, weights=tax_w, minlength=len(REGIMES))
            self.by_regime[:, 1] += np.bincount(self.regime, weights=tax_wo, minlength=len(REGIMES))
            self.by_district += np.column_stack([
                self.district_tax[month.index, :, 0],
                self.district_tax[month.index, :, 1],
                np.bincount(self.district, weights=decl_l, minlength=nd),
                np.bincount(self.district, weights=self.keep_before * wo_l, minlength=nd),
                np.bincount(self.district, weights=ind_l, minlength=nd),
            ])

    def _suspend(self, sales: MonthSales, open_share: np.ndarray) -> MonthSales:
        """The month's sales with suspended stations closed for their days: what they would have sold goes,
        ``suspension_diverted_share`` of it, to the other dispensers of their district, pro rata to what
        those sold (the rest is lost to the province)."""
        f = open_share[self.station]
        nd = self.n_districts
        lost = np.bincount(self.district, weights=sales.litres * (1.0 - f), minlength=nd) * self.diverted
        kept = np.bincount(self.district, weights=sales.litres * f, minlength=nd)
        up = 1.0 + np.divide(lost, kept, out=np.zeros(nd), where=kept > 0)
        scale = f * up[self.district]
        p = sales.partial
        return MonthSales(sales.litres * scale, sales.value * scale, p, sales.litres_after * scale[p],
                          sales.value_after * scale[p])

    def _tax(self, declared_litres: np.ndarray, declared_value: np.ndarray, value: np.ndarray, litres: np.ndarray,
             presumptive: np.ndarray | None = None, moved: np.ndarray | None = None) -> np.ndarray:
        """Each dispenser's tax under its station's regime (see :mod:`.regimes`): ``value`` is what it
        sold at retail prices and ``litres`` how many (indicated), ``presumptive`` its share of its
        station's lump sum, ``moved`` marks presumptive stations that declare monthly since their seal."""
        tax = self.rate * declared_value + self.per_litre * declared_litres
        if self.enterprise is not None:
            i = self.enterprise_at  # only the enterprises' dispensers: the same numbers, less work
            dv, dl = self._delivered
            tax[i] = enterprise_tax(value[i], declared_value[i], litres[i], dv[i], dl[i], self.off_book[i],
                                    self.enterprise)
        if presumptive is not None:
            lump = self.is_presumptive if moved is None else self.is_presumptive & ~moved
            tax = np.where(lump, presumptive, tax)
        return tax

    def _presumptive(self, month: Month, seal_time: np.ndarray, tampering: np.ndarray | None):
        """Per dispenser, its share of its station's lump sum this month in each arm (re-assessed when
        the month opens a period), and whether the station has moved onto declaration."""
        a, ds = self.assess, self.station
        if month.index in a.opens:
            self.lumps[1] = a.lump(month, self.seen_before)
            if self.policy:
                sealed = np.zeros(self.n_stations, dtype=bool)
                sealed[ds[seal_time <= month.d0]] = True  # sealed and read before the period starts
                if tampering is not None:
                    sealed &= ~tampering
                self.seen_with = np.where(sealed, self.seen_after, self.seen_before)
                if self.channels is not None:  # what the instruments report, as for declarations
                    k = self.channels.keep_at(month.d0)
                    on = ~np.isnan(k)
                    self.seen_with = np.where(on, np.maximum(self.seen_with, k), self.seen_with)
                self.lumps[0] = a.lump(month, self.seen_with)
            else:
                self.lumps[0] = self.lumps[1]
        share = month_fraction(month) / np.maximum(self.station_pumps, 1.0)  # each dispenser's part of the lump
        w, wo = (self.lumps[0] * share)[ds], (self.lumps[1] * share)[ds]
        moved = None  # None: no household leaves its lump sum in this world
        if self.policy:  # sealed (tax.seal_moves_to_declaration), or on a channel that moves it: onto declaration
            parts = [seal_time <= month.d0] if self.moves else []
            if self.channels is not None and self.channels.moves.any():
                parts.append(self.channels.moved_at(month.d0)[ds])
            if parts:
                moved = np.logical_or.reduce(parts)
        return w, wo, moved

    def window_sum(self, months: range | None, arm: str, field: str) -> float:
        if months is None:
            return float("nan")
        return float(self.table[months.start:months.stop, ARMS.index(arm), FIELDS.index(field)].sum())
