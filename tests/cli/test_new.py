"""`fuelseal new`: a commented scenario for a province of one's own, that validates and runs as written,
marks where every value comes from, and never replaces a file."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

import simulator
from simulator.cli import main
from simulator.scenario.template import default_start, scenario_text


def test_a_new_scenario_is_written_validated_and_run(tmp_path, capsys):
    path = tmp_path / "bacninh.toml"
    assert main(["new", str(path), "--province", "Bắc Ninh", "--stations", "250", "--dispensers", "900",
                 "--teams", "3", "--start", "2018-03-01", "--districts", "Thành phố Bắc Ninh,Từ Sơn"]) == 0
    out, err = capsys.readouterr()
    assert "written" in out and f"fuelseal run {path}" in out
    assert "PLACEHOLDER" in err  # the warnings say what is still to fill in
    sc = simulator.load_scenario(path)
    assert sc.scenario.vi.name.startswith("Bắc Ninh 2018")
    assert sum(q.expected() for q in sc.network.districts.values()) == 250
    assert list(sc.network.districts) == ["Thành phố Bắc Ninh", "Từ Sơn"]
    assert sc.campaign.teams == 3 and sc.campaign.start == dt.date(2018, 3, 1)
    assert sc.network.pumps_per_station.expected() == pytest.approx(3.6)  # 900 / 250, as the comment derives
    # the horizon: the year before for the before/after comparison, to the end of the evaluation window
    assert sc.scenario.start == dt.date(2017, 1, 1) and sc.scenario.end == dt.date(2019, 2, 28)
    assert all(sc.campaign.start <= d <= sc.scenario.end for d in sc.campaign.holidays)
    assert main(["validate", str(path)]) == 0
    out = tmp_path / "run"
    assert main(["run", str(path), "-n", "2", "--out", str(out), "--quiet", "--no-charts", "--workers", "1"]) == 0
    assert (out / "kpis.csv").exists()


def test_every_value_says_where_it_comes_from():
    """Each ``key = value`` line of the template (outside the [scenario] words, [run] and the on/off switch)
    carries a marker in its own comment, or in the comment block just above it (or above the group of
    lines it belongs to)."""
    text = scenario_text(province="X", start=dt.date(2019, 1, 2))
    markers = ("SOURCED", "FROM HÀ NAM", "ASSUMPTION", "PLACEHOLDER", "DERIVED")
    lines = text.splitlines()
    unmarked, section = [], ""
    for i, line in enumerate(lines):
        if line.startswith("["):
            section = line
            continue
        if "=" not in line or line.startswith(("#", " ")) or section in ("[scenario]", "[scenario.vi]", "[run]") \
                or line.startswith("enabled ="):
            continue
        j = i - 1
        while j >= 0 and lines[j] and not lines[j].startswith(("#", "[")):  # up over the lines of its group
            j -= 1
        above = []
        while j >= 0 and lines[j].startswith("#"):  # the comment block above the group
            above.append(lines[j])
            j -= 1
        if section.startswith("[operators") and not above:  # the operators share one comment before them
            above = [text[:text.index("[operators.state]")].rsplit("\n\n", 1)[-1]]
        if not any(m in b for b in [line, *above] for m in markers):
            unmarked.append(f"{section} {line}")
    assert unmarked == []


@pytest.mark.parametrize("kw", [{}, {"stations": 1, "dispensers": 1, "teams": 1, "start": dt.date(2017, 7, 3)},
                                {"stations": 3, "districts": ["A", "B", "C", "D"], "start": dt.date(2024, 12, 30)}])
def test_the_template_validates_for_any_size_and_start(kw):
    sc = simulator.scenario_from_dict(tomllib.loads(scenario_text(**kw, today=dt.date(2026, 11, 27))))
    assert sc.campaign.start == kw.get("start", dt.date(2027, 1, 4))  # 2 January 2027 is a Saturday
    assert sc.costs.per_team_day > 0 and sc.enforcement.audits_per_year > 0  # nothing silently zero
    assert not any(line.startswith(("costs", "enforcement", "campaign.holidays")) for line in sc.advice())


def test_default_start_is_the_first_working_day_of_next_year():
    assert default_start(dt.date(2026, 11, 27)) == dt.date(2027, 1, 4)
    assert default_start(dt.date(2024, 3, 1)) == dt.date(2025, 1, 2)


def test_new_never_replaces_a_file_and_refuses_bad_options_in_one_line(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text("# my own work\n", encoding="utf-8")
    assert main(["new", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err
    assert path.read_text(encoding="utf-8") == "# my own work\n"
    cases = [(["--start", "2018-13-01"], "--start"), (["--stations", "0"], "--stations"),
             (["--stations", "10", "--dispensers", "5"], "--dispensers"), (["--districts", "A,,B"], "--districts")]
    for extra, key in cases:
        target = tmp_path / "other.toml"
        assert main(["new", str(target), *extra]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and key in err and not target.exists()
    assert main(["new", str(tmp_path / "no-such-folder" / "x.toml")]) == 2
    assert main(["new", str(tmp_path / "x.txt")]) == 2
