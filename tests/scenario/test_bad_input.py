"""Bad input: one clear line naming the file and the key (or CSV row), exit code 2,
no traceback, and no run folder left behind.

Each file in tests/bad/ is one kind of mistake; its first line says what the error
must contain: ``# expect: <key or row> | <what was expected>``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import simulator
from simulator.cli import main

BAD = Path(__file__).parents[1] / "bad"
CASES = sorted(BAD.glob("*.toml"))


def _expectation(path: Path) -> tuple[str, str]:
    key, _, msg = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:").partition("|")
    return key.strip(), msg.strip()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_scenario_gives_one_clear_line_and_exit_2(path, tmp_path, capsys):
    """`fuelseal run BAD --out DIR` exits 2 with one line naming file and key; DIR is never created."""
    key, msg = _expectation(path)
    out = tmp_path / "run"
    code = main(["run", str(path), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("fuelseal: error: ")
    # the scenario file is named, or the register CSV when the mistake is in it
    assert path.name in line or (".csv" in key and key.split(":")[0] in line), line
    assert key in line and msg in line, line
    assert not out.exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_scenario_raises_scenario_error_in_python(path):
    """From Python the same mistakes raise ScenarioError (a ValueError) with the same text."""
    key, msg = _expectation(path)
    with pytest.raises(simulator.ScenarioError, match=None) as info:
        simulator.load_scenario(path)
    assert key in str(info.value) and msg in str(info.value)


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("campaign.teams=0", "campaign.teams: input should be greater than or equal to 1"),
        ("campaign.tems=3", "campaign.tems: unknown key"),
        ("campaign.order=nearest", "campaign.order: input should be 'route', 'largest_first' or 'random'"),
        ("behaviour.undeclared_share.mean=0.3", "behaviour.undeclared_share is a plain value"),
        ("behaviour.undeclared_share=-0.1", "behaviour.undeclared_share: expected a share between 0 and 1"),
        ("campaign.teams", "expected key=value"),
        ("campaign.teams=", "campaign.teams: input should be a valid integer (got '')"),  # empty text
        ("run.evaluation_months=0", "run.evaluation_months: input should be greater than or equal to 1"),
    ],
)
def test_bad_override_names_the_key(override, expected, tmp_path, capsys):
    """--set errors name the dotted key and what was expected."""
    code = main(["run", str(BAD.parent / "data" / "minimal.toml"), "--set", override, "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert expected in err
    assert not (tmp_path / "r").exists()


def test_existing_run_folder_is_refused_without_overwrite(tmp_path, capsys):
    """An existing non-empty --out folder is not clobbered unless --overwrite is given."""
    out = tmp_path / "r"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    scenario = str(BAD.parent / "data" / "minimal.toml")
    assert main(["run", scenario, "--out", str(out), "--quiet"]) == 2
    assert "exists and is not empty" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine"
    # --overwrite replaces only a run folder: a folder holding the user's own file is refused too
    assert main(["run", scenario, "--out", str(out), "--quiet", "--overwrite", "-n", "1"]) == 2
    assert "not a run folder" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine" and not (out / "kpis.csv").exists()


def test_real_process_exit_code_and_no_traceback(tmp_path):
    """As a real process: exit code 2, one line on stderr, nothing on stdout."""
    proc = subprocess.run([sys.executable, "-m", "simulator", "run", str(BAD / "unknown_key.toml"),
                           "--out", str(tmp_path / "r")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_cli_usage_errors_are_one_line(capsys):
    """A wrong flag or a non-number for -n is one line and exit 2, like every bad input."""
    with pytest.raises(SystemExit) as info:
        main(["run", "-n", "many"])
    assert info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_safe_mode_keeps_scenario_paths_inside_the_base_folder(tmp_path, capsys):
    """With --safe DIR a register path that leaves DIR is refused, one line, exit 2."""
    inside = tmp_path / "inside"
    inside.mkdir()
    (tmp_path / "secret.csv").write_text("id,district,operator,pumps,litres_per_day\nA,X,,1,100\n")
    text = (BAD.parent / "data" / "minimal.toml").read_text().replace(
        "districts = { A = 3, B = 2 }", 'register = "../secret.csv"')
    (inside / "s.toml").write_text(text)
    assert main(["validate", str(inside / "s.toml")]) == 0  # without --safe it is allowed
    capsys.readouterr()
    assert main(["validate", str(inside / "s.toml"), "--safe", str(inside)]) == 2
    err = capsys.readouterr().err
    assert "network.register" in err and "leaves the allowed folder" in err and len(err.strip().splitlines()) == 1


def test_a_misspelt_key_is_named_first_with_a_suggestion_and_the_other_problems_after_it(small):
    """`tems = 3` for `teams = 3`: the unknown key is the cause, so it comes before the missing one it makes,
    with "did you mean"; the other problems follow in the same line (a misspelt section too)."""
    import tomllib

    raw = tomllib.loads(small().to_toml())
    raw["campaign"]["tems"] = raw["campaign"].pop("teams")
    raw["enforcment"] = {"audits_per_year": 1.0}
    with pytest.raises(simulator.ScenarioError) as err:
        simulator.scenario_from_dict(raw, "bn.toml")
    assert str(err.value) == ("bn.toml: campaign.tems: unknown key (did you mean 'teams'?) (also enforcment: "
                              "unknown key (did you mean 'enforcement'?); campaign.teams: required key is missing)")
    raw = tomllib.loads(small().to_toml())
    raw["campaign"]["zzz"] = 1
    with pytest.raises(simulator.ScenarioError, match=r"^bn.toml: campaign.zzz: unknown key$"):  # nothing near
        simulator.scenario_from_dict(raw, "bn.toml")


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_register_exported_with_semicolons_or_tabs_reads_as_with_commas(tmp_path, sep):
    """Excel writes ';'-separated CSV where the decimal mark is a comma (Vietnamese among them): the register
    reads the same, station by station."""
    from simulator.scenario.register import read_register

    data = Path(__file__).parents[1] / "data"
    text = (data / "register.csv").read_text(encoding="utf-8")
    other = tmp_path / "register.csv"
    other.write_text(text.replace(",", sep), encoding="utf-8")
    a, b = read_register(data / "register.csv"), read_register(other)
    assert list(a.ids) == list(b.ids) and list(a.pumps) == list(b.pumps) and list(a.districts) == list(b.districts)
