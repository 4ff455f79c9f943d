"""A commented scenario to start a province of one's own from (``fuelseal new FILE``).

Every required key is there, and the optional tables whose absence would zero out a result
(costs, enforcement, metrology). Each value says where it comes from: SOURCED (a cited source
— national law or standards, valid for any province), FROM HÀ NAM (the built-in scenario's
sourced or calibrated value, to check for your province), ASSUMPTION (a guess to replace) or
PLACEHOLDER (dated items only you can fill: holidays, prices). It validates as written, so a
planner can run it first and then replace what they know, one line at a time.
"""

from __future__ import annotations

import datetime as dt
import json

from ..timeline import add_months, month_start

FIXED_HOLIDAYS = ((1, 1, "New Year"), (4, 30, "Reunification Day"), (5, 1, "International Labour Day"),
                  (9, 2, "National Day"))
"""Public holidays on fixed solar dates (Labour Code 2019, Art. 112; 2 September also one
adjacent day from 2021). Tết and the Hùng Kings' day follow the lunar calendar: their days
off are announced each year."""


def default_start(today: dt.date | None = None) -> dt.date:
    """The first working day after New Year of next year: a campaign being planned now."""
    d = dt.date((today or dt.date.today()).year + 1, 1, 2)
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _split(stations: int, districts: list[str]) -> dict[str, int]:
    base, extra = divmod(stations, len(districts))
    return {d: base + (i < extra) for i, d in enumerate(districts)}


def _holidays(start: dt.date, end: dt.date) -> list[dt.date]:
    """The fixed-date holidays from ``start`` to ``end`` that fall on a weekday (a holiday on a
    weekend is given another day off, announced each year: a PLACEHOLDER line says so)."""
    out = []
    for year in range(start.year, end.year + 1):
        for month, day, _ in FIXED_HOLIDAYS:
            d = dt.date(year, month, day)
            if start <= d <= end and d.weekday() < 5:
                out.append(d)
    return out


def scenario_text(*, province: str = "My province", stations: int = 150, dispensers: int | None = None,
                  teams: int = 2, start: dt.date | None = None, districts: list[str] | None = None,
                  today: dt.date | None = None) -> str:
    """The text of a new scenario file (see the module docstring)."""
    start = start or default_start(today)
    dispensers = 3 * stations if dispensers is None else dispensers
    if stations < 1 or dispensers < stations or teams < 1:
        raise ValueError("expected at least one station, at least one dispenser per station and one team")
    names = districts or [province]
    counts = _split(stations, names)
    scenario_start = dt.date(start.year - 1, 1, 1)  # a year before, for the before/after comparison
    window_end = add_months(month_start(start), 12) - dt.timedelta(days=1)
    end = window_end  # the end of the campaign's first twelve months
    pumps = dispensers / stations
    holidays = _holidays(start, end)
    hol = ", ".join(d.isoformat() for d in holidays)
    district_table = ", ".join(f"{_q(d)} = {n}" for d, n in counts.items())
    order = ", ".join(_q(d) for d in names)
    year = start.year
    return f"""\
# {province} {year}: verifying fuel dispensers and sealing their totalisers.
# Made by `fuelseal new`. It validates and runs as written; replace what you know, then:
#     fuelseal validate THIS_FILE      (warnings name what still looks unfinished)
#     fuelseal run THIS_FILE
# Every key, its unit and its default: `fuelseal keys` (or docs/scenario-reference.md).
#
# Where each value comes from:
#   SOURCED      a cited source (national law, standards): valid for any province
#   FROM HÀ NAM  the built-in Hà Nam 2017 scenario's value: check it for your province
#   ASSUMPTION   a guess: replace it when you have a figure
#   PLACEHOLDER  a dated item only you can fill in (holidays, prices)
# Units: litres (L), Vietnamese đồng (VND), hours, minutes; dates are YYYY-MM-DD.

[scenario]
name = {_q(f"{province} {year} — totaliser sealing")}
description = "PLACEHOLDER: what the campaign is, who runs it, under which plan."
start = {scenario_start.isoformat()}          # a year before the campaign, for the before/after comparison
end = {end.isoformat()}
# reference_uplift = 0.10      # a published rise in tax to compare with (a share: 0.10 = 10%)
# reference_source = ""        # and where it was published

# The same words in Vietnamese, for charts and reports in Vietnamese (--lang vi).
[scenario.vi]
name = {_q(f"{province} {year} — kẹp chì đồng hồ công tơ tổng")}
description = "PLACEHOLDER: mô tả chiến dịch bằng tiếng Việt."

[network]
# ASSUMPTION: {stations} stations{' in one district' if len(names) == 1 else ''} — replace with the
# count per district (or list every station in a register file: network.register = "stations.csv",
# see `fuelseal keys register` and scenarios/data/example_register.csv).
districts = {{ {district_table} }}
# DERIVED: {dispensers} dispensers / {stations} stations = {pumps:.2f} per station on average (at least 1).
pumps_per_station = {{ dist = "poisson", mean = {pumps:.2f}, min = 1 }}

[demand]
# FROM HÀ NAM (ASSUMPTION there): ~700 L per dispenser a day, varying widely between stations.
litres_per_pump_day = {{ dist = "lognormal", mean = 700, sd = 350 }}
daily_cv = 0.35             # ASSUMPTION: day-to-day variation of one dispenser's sales
# ASSUMPTION: volumes grow ~6% a year (Vietnam in the 2010s), uncertain ±2 points.
annual_growth = {{ dist = "normal", mean = 0.06, sd = 0.02, min = -0.5 }}
# FROM HÀ NAM: share of litres by fuel (must add up to 1).
fuel_mix = {{ ron92 = 0.57, e5 = 0.03, diesel = 0.40 }}

[prices]
# PLACEHOLDER: retail prices, VND/L, each from its date until the next. One price per fuel is
# written here (Hà Nam's of January 2016); add a line at every price review of your period
# (every 10–15 days; see scenarios/hanam_2017.toml for a sourced path).
ron92 = [{{ date = {scenario_start.isoformat()}, price = 16400, note = "PLACEHOLDER" }}]
e5 = [{{ date = {scenario_start.isoformat()}, price = 15530, note = "PLACEHOLDER" }}]
diesel = [{{ date = {scenario_start.isoformat()}, price = 11111, note = "PLACEHOLDER" }}]

[tax]
# SOURCED: household businesses selling goods pay 1% VAT + 0.5% personal income tax on revenue
# (Circular 92/2015/TT-BTC; Circular 40/2021/TT-BTC keeps the same rates), assessed for the year.
rate = 0.015
assessment_months = 12
assessment_start = {scenario_start.isoformat()}
assessment_base = "prior_period"    # FROM HÀ NAM: each year's lump sum on last year's revenue
seal_moves_to_declaration = true    # FROM HÀ NAM: a sealed household is read monthly and declares
vat_rate = 0.10                     # SOURCED: VAT on fuel (Law on VAT 2008, Art. 11)
cit_rate = 0.20                     # SOURCED: corporate income tax from 2016 (Law 32/2013)
margin_per_litre = 700              # FROM HÀ NAM (ASSUMPTION): the retail commission, VND/L
cost_per_litre = 550                # FROM HÀ NAM (ASSUMPTION): a station's own costs, VND/L

[supply]
off_book_share = 0.5                # FROM HÀ NAM (ASSUMPTION): half of hidden litres bought off-book
off_book_taxed_share = 0.0       # FROM HÀ NAM (ASSUMPTION): off-book fuel paid no upstream taxes
# FROM HÀ NAM, DERIVED for 2017: environmental protection tax + VAT on it (per_litre, VND/L) and
# special consumption tax, import duty and import VAT (rate, a share of the price). The
# environmental protection tax on petrol rose to 4,000 VND/L in 2019 and was cut for a time in
# 2022–2024: check the year of your campaign.
upstream.ron92 = {{ per_litre = 3300, rate = 0.165 }}
upstream.e5 = {{ per_litre = 3135, rate = 0.154 }}
upstream.diesel = {{ per_litre = 1650, rate = 0.077 }}

# Who runs the stations, and under which tax regime. FROM HÀ NAM (ASSUMPTION there): replace
# the shares with your province's (they must add up to 1).
[operators.state]
label = "state distributors (Petrolimex, PV Oil)"
label_vi = "doanh nghiệp đầu mối nhà nước (Petrolimex, PV Oil)"
share = 0.30
regime = "enterprise"
undeclared_share = 0.0
residual_share = 0.0
off_book_share = 0.0

[operators.private]
label = "private enterprises"
label_vi = "doanh nghiệp tư nhân"
share = 0.25
regime = "enterprise"
off_book_share = 1.0

[operators.household]
label = "household businesses"
label_vi = "hộ kinh doanh"
share = 0.45
regime = "presumptive"

[behaviour]
# FROM HÀ NAM (calibrated there to its published +16.5%: mean 5.6%, 90% 0.9–11.9%): the share
# of sales a private or household station leaves undeclared before sealing. Calibrate to your
# own figure with `fuelseal calibrate`.
undeclared_share = {{ dist = "beta", mean = 0.056, sd = 0.02 }}
# ASSUMPTION: little stays hidden once the totaliser is sealed and read (Kleven et al. 2011).
residual_share = {{ dist = "beta", mean = 0.005, sd = 0.004 }}

[campaign]
enabled = true                   # false: the no-campaign world alone
start = {start.isoformat()}         # PLACEHOLDER: the first day of visits
teams = {teams}                        # ASSUMPTION: verification teams of the provincial metrology centre
order = "route"                  # ASSUMPTION: "route" (district by district), "largest_first" or "random"
district_order = [{order}]       # ASSUMPTION: the districts in the order the teams visit them
work_hours_per_day = 8           # ASSUMPTION: an eight-hour working day
day_start_hour = 7.5             # FROM HÀ NAM (ASSUMPTION): work starts at 7:30
working_weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]  # ASSUMPTION: no weekend visits
# PLACEHOLDER: public holidays in the campaign's first year. Written here: the fixed-date ones
# on weekdays (Labour Code 2019, Art. 112). Add Tết and the Hùng Kings' day (lunar dates) and
# the days off given for holidays on weekends, from that year's announcement.
holidays = [{hol}]
reverification_months = 12       # SOURCED: periodic verification every 12 months (Circular 07/2019/TT-BKHCN)
announcement_effect = 0.0        # ASSUMPTION: no change in behaviour when the campaign is announced
# FROM HÀ NAM (ASSUMPTION): hours between stations (longer in a large or mountainous province).
travel_hours = {{ dist = "triangular", low = 0.25, mode = 0.75, high = 1.5 }}
# ASSUMPTION: minutes to verify, adjust, stamp and seal one dispenser (procedure ĐLVN 10:2013).
minutes_per_pump = {{ dist = "triangular", low = 30, mode = 45, high = 75 }}

[metrology]
mpe = 0.003                      # SOURCED: maximum permissible error ±0.3% (ĐLVN 10:2013)
error_sd = 0.0015                # FROM HÀ NAM (ASSUMPTION): honest dispensers' spread of errors
short_delivery_stations = 0.107  # FROM HÀ NAM (calibrated): stations whose dispensers short-deliver
# SOURCED ranges (Greece 2–3%, Nghệ An 2014 4–11%): how much a tampered dispenser short-delivers.
short_delivery_error = {{ dist = "triangular", low = 0.02, mode = 0.03, high = 0.06 }}
adjust_minutes = 30              # ASSUMPTION

[enforcement]
audits_per_year = 0.2            # FROM HÀ NAM (ASSUMPTION): inspections per station per year
detection_probability = 0.8      # ASSUMPTION: an inspection finds a broken seal
fine = 20000000                  # ASSUMPTION, VND: fine for a measurement violation (Decree 119/2017/NĐ-CP)
suspension_days = 30             # ASSUMPTION
tax_fine_multiple = 1.0          # SOURCED range 1–3 × the evaded tax; ASSUMPTION: the lowest
late_interest_per_day = 0.0003   # SOURCED: 0.03% a day (Law on Tax Administration)
inspectors = 1                   # ASSUMPTION: inspection teams of the Department
audit_hours = 8                  # ASSUMPTION: an inspection takes a working day
honest_share = 0.6               # ASSUMPTION: stations that never break a seal
# FROM HÀ NAM (ASSUMPTION): how strongly the others weigh an expected penalty against the gain.
risk_aversion = {{ dist = "lognormal", mean = 1.0, sd = 1.0 }}
fine_at_verification = false     # SOURCED: a verification visit corrects a dispenser; inspections fine

[costs]
# ASSUMPTION, VND (FROM HÀ NAM): replace with your centre's figures.
per_team_day = 3000000           # a team of three with vehicle and per diem
per_seal = 20000
per_visit = 100000
per_team_fixed = 20000000        # each team's capacity measures, tools and training
per_reading = 50000              # a tax officer reading a sealed station's totalisers, monthly
fixed = 0
station_fee_per_dispenser = 0

[run]
replications = 200
seed = {year}
evaluation_months = 12           # the campaign's first twelve months against the year before
"""

