"""Several runs side by side (``fuelseal compare``): each run's key figures as its own summary writes them,
the difference from the first run exactly as ``results.compare.compare`` computes it (paired when the
seeds match, else said to be unpaired), what the scenarios differ in, the charts overlaid, a Vietnamese
report with no English left, and a comparison folder that never takes over a folder of the user's."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from conftest import catalogue_pieces
from conftest import page_words as words
from conftest import read_page as page
from conftest import run_command as cli

import simulator
from simulator import ScenarioError, report
from simulator.numbers import Numbers
from simulator.report.compare import change_interval, change_range, change_value, what_differs
from simulator.results.compare import compare
from simulator.results.summary import kpi_interval

MONEY = ("extra_tax", "cost", "net_benefit")


def english_pieces() -> list[str]:
    """Runs of four words or more of every reports2.po msgid whose Vietnamese differs (cut at placeholders)."""
    return catalogue_pieces(("reports2.po",))


@pytest.fixture(autouse=True)
def _quick_pictures(monkeypatch):
    monkeypatch.setattr(report.compose, "PNG_DPI", 40)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three small run folders: one team and two teams on the same seed (paired), three teams on another."""
    from conftest import make_scenario

    root = tmp_path_factory.mktemp("compare-runs")
    out = []
    for name, teams, seed in (("one", 1, 5), ("two", 2, 5), ("three", 3, 6)):
        res = simulator.run(make_scenario({"campaign.teams": teams}), replications=4, seed=seed)
        out.append(res.save(root / name))
    return out


@pytest.fixture(scope="module")
def built(runs, tmp_path_factory):
    """`fuelseal compare one two three --labels …` in English, and one two in Vietnamese."""
    root = tmp_path_factory.mktemp("compare-out")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report.compose, "PNG_DPI", 40)
        assert cli(["compare", *map(str, runs), "--labels", "1 team,2 teams,3 teams", "--out", str(root / "en"),
                    "--lang", "en"]) == 0
        assert cli(["compare", str(runs[0]), str(runs[1]), "--out", str(root / "vi"), "--lang", "vi"]) == 0
    return root / "en", root / "vi"


def test_change_values_read_with_a_sign_and_shares_in_percentage_points():
    """Hand-picked differences: a sign always, every digit under a million, shares in points, one unit per range."""
    en, vi = Numbers("en"), Numbers("vi")
    assert change_value("extra_tax", 30.2e6, en) == "+30.2 million VND"
    assert change_value("cost", 800_000.0, en) == "+800,000 VND"  # not "800 VND"
    assert change_value("cost", 0.0, en) == "0 VND"
    assert change_value("uplift", -0.004, en) == "−0.4 pp"
    assert change_value("uplift", 0.004, vi) == "+0,4 điểm %"
    assert change_value("completion_days", -12.4, en) == "−12 days"
    assert change_range("extra_tax", 29.7e6, 30.8e6, en) == "+29.7–30.8 million VND"
    assert change_range("extra_tax", 37.0e6, 40.6e6, en) == "+37.0–40.6 million VND"  # both ends' decimals
    assert change_range("extra_tax", 29e6, 31e6, en) == "+29–31 million VND"
    assert change_range("cost", 2e5, 9e5, en) == "+200,000–900,000 VND"
    assert change_range("cost", 2e5, 1e6, en) == "+0.20–1.00 million VND"
    assert change_range("net_benefit", -3e8, -1e8, vi) == "−300 đến −100 triệu đồng"
    assert change_range("net_benefit", -2e8, 5e8, en) == "−200 to +500 million VND"
    assert change_range("net_benefit", -2e8, 1.5e9, en) == "−200 million VND to +1.50 billion VND"
    assert change_range("payback_months", -1.0, 0.0, vi) == "−1 đến 0 tháng"
    assert change_range("completion_days", -13.0, -12.0, en) == "−13 to −12 days"
    assert change_range("uplift", 0.005, 0.006, vi) == "+0,5–0,6 điểm %"
    assert change_interval("net_benefit", 2.5e7, 2e7, 3e7, en) == "+25 million VND (90%: +20–30 million VND)"
    assert change_interval("net_benefit", 2.5e7, float("nan"), 3e7, en) == "+25 million VND"


def test_the_comparison_shows_each_runs_figures_and_the_paired_difference(runs, built):
    """The key figures of each run are its summary's, formatted as the run report formats them; the
    difference column is compare()'s, paired for the run on the same seed and unpaired for the other;
    compare.csv is compare()'s table."""
    en = built[0]
    loaded = [simulator.Results.load(r) for r in runs]
    nf = Numbers("en")
    text = words(page(en / "report.html"))
    csv = pd.read_csv(en / "compare.csv")
    assert list(csv["label"].unique()) == ["1 team", "2 teams", "3 teams"]
    table = compare(loaded, ["1 team", "2 teams", "3 teams"], list(dict.fromkeys(csv["kpi"])))
    pd.testing.assert_frame_equal(csv[["run", "kpi", "mean", "diff_mean", "diff_p05", "diff_p95"]],
                                  table[["run", "kpi", "mean", "diff_mean", "diff_p05", "diff_p95"]].astype(
                                      {"diff_mean": float}), check_dtype=False)
    for res in loaded:
        for k in MONEY:
            assert kpi_interval(res.summary(), k, nf) in text, k
    rows = {r[0]: r for r in page(en / "report.html").rows if r}
    for k in MONEY:
        for i in (1, 2):
            r = table[(table["run"] == i) & (table["kpi"] == k)].iloc[0]
            assert change_interval(k, r["diff_mean"], r["diff_p05"], r["diff_p95"], nf) == rows[nf.label(k)][3 + i]
    assert bool(table.loc[table["run"] == 1, "paired"].iloc[0]) and not table.loc[table["run"] == 2, "paired"].iloc[0]
    assert "2 teams − 1 team: paired on common random numbers (seed 5; replications in common: 4)" in text
    assert "3 teams − 1 team: unpaired: different seeds (5 and 6)" in text
    # net gain first in the lead, then what 2 teams change against 1 team
    assert text.index("Net gain, extra tax minus campaign cost") < text.index("Against 1 team, 2 teams changes")
    assert len(page(en / "report.html").imgs) == 2  # the money chart and the progress chart
    assert (en / "report.pdf").read_bytes().startswith(b"%PDF-")
    record = json.loads((en / "compare.json").read_text(encoding="utf-8"))
    assert record["labels"] == ["1 team", "2 teams", "3 teams"] and len(record["runs"]) == 3


def test_what_differs_lists_the_keys_that_differ_and_no_other(runs, built):
    """campaign.teams differs between the runs and is listed with each run's value; a key the runs share is
    not; the seed as run is listed because the third run used another."""
    loaded = [simulator.Results.load(r) for r in runs]
    rows = {key: (label, cells) for label, cells, key in what_differs(loaded, "en")}
    assert rows["campaign.teams"] == ("Verification teams", ["1", "2", "3"])
    assert rows["run.seed"] == ("Seed (as run)", ["5", "5", "6"])
    assert "demand.price_per_litre" not in rows and "campaign.start" not in rows
    assert what_differs(loaded[:1] * 2, "en") == []
    table = [r for r in page(built[0] / "report.html").rows if r and r[-1] in ("campaign.teams", "run.seed",
                                                                                    "demand.price_per_litre")]
    assert [r[-1] for r in table] == ["campaign.teams", "run.seed"]
    assert table[0] == ["Verification teams", "1", "2", "3", "campaign.teams"]


def test_the_vietnamese_comparison_has_no_english_left(built):
    """<html lang="vi">; none of the catalogue's English (runs of four words or more) in the HTML or the PDF,
    while the English report shows them (the check can fail); money in tỷ/triệu đồng."""
    from pypdf import PdfReader

    en, vi = built
    raw = (vi / "report.html").read_text(encoding="utf-8")
    assert raw.startswith('<!DOCTYPE html>\n<html lang="vi">')
    pieces = english_pieces()
    en_text = words(page(en / "report.html"))
    assert sum(p in en_text for p in pieces) >= 10
    pdf_text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(vi / "report.pdf").pages)
    for text in (words(page(vi / "report.html")), pdf_text):
        left = [p for p in pieces if p in text]
        assert not left, left[:5]
        assert "tỷ đồng" in text and "So sánh kết quả mô phỏng" in text
        assert not re.search(r"\bVND\b|\bbillion\b|\bmillion\b", text)


def test_a_comparison_folder_is_new_empty_or_its_own(runs, tmp_path):
    """A folder holding a file of the user's is refused (the file kept); a comparison folder is written again
    (the other report format removed); `fuelseal report DIR` rebuilds it from compare.json; the alias
    `fuelseal report A B --compare` writes the same; fewer than two runs or a label count that does not
    match is one line."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    with pytest.raises(ScenarioError, match="not a comparison folder"):
        cli(["compare", str(runs[0]), str(runs[1]), "--out", str(mine)])
    assert [p.name for p in mine.iterdir()] == ["notes.txt"] and (mine / "notes.txt").read_text() == "keep"
    out = tmp_path / "cmp"
    assert cli(["compare", str(runs[0]), str(runs[1]), "--out", str(out), "--format", "pdf"]) == 0
    assert cli(["compare", str(runs[0]), str(runs[1]), "--out", str(out), "--format", "html"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".fuelseal.lock", "compare.csv", "compare.json", "report.html"]
    (out / "report.html").unlink()
    assert [p.name for p in report.build_reports(out, ("html",), lang="vi")] == ["report.html"]
    assert '<html lang="vi">' in (out / "report.html").read_text(encoding="utf-8")
    alias = tmp_path / "alias"
    assert cli(["report", str(runs[0]), str(runs[1]), "--compare", "--out", str(alias), "--format", "html"]) == 0
    assert (alias / "compare.csv").read_text() == (out / "compare.csv").read_text()
    with pytest.raises(ScenarioError, match="add --compare"):
        cli(["report", str(runs[0]), str(runs[1])])
    with pytest.raises(ScenarioError, match="expected 2 labels"):
        cli(["compare", str(runs[0]), str(runs[1]), "--labels", "a,b,c", "--out", str(tmp_path / "x")])
    with pytest.raises(ScenarioError, match="lies inside the run folder"):
        cli(["compare", str(runs[0]), str(runs[1]), "--out", str(runs[1] / "cmp")])
    assert not (runs[1] / "cmp").exists()
    with pytest.raises(ScenarioError, match="at least two run folders"):
        cli(["compare", str(runs[0]), "--out", str(tmp_path / "y")])
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
