"""The resolved scenario: what the user wrote, kept as written, plus every default spelled out — and
it loads back to the same scenario (same digest, same numbers)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

import simulator
from simulator.cli import main

ROOT = Path(__file__).resolve().parents[2]
FILES = [ROOT / "scenarios" / "hanam_2017.toml", ROOT / "scenarios" / "vietnam_national.toml",
         ROOT / "scenarios" / "vietnam_rollout_2016_2017.toml",
         ROOT / "tests" / "data" / "minimal.toml", ROOT / "tests" / "data" / "with_register.toml"]


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_the_resolved_file_loads_back_to_the_same_scenario(path, tmp_path):
    sc = simulator.load_scenario(path)
    text = sc.to_toml("a header line")
    assert text.startswith("# a header line\n")
    copy = tmp_path / path.name
    copy.write_text(text, encoding="utf-8")
    if sc.register_path:  # the register beside it, as in a run folder
        (tmp_path / Path(sc.network.register_file).name).write_bytes(Path(sc.register_path).read_bytes())
    again = simulator.load_scenario(copy)
    assert again.digest() == sc.digest()
    assert again.model_dump() == sc.model_dump()  # every validated value, distributions included
    assert again.resolved() == sc.resolved()  # resolving is idempotent


def test_defaults_are_spelled_out_and_written_values_kept_as_written():
    raw = tomllib.loads((ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8"))
    sc = simulator.scenario_from_dict(raw)
    res = sc.resolved()
    assert "metrology" not in raw and res["metrology"]["mpe"] == 0.005  # a table left out appears whole
    assert res["enforcement"]["inspectors"] == 2 and res["run"]["seed"] == sc.run.seed
    for section, table in raw.items():  # nothing the user wrote is changed
        for key, value in table.items():
            assert json.loads(json.dumps(value, default=str)) == res[section][key], f"{section}.{key}"
    assert "deadline" not in res["campaign"]  # unset optional values stay out (TOML has no null)


def test_a_default_spelled_out_is_the_same_scenario():
    sc = simulator.load_scenario(ROOT / "tests" / "data" / "minimal.toml")
    spelled = sc.with_overrides({"metrology.mpe": 0.005})
    assert spelled.digest() == sc.digest() and spelled.legacy_digest() != sc.legacy_digest()
    assert sc.with_overrides({"metrology.mpe": 0.004}).digest() != sc.digest()


def test_validate_shows_the_resolved_scenario(capsys):
    path = ROOT / "tests" / "data" / "minimal.toml"
    assert main(["validate", str(path), "--show-resolved", "--set", "campaign.teams=4"]) == 0
    out = capsys.readouterr().out
    shown = tomllib.loads(out)
    assert shown["campaign"]["teams"] == 4 and shown["metrology"]["mpe"] == 0.005
    assert simulator.scenario_from_dict(shown).digest() == \
        simulator.load_scenario(path, {"campaign.teams": 4}).digest()


def test_a_run_folder_keeps_the_resolved_scenario_and_the_file_as_given(tmp_path, capsys):
    src = tmp_path / "mine.toml"
    text = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")
    src.write_text("# my notes on where these numbers come from\n" + text, encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(src), "-n", "2", "--out", str(out), "--quiet", "--no-charts",
                 "--set", "campaign.teams=3"]) == 0
    assert (out / "scenario.original.toml").read_bytes() == src.read_bytes()
    stored = (out / "scenario.toml").read_text(encoding="utf-8")
    assert stored.startswith("# The scenario this run used") and "scenario.original.toml" in stored
    resolved = tomllib.loads(stored)
    assert resolved["campaign"]["teams"] == 3 and "mpe" in resolved["metrology"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert "scenario.original.toml" in manifest["files"]
    capsys.readouterr()
    assert main(["verify", str(out), "--sample", "1"]) == 0  # the folder still checks out bit for bit


def test_a_folder_written_before_scenarios_were_stored_resolved_still_opens(tmp_path, monkeypatch, capsys):
    """Run folders of the previous commits stored the scenario as written and hashed that; they still
    verify and resume (their replication files carry the old hash)."""
    from simulator.scenario import Scenario, dumps_toml

    src = ROOT / "tests" / "data" / "minimal.toml"
    out = tmp_path / "old"
    with monkeypatch.context() as m:  # fuelseal as it was: the raw scenario, hashed as written
        m.setattr(Scenario, "digest", Scenario.legacy_digest)
        m.setattr(Scenario, "to_toml", lambda self, header="": dumps_toml(self.raw))
        assert main(["run", str(src), "-n", "3", "--out", str(out), "--quiet", "--no-charts"]) == 0
    stored = tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))
    assert "metrology" not in stored  # as written, defaults left out
    manifest = json.loads((out / "manifest.json").read_text())
    sc = simulator.load_scenario(out / "scenario.toml")
    assert manifest["scenario_sha256"] == sc.legacy_digest() != sc.digest()
    capsys.readouterr()
    assert main(["verify", str(out), "--sample", "2"]) == 0
    (out / "replications" / "rep-000002.npz").unlink()
    for extra in out.glob("*.csv"):
        extra.unlink()
    assert main(["run", "--resume", str(out), "--quiet", "--no-charts"]) == 0
    assert (out / "replications" / "rep-000002.npz").exists()  # run again, under the folder's old hash
    assert main(["verify", str(out), "--sample", "1"]) == 0
