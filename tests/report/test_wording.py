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
