"""The command line as planners use it: the built-in scenario, --json, --set, the run
folder, every example in scenarios/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simulator
from simulator.cli import main

ROOT = Path(__file__).parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
SCRIPTS = sorted((ROOT / "scenarios").glob("*.py"))


def test_builtin_scenario_is_the_shipped_hanam_file():
    """The package's built-in scenario is byte-identical to scenarios/hanam_2017.toml."""
    assert simulator.scenario.builtin_path().read_bytes() == (ROOT / "scenarios" / "hanam_2017.toml").read_bytes()


def test_builtin_run_lands_near_the_published_16_5_percent(tmp_path, capsys):
    """`fuelseal run --json` on the built-in scenario with its default replications:
    mean before/after uplift within 16.5% ± 3 points, full coverage, and the JSON shape."""
    assert main(["run", "--json", "--out", str(tmp_path / "r"), "--workers", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"kpis", "scenario", "replications", "seed"}
    assert out["replications"] == 200 and out["seed"] == 2017
    for name in ("uplift", "uplift_before_after", "extra_tax", "tax_with", "tax_without", "completion_days",
                 "pumps_sealed", "team_days", "cost", "benefit_cost_ratio"):
        assert set(out["kpis"][name]) == {"mean", "sd", "p05", "p50", "p95"}
    ba = out["kpis"]["uplift_before_after"]
    assert 0.135 <= ba["mean"] <= 0.195
    assert ba["p05"] < ba["mean"] < ba["p95"]
    assert out["kpis"]["share_sealed"]["mean"] == 1.0


def test_run_writes_a_complete_run_folder_that_loads_back(tmp_path, capsys):
    """The run folder holds every table as CSV and Parquet, a manifest and the resolved
    scenario; loading it back gives the same tables, and the scenario reloads."""
    out = tmp_path / "run"
    assert main(["run", str(ROOT / "tests" / "data" / "with_register.toml"), "-n", "3", "--seed", "9",
                 "--set", "campaign.teams=2", "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Run folder" in text and "90% interval" in text
    for name in ("kpis", "summary", "monthly", "districts", "visits"):
        assert (out / f"{name}.csv").exists() and (out / f"{name}.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 9 and manifest["replications"] == 3
    assert manifest["resolved_scenario"]["campaign"]["teams"] == 2
    assert len(manifest["scenario_sha256"]) == 64 and manifest["versions"]["numpy"]
    loaded = simulator.Results.load(out)
    again = simulator.run(loaded.scenario, replications=3, seed=9)
    pd.testing.assert_frame_equal(loaded.kpis, again.kpis)
    pd.testing.assert_frame_equal(loaded.monthly, again.monthly)
    pd.testing.assert_frame_equal(loaded.districts, again.districts)
    pd.testing.assert_frame_equal(loaded.visits, again.visits)
    assert loaded.scenario.register.ids == ("HN-001", "HN-002", "HN-003", "HN-004")


def test_set_overrides_change_the_run(tmp_path, capsys):
    """--set campaign.enabled=false gives zero uplift; --set accepts inline tables."""
    args = ["run", str(ROOT / "tests" / "data" / "minimal.toml"), "-n", "2", "--json", "--quiet"]
    assert main([*args, "--set", "campaign.enabled=false", "--out", str(tmp_path / "a")]) == 0
    off = json.loads(capsys.readouterr().out)
    assert off["kpis"]["uplift"]["mean"] == 0.0
    assert main([*args, "--set", 'behaviour.undeclared_share={ dist = "beta", mean = 0.3, sd = 0.1 }',
                 "--out", str(tmp_path / "b")]) == 0
    on = json.loads(capsys.readouterr().out)
    assert on["kpis"]["uplift"]["mean"] > 0.2


def test_validate_reports_ok(capsys):
    """`fuelseal validate` names the scenario and its network."""
    assert main(["validate", str(SCENARIOS[0])]) == 0
    assert "ok" in capsys.readouterr().out


def test_register_drives_the_network_and_route_order():
    """Stations come from the register; route order follows campaign.district_order."""
    sc = simulator.load_scenario(ROOT / "tests" / "data" / "with_register.toml")
    res = simulator.run(sc, replications=1)
    assert res.kpis["stations"].iloc[0] == 4 and res.kpis["pumps"].iloc[0] == 10
    assert list(res.visits.sort_values("start_day")["station"]) == ["HN-004", "HN-001", "HN-002", "HN-003"]
    d = res.districts.set_index("district")
    assert d.loc["Phủ Lý", "pumps"] == 5 and d.loc["Kim Bảng", "pumps"] == 4


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_every_scenario_file_runs(path, tmp_path):
    """Every scenario in scenarios/ validates and runs at a small replication count."""
    sc = simulator.load_scenario(path)
    res = simulator.run(sc, replications=3)
    assert np.isfinite(res.kpis["uplift"]).all()
    res.save(tmp_path / "r")


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_every_scenario_script_runs(path, tmp_path):
    """Every scenario script runs as a planner would run it (copied into a scratch folder)."""
    work = tmp_path / "scenarios"
    work.mkdir()
    for f in (ROOT / "scenarios").iterdir():
        if f.is_file():
            (work / f.name).write_bytes(f.read_bytes())
    data = ROOT / "scenarios" / "data"
    if data.is_dir():
        (work / "data").mkdir()
        for f in data.iterdir():
            (work / "data" / f.name).write_bytes(f.read_bytes())
    proc = subprocess.run([sys.executable, str(work / path.name), "5"], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "90% interval" in proc.stdout
