"""The report: HTML and PDF built from a run folder alone, self-contained, with the same
numbers as summary.csv, a one-line error for a bad folder, and the ``fuelseal report``
subcommand."""

from __future__ import annotations

import argparse
import base64
import json
import re
import shutil
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import simulator
from simulator import ScenarioError, charts, report
from simulator.numbers import KPI_DISPLAY

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class _Page(HTMLParser):
    """Collects what a check needs: tags opened and closed, attribute values, visible text."""

    def __init__(self):
        super().__init__()
        self.opened, self.closed, self.attrs, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.opened.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)

    def handle_endtag(self, tag):
        self.closed.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _parse(path) -> tuple[_Page, str]:
    raw = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(raw)
    page.close()
    return page, raw


@pytest.fixture(autouse=True)
def _quick_pictures(monkeypatch):
    """Charts at 50 dpi instead of 150: the same code path, a third of the time."""
    monkeypatch.setattr(report.compose, "PNG_DPI", 50)


@pytest.fixture
def run_dir(hanam_run_dir, tmp_path):
    """A private copy of the shared run folder, so a test may write reports into it."""
    return shutil.copytree(hanam_run_dir, tmp_path / "run")


@pytest.fixture(scope="module")
def built(hanam_run_dir, tmp_path_factory):
    """Both reports of a copy of the shared run folder, built once for the tests that only read them."""
    folder = shutil.copytree(hanam_run_dir, tmp_path_factory.mktemp("built") / "run")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report.compose, "PNG_DPI", 50)
        return folder, report.build_reports(folder)


def test_both_reports_are_valid_files(built):
    """build_reports writes report.html (well-formed, one embedded PNG per chart) and report.pdf
    (a PDF of several pages) into the run folder."""
    run_dir, paths = built
    assert [p.name for p in paths] == ["report.html", "report.pdf"]
    assert all(p.parent == run_dir for p in paths)

    page, raw = _parse(run_dir / "report.html")
    assert raw.startswith("<!DOCTYPE html>")
    for tag in ("html", "head", "title", "style", "body", "main", "table"):
        assert tag in page.opened and tag in page.closed, tag
    images = [v for t, k, v in page.attrs if t == "img" and k == "src"]
    assert len(images) == len(charts.CHARTS)
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == PNG_MAGIC

    pdf = (run_dir / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 4


def test_html_loads_nothing_from_outside(built):
    """report.html has no http(s) URL in any src, href or CSS url(), no script and no linked file."""
    page, raw = _parse(built[0] / "report.html")
    for tag, key, value in page.attrs:
        if key in ("src", "href"):
            assert value.startswith(("data:", "#")), (tag, key, value[:60])
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", raw)
    assert not re.search(r"(src|href)\s*=\s*['\"]?\s*(https?:)?//", raw)
    assert "script" not in page.opened and "link" not in page.opened


def test_headline_numbers_are_those_of_summary_csv(built):
    """The key figures and the sentences quote summary.csv's means and 90% bounds, formatted as
    `fuelseal run` formats them."""
    run_dir = built[0]
    page, _ = _parse(run_dir / "report.html")
    text = unescape(" ".join(page.text))
    s = pd.read_csv(run_dir / "summary.csv").set_index("kpi")
    for key in ("uplift", "uplift_before_after", "extra_tax", "cost", "benefit_cost_ratio", "completion_days"):
        _, fmt = KPI_DISPLAY[key]
        for col in ("mean", "p05", "p95"):
            assert fmt(s.loc[key, col]) in text, (key, col, fmt(s.loc[key, col]))
    pct = KPI_DISPLAY["uplift"][1]
    lead = f"{pct(s.loc['uplift', 'mean'])} (90%: {pct(s.loc['uplift', 'p05'])}–{pct(s.loc['uplift', 'p95'])})"
    assert lead in text
    assert "Sealing all" in text and "16.5%" in text  # the headline sentence and the published figure


def test_the_report_needs_only_the_run_folder(run_dir):
    """Without scenario.toml or the CSV copies the report still builds from the Parquet tables and the
    manifest, with the same headline numbers and the scenario's parameters."""
    for f in [run_dir / "scenario.toml", *run_dir.glob("*.csv")]:
        f.unlink(missing_ok=True)
    page, _ = _parse(report.build_report(run_dir, "html"))
    text = unescape(" ".join(page.text))
    s = pd.read_parquet(run_dir / "summary.parquet").set_index("kpi")
    assert KPI_DISPLAY["uplift"][1](s.loc["uplift", "mean"]) in text
    assert "campaign.teams" in text and "behaviour.undeclared_share" in text


def test_flatten_writes_dotted_keys_and_one_line_distributions():
    """flatten: nested tables become dotted keys; a distribution and a list each stay on one line."""
    raw = {"campaign": {"teams": 2, "minutes_per_pump": {"dist": "triangular", "low": 30, "mode": 45, "high": 75},
                        "working_weekdays": ["Mon", "Tue"]},
           "network": {"districts": {"Phủ Lý": 32}}}
    assert report.flatten(raw) == [
        ("campaign.teams", "2"),
        ("campaign.minutes_per_pump", "triangular(low=30, mode=45, high=75)"),
        ("campaign.working_weekdays", "Mon, Tue"),
        ("network.districts.Phủ Lý", "32"),
    ]


def test_vi_report_writes_every_number_the_vietnamese_way(hanam_run, tmp_path):
    """number_style="vi": money in tỷ/triệu đồng with comma decimals, dot thousands, dates as dd/mm/yyyy —
    in the headline, the findings, the key figures and the assumptions; the English report keeps 1,234.5."""
    from simulator.numbers import Numbers

    vi = report.content(hanam_run, tmp_path, number_style="vi", with_charts=False)
    en = report.content(hanam_run, tmp_path, with_charts=False)
    text_vi = " ".join([vi.headline, *vi.findings, *(b + c for _, b, c in vi.figures), *(b for _, b in vi.assumptions)])
    text_en = " ".join([en.headline, *en.findings, *(b + c for _, b, c in en.figures), *(b for _, b in en.assumptions)])
    assert "tỷ đồng" in text_vi and "triệu đồng" in text_vi and "bn VND" not in text_vi
    assert re.search(r"\d+,\d%", text_vi) and not re.search(r"\d+\.\d%", text_vi)  # 16,5% not 16.5%
    assert "03/01/2017" in text_vi and "3 Jan 2017" in text_en  # the campaign starts
    assert "billion VND" in text_en and re.search(r"\d+\.\d%", text_en)
    extra = hanam_run.summary().loc["extra_tax", "mean"]
    assert Numbers("vi").vnd(extra) in text_vi and Numbers("en").vnd(extra) in text_en


@pytest.mark.parametrize("make", ["missing", "empty", "broken_manifest", "not_a_folder", "incomplete"])
def test_a_bad_run_folder_is_a_one_line_scenario_error(run_dir, tmp_path, make):
    """A missing, empty, corrupt or unfinished run folder ends in one ScenarioError line naming the folder."""
    target = {"missing": tmp_path / "nope", "empty": tmp_path / "empty", "broken_manifest": run_dir,
              "not_a_folder": run_dir / "kpis.csv", "incomplete": run_dir}[make]
    if make == "empty":
        target.mkdir()
    if make == "broken_manifest":
        (run_dir / "manifest.json").write_text("{ not json", encoding="utf-8")
    if make == "incomplete":  # as `fuelseal run` leaves it when interrupted
        from simulator.results import storage

        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        storage.write_manifest(run_dir, {**manifest, "status": "incomplete"})
    with pytest.raises(ScenarioError, match="fuelseal run --resume" if make == "incomplete" else "run folder") as err:
        report.build_report(target, "html")
    assert "\n" not in str(err.value) and str(target) in str(err.value)


def test_an_unknown_format_is_refused(run_dir):
    """Only html and pdf exist."""
    with pytest.raises(ScenarioError, match="expected html, pdf or both"):
        report.build_report(run_dir, "docx")


def test_report_subcommand(run_dir, capsys):
    """`fuelseal report RUN_DIR` defaults to both formats; --format html writes one and prints its path;
    the handler returns 0."""
    parser = argparse.ArgumentParser(prog="fuelseal")
    report.add_subcommand(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["report", str(run_dir)]).format == "both"
    args = parser.parse_args(["report", str(run_dir), "--format", "html"])
    assert args.func(args) == 0
    assert capsys.readouterr().out.strip() == str(run_dir / "report.html")
    assert not (run_dir / "report.pdf").exists()
    with pytest.raises(SystemExit):
        parser.parse_args(["report", str(run_dir), "--format", "docx"])
    assert report.NUMBER_STYLES == charts.NUMBER_STYLES  # the --number-style choices are the charts' styles


def test_unusual_runs_give_a_report(edge_run, tmp_path):
    """Campaign disabled, one replication, nothing sealed: both reports build and the HTML says so."""
    name, res = edge_run
    folder = res.save(tmp_path / name)
    html_path, pdf_path = report.build_reports(folder)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    page, _ = _parse(html_path)
    text = " ".join(unescape(" ".join(page.text)).split())
    expected = {"campaign_disabled": "Campaign disabled (no dispenser is sealed)",
                "one_replication": "means across 1 replication",
                "zero_sealed": "Dispensers sealed 0.0% 0.0% – 0.0%"}[name]
    assert expected in text


def test_every_stated_assumption_is_the_value_the_model_used(tmp_path):
    """A scenario with [metrology] and [enforcement] that leaves keys out: each assumption the
    report states is read from the resolved, typed settings (defaults included), never restated
    from the raw file — the first release printed ±0.3%, 0% and 0.0% here while the model used
    ±0.5%, 80% and 3%."""
    from simulator.numbers import day, number, pct, vnd

    sc = simulator.load_scenario(Path(__file__).parents[1] / "data" / "omitted_keys.toml")
    folder = simulator.run(sc, replications=2).save(tmp_path / "run")
    rows = dict(report.content(report.load_run(folder), folder, with_charts=False).assumptions)
    m, e, c = sc.metrology, sc.enforcement, sc.campaign
    expected = {
        "Dispenser accuracy": [f"±{pct(m.mpe, 1)}", f"{pct(m.short_delivery_share, 1)} of dispensers",
                               f"by {pct(m.short_delivery_error.value, 1)}"],
        "Enforcement": [f"{e.audits_per_year:g} audits", f"detection probability {pct(e.detection_probability, 0)}",
                        f"fine {vnd(e.fine)}"],
        "Campaign": [f"{c.teams} team", f"visiting order {c.order}", day(c.start)],
        "Working time": [f"{c.work_hours_per_day:g} hours", f"{int(c.day_start_hour):02d}:",
                         f"{len(c.holidays)} holidays"],
        "Tax": [pct(sc.tax.rate, 2)],
        "Retail price": [f"{number(sc.demand.price_per_litre)} VND/L"],
    }
    assert (m.mpe, e.detection_probability, m.short_delivery_error.value) == (0.005, 0.8, 0.03)  # the defaults
    for label, parts in expected.items():
        for part in parts:
            assert part in rows[label], (label, part, rows[label])
    assert "±0.3%" not in rows["Dispenser accuracy"] and "probability 0%" not in rows["Enforcement"]


def test_the_report_states_each_operators_regime_supply_and_prices_as_the_model_used_them(hanam_run, tmp_path):
    """The Hà Nam report names every operator type's regime, the off-book share and upstream taxes, and
    each fuel's price path and share — read from the resolved scenario."""
    from simulator.numbers import pct

    sc = hanam_run.settings
    rows = dict(report.content(hanam_run, tmp_path, with_charts=False).assumptions)
    for name, op in sc.operators.items():
        row = rows[f"Tax: {op.label or name}"]
        assert sc.regime_of(name).replace("_", " ") in row and pct(op.share, 0) in row
    assert "re-assessed every 12 months on the previous period's revenue" in rows["Tax: household businesses"]
    supply = rows["Supply and upstream taxes"]
    for name, op in sc.operators.items():
        share = sc.supply.off_book_share if op.off_book_share is None else op.off_book_share
        assert f"{op.label or name} {pct(share, 0)}" in supply
    for fuel, share in sc.fuel_mix.items():
        row = rows[f"Retail price: {fuel}"]
        assert row.startswith(f"{pct(share, 0)} of litres; {len(sc.prices[fuel])} dated prices"), row


def test_the_summary_and_the_report_say_what_their_intervals_include(hanam_run, tmp_path):
    """Every interval a planner reads comes with what it does and does not include."""
    from simulator.cli import summary_text
    from simulator.results.summary import UNCERTAINTY, uncertainty

    said = uncertainty(hanam_run.settings)  # the built-in draws its calibrated values: the intervals include them
    assert said != UNCERTAINTY and "posterior for the province that was observed" in said
    assert "behaviour.undeclared_share.mean" in said and "uplift_before_after = 0.165" in said
    similar = uncertainty(hanam_run.settings.with_overrides({"calibration.same_worlds": False}))
    assert "and the calibrated values (behaviour.undeclared_share.mean" in similar
    text = summary_text(hanam_run, hanam_run.settings)
    assert " ".join(said.split()) in " ".join(text.split())
    assert said in report.content(hanam_run, tmp_path, with_charts=False).findings
    plain = hanam_run.settings.with_overrides({"calibration.use": False})
    assert uncertainty(plain) == UNCERTAINTY and "do not include the uncertainty of values calibrated" in UNCERTAINTY
