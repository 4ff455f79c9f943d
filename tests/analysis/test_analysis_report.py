"""Reports of a sweep folder and of a sensitivity folder (``fuelseal report DIR``): what was swept and over
which values, the money-first answer worked out by hand from the per-replication tables, the chart, one
table row per setting with the paired change from the reference setting, the parameters as run; the
sensitivity ranges, charts and sorted tables; Vietnamese with no English left."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import catalogue_pieces, make_scenario
from conftest import page_words as words
from conftest import read_page as page
from conftest import run_command as cli

from simulator import ScenarioError, report
from simulator.analysis import read_sensitivity, read_sweep
from simulator.analysis.sweepfolder import folder_problem
from simulator.numbers import Numbers
from simulator.report.compare import change_range, change_value
from simulator.results.summary import kpi_value

RANDOM_DURATIONS = {
    "campaign.minutes_per_pump": {"dist": "triangular", "low": 30, "mode": 45, "high": 90},
    "campaign.travel_hours": {"dist": "triangular", "low": 0.25, "mode": 0.75, "high": 1.5},
    "network.districts": {"A": 30, "B": 20},
}
PARAM = "behaviour.undeclared_share.mean"


def pdf_words(path: Path) -> tuple[str, int]:
    """The PDF's text on one line, and how many pictures its pages hold."""
    from pypdf import PdfReader

    pages = PdfReader(path).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages), sum(len(p.images) for p in pages)


def english_pieces() -> list[str]:
    return catalogue_pieces(("reports2.po",), strip=" ,.;:()—–+*")


@pytest.fixture(autouse=True)
def _quick_pictures(monkeypatch):
    monkeypatch.setattr(report.compose, "PNG_DPI", 40)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A finished sweep over 1–3 teams with a deadline, a one-at-a-time study of two KPIs and a small Sobol
    study, each written by its command."""
    root = tmp_path_factory.mktemp("analysis-folders")
    src = root / "s.toml"
    src.write_text(make_scenario(RANDOM_DURATIONS).to_toml(), encoding="utf-8")
    evasive = root / "e.toml"
    evasive.write_text(make_scenario({"behaviour.undeclared_share": {"dist": "beta", "mean": 0.15, "sd": 0.05}})
                       .to_toml(), encoding="utf-8")
    assert cli(["sweep", str(src), "--set", "campaign.teams=1,2,3", "-n", "4", "--seed", "4", "--out",
                str(root / "sweep"), "--quiet", "--workers", "1", "--deadline", "2017-02-01"]) == 0
    ranges = ["--param", f"{PARAM}=0.05:0.3", "--param", "costs.per_visit=0:200000"]
    assert cli(["sensitivity", str(evasive), *ranges, "-n", "2", "--seed", "1", "--kpi", "uplift", "--kpi", "cost",
                "--out", str(root / "oat"), "--workers", "1", "--quiet"]) == 0
    assert cli(["sensitivity", str(evasive), "--method", "sobol", "--samples", "4", *ranges, "-n", "1", "--seed",
                "1", "--kpi", "extra_tax", "--out", str(root / "sobol"), "--workers", "1", "--quiet"]) == 0
    return root


@pytest.fixture(scope="module")
def sweep_reports(folders, tmp_path_factory):
    """The sweep folder's reports, English and Vietnamese (each in a copy of the folder)."""
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report.compose, "PNG_DPI", 40)
        for lang in ("en", "vi"):
            folder = shutil.copytree(folders / "sweep", tmp_path_factory.mktemp(lang) / "sweep")
            assert [p.name for p in report.build_reports(folder, lang=lang)] == ["report.html", "report.pdf"]
            out[lang] = folder
    return out


def test_the_sweep_report_states_what_was_swept_and_shows_the_chart(sweep_reports):
    """Title and lead in plain words (the swept values, replications, seed); the chart in the HTML and the
    PDF; the folder is still a sweep folder afterwards (read back, resumable)."""
    folder = sweep_reports["en"]
    p = page(folder / "report.html")
    text = words(p)
    assert text.startswith("Comparing settings: Verification teams — fuelseal report")  # <title>
    assert ("Settings compared — Verification teams: 1, 2, and 3. Replications at each setting: 4, on the same "
            "simulated stations, sales and work times (seed 4).") in text
    assert sum(src.startswith("data:image/png;base64,") for src in p.imgs) == 1
    pdf_text, pictures = pdf_words(folder / "report.pdf")
    assert "Verification teams: 1, 2, and 3" in pdf_text and pictures >= 1
    assert folder_problem(folder) is None and read_sweep(folder).table.equals(read_sweep(folder).table)


def test_the_sweep_answer_and_table_are_the_per_replication_numbers(sweep_reports):
    """Worked out by hand from the per-replication tables: the setting with the largest mean net gain (extra
    tax − cost) and its lead over the next, replication by replication; the fewest teams sealing everything
    before the deadline in at least 90% of replications; each setting's paired change in extra tax from one
    team, with the interval of the changes."""
    folder = sweep_reports["en"]
    nf = Numbers("en")
    text = words(page(folder / "report.html"))
    per = read_sweep(folder).per_rep
    wide = {k: per.pivot_table(index="replication", columns="campaign.teams", values=k, aggfunc="first")
            for k in ("extra_tax", "cost", "completion_days", "completed")}
    net = wide["extra_tax"] - wide["cost"]
    best, second = net.mean().sort_values(ascending=False).index[:2]
    assert f"The largest net gain is with the setting “Verification teams: {best}”: " \
           f"{kpi_value('net_benefit', net[best].mean(), nf)}" in text
    lead = (net[best] - net[second]).to_numpy()
    assert (f"Its lead over the next best setting, “Verification teams: {second}”, is "
            f"{kpi_value('net_benefit', lead.mean(), nf, trim=False)} (paired on common random numbers, 90%: "
            f"{change_range('net_benefit', *np.quantile(lead, [0.05, 0.95]), nf)})") in text
    days = (pd.Timestamp("2017-02-01") - pd.Timestamp("2017-01-02")).days
    in_time = ((wide["completed"] == 1) & (wide["completion_days"] < days)).mean()
    fewest = min(t for t in in_time.index if in_time[t] >= 0.9)
    assert (f"Fewest teams that seal every dispenser before 1 Feb 2017 in at least 90% of the replications: "
            f"{fewest}.") in text
    rows = [r for r in page(folder / "report.html").rows if r]
    start = next(i for i, r in enumerate(rows) if r == ["Extra tax in the window"])
    assert rows[start + 1][:2] == ["1", kpi_value("extra_tax", wide["extra_tax"][1].mean(), nf)]
    assert rows[start + 1][3] == "reference"
    for teams in (2, 3):
        d = (wide["extra_tax"][teams] - wide["extra_tax"][1]).to_numpy()
        assert rows[start + teams][3:] == [change_value("extra_tax", d.mean(), nf),
                                           change_range("extra_tax", *np.quantile(d, [0.05, 0.95]), nf)]
    groups = [r[0] for r in rows if len(r) == 1]
    assert groups[:4] == ["Extra tax in the window", "Campaign cost", "Net gain (extra tax − cost)",
                          "Start to last seal"]
    teams_row = next(r for r in rows if r[-1:] == ["campaign.teams"])
    assert teams_row[1] == "swept: 1, 2, and 3"


def test_the_vietnamese_sweep_report_has_no_english_left(sweep_reports):
    folder = sweep_reports["vi"]
    raw = (folder / "report.html").read_text(encoding="utf-8")
    assert raw.startswith('<!DOCTYPE html>\n<html lang="vi">')
    pieces = english_pieces()
    assert sum(piece in words(page(sweep_reports["en"] / "report.html")) for piece in pieces) >= 5
    for text in (words(page(folder / "report.html")), pdf_words(folder / "report.pdf")[0]):
        left = [piece for piece in pieces if piece in text]
        assert not left, left[:5]
        assert "Số đoàn kiểm định: 1, 2 và 3" in text and "01/02/2017" in text
        assert not re.search(r"\bVND\b|\bbillion\b|\bmillion\b|\bFeb\b", text)


def test_an_unfinished_sweep_is_one_line(folders, tmp_path):
    folder = shutil.copytree(folders / "sweep", tmp_path / "sweep")
    (folder / "sweep.csv").unlink()
    with pytest.raises(ScenarioError, match=r"the sweep is not finished \(no sweep.csv\); finish it with: fuelseal "
                                            r"sweep --resume"):
        report.build_reports(folder)
    assert not (folder / "report.html").exists()


def test_the_one_at_a_time_report_lists_ranges_charts_and_sorted_effects(folders, tmp_path):
    """Ranges by plain names; one chart and one table per KPI, widest swing first, each end's value as the
    summary writes it and a swing in a share read in percentage points; the lead names the widest."""
    folder = shutil.copytree(folders / "oat", tmp_path / "oat")
    report.build_reports(folder, lang="en")
    p = page(folder / "report.html")
    text = words(p)
    nf = Numbers("en")
    table = read_sensitivity(folder).table
    assert sum(src.startswith("data:image/png;base64,") for src in p.imgs) == 2
    assert ["Share of sales undeclared before sealing (mean)", "5% – 30%", "15%", PARAM] in p.rows
    assert ["Cost per station visit", "0 VND – 200,000 VND", "50,000 VND", "costs.per_visit"] in p.rows
    up = table[table["kpi"] == "uplift"].sort_values("swing", ascending=False)
    rows = [r for r in p.rows if len(r) == 5 and r[0] in ("Share of sales undeclared before sealing (mean)",
                                                          "Cost per station visit")]
    top = up.iloc[0]
    assert rows[0] == ["Share of sales undeclared before sealing (mean)", "5% – 30%",
                       kpi_value("uplift", top["low"], nf), kpi_value("uplift", top["high"], nf),
                       f"{nf.number(100 * top['swing'], 1)} pp"]
    assert rows[1][0] == "Cost per station visit" and rows[1][4] == "0.0 pp"
    assert (f"Tax uplift against no campaign is {kpi_value('uplift', top['base'], nf)} with the scenario's values "
            f"and moves most with share of sales undeclared before sealing (mean)") in text
    assert "points: 5; replications at each point: 2, all from the same seed (1)" in text
    cost = table[table["kpi"] == "cost"].sort_values("swing", ascending=False)
    assert [r[0] for r in rows[2:]] == [("Cost per station visit" if x == "costs.per_visit" else
                                         "Share of sales undeclared before sealing (mean)") for x in cost["parameter"]]


def test_the_sobol_report_sorts_the_indices_and_says_how_to_read_them(folders, tmp_path):
    """Largest total index first, each index with its interval in percent of the variance; the reading note
    on first-order and total indices; Vietnamese with no English left."""
    folder = shutil.copytree(folders / "sobol", tmp_path / "sobol")
    report.build_reports(folder, lang="en")
    p = page(folder / "report.html")
    table = read_sensitivity(folder).table.sort_values("ST", ascending=False)
    labels = {PARAM: "Share of sales undeclared before sealing (mean)", "costs.per_visit": "Cost per station visit"}
    rows = [r for r in p.rows if len(r) == 4 and r[0].rstrip(" *") in labels.values() and r[3] not in labels]
    assert [r[0].rstrip(" *") for r in rows] == [labels[x] for x in table["parameter"]]
    cost = rows[[labels[x] for x in table["parameter"]].index("Cost per station visit")]
    assert cost[2:] == ["0%", "0%"]  # the cost of a visit does not move the extra tax at all
    text = words(p)
    assert "Sobol indices (variance-based): 4 base samples, so the model ran at 16 points" in text
    assert "The first-order index is the share of the variance of the result" in text
    assert "First-order index (95% interval)" in text
    report.build_reports(folder, lang="vi")
    vi = words(page(folder / "report.html"))
    assert not [piece for piece in english_pieces() if piece in vi]
    assert "Chỉ số bậc nhất (khoảng tin cậy 95%)" in vi


def test_new_results_remove_the_folder_s_earlier_report(sweep_reports, folders, tmp_path):
    """A resumed sweep rewrites its results, so its earlier report (now possibly wrong) is removed; a
    sensitivity study written over an old one likewise. fuelseal report builds them again."""
    folder = shutil.copytree(sweep_reports["en"], tmp_path / "sweep")
    assert (folder / "report.html").is_file()
    assert cli(["sweep", "--resume", str(folder), "--quiet", "--workers", "1"]) == 0
    assert not (folder / "report.html").exists() and not (folder / "report.pdf").exists()
    oat = shutil.copytree(folders / "oat", tmp_path / "oat")
    (oat / "report.html").write_text("old", encoding="utf-8")
    ranges = ["--param", f"{PARAM}=0.05:0.3"]
    assert cli(["sensitivity", str(folders / "e.toml"), *ranges, "-n", "1", "--seed", "1", "--kpi", "uplift",
                "--out", str(oat), "--overwrite", "--workers", "1", "--quiet"]) == 0
    assert not (oat / "report.html").exists()
