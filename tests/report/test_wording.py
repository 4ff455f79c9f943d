"""The scenario's own words in Vietnamese ([scenario.vi]): used when writing in Vietnamese, never in English."""

from __future__ import annotations

import simulator
from simulator.report import content
from simulator.results.summary import summary_text

VI = {"scenario.vi.name": "Tỉnh thử nghiệm 2017", "scenario.vi.description": "Mô tả bằng tiếng Việt.",
      "scenario.reference_uplift": 0.1, "scenario.reference_source": "Annual review",
      "scenario.vi.reference_source": "Báo cáo tổng kết năm"}


def test_the_vietnamese_name_description_and_source_are_used_in_vietnamese_only(small, tmp_path):
    sc = small(VI)
    assert sc.scenario.said("name", "vi") == "Tỉnh thử nghiệm 2017"
    assert sc.scenario.said("name", "en") == sc.scenario.name != "Tỉnh thử nghiệm 2017"
    assert small().scenario.said("description", "vi") == small().scenario.description  # none given: its own
    res = simulator.run(sc, replications=2, seed=1)
    vi, en = summary_text(res, sc, lang="vi"), summary_text(res, sc, lang="en")
    assert vi.splitlines()[0] == "Tỉnh thử nghiệm 2017" and "(Báo cáo tổng kết năm)" in vi
    assert en.splitlines()[0] == sc.scenario.name and "(Annual review)" in en and "Báo cáo" not in en
    folder = res.save(tmp_path / "run")
    c = content(simulator.Results.load(folder), folder, lang="vi", with_charts=False)
    assert (c.title, c.description) == ("Tỉnh thử nghiệm 2017", "Mô tả bằng tiếng Việt.")
    assert content(simulator.Results.load(folder), folder, lang="en", with_charts=False).title == sc.scenario.name


def test_a_run_made_in_vietnamese_is_reported_in_vietnamese(small, tmp_path):
    """`fuelseal run --lang vi` keeps the language as the run's run.lang, so `fuelseal report DIR` (no --lang)
    writes the Vietnamese report; --lang en on the report still wins."""
    from conftest import run_command as cli

    src = tmp_path / "s.toml"
    src.write_text(small().to_toml(), encoding="utf-8")
    out = tmp_path / "run"
    assert cli(["run", str(src), "-n", "2", "--out", str(out), "--quiet", "--no-charts", "--lang", "vi"]) == 0
    assert cli(["report", str(out), "--format", "html"]) == 0
    assert '<html lang="vi">' in (out / "report.html").read_text(encoding="utf-8")
    assert cli(["report", str(out), "--format", "html", "--lang", "en"]) == 0
    assert '<html lang="en">' in (out / "report.html").read_text(encoding="utf-8")
