"""Invariants of the model over random valid scenarios, and its numeric edge cases.

The property tests draw small valid worlds — 1–3 districts of 1–30 stations, fixed or
random shares, 1–6 teams, the campaign on or off, re-verification every 0–12 months,
random enforcement, metrology, working time, demand and operator types — and check
what must hold in every one of them: declared sales never exceed true (indicated)
sales, tax is never negative, with the campaign off both arms are the same world, a
station is sealed at most once per verification cycle and never before the campaign,
one more team never delays completion, the before/after decomposition adds up, and
litres are conserved per station and month. The plain tests at the end pin the edges:
empty districts, one dispenser, zero demand, a one-month horizon, a campaign that
cannot finish, networks too large to allocate.

Hypothesis runs with the reproducible profile of tests/conftest.py. A larger search::

    FUELSEAL_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/model/test_properties.py

runs each property at a tenth of that (500 scenarios) instead of the in-suite
``EXAMPLES``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simulator
from simulator.cli import main
from simulator.model.declarations import FIELDS
from simulator.scenario import MAX_DISPENSERS, Run

EXAMPLES = 60  # scenarios per property in the default run
_LARGE = int(os.environ.get("FUELSEAL_FUZZ_EXAMPLES", "0") or 0)
HORIZON = (dt.date(2016, 1, 1), dt.date(2017, 12, 31))  # the `small` fixture's horizon
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def property_settings(n: int = EXAMPLES):
    return settings(max_examples=max(n, _LARGE // 10),
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


# ---- random valid scenarios ------------------------------------------------------------------

SPREAD = st.one_of(st.just(0.0), st.floats(0.01, 0.9))
"""A relative spread: none, or a sensible one (vanishing spreads are refused; test_fuzz.py tries them)."""


def shares(high: float = 0.6):
    """A share: a fixed number, or a beta with a feasible sd."""
    fixed = st.floats(0.0, high)
    beta = st.builds(lambda m, f: {"dist": "beta", "mean": m, "sd": f * math.sqrt(m * (1 - m))},
                     st.floats(0.02, high), SPREAD)
    return st.one_of(fixed, beta)


def _months_to_end(d: dt.date) -> int:
    return (HORIZON[1].year - d.year) * 12 + HORIZON[1].month - d.month + 1


@st.composite
def scenario_overrides(draw, enabled: bool | None = None, teams: int | None = None) -> dict:
    """Dotted overrides of the `small` fixture's scenario giving a random valid world.

    ``metrology.error_sd`` stays below 0.05 here (real dispensers are within a few per
    cent): at the schema's limit of 0.5 some dispensers indicate negative litres — a
    known bug, see test_large_dispenser_errors_never_make_tax_negative."""
    n_districts = draw(st.integers(1, 3))
    districts = {f"D{i}": draw(st.integers(1, 30)) for i in range(n_districts)}
    start = draw(st.dates(HORIZON[0], HORIZON[1]))
    ov = {
        "network.districts": districts,
        "network.pumps_per_station": draw(st.one_of(st.integers(1, 4),
                                                    st.just({"dist": "poisson", "mean": 2.5, "min": 1}))),
        "demand.litres_per_pump_day": draw(st.one_of(
            st.floats(0, 3000), st.builds(lambda m, cv: {"dist": "gamma", "mean": m, "sd": cv * m},
                                          st.floats(10, 3000), SPREAD))),
        "demand.daily_cv": draw(st.one_of(st.just(0.0), st.floats(0.01, 1.0))),
        "demand.annual_growth": draw(st.one_of(
            st.floats(-0.3, 0.5), st.builds(lambda m, s: {"dist": "normal", "mean": m, "sd": s, "min": -0.5},
                                            st.floats(-0.1, 0.2), st.one_of(st.just(0.0), st.floats(0.001, 0.1))))),
        "tax.rate": draw(st.floats(0, 0.1)),
        "tax.retail_per_litre": draw(st.one_of(st.just(0.0), st.floats(0, 500))),
        "behaviour.undeclared_share": draw(shares()),
        "behaviour.residual_share": draw(shares(0.2)),
        "campaign.enabled": draw(st.booleans()) if enabled is None else enabled,
        "campaign.start": start,
        "campaign.teams": draw(st.integers(1, 6)) if teams is None else teams,
        "campaign.order": draw(st.sampled_from(["route", "largest_first", "random"])),
        "campaign.reverification_months": draw(st.integers(0, 12)),
        "campaign.travel_hours": draw(st.one_of(
            st.floats(0, 3), st.builds(lambda m: {"dist": "gamma", "mean": m, "sd": m / 2}, st.floats(0.1, 3)))),
        "campaign.minutes_per_pump": draw(st.one_of(
            st.floats(0, 120), st.builds(lambda m: {"dist": "lognormal", "mean": m, "sd": m / 3},
                                         st.floats(5, 120)))),
        "campaign.working_weekdays": draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)),
        "run.evaluation_months": draw(st.integers(1, _months_to_end(start))),
        "run.visit_log": "all",
        "metrology.mpe": draw(st.floats(0.001, 0.05)),
        "metrology.error_sd": draw(st.floats(0, 0.05)),
        "metrology.short_delivery_share": draw(st.floats(0, 0.3)),
        "metrology.short_delivery_error": draw(st.floats(0, 0.1)),
        "metrology.adjust_minutes": draw(st.floats(0, 90)),
        "enforcement.audits_per_year": draw(st.one_of(st.just(0.0), st.floats(0, 24))),
        "enforcement.detection_probability": draw(st.floats(0, 1)),
        "enforcement.fine": draw(st.floats(0, 1e8)),
        "enforcement.licence_loss": draw(st.floats(0, 1e8)),
        "enforcement.inspectors": draw(st.integers(0, 5)),
        "enforcement.audit_hours": draw(st.floats(0.5, 16)),
        "enforcement.selection": draw(st.sampled_from(["random", "risk"])),
        "enforcement.honest_share": draw(st.floats(0, 1)),
        "enforcement.risk_aversion": draw(st.floats(0, 2)),
        "enforcement.priority_multiplier": draw(st.floats(1, 5)),
    }
    hours = draw(st.floats(1, 12))
    ov["campaign.work_hours_per_day"] = hours
    ov["campaign.day_start_hour"] = draw(st.floats(0, 24 - hours))
    if draw(st.booleans()):
        ov["demand.seasonality"] = draw(st.lists(st.floats(0.5, 1.5), min_size=12, max_size=12))
    if draw(st.booleans()):
        ov["campaign.announcement"] = draw(st.dates(HORIZON[0], start))
        ov["campaign.announcement_effect"] = draw(st.floats(0, 1))
    if draw(st.booleans()):
        ov["campaign.holidays"] = draw(st.lists(st.dates(*HORIZON), max_size=10))
    n_ops = draw(st.integers(0, 3))
    if n_ops:
        weights = draw(st.lists(st.integers(1, 4), min_size=n_ops, max_size=n_ops))
        operators = {}
        for i, w in enumerate(weights):
            op = {"share": w / sum(weights)}
            if draw(st.booleans()):
                op["undeclared_share"] = draw(shares())
            if draw(st.booleans()):
                op["residual_share"] = draw(shares(0.1))
            if draw(st.booleans()):
                op["tax_rate"] = draw(st.floats(0, 0.1))
            operators[f"op{i}"] = op
        ov["operators"] = operators
    return ov


SEEDS = st.integers(0, 2**32)


def _run(small, overrides: dict, seed: int, replications: int = 1) -> simulator.Results:
    return simulator.run(small(overrides), replications=replications, seed=seed)


# ---- invariants ------------------------------------------------------------------------------

@pytest.mark.slow
@property_settings()
@given(ov=scenario_overrides(), seed=SEEDS)
def test_declared_sales_never_exceed_true_sales(small, ov, seed):
    """Every month, in both arms, declared litres and declared value are at most the true
    (indicated) litres and value (1e-9 relative): residual and undeclared shares are ≥ 0."""
    m = _run(small, ov, seed).monthly
    for declared, true in (("declared_litres", "true_litres"), ("declared_value", "true_value")):
        excess = m[declared] - m[true]
        assert (excess <= 1e-9 * m[true].abs()).all(), m.loc[excess > 1e-9 * m[true].abs(),
                                                           ["arm", "month", declared, true]]


@pytest.mark.slow
@property_settings()
@given(ov=scenario_overrides(), seed=SEEDS)
def test_tax_is_never_negative(small, ov, seed):
    """Monthly tax in both arms, and the window totals, are ≥ 0 (the window before the
    campaign may be missing: NaN)."""
    res = _run(small, ov, seed)
    assert (res.monthly["tax"] >= 0).all(), res.monthly.loc[res.monthly["tax"] < 0, ["arm", "month", "tax"]]
    k = res.kpis.iloc[0]
    assert k["tax_with"] >= 0 and k["tax_without"] >= 0
    assert math.isnan(k["tax_before"]) or k["tax_before"] >= 0


@pytest.mark.slow
@property_settings()
@given(ov=scenario_overrides(enabled=False), seed=SEEDS)
def test_campaign_disabled_gives_identical_arms(small, ov, seed):
    """With the campaign disabled, the with and without arms are exactly the same world:
    every monthly field equal bit for bit, no visit, no seal, extra tax exactly 0."""
    res = _run(small, ov, seed, replications=2)
    m = res.monthly
    w = m[m.arm == "with"].reset_index(drop=True)
    wo = m[m.arm == "without"].reset_index(drop=True)
    assert len(w) == len(wo) > 0
    np.testing.assert_array_equal(w[list(FIELDS)].to_numpy(), wo[list(FIELDS)].to_numpy())
    k = res.kpis
    assert (k["extra_tax"] == 0).all() and (k["pumps_sealed"] == 0).all() and (k["visits"] == 0).all()
    assert ((k["uplift"] == 0) | (k["tax_without"] == 0) & k["uplift"].isna()).all()
    assert res.visits.empty


@pytest.mark.slow
@property_settings()
@given(ov=scenario_overrides(enabled=True), seed=SEEDS)
def test_each_station_is_sealed_once_per_cycle_and_never_before_the_campaign(small, ov, seed):
    """In the visit log of every replication: at most one first visit per station, and it
    comes before the station's re-verifications; consecutive visits of a station are at
    least 28 × reverification_months days apart (none when it is 0); no visit starts
    before the campaign start day, and a visit never ends before it starts."""
    sc = small(ov)
    res = simulator.run(sc, replications=2, seed=seed)
    v = res.visits
    start_day = (sc.campaign.start - sc.scenario.start).days
    months = sc.campaign.reverification_months
    assert (v["start_day"] >= start_day).all(), v[v["start_day"] < start_day]
    assert (v["end_day"] >= v["start_day"]).all()
    assert v["team"].between(0, sc.campaign.teams - 1).all()
    assert set(v["kind"]) <= {"first", "reverification"}
    first = v[v.kind == "first"]
    assert not first.duplicated(["replication", "station"]).any()
    if months == 0:
        assert (v.kind == "first").all()
    for (_, _), g in v.sort_values("start_day").groupby(["replication", "station"]):
        assert g["kind"].iloc[0] == "first" and (g["kind"].iloc[1:] == "reverification").all(), g
        gap = g["start_day"].to_numpy()[1:] - np.floor(g["end_day"].to_numpy()[:-1])
        assert (gap >= 28 * months - 1e-9).all(), g
    # every sealed dispenser was sealed by a first visit of its station
    assert (res.kpis["pumps_sealed"] <= res.kpis["pumps"]).all()


def _later(x: float) -> float:
    return math.inf if math.isnan(x) else x


@pytest.mark.slow
@property_settings()
@given(ov=scenario_overrides(enabled=True), teams=st.integers(1, 5), seed=SEEDS)
def test_one_more_team_never_delays_completion(small, ov, teams, seed):
    """With the same seed, teams k+1 finish sealing no later than teams k (a campaign
    that does not finish counts as later than any number of days), and seal at least as
    many dispensers."""
    k = _run(small, {**ov, "campaign.teams": teams}, seed, replications=2).kpis
    k1 = _run(small, {**ov, "campaign.teams": teams + 1}, seed, replications=2).kpis
    for a, b in zip(k["completion_days"], k1["completion_days"], strict=True):
        assert _later(b) <= _later(a) + 1e-9, (teams, a, b)
    assert (k1["pumps_sealed"].to_numpy() >= k["pumps_sealed"].to_numpy()).all()


@pytest.mark.slow
@property_settings()
@given(ov=scenario_overrides(), seed=SEEDS)
def test_before_after_decomposition_adds_up(small, ov, seed):
    """uplift_growth + uplift_compliance + uplift_metrology == uplift_before_after (1e-12,
    relative to the uplift when it is above 1); all four are NaN together when the months
    before the campaign carry no tax or lie outside the horizon."""
    k = _run(small, ov, seed, replications=2).kpis
    parts = k["uplift_growth"] + k["uplift_compliance"] + k["uplift_metrology"]
    ba = k["uplift_before_after"]
    both_nan = parts.isna() & ba.isna()
    close = (parts - ba).abs() <= 1e-12 * np.maximum(1.0, ba.abs())
    assert (both_nan | close).all(), pd.DataFrame({"parts": parts, "before_after": ba})


@pytest.mark.slow
@pytest.mark.skipif("station_detail" not in Run.model_fields,
                    reason="Results.stations (run.station_detail) is not in the package yet")
@property_settings()
@given(ov=scenario_overrides(), seed=SEEDS)
def test_litres_are_conserved_per_station_and_month(small, ov, seed):
    """With run.station_detail: per station, month and arm, true litres = declared +
    undeclared (1e-9 relative) with neither part negative; the stations add up to the
    monthly table; every station has a row for every month in both arms."""
    res = _run(small, {**ov, "run.station_detail": True}, seed, replications=2)
    if not hasattr(res, "stations"):
        pytest.skip("Results has no `stations` table yet")
    s = res.stations
    assert list(s.columns) == ["replication", "arm", "month", "station", "true_litres", "declared_litres",
                               "undeclared_litres"]
    gap = s["true_litres"] - s["declared_litres"] - s["undeclared_litres"]
    assert (gap.abs() <= 1e-9 * s["true_litres"].abs() + 1e-9).all(), s[gap.abs() > 1e-9 * s["true_litres"].abs()]
    slack = 1e-9 * s["true_litres"].abs() + 1e-9
    assert (s["declared_litres"] >= -slack).all() and (s["undeclared_litres"] >= -slack).all()
    m = res.monthly.set_index(["replication", "arm", "month"])
    total = s.groupby(["replication", "arm", "month"])[["true_litres", "declared_litres"]].sum()
    joined = total.join(m[["true_litres", "declared_litres"]].add_suffix("_monthly"))
    for col in ("true_litres", "declared_litres"):
        np.testing.assert_allclose(joined[col], joined[f"{col}_monthly"], rtol=1e-9, atol=1e-6)
    stations = res.kpis["stations"].to_numpy()
    per_rep = s.groupby("replication").size().to_numpy()
    np.testing.assert_array_equal(per_rep, stations * 2 * res.monthly["month"].nunique())


# ---- numeric edge cases -------------------------------------------------------------------------

def _run_quiet(sc, replications=2, seed=0) -> simulator.Results:
    """Run with every warning an error (as pytest's filterwarnings does, stated here too)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return simulator.run(sc, replications=replications, seed=seed)


def test_a_district_with_zero_stations_next_to_a_non_empty_one(small):
    """districts = {A = 0, B = 3}: runs without warnings; A appears with no dispensers,
    every visit is in B, and the campaign completes."""
    res = _run_quiet(small({"network.districts": {"A": 0, "B": 3}}))
    assert (res.kpis["stations"] == 3).all() and (res.kpis["completed"] == 1).all()
    d = res.districts.set_index(["replication", "district"])
    assert (d.xs("A", level="district")["pumps"] == 0).all()
    assert (d.xs("A", level="district")["tax_with"] == 0).all()
    assert set(res.visits["district"]) == {"B"}


def test_one_dispenser_in_total(small):
    """One station with one dispenser: it is sealed, the campaign completes and the
    uplift is a finite number."""
    res = _run_quiet(small({"network.districts": {"A": 1}, "network.pumps_per_station": 1}))
    k = res.kpis
    assert (k["pumps"] == 1).all() and (k["pumps_sealed"] == 1).all() and (k["share_sealed"] == 1).all()
    assert np.isfinite(k["completion_days"]).all() and np.isfinite(k["uplift"]).all()


def test_zero_demand_gives_zero_tax_and_nan_uplift(small, tmp_path, capsys):
    """demand.litres_per_pump_day = 0: tax is 0 in both arms and before, the uplifts are
    NaN (no base), and nothing crashes or warns — not the run, the summary, the saved
    folder nor the CLI."""
    sc = small({"demand.litres_per_pump_day": 0})
    res = _run_quiet(sc)
    k = res.kpis
    assert (k[["tax_with", "tax_without", "tax_before", "extra_tax"]] == 0).all().all()
    assert k["uplift"].isna().all() and k["uplift_before_after"].isna().all()
    assert (res.monthly[["true_litres", "declared_litres", "tax"]] == 0).all().all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summary = res.summary()
        res.save(tmp_path / "saved")
    assert summary.loc["uplift", "n"] == 0
    path = tmp_path / "zero.toml"
    path.write_text(sc.to_toml(), encoding="utf-8")
    assert main(["run", str(path), "-n", "2", "--out", str(tmp_path / "cli"), "--quiet", "--workers", "1"]) == 0
    assert capsys.readouterr().err == ""


def test_a_horizon_of_one_month(small):
    """scenario from 1 to 31 January, campaign from 2 January, a one-month window: runs;
    one month per arm; no months before, so the before/after figures are NaN."""
    sc = small({"scenario.start": "2017-01-01", "scenario.end": "2017-01-31", "campaign.start": "2017-01-02",
                "run.evaluation_months": 1})
    res = _run_quiet(sc)
    assert res.monthly.groupby(["replication", "arm"]).size().eq(1).all()
    k = res.kpis
    assert k["tax_before"].isna().all() and k["uplift_before_after"].isna().all()
    assert (k["tax_with"] >= k["tax_without"]).all() and (k["tax_without"] > 0).all()


def test_a_campaign_that_cannot_finish_is_reported_not_an_error(small, tmp_path, capsys):
    """One team, 30 stations of 4 dispensers at 10 hours each, starting in December: the
    run succeeds and reports share sealed < 1, completed 0 and no completion day; the
    CLI's headline says the campaign does not finish."""
    ov = {"network.districts": {"A": 30}, "network.pumps_per_station": 4, "campaign.minutes_per_pump": 600.0,
          "campaign.start": "2017-12-01", "run.evaluation_months": 1}
    sc = small(ov)
    res = _run_quiet(sc)
    k = res.kpis
    assert (k["share_sealed"] < 1).all() and (k["share_sealed"] > 0).all()
    assert (k["completed"] == 0).all() and k["completion_days"].isna().all()
    path = tmp_path / "slow.toml"
    path.write_text(sc.to_toml(), encoding="utf-8")
    assert main(["run", str(path), "-n", "2", "--out", str(tmp_path / "r"), "--quiet", "--workers", "1"]) == 0
    out = capsys.readouterr()
    assert "finishes within the horizon in only" in out.out and out.err == ""


@pytest.mark.parametrize("overrides", [
    {"network.districts": {"A": 10**9}},
    {"network.districts": {"A": 3, "B": 2}, "network.pumps_per_station": 10**7},
    {"network.districts": {"A": {"dist": "poisson", "mean": 1e9}}},
    {"network.districts": {f"D{i}": 10**6 for i in range(3)}},
], ids=["district_of_1e9_stations", "pumps_per_station_1e7", "poisson_mean_1e9", "three_districts_of_1e6"])
def test_huge_counts_fail_fast_before_allocating(small, overrides):
    """Networks far beyond MAX_DISPENSERS are refused at validation with a ScenarioError
    naming network.districts — quickly and without allocating the network."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(simulator.ScenarioError, match=r"network\.districts: .*more than this tool handles"):
            small(overrides)
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < 20 * 2**20  # a network of MAX_DISPENSERS float arrays alone would be ~16 MB each


def test_huge_register_fails_fast(tmp_path):
    """A register whose pumps add up beyond MAX_DISPENSERS is refused with a ScenarioError
    naming the register file."""
    (tmp_path / "register.csv").write_text("id,district,operator,pumps,litres_per_day\n"
                                           f"S1,A,,{MAX_DISPENSERS},\nS2,A,,1,\n", encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(_REGISTER_SCENARIO, encoding="utf-8")
    with pytest.raises(simulator.ScenarioError, match=r"register\.csv: .*more than this tool handles"):
        simulator.load_scenario(path)


_REGISTER_SCENARIO = """
[scenario]
name = "huge register"
start = 2016-01-01
end = 2017-12-31
[network]
register = "register.csv"
[demand]
litres_per_pump_day = 800
price_per_litre = 17000
[tax]
rate = 0.015
[behaviour]
undeclared_share = 0.1
[campaign]
start = 2017-01-02
teams = 1
"""


# ---- a bug found here, now guarded -------------------------------------------------------------

def test_large_dispenser_errors_never_make_tax_negative(small):
    """The largest metrology.error_sd the schema allows (0.1), one dispenser, seed 105: tax
    stays ≥ 0 and declared litres ≤ true litres (errors are clipped to ±50%); 0.5 is refused."""
    with pytest.raises(simulator.ScenarioError, match="metrology.error_sd"):
        small({"metrology.error_sd": 0.5})
    sc = small({"metrology.error_sd": 0.1, "network.districts": {"A": 1}, "network.pumps_per_station": 1})
    m = simulator.run(sc, replications=1, seed=105).monthly
    assert (m["tax"] >= 0).all()
    assert (m["declared_litres"] <= m["true_litres"] + 1e-9 * m["true_litres"].abs()).all()
