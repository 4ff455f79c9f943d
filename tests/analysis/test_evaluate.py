"""Did it work? Each estimator on panels whose answer is known: a constant effect it must cover, no effect
it must centre on, and bad input refused in one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import known_panel

from simulator.analysis.evaluate import evaluate
from simulator.errors import ScenarioError


@pytest.mark.parametrize("effect", [0.10, 0.0])
def test_interrupted_time_series_covers_a_known_effect(effect):
    (e,) = evaluate(known_panel(effect), ["its"])
    assert e.low <= effect <= e.high and e.high - e.low < 0.05
    assert all(r["low"] <= r["estimate"] <= r["high"] for r in e.by_event_time)


@pytest.mark.parametrize("effect", [0.10, 0.0])
def test_difference_in_differences_covers_a_known_effect(effect):
    """Callaway–Sant'Anna against the units not yet treated: the truth inside the interval, inside most event
    times' 90% intervals after the start (each misses one time in ten), and the months before the start
    centred on 0."""
    (e,) = evaluate(known_panel(effect), ["did"])
    assert e.low <= effect <= e.high and e.high - e.low < 0.05
    after = [r for r in e.by_event_time if 0 <= r["event_time"] <= 5]
    assert len(after) == 6 and sum(r["low"] <= effect <= r["high"] for r in after) >= 4
    before = [r["estimate"] for r in e.by_event_time if r["event_time"] < 0]
    assert abs(np.mean(before)) < 0.01


def test_difference_in_differences_measures_the_effect_on_the_tax_collected():
    """A quarter of the units collect ten times the tax and gain 5%; the rest gain 20%. The effect on the
    tax collected is about 8% — what the truth measures (Σ with − without / Σ without) — not the 16% a
    province average would give: each unit is weighted by its tax before any start."""
    from simulator.analysis.evaluate import target_truth

    rng = np.random.default_rng(3)
    month = pd.date_range("2015-01-01", periods=30, freq="MS")
    rows = []
    for u in range(40):
        big = u % 4 == 0
        level, effect, start = (23.0 if big else 20.7), (0.05 if big else 0.20), 14 + u % 10
        for t, m in enumerate(month):
            base = np.exp(level + 0.004 * t + rng.normal(0, 0.02))
            rows.append({"unit": f"u{u:02d}", "month": m, "treated_from": month[start], "tax_without": base,
                         "tax": base * (1 + effect if t >= start else 1.0), "litres": np.nan, "price_index": 1.0})
    full = pd.DataFrame(rows)
    truth = target_truth(full, "did")
    (e,) = evaluate(full.drop(columns="tax_without"), ["did"])
    assert 0.07 < truth < 0.10 and e.low <= truth <= e.high


@pytest.mark.parametrize("effect", [0.10, 0.0])
def test_synthetic_control_covers_a_known_effect(effect):
    """Each cohort against a mix of the units not yet treated over its first six months: the truth inside the
    interval (placebos make it), nothing before the start."""
    (e,) = evaluate(known_panel(effect), ["synth"])
    assert e.low <= effect <= e.high and e.high - e.low < 0.05
    assert [r["event_time"] for r in e.by_event_time] == list(range(6))
    before = e.series[e.series["event_time"] < 0]
    assert abs(before["observed"].sum() / before["synthetic"].sum() - 1) < 0.01


def test_synthetic_control_reproduces_a_hand_built_case_exactly():
    """A unit whose log tax is 0.3 of one donor's and 0.7 of another's (plus its own level) before its start,
    and exactly 10% more after: the weights come back as 0.3 and 0.7 and the effect as 10.0%. The other donors
    move in ways no mix of theirs can follow."""
    from simulator.analysis.evaluate import synth, synth_weights

    month = pd.date_range("2016-01-01", periods=18, freq="MS")
    t = np.arange(18)
    paths = {"d1": np.sin(t / 2.0), "d2": 0.02 * t, "d3": np.cos(t / 3.0) ** 2, "d4": -0.03 * t + 0.01 * (t % 3),
             "d5": 0.05 * (t % 4), "d6": np.sqrt(t) / 10}
    rows = []
    for name, p in paths.items():
        rows += [{"unit": name, "month": m, "treated_from": pd.NaT, "tax": float(np.exp(20 + p[k]))}
                 for k, m in enumerate(month)]
    own = 21 + 0.3 * paths["d1"] + 0.7 * paths["d2"] + np.log(1.10) * (t >= 12)
    rows += [{"unit": "treated", "month": m, "treated_from": month[12], "tax": float(np.exp(own[k]))}
             for k, m in enumerate(month)]
    panel = pd.DataFrame(rows)
    donors = np.column_stack([p[:12] - p[:12].mean() for p in paths.values()])
    mine = own[:12] - own[:12].mean()
    assert synth_weights(donors, mine) == pytest.approx([0.3, 0.7, 0, 0, 0, 0], abs=1e-4)
    e = synth(panel)
    assert e.estimate == pytest.approx(0.10, abs=1e-4)
    assert all(r["estimate"] == pytest.approx(0.10, abs=1e-4) for r in e.by_event_time)
    assert set(e.cells["month"]) == set(month[12:18]) and set(e.cells["unit"]) == {"treated"}


def test_one_province_alone_is_a_time_series():
    """An observed series of one province (Hà Nam's): its answers; the comparisons say they need other units."""
    panel = known_panel(0.1, noise=0.01)
    one = panel[panel["unit"] == "u01"]
    its_, did_, synth_ = evaluate(one, ["its", "did", "synth"])
    assert its_.low <= 0.1 <= its_.high
    assert did_.estimate is None and "one unit only" in did_.notes[0]
    assert synth_.estimate is None and "one unit only" in synth_.notes[0]
    with pytest.raises(ScenarioError, match="one unit only"):
        evaluate(one, ["did"])


def test_difference_in_differences_needs_someone_to_compare_with():
    panel = known_panel(0.1)
    panel["treated_from"] = panel["month"].min() + pd.DateOffset(months=18)  # every unit at once
    with pytest.raises(ScenarioError, match="no comparison"):
        evaluate(panel, ["did"])


def test_an_unknown_method_or_level_is_refused():
    with pytest.raises(ScenarioError, match="unknown method 'ols'"):
        evaluate(known_panel(0.1), ["ols"])
    with pytest.raises(ScenarioError, match="level between 0 and 1"):
        evaluate(known_panel(0.1), ["its"], level=1.5)


def test_a_missing_estimator_package_names_the_extra(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_statsmodels(name, *args, **kw):
        if name.startswith("statsmodels"):
            raise ImportError(name)
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_statsmodels)
    import importlib

    monkeypatch.setattr(importlib, "import_module", lambda name: no_statsmodels(name))
    with pytest.raises(ScenarioError, match=r"fuelseal\[evaluate\]"):
        evaluate(known_panel(0.1), ["its"])


def test_the_command_prints_each_method_and_its_json(tmp_path, capsys):
    import json

    from simulator.cli import main

    panel = known_panel(0.1)
    path = tmp_path / "panel.csv"
    table = panel.assign(month=panel["month"].dt.strftime("%Y-%m-%d"),
                         treated_from=panel["treated_from"].dt.strftime("%Y-%m-%d"))
    table.to_csv(path, index=False)
    assert main(["evaluate", str(path), "--method", "its", "--json"]) == 0
    (its,) = json.loads(capsys.readouterr().out)
    assert set(its) == {"method", "estimate", "low", "high", "by_event_time", "notes"} and its["method"] == "its"
    assert its["low"] <= 0.1 <= its["high"]
    assert main(["evaluate", str(path), "--method", "its"]) == 0
    out = capsys.readouterr().out
    n = sum(36 - (18 + u % 12) for u in range(30) if u % 5)  # every treated unit's months from its start
    assert f"over {n} unit-months, months 0 to 17 after each start" in out  # what the estimate speaks for
    assert main(["evaluate", str(path), "--lang", "vi"]) == 0
    out = capsys.readouterr().out
    assert "tác động trên các địa bàn" in out and " đến " in out
    assert main(["evaluate", str(path), "--method", "ols"]) == 2
    assert "unknown method 'ols'" in capsys.readouterr().err
    assert main(["evaluate", str(path), "--method", "its", "--covariates", "litres"]) == 2
    assert "cannot adjust for 'litres'" in capsys.readouterr().err
    assert main(["evaluate", str(path), "--method", "its", "--covariates", "none", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["low"] <= 0.1
    assert main(["evaluate", str(tmp_path / "missing.csv")]) == 2


def test_each_method_is_judged_on_the_months_it_estimates():
    """Without untreated units, difference-in-differences says nothing after the last cohort starts: its truth
    stops there; the time series' covers every month from each start."""
    from simulator.analysis.evaluate import target_truth

    month = pd.date_range("2017-01-01", periods=4, freq="MS")
    rows = []
    for unit, start in (("early", month[1]), ("late", month[3])):
        for m in month:
            on = m >= start
            rows.append({"unit": unit, "month": m, "treated_from": start, "tax_without": 100.0,
                         "tax": 100.0 + (10.0 if on and m < month[3] else 30.0 if on else 0.0)})
    panel = pd.DataFrame(rows)
    # did: early's months 2 and 3 (before late starts), +10 each; its: those and both units' month 4 (+30)
    assert target_truth(panel, "did") == pytest.approx(0.10)
    assert target_truth(panel, "its") == pytest.approx((10 + 10 + 30 + 30) / 400)


def test_the_simulation_study_reports_each_method(small):
    import datetime as dt

    from simulator.analysis.evaluate import check
    from simulator.analysis.panel import simulate_panels

    sc = small({"network.districts": {"A": 3, "B": 3, "C": 3, "D": 3}, "campaign.teams": 5,
                "campaign.districts": {"C": {"start": dt.date(2017, 3, 1), "teams": 5},
                                       "D": {"start": dt.date(2017, 5, 1), "teams": 5}}})
    result = check(simulate_panels(sc, 3, 2, workers=1, progress=False), ["did", "its"])
    s = result.summary().set_index("method")
    assert list(s.index) == ["did", "its"] and (s["panels"] == 3).all()
    assert s["coverage"].between(0, 1).all() and (s["rmse"] >= s["bias"].abs()).all()
    assert "covers the truth" in result.text() and "chứa giá trị thật" in result.text("vi")
    assert {m["method"] for m in result.to_json()["methods"]} == {"did", "its"}


def test_the_command_checks_the_estimators_on_a_scenario(tmp_path, capsys, small):
    import datetime as dt
    import json

    from simulator.cli import main

    sc = small({"network.districts": {"A": 3, "B": 3, "C": 3}, "campaign.teams": 5,
                "campaign.districts": {"C": {"start": dt.date(2017, 4, 3), "teams": 5}}})
    path = tmp_path / "s.toml"
    path.write_text(sc.to_toml(), encoding="utf-8")
    assert main(["evaluate", "--check", str(path), "-n", "2", "--workers", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["level"] == 0.9 and {m["method"] for m in out["methods"]} == {"did", "synth", "its"}
    # three districts leave synthetic control no donors: it says so rather than failing the study
    synth = next(m for m in out["methods"] if m["method"] == "synth")
    assert synth["estimated"] == 0 and synth["coverage"] is None
    assert main(["evaluate", "panel.csv", "--check", str(path)]) == 2
    assert "not a panel" in capsys.readouterr().err


def test_the_truth_and_reach_are_measured_over_the_cells_an_estimate_names():
    """Two units, tax without 100 a month; early gains +10 in its months 2–3, late +30 in month 4. An estimate
    of early's two months has truth 10% and speaks for half the treated months' tax (200 of 400)."""
    from simulator.analysis.evaluate import reach, truth_over

    month = pd.date_range("2017-01-01", periods=4, freq="MS")
    rows = [{"unit": u, "month": m, "treated_from": s, "tax_without": 100.0,
             "tax": 100.0 + (10.0 if u == "early" and m >= s else 30.0 if u == "late" and m >= s else 0.0)}
            for u, s in (("early", month[1]), ("late", month[3])) for m in month]
    panel = pd.DataFrame(rows)
    cells = pd.DataFrame({"unit": ["early", "early"], "month": month[1:3]})
    assert truth_over(panel, cells) == pytest.approx(0.10)
    assert reach(panel, cells) == pytest.approx(200 / 400)


def test_difference_in_differences_measures_an_effect_that_grows_as_the_truth_does():
    """An effect that grows from 5% to 40% over the months since the start: the mean log effect (exp(ATT) − 1)
    falls short of the effect on the tax collected over the same months; did reports the latter (a ratio of
    sums, like the truth) and its interval holds it."""
    from simulator.analysis.evaluate import truth_over

    rng = np.random.default_rng(5)
    month = pd.date_range("2015-01-01", periods=30, freq="MS")
    rows = []
    for u in range(30):
        start = 14 + u % 10
        for t, m in enumerate(month):
            base = np.exp(20 + 0.004 * t + rng.normal(0, 0.005))
            k = t - start
            rows.append({"unit": f"u{u:02d}", "month": m, "treated_from": month[start], "tax_without": base,
                         "tax": base * (1 + min(0.05 + 0.05 * k, 0.40) if k >= 0 else 1.0), "litres": np.nan,
                         "price_index": 1.0})
    full = pd.DataFrame(rows)
    (e,) = evaluate(full.drop(columns="tax_without"), ["did"])
    truth = truth_over(full, e.cells)
    assert e.low <= truth <= e.high and abs(e.estimate - truth) < 0.003


def _rows(method, truths, lows, highs):
    return [{"replication": i, "method": method, "estimate": (lo + hi) / 2, "low": lo, "high": hi, "truth": t,
             "reach": 1.0, "note": None} for i, (t, lo, hi) in enumerate(zip(truths, lows, highs))]


def test_the_verdict_wants_honest_intervals_that_say_something_and_enough_panels():
    """Thirty panels, truth 0.10 in each. 'narrow' is ±0.001 around 0.10 but misses a third of the time (shifted
    off in ten panels); 'wide' always covers at ±0.5; 'good' covers 29 of 30 at ±0.01. The interval score picks
    'good': neither the one that misses nor the one that says little. Under 20 panels there is no verdict."""
    from simulator.analysis.evaluate import Check

    n = 30
    truth = [0.10] * n
    narrow = _rows("narrow", truth, [0.099 if i >= 10 else 0.2 for i in range(n)],
                   [0.101 if i >= 10 else 0.21 for i in range(n)])
    wide = _rows("wide", truth, [-0.4] * n, [0.6] * n)
    good = _rows("good", truth, [0.09 if i else 0.12 for i in range(n)], [0.11 if i else 0.13 for i in range(n)])
    study = Check(pd.DataFrame(narrow + wide + good), 0.9, {"narrow": 1.0, "wide": 1.0, "good": 1.0})
    s = study.summary().set_index("method")
    assert s.loc["narrow", "coverage"] == pytest.approx(20 / 30) and s.loc["good", "coverage"] == pytest.approx(29 / 30)
    assert study.coverage_floor() == pytest.approx(0.9 - 1.645 * np.sqrt(0.09 / 30))
    assert study.trusted() == "good" and study.to_json()["trusted"] == "good"
    few = Check(pd.DataFrame([r for r in good if r["replication"] < 10]), 0.9, {"good": 1.0})
    assert few.trusted() is None and few.to_json()["trusted"] is None


def test_the_time_series_adjusts_for_prices_only_when_asked_and_never_for_litres():
    """A price jump at the start explains the whole rise in tax (elasticity 1, no campaign effect): adjusting
    for the price index the time series finds about 0; without, about the price jump. Litres are refused in one
    line: read only from a unit's first seal, they are partly the campaign's doing."""
    rng = np.random.default_rng(8)
    month = pd.date_range("2015-01-01", periods=30, freq="MS")
    rows = []
    for u in range(8):
        start = 16 + u % 4
        for t, m in enumerate(month):
            price = 1.0 + 0.04 * np.sin(t / 2 + u) + (0.12 if t >= start else 0.0)  # prices move before, then jump
            rows.append({"unit": f"u{u}", "month": m, "treated_from": month[start], "litres": np.nan,
                         "price_index": price, "tax": float(np.exp(20 + rng.normal(0, 0.003)) * price)})
    panel = pd.DataFrame(rows)
    (adjusted,) = evaluate(panel, ["its"])
    (raw,) = evaluate(panel, ["its"], covariates=())
    assert abs(adjusted.estimate) < 0.01 and raw.estimate > 0.08
    with pytest.raises(ScenarioError, match="cannot adjust for 'litres': litres are read only from"):
        evaluate(panel, ["its"], covariates=("litres",))
