"""Every scenario key by a plain label, in either language: what a reader sees instead of a dotted key.

:data:`LABELS` holds a short label (with its unit) for each field of the scenario schema
(:mod:`.sections`, :mod:`.fiscal`; the fields' own descriptions say the same at length) and how its
value reads, marked for the catalogue; ``*`` stands for a name the scenario chooses (a district, a
fuel, an operator type). :func:`label_of` finds a key's entry; :func:`parameter_name` writes a dotted
parameter as a reader reads it ("behaviour.undeclared_share.mean" → "Undeclared share before sealing
(mean)"). The report's appendix, the printed summary's method text and the analyses' labels read
them; ``tests/report`` checks that every field of the schema has one.

Imports only the foundations (:mod:`simulator.i18n`, :mod:`simulator.names`, :mod:`simulator.numbers`).
"""

from __future__ import annotations

from ..i18n import N_
from ..names import fuel_name
from ..numbers import Numbers

# field → (label, how its value reads). "*" stands for a name the scenario chooses (a district, a fuel,
# an operator type); the label may say it as {name}.
LABELS: dict[str, tuple[str, str]] = {
    "scenario.name": (N_("Name"), "text"),
    "scenario.description": (N_("Description"), "text"),
    "scenario.start": (N_("Simulation starts"), "date"),
    "scenario.end": (N_("Simulation ends"), "date"),
    "scenario.reference_uplift": (N_("Published before/after tax rise"), "share"),
    "scenario.reference_source": (N_("Source of the published figure"), "text"),
    "scenario.vi.name": (N_("Name in Vietnamese"), "text"),
    "scenario.vi.description": (N_("Description in Vietnamese"), "text"),
    "scenario.vi.reference_source": (N_("Source of the published figure, in Vietnamese"), "text"),
    "network.register": (N_("Station register (file)"), "text"),
    "network.districts.*": (N_("Stations in {name}"), "number"),
    "network.pumps_per_station": (N_("Dispensers per station"), "number"),
    "demand.litres_per_pump_day": (N_("Sales per dispenser a day, litres"), "number"),
    "demand.daily_cv": (N_("Day-to-day variation of sales (coefficient of variation)"), "number"),
    "demand.annual_growth": (N_("Growth of sales a year"), "share"),
    "demand.seasonality": (N_("Monthly seasonality, January first"), "numbers"),
    "demand.price_per_litre": (N_("Retail price, VND per litre"), "number"),
    "demand.price_path": (N_("Dated retail prices"), "path"),
    "demand.fuel_mix.*": (N_("Share of litres: {name}"), "share"),
    "prices.*": (N_("Retail prices: {name}"), "path"),
    "tax.rate": (N_("Tax rate on revenue (households)"), "share"),
    "tax.per_litre": (N_("Tax per litre at the station (must be 0)"), "number"),
    "tax.retail_per_litre": (N_("Retail charge per declared litre, VND"), "number"),
    "tax.regime": (N_("Default tax regime"), "enum"),
    "tax.assessment_months": (N_("Lump-sum re-assessment interval, months"), "number"),
    "tax.assessment_start": (N_("First assessment of the lump sum"), "date"),
    "tax.assessment_base": (N_("Revenue the lump sum is assessed on"), "enum"),
    "tax.seal_moves_to_declaration": (N_("A sealed household moves onto monthly declaration"), "bool"),
    "tax.vat_rate": (N_("VAT rate (enterprises)"), "share"),
    "tax.cit_rate": (N_("Corporate income tax rate"), "share"),
    "tax.margin": (N_("Retail margin, share of the price"), "share"),
    "tax.margin_per_litre": (N_("Retail margin, VND per litre"), "number"),
    "tax.cost_share": (N_("Operating costs, share of sales"), "share"),
    "tax.cost_per_litre": (N_("Operating costs, VND per litre"), "number"),
    "supply.off_book_share": (N_("Share of undeclared litres bought off-book"), "share"),
    "supply.off_book_taxed_share": (N_("Share of off-book fuel that had paid upstream taxes"), "share"),
    "supply.upstream.*.per_litre": (N_("Upstream tax per litre, VND: {name}"), "number"),
    "supply.upstream.*.rate": (N_("Upstream tax, share of the price: {name}"), "share"),
    "operators.*.share": (N_("Share of stations"), "share"),
    "operators.*.label": (N_("Name"), "text"),
    "operators.*.label_vi": (N_("Name in Vietnamese"), "text"),
    "operators.*.regime": (N_("Tax regime"), "enum"),
    "operators.*.undeclared_share": (N_("Undeclared share before sealing"), "share"),
    "operators.*.residual_share": (N_("Undeclared share after sealing"), "share"),
    "operators.*.off_book_share": (N_("Share of undeclared litres bought off-book"), "share"),
    "operators.*.tax_rate": (N_("Tax rate on revenue"), "share"),
    "operators.*.tax_per_litre": (N_("Tax per litre at the station (must be 0)"), "number"),
    "operators.*.retail_per_litre": (N_("Retail charge per declared litre, VND"), "number"),
    "instruments.*.kind": (N_("Kind of instrument"), "enum"),
    "instruments.*.enabled": (N_("Instrument in use"), "bool"),
    "instruments.*.start": (N_("First stations connected"), "date"),
    "instruments.*.rollout_days": (N_("Days to connect every station"), "count"),
    "instruments.*.order": (N_("Which stations are connected first"), "enum"),
    "instruments.*.coverage": (N_("Share of hidden sales the instrument reports"), "share"),
    "instruments.*.cost_per_station": (N_("Government cost per station connected"), "vnd"),
    "instruments.*.cost_per_dispenser": (N_("Government cost per dispenser connected"), "vnd"),
    "instruments.*.running_cost_per_station_month": (N_("Running cost per connected station a month"), "vnd"),
    "instruments.*.audits_per_station_year": (N_("Tax audits a year at each connected station"), "number"),
    "instruments.*.cost_per_audit": (N_("Government cost of one audit"), "vnd"),
    "instruments.*.reward_share_of_tax": (N_("Share of the tax on receipted sales paid back to buyers"), "share"),
    "instruments.*.station_cost_per_station": (N_("Station's own cost of connecting"), "vnd"),
    "instruments.*.station_cost_per_dispenser": (N_("Station's own cost per dispenser"), "vnd"),
    "instruments.*.moves_to_declaration": (N_("Moves households onto declaration"), "bool"),
    "instruments.*.source": (N_("Source"), "text"),
    "behaviour.undeclared_share": (N_("Undeclared share before sealing"), "share"),
    "behaviour.residual_share": (N_("Undeclared share after sealing"), "share"),
    "metrology.mpe": (N_("Maximum permissible error (±)"), "share"),
    "metrology.error_sd": (N_("Spread of honest dispensers' errors"), "share"),
    "metrology.short_delivery_share": (N_("Share of dispensers set to short-deliver"), "share"),
    "metrology.short_delivery_stations": (N_("Share of stations that short-deliver"), "share"),
    "metrology.short_delivery_error": (N_("How much a set dispenser over-indicates"), "share"),
    "metrology.adjust_minutes": (N_("Extra time to adjust a failing dispenser, minutes"), "number"),
    "enforcement.audits_per_year": (N_("Inspections per station a year"), "number"),
    "enforcement.detection_probability": (N_("Chance an inspection finds a broken seal"), "share"),
    "enforcement.fine": (N_("Fine per detection"), "vnd"),
    "enforcement.licence_loss": (N_("Licence loss a station weighs (older files)"), "vnd"),
    "enforcement.suspension_days": (N_("Sales suspended after a detection, days"), "number"),
    "enforcement.suspension_diverted_share": (N_("Share of a suspended station's sales bought nearby"), "share"),
    "enforcement.tax_fine_multiple": (N_("Fine as a multiple of the tax evaded"), "number"),
    "enforcement.late_interest_per_day": (N_("Late-payment interest a day"), "share"),
    "enforcement.planning_months": (N_("Months a station looks ahead"), "number"),
    "enforcement.inspectors": (N_("Inspection teams working at once"), "number"),
    "enforcement.audit_hours": (N_("Hours per inspection"), "number"),
    "enforcement.selection": (N_("How stations are chosen for inspection"), "enum"),
    "enforcement.honest_share": (N_("Share of stations that never break a seal"), "share"),
    "enforcement.risk_aversion": (N_("Risk aversion (premium on the expected penalty)"), "number"),
    "enforcement.priority_multiplier": (N_("Inspections after a detection, times as often"), "number"),
    "enforcement.fine_at_verification": (N_("Dispensers set to short-deliver found at verification are fined"),
                                         "bool"),
    "campaign.enabled": (N_("Campaign runs"), "bool"),
    "campaign.start": (N_("Campaign starts"), "date"),
    "campaign.teams": (N_("Verification teams"), "number"),
    "campaign.deadline": (N_("The plan's deadline for sealing every dispenser"), "date"),
    "campaign.order": (N_("Order of visits"), "enum"),
    "campaign.district_order": (N_("Districts in the order visited"), "route"),
    "campaign.districts.*.start": (N_("{name}: sealing starts"), "date"),
    "campaign.districts.*.teams": (N_("{name}: its own teams"), "number"),
    "campaign.work_hours_per_day": (N_("Working hours a day"), "number"),
    "campaign.day_start_hour": (N_("Working day starts at"), "clock"),
    "campaign.working_weekdays": (N_("Working days"), "weekdays"),
    "campaign.holidays": (N_("Holidays"), "dates"),
    "campaign.travel_hours": (N_("Travel to each station, hours"), "number"),
    "campaign.minutes_per_pump": (N_("Verifying and sealing one dispenser, minutes"), "number"),
    "campaign.reverification_months": (N_("Dispensers re-verified after, months"), "number"),
    "campaign.announcement": (N_("Campaign announced"), "date"),
    "campaign.announcement_effect": (N_("Effect of the announcement on unvisited stations"), "share"),
    "costs.per_team_day": (N_("Per team-day worked"), "vnd"),
    "costs.per_seal": (N_("Per dispenser verified and sealed"), "vnd"),
    "costs.per_visit": (N_("Per station visit"), "vnd"),
    "costs.fixed": (N_("Fixed, at the start"), "vnd"),
    "costs.per_team_fixed": (N_("Per team, once (equipment, training)"), "vnd"),
    "costs.per_reading": (N_("Per monthly totaliser reading"), "vnd"),
    "costs.per_audit": (N_("Per inspection"), "vnd"),
    "costs.station_fee_per_dispenser": (N_("Fee a station pays per dispenser"), "vnd"),
    "run.replications": (N_("Replications"), "number"),
    "run.seed": (N_("Random seed"), "text"),
    "run.evaluation_months": (N_("Evaluation window, months"), "number"),
    "run.visit_log": (N_("Visit log kept for"), "enum"),
    "run.station_detail": (N_("Per-station monthly table kept"), "bool"),
    "run.daily_sales": (N_("Sales drawn day by day (the reference)"), "bool"),
    "run.lang": (N_("Language"), "enum"),
    "calibration.parameters": (N_("Calibrated parameters"), "names"),
    "calibration.draws": (N_("Draws"), "draws"),
    "calibration.use": (N_("Calibrated values used"), "bool"),
    "calibration.worlds": (N_("Replication each draw was kept in"), "count_list"),
    "calibration.seed": (N_("Seed of those replications"), "text"),
    "calibration.same_worlds": (N_("Re-run in the world each draw was kept in"), "bool"),
    "calibration.method": (N_("Method"), "method"),
    "calibration.targets.*": (N_("Target: {name}"), "target"),
}
"""Dotted key pattern → (label, kind of value)."""

PARAMETERS: dict[str, str] = {
    "value": N_("value"), "mean": N_("mean"), "sd": N_("sd"), "low": N_("lowest"), "mode": N_("most likely"),
    "high": N_("highest"), "min": N_("at least"), "max": N_("at most"),
}
"""The words of a distribution and of its parameters."""

_FUEL_KEYS = ("prices.", "demand.fuel_mix.", "supply.upstream.")
"""Keys whose ``*`` is a fuel."""



def label_of(dotted: str) -> tuple[str, str, str] | None:
    """(label, kind, name) of a dotted key: its pattern's label, how its value reads and the scenario's
    own name in it (a district, a fuel …), or None for a key no pattern knows."""
    parts = dotted.split(".")
    for pattern, (label, kind) in LABELS.items():
        p = pattern.split(".")
        if len(p) == len(parts) and all(a == "*" or a == b for a, b in zip(p, parts, strict=True)):
            name = next((b for a, b in zip(p, parts, strict=True) if a == "*"), "")
            return label, kind, name
    return None


def parameter_name(dotted: str, lang: str | Numbers = "en") -> str:
    """A dotted parameter by its label in ``lang``: "behaviour.undeclared_share.mean" → "Undeclared share before
    sealing (mean)", "prices.ron92" → "Retail prices: RON 92 petrol"; the dotted name itself if no label knows
    it."""
    nf = lang if isinstance(lang, Numbers) else Numbers(lang)
    _ = nf.gettext
    base, _dot, last = dotted.rpartition(".")
    key = base if last in PARAMETERS and label_of(base) is not None else dotted
    known = label_of(key)
    if known is None:
        return dotted
    label = _(known[0]).format(name=_star_name(key, known[2], nf.style))
    return f"{label} ({_(PARAMETERS[last])})" if key != dotted else label




def _star_name(dotted: str, name: str, lang: str) -> str:
    """The scenario's own name in a key (``*`` in :data:`LABELS`) as a reader reads it: a fuel by its plain name."""
    return fuel_name(name, lang) if dotted.startswith(_FUEL_KEYS) else name
