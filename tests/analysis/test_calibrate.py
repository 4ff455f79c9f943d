"""Calibration: recovering a known parameter from a synthetic target (one figure, and a
monthly series), the interval around it, the `calibrate` command, and every bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import run_command as cli

import simulator
from simulator.analysis import TargetUnreachable, calibrate, read_observed
from simulator.analysis.points import BETA_SD_FRACTION, with_values

KNOWN = 0.15  # the undeclared share mean the `evasive` scenario is built with
PARAM = "behaviour.undeclared_share.mean"



def synthetic_monthly_tax(sc: simulator.Scenario, replications: int, seed: int) -> pd.Series:
    res = simulator.run(sc, replications, seed)
    return res.monthly[res.monthly["arm"] == "with"].groupby("month")["tax"].mean()


def test_single_target_recovers_the_generating_value(evasive):
    """A before/after uplift simulated at a known undeclared share (many replications, another
    seed) is calibrated back to that share, inside the reported interval; brentq hits the
    target on its own replications to far less than their Monte Carlo error."""
    sc = evasive()
    target = float(simulator.run(sc, 200, 99).kpis["uplift_before_after"].mean())
    cal = calibrate(sc.with_overrides({PARAM: 0.3}), {"uplift_before_after": target}, {PARAM: (0.001, 0.6)},
                    replications=40, seed=1)
    lo, hi = cal.intervals[PARAM]
    assert cal.method == "brentq"
    assert lo <= KNOWN <= hi and lo < cal.parameters[PARAM] < hi
    assert abs(cal.parameters[PARAM] - KNOWN) < 0.02
    # brentq stops within a ten-thousandth of the bounds (calibrate.XTOL): the target is hit to well under a
    # hundredth of the Monte Carlo standard error (~0.003), not to the last digit
    assert cal.achieved["uplift_before_after"] == pytest.approx(target, abs=1e-4)
    assert cal.scenario.behaviour.undeclared_share.mean == pytest.approx(cal.parameters[PARAM])
    # the observation reading (one province's figure) is wider than Monte Carlo precision
    olo, ohi = cal.intervals_by_method["observation"][PARAM]
    assert olo < lo and ohi > hi


def test_monthly_series_recovers_the_generating_value(evasive, tmp_path):
    """A monthly tax series (mean of many replications at the known share, written as CSV) is
    fitted by least squares back to that share, inside the reported interval, with a
    near-perfect fit."""
    observed = synthetic_monthly_tax(evasive(), 150, 77)
    path = tmp_path / "observed.csv"
    pd.DataFrame({"month": observed.index.strftime("%Y-%m"), "tax": observed.round().to_numpy()}).to_csv(
        path, index=False)
    cal = calibrate(evasive({PARAM: 0.05}), parameters={PARAM: (0.01, 0.5)}, observed=path, replications=30, seed=1)
    lo, hi = cal.intervals[PARAM]
    assert cal.method == "least_squares"
    assert lo <= KNOWN <= hi
    assert abs(cal.parameters[PARAM] - KNOWN) < 0.03
    assert cal.fit["relative_rmse"] < 0.02
    assert list(cal.fitted_series.index) == list(observed.index)
    doc = cal.to_json()
    assert doc["target"]["months"] == 24 and doc["target"]["observed"] == str(path)


def test_two_parameters_two_targets_by_least_squares(evasive):
    """Two targets generated at known values (undeclared share 0.15, demand growth 8% a year)
    are matched by least squares: the causal uplift pins the share, the before/after uplift
    then pins the growth; each value is recovered within its (99%) interval."""
    growth = "demand.annual_growth.mean"
    truth = evasive({"demand.annual_growth": {"dist": "normal", "mean": 0.08, "sd": 0.02, "min": -0.5}})
    kpis = simulator.run(truth, 200, 5).kpis
    target = {"uplift_before_after": float(kpis["uplift_before_after"].mean()), "uplift": float(kpis["uplift"].mean())}
    start = evasive({"demand.annual_growth": {"dist": "normal", "mean": 0.02, "sd": 0.02, "min": -0.5}, PARAM: 0.3})
    cal = calibrate(start, target, {PARAM: (0.02, 0.5), growth: (-0.05, 0.2)}, replications=16, seed=3, level=0.99)
    assert cal.method == "least_squares"
    for name, known in ((PARAM, KNOWN), (growth, 0.08)):
        lo, hi = cal.intervals[name]
        assert lo <= known <= hi, (name, cal.parameters[name], lo, hi)
    assert max(abs(g) / target[k] for k, g in cal.fit["gap"].items()) < 1e-3


def test_unreachable_target_gives_the_closest_value_and_the_gap(evasive):
    """A target beyond any value in the bounds is an error that names the closest value and
    the gap, not a silent answer at the bound."""
    with pytest.raises(TargetUnreachable, match=r"out of reach .* the closest is 0\.3, giving 0\.\d+ "
                                                 r"\(gap -0\.\d+\)") as err:
        calibrate(evasive(), {"uplift_before_after": 0.9}, {PARAM: (0.02, 0.3)}, replications=5, seed=1)
    assert err.value.closest == {PARAM: pytest.approx(0.3)}
    assert err.value.gap["uplift_before_after"] < -0.3
    assert "\n" not in str(err.value)


def test_beta_mean_near_zero_keeps_a_valid_sd(evasive):
    """Moving a beta's mean towards 0 caps its sd so the distribution stays valid: bounds
    starting at 0.001 run instead of crashing."""
    sc = with_values(evasive(), {PARAM: 0.001})
    q = sc.behaviour.undeclared_share
    assert q.sd == pytest.approx(BETA_SD_FRACTION * np.sqrt(0.001 * 0.999))
    assert q.sd**2 < q.mean * (1 - q.mean)
    assert with_values(evasive(), {PARAM: 0.3}).behaviour.undeclared_share.sd == 0.05  # untouched where valid


@pytest.mark.parametrize(("parameters", "target", "match"), [
    ({PARAM: (0.3, 0.2)}, None, r"calibrate: behaviour\.undeclared_share\.mean: the range 0\.3:0\.2 is empty"),
    ({PARAM: (0.2, 0.2)}, None, r"the range 0\.2:0\.2 is empty"),
    ({PARAM: (0.0, 0.5)}, None, r"bound 0 is outside the parameter's domain: expected a share strictly between 0 "
                                r"and 1"),
    ({PARAM: (0.1, 1.5)}, None, r"bound 1\.5 is outside the parameter's domain"),
    ({"campaign.teams": (1, 4)}, None, r"campaign\.teams: takes whole numbers only"),
    ({"behaviour.undeclared_share": (0.1, 0.2)}, None, r"expected a numeric parameter, but it is \{ dist = 'beta'"),
    ({"behaviour.undeclared_shar.mean": (0.1, 0.2)}, None, r"unknown name: behaviour has no 'undeclared_shar'"),
    ({PARAM: (0.05, 0.5)}, {"upliftt": 0.2}, r"calibrate: upliftt: unknown KPI; expected one of uplift,"),
    ({PARAM: (0.05, 0.5)}, {"uplift": "high"}, r"calibrate: uplift: expected a number to aim at"),
    ({}, None, r"expected at least one parameter"),
])
def test_bad_calibration_inputs_are_one_line_errors(evasive, parameters, target, match):
    """Empty bounds, bounds outside the parameter's domain, whole-number or non-numeric
    parameters, unknown names and unknown KPIs each give a one-line ScenarioError."""
    with pytest.raises(simulator.ScenarioError, match=match) as err:
        calibrate(evasive(), target or {"uplift_before_after": 0.2}, parameters, replications=2, seed=1)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("text", "match"), [
    ("month,tax\n2016-01,100\n2016-02,110\n2016-04,120\n", r"missing month 2016-03"),
    ("month,tax\n2016-01,100\n2016-02,lots\n", r"row 3: tax: expected a number ≥ 0 \(VND\), got 'lots'"),
    ("month,tax\n2016-01,100\n2016-02,\n", r"row 3: tax: expected a number ≥ 0 \(VND\), got ''"),
    ("month,tax\n2016-01,100\n2016-01,110\n", r"row 3: month: 2016-01 repeats row 2"),
    ("month,tax\nJanuary,100\n", r"row 2: month: expected a month like 2017-01, got 'January'"),
    ("month,revenue\n2016-01,100\n", r"missing column 'tax'; expected columns month, tax"),
    ("month,tax\n", r"expected at least one month"),
])
def test_bad_observed_csv_is_a_one_line_error_naming_the_file(tmp_path, text, match):
    """Missing months, non-numeric or empty tax, repeated or unreadable months and missing
    columns each give a ScenarioError naming the file (and the row)."""
    path = tmp_path / "obs.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(simulator.ScenarioError, match=match) as err:
        read_observed(path)
    assert str(err.value).startswith(str(path))


def test_observed_months_outside_the_horizon(evasive, tmp_path):
    """Observed months the scenario does not simulate are named in the error."""
    path = tmp_path / "obs.csv"
    path.write_text("month,tax\n2017-12,100\n2018-01,110\n", encoding="utf-8")
    with pytest.raises(simulator.ScenarioError, match=r"month 2018-01 is outside the scenario's horizon"):
        calibrate(evasive(), parameters={PARAM: (0.05, 0.5)}, observed=path, replications=2, seed=1)


def test_calibrate_cli_json_and_calibrated_scenario(evasive, tmp_path, capsys):
    """`fuelseal calibrate --json` prints {"parameters": {name: {value, low, high}}, "target",
    "achieved"} and writes a calibrated scenario that loads back with the fitted value."""
    src = tmp_path / "s.toml"
    src.write_text(evasive().to_toml(), encoding="utf-8")
    out = tmp_path / "calibrated.toml"
    assert cli(["calibrate", str(src), "--param", f"{PARAM}=0.02:0.5", "--target", "uplift_before_after=0.2",
                "-n", "8", "--seed", "3", "--out", str(out), "--json", "--workers", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"parameters", "target", "achieved"} <= set(doc)
    p = doc["parameters"][PARAM]
    assert set(p) == {"value", "low", "high"} and p["low"] <= p["value"] <= p["high"]
    assert doc["target"] == {"uplift_before_after": 0.2}
    assert doc["achieved"]["uplift_before_after"] == pytest.approx(0.2, abs=1e-4)  # calibrate.XTOL
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Calibrated by fuelseal")
    assert simulator.load_scenario(out).behaviour.undeclared_share.mean == pytest.approx(p["value"])
    with pytest.raises(simulator.ScenarioError, match=r"exists \(choose another --out or add --overwrite\)"):
        cli(["calibrate", str(src), "--param", f"{PARAM}=0.02:0.5", "-n", "2", "--out", str(out)])


def test_calibrate_cli_bad_range_text(evasive, tmp_path):
    """A --param without a low:high range is a one-line error naming the flag and the name."""
    src = tmp_path / "s.toml"
    src.write_text(evasive().to_toml(), encoding="utf-8")
    with pytest.raises(simulator.ScenarioError, match=r"--param: behaviour\.undeclared_share\.mean: expected a "
                                                      r"range low:high"):
        cli(["calibrate", str(src), "--param", f"{PARAM}=0.2", "--out", str(tmp_path / "c.toml")])


def test_calibrate_cli_abc_fits_several_targets_jointly(evasive, tmp_path, capsys):
    """`fuelseal calibrate --method abc` with two --target values prints the posterior of both
    parameters and the joint fit (one line per target), and writes a scenario whose runs draw from it."""
    src = tmp_path / "s.toml"
    src.write_text(evasive().with_overrides({"metrology.short_delivery_stations": 0.05}).to_toml(), encoding="utf-8")
    out = tmp_path / "abc.toml"
    assert cli(["calibrate", str(src), "--method", "abc", "--param", f"{PARAM}=0.02:0.5",
                "--param", "metrology.short_delivery_stations=0:0.3", "--target", "uplift_before_after=0.2",
                "--target", "stations_fined=1", "--draws", "100", "--keep", "20", "--seed", "3", "--out", str(out),
                "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "Joint fit" in text
    assert "uplift_before_after: observed 0.2; simulated mean" in text
    assert "stations_fined: observed 1; simulated mean" in text
    assert f"{PARAM} = " in text and "metrology.short_delivery_stations = " in text
    sc = simulator.load_scenario(out)
    assert sc.calibration.parameters == [PARAM, "metrology.short_delivery_stations"] and len(sc.calibration.draws) == 20
    assert out.read_text(encoding="utf-8").startswith("# Calibrated by fuelseal")
    capsys.readouterr()
    assert cli(["calibrate", str(src), "--method", "abc", "--param", f"{PARAM}=0.02:0.5", "--target",
                "uplift_before_after=0.2", "--draws", "40", "--out", str(out), "--overwrite", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["method"] == "abc-rejection" and set(doc["parameters"][PARAM]) == {"mean", "sd", "low", "high", "prior"}
    assert doc["fit"]["uplift_before_after"]["observed"] == 0.2 and doc["calibrated_scenario"] == str(out)
