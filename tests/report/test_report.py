"""The report: HTML and PDF built from a run folder alone, self-contained, with the same
numbers as summary.csv, in English or Vietnamese, a one-line error for a bad folder, and the
``fuelseal report`` subcommand."""

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
from conftest import catalogue_pieces

import simulator
from simulator import ScenarioError, charts, report
from simulator.numbers import KPI_DISPLAY, Numbers
from simulator.results.summary import kpi_range, kpi_value, shown

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


def _key_figures(raw: str) -> dict[str, tuple[str, str]]:
    """The key-figures table of report.html: label → (mean, 90% interval)."""
    table = raw[raw.index('<table class="keyfigures'):]
    table = table[:table.index("</table>")]
    cell = r"<td[^>]*>(.*?)</td>"
    rows = re.findall(r"<tr(?: class=\"strong\")?>" + cell * 3 + "</tr>", table)
    return {unescape(a): (unescape(b), unescape(c)) for a, b, c in rows}


def test_key_figures_are_summary_csv_formatted(built):
    """Every KPI the summary shows is a row of the key figures with summary.csv's mean and 90% bounds as the
    printed summary writes them; hand-checked for the cost and the uplift."""
    run_dir = built[0]
    raw = (run_dir / "report.html").read_text(encoding="utf-8")
    rows = _key_figures(raw)
    s = pd.read_csv(run_dir / "summary.csv").set_index("kpi")
    en = Numbers("en")
    assert len(rows) == len(shown(s)) >= 20
    for key in shown(s):
        assert rows[KPI_DISPLAY[key][0].strip()] == (kpi_value(key, s.loc[key, "mean"], en),
                                                     kpi_range(key, s.loc[key, "p05"], s.loc[key, "p95"], en)), key
    cost, up = s.loc["cost"], s.loc["uplift"]
    assert 100e6 <= cost["p05"] < cost["p95"] < 1e9  # three significant figures: whole millions
    assert rows["Campaign cost"] == (f"{cost['mean'] / 1e6:.0f} million VND",
                                     f"{cost['p05'] / 1e6:.0f}–{cost['p95'] / 1e6:.0f} million VND")
    assert rows["Tax uplift against no campaign"] == (f"{100 * up['mean']:.1f}%",
                                                      f"{100 * up['p05']:.1f}–{100 * up['p95']:.1f}%")
    text = unescape(" ".join(_parse(run_dir / "report.html")[0].text))
    # the headline sentence (the number of dispensers varies between replications: "about") and the published figure
    assert "Sealing every dispenser (about " in text and "published: 16.5%" in text
    money = list(rows).index("Extra tax in the window")
    assert money == 0 and list(rows)[1:4] == ["Campaign cost", "Net gain (extra tax − cost)",
                                               "Pays for itself within"]  # money first


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
    expected = {"campaign_disabled": ["Campaign disabled (no dispenser is sealed)",
                                      "No campaign: none of the dispensers (about "],
                "one_replication": ["Figures come from a single replication", "(published: 16.5%)"],
                "zero_sealed": [f"{KPI_DISPLAY['share_sealed'][0]} 0% 0%",
                                "seals no dispenser within the horizon"]}[name]
    for words in expected:
        assert words in text
    assert "90%: " not in text if name == "one_replication" else True  # one replication has no interval


def test_every_stated_assumption_is_the_value_the_model_used(tmp_path):
    """A scenario with [metrology] and [enforcement] that leaves keys out: each assumption the
    report states is read from the resolved, typed settings (defaults included), never restated
    from the raw file — the first release printed ±0.3%, 0% and 0.0% here while the model used
    ±0.5%, 80% and 3%."""
    from simulator.numbers import day, number, pct

    sc = simulator.load_scenario(Path(__file__).parents[1] / "data" / "omitted_keys.toml")
    assert (sc.metrology.short_delivery_share, sc.tax.rate) == (0.02, 0.015)
    folder = simulator.run(sc, replications=2).save(tmp_path / "run")
    rows = dict(report.content(report.load_run(folder), folder, with_charts=False).assumptions)
    m, e, c = sc.metrology, sc.enforcement, sc.campaign
    expected = {
        # shares without false precision: "2%", not "2.0%"
        "Dispenser accuracy": ["±0.5%", "; 2% of dispensers", "by 3%"],
        "Enforcement": [f"{e.audits_per_year:g} inspections",
                        f"detection probability {pct(e.detection_probability, 0)}", f"fine {e.fine:,.0f} VND"],
        "Campaign": ["with one team" if c.teams == 1 else f"with {c.teams} teams", "order of visits: by route",
                     day(c.start)],
        "Working time": [f"{c.work_hours_per_day:g} hours", f"{int(c.day_start_hour):02d}:",
                         f"{len(c.holidays)} holidays"],
        "Tax": ["declared monthly, 1.5% of declared revenue"],
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
    from simulator.report.parameters import fuel_name

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
        row = rows[f"Retail price: {fuel_name(fuel)}"]
        assert row.startswith(f"{pct(share, 0)} of litres; ") and f"; {len(sc.prices[fuel])} dated prices" in row
    # a price reads as a price per litre from a date (not "16,400 on 1 Jan 2016", which reads as days); fuels by
    # their plain names, in either language
    assert rows["Retail price: RON 92 petrol"] == ("57% of litres; 16,400 VND per litre from 1 Jan 2016; 41 dated "
                                                   "prices in all, 13,750–18,570 VND per litre")
    assert "RON 92 petrol: 3,300 VND/L + 16.5% of the price; E5 petrol: 3,135 VND/L" in supply
    vi = dict(report.content(hanam_run, tmp_path, lang="vi", with_charts=False).assumptions)
    assert vi["Giá bán lẻ: xăng RON 92"] == ("57% lượng bán; 16.400 đồng/lít từ ngày 01/01/2016; tổng cộng 41 mức "
                                             "giá, từ 13.750 đến 18.570 đồng/lít")
    supply_vi = vi["Nguồn hàng và thuế khâu nhập khẩu, sản xuất"]
    assert "Giá bán lẻ: dầu diesel" in vi and "xăng E5: 3.135 đồng/lít" in supply_vi
    # operator types by their Vietnamese names (operators.*.label_vi), not the English labels
    assert "Thuế: hộ kinh doanh" in vi and "doanh nghiệp tư nhân 100%" in supply_vi
    assert not any("household" in k or "household" in v for k, v in vi.items())


def test_the_summary_and_the_report_say_what_their_intervals_include(hanam_run, tmp_path):
    """Every interval a planner reads comes with what it does and does not include."""
    from simulator.cli import summary_text
    from simulator.results.summary import UNCERTAINTY, uncertainty

    said = uncertainty(hanam_run.settings)  # the built-in draws its calibrated values: the intervals include them
    # in plain words: parameters by their appendix labels, the published figures by their KPI labels and values,
    # the method in words — no section name, dotted key, method code or raw 0.165
    ba = KPI_DISPLAY["uplift_before_after"][0]
    assert said == (
        f"The 90% intervals show what remains unknown about this province once the model is matched to its "
        f"published figures ({ba[0].lower() + ba[1:]}: 16.5%; stations fined by inspections: 1). Values that "
        "cannot be observed directly — the undeclared share before sealing (mean) and the share of stations that "
        "short-deliver — were estimated from those figures (8,000 trial simulations with values drawn at random; "
        "the 200 closest to the published figures kept). Each replication re-runs one of the 200 estimates in the "
        "simulated world where it was kept, so the intervals carry both what the published figures leave unknown "
        "about those values and everything drawn anew in each replication (stations, sales, behaviour, dispenser "
        "errors, prices, growth, work times, inspections). They do not include the uncertainty of the assumptions "
        "themselves.")
    similar = uncertainty(hanam_run.settings.with_overrides({"calibration.same_worlds": False}))
    assert "each replication runs with one of the 200 estimates of the undeclared share before sealing (mean) " \
        "and the share of stations that short-deliver (8,000 trial simulations" in similar
    vi = uncertainty(hanam_run.settings, "vi")
    assert "16,5%" in vi and "tỷ lệ doanh thu không kê khai trước khi kẹp chì (trung bình) và tỷ lệ cửa hàng" in vi
    assert "8.000 lần mô phỏng thử" in vi
    for text in (said, similar, vi):
        assert not re.search(r"\[calibration\]|abc-rejection|0\.165|behaviour\.|metrology\.|uplift_", text), text
    text = summary_text(hanam_run, hanam_run.settings)
    assert " ".join(said.split()) in " ".join(text.split())
    method = report.content(hanam_run, tmp_path, with_charts=False).method
    assert said in method
    assert sum(p.count("do not include") for p in method) == 1  # said once, not repeated
    plain = hanam_run.settings.with_overrides({"calibration.use": False})
    assert uncertainty(plain) == UNCERTAINTY and "do not include the uncertainty of values calibrated" in UNCERTAINTY


# ---- Vietnamese ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built_vi(hanam_run_dir, tmp_path_factory):
    """Both reports of a copy of the shared run folder in Vietnamese, built once."""
    folder = shutil.copytree(hanam_run_dir, tmp_path_factory.mktemp("built_vi") / "run")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report.compose, "PNG_DPI", 50)
        return folder, report.build_reports(folder, lang="vi")


def _catalogue_english() -> list[str]:
    """Runs of words of every Vietnamese catalogue (simulator/locale/vi/*.po) a Vietnamese report must not show:
    each msgid whose Vietnamese differs, cut at its {placeholders}, pieces of four words or more."""
    return catalogue_pieces()


def _scenario_words(folder: Path) -> list[str]:
    """Text the scenario itself supplies (its name, description, source, operator labels): data, not the
    report's words, and left as written."""
    raw = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["resolved_scenario"]
    words = [raw["scenario"].get(k, "") for k in ("name", "description", "reference_source")]
    words += [op.get("label", "") for op in raw.get("operators", {}).values()]
    return sorted((w for w in words if w), key=len, reverse=True)


def _report_words(text: str, folder: Path) -> str:
    text = " ".join(text.split())
    for w in _scenario_words(folder):
        text = text.replace(" ".join(w.split()), " ")
    return text


def _pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() for p in PdfReader(path).pages]


def test_a_vietnamese_report_has_no_english_left(built_vi, built):
    """In the vi HTML and PDF no piece of the report's English (its catalogue's msgids) is left, <html lang="vi">,
    money only in tỷ/triệu đồng, dates dd/mm/yyyy and months "tháng M/yyyy" — never 2017-01-03, "3 Jan 2017",
    "Apr 2017", "billion VND" or "bn". The same pieces do appear in the English report (the check can fail)."""
    folder = built_vi[0]
    raw = (folder / "report.html").read_text(encoding="utf-8")
    assert raw.startswith('<!DOCTYPE html>\n<html lang="vi">')
    html_text = _report_words(unescape(" ".join(_parse(folder / "report.html")[0].text)), folder)
    pdf_text = _report_words(" ".join(_pdf_pages(folder / "report.pdf")), folder)
    english = _catalogue_english()
    en_text = " ".join(unescape(" ".join(_parse(built[0] / "report.html")[0].text)).split())
    assert sum(piece in en_text for piece in english) >= 25
    months = r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{4}\b"
    for text in (html_text, pdf_text):
        left = [piece for piece in english if piece in text]
        assert not left, left[:5]
        assert "tỷ đồng" in text and "triệu đồng" in text
        assert not re.search(r"\bVND\b|\bbillion\b|\bmillion\b|\bbn\b", text), re.search(r".{40}\bVND\b.{20}", text)
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text) and not re.search(months, text)
        assert "03/01/2017" in text and re.search(r"tháng \d{1,2}/20\d\d", text)  # the campaign's start; a month
        assert not re.search(r"\d\.\d%", text) and re.search(r"\d,\d%", text)  # 16,5% not 16.5%
        assert "Số liệu chính" in text and "Phụ lục: tham số kịch bản" in text


def test_the_vietnamese_pdf_keeps_its_diacritics_and_a_whole_footer_on_every_page(built_vi):
    """Text extracted from the PDF reads as written (DejaVu Sans with its Unicode map), and every page ends with
    the footer "<title> · <run folder> trang X/Y"."""
    folder = built_vi[0]
    pages = _pdf_pages(folder / "report.pdf")
    # the scenario's Vietnamese name ([scenario.vi] of the built-in scenario), not its English one
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    title = manifest["resolved_scenario"]["scenario"]["vi"]["name"]
    for i, text in enumerate(pages, start=1):
        assert f"{title} · {folder.name} trang {i}/{len(pages)}" in text.splitlines(), (i, text[-120:])
    everything = " ".join(" ".join(pages).split())
    assert "Chi phí chiến dịch" in everything and "kẹp chì toàn bộ cột đo xăng dầu (khoảng " in everything
    assert "Mục lục" in pages[0] and "Lợi ích ròng" in everything


def test_the_key_figures_stay_on_one_page_of_the_pdf(built_vi):
    """The key-figures table is never split: its first and last rows are on the page of its heading."""
    pages = _pdf_pages(built_vi[0] / "report.pdf")
    first = [i for i, t in enumerate(pages) if "Số liệu chính\nChỉ tiêu Trung bình Khoảng 90%" in t]
    assert len(first) == 1
    page = pages[first[0]]
    assert "Thuế thu thêm trong kỳ đánh giá" in page
    assert Numbers("vi").label("consumer_savings") in " ".join(page.split())  # a long label may wrap


def test_the_parameter_appendix_labels_and_formats_each_value(built, built_vi):
    """A known key reads with its plain label, its value formatted for the reader and the dotted key in small
    type: costs.per_team_day = 3000000 → "Per team-day worked", "3 million VND" / "Mỗi ngày công của đoàn",
    "3 triệu đồng"; a share as a percentage; a distribution in words; a date as the locale writes it."""
    from simulator.report.parameters import appendix

    raw = json.loads((built[0] / "manifest.json").read_text(encoding="utf-8"))["resolved_scenario"]
    assert raw["costs"]["per_team_day"] == 3_000_000 and raw["tax"]["rate"] == 0.015
    rows = {key: (label, value) for _title, group in appendix(raw, "en") for label, value, key in group}
    vi = {key: (label, value) for _title, group in appendix(raw, "vi") for label, value, key in group}
    assert rows["costs.per_team_day"] == ("Per team-day worked", "3 million VND")
    assert vi["costs.per_team_day"] == ("Mỗi ngày công của đoàn", "3 triệu đồng")
    assert rows["tax.rate"] == ("Tax rate on revenue (households)", "1.5%") and vi["tax.rate"][1] == "1,5%"
    assert rows["costs.per_seal"][1] == "20,000 VND" and vi["costs.per_seal"][1] == "20.000 đồng"
    assert rows["behaviour.undeclared_share"][1] == "beta: mean 5.6%, sd 2%"  # 5.59%: no false precision
    assert vi["behaviour.undeclared_share"][1] == "phân phối beta: trung bình 5,6%, độ lệch chuẩn 2%"
    assert rows["campaign.start"][1] == "3 Jan 2017" and vi["campaign.start"][1] == "03/01/2017"
    assert rows["network.districts.Phủ Lý"] == ("Stations in Phủ Lý", "32")
    assert rows["demand.annual_growth"][1] == "normal: mean 6%, sd 2%, at least −50%"
    target = Numbers("vi").gettext("Target: {name}").format(name=Numbers("vi").label("uplift_before_after"))
    assert vi["calibration.targets.uplift_before_after"] == (target,
                                                             "16,5%")
    titles = [title for title, _group in appendix(raw, "vi")]
    # an operator type by its Vietnamese name (operators.*.label_vi)
    assert titles[:3] == ["Kịch bản", "Cửa hàng và cột đo", "Lượng bán"] and "Loại hình kinh doanh: " \
        "hộ kinh doanh" in titles and "Operator type: household businesses" in [t for t, _g in appendix(raw, "en")]
    html = (built_vi[0] / "report.html").read_text(encoding="utf-8")
    assert "<td>Mỗi ngày công của đoàn</td><td>3 triệu đồng</td><td class=\"small\">costs.per_team_day</td>" in html


def test_every_scenario_field_has_a_label_for_the_appendix():
    """Each field of the scenario schema (every section, the operator, upstream-tax and calibration ones) has a
    label in the appendix, so a new field cannot reach a Vietnamese report in English."""
    from simulator.report.parameters import LABELS, label_of
    from simulator.scenario import fiscal, sections

    checks = {"scenario": sections.ScenarioInfo, "network": sections.Network, "demand": sections.Demand,
              "behaviour": sections.Behaviour, "metrology": sections.Metrology, "enforcement": sections.Enforcement,
              "campaign": sections.Campaign, "costs": sections.Costs, "run": sections.Run,
              "calibration": sections.Calibration, "tax": fiscal.Tax, "supply": fiscal.Supply,
              "operators.x": fiscal.Operator, "supply.upstream.x": fiscal.UpstreamTax, "scenario.vi": sections.Wording,
              "campaign.districts.x": sections.DistrictCampaign}
    dicts = {"network.districts", "demand.fuel_mix", "calibration.targets"}
    missing = []
    for prefix, model in checks.items():
        for name, f in model.model_fields.items():
            key = f"{prefix}.{f.alias or name}"
            if key in ("supply.upstream", "scenario.vi", "campaign.districts"):  # tables whose fields are checked below
                continue
            if key in dicts:
                key += ".x"
            if label_of(key) is None:
                missing.append(key)
    assert not missing, missing
    assert label_of("prices.ron92") is not None and len(LABELS) >= 100


def test_the_report_language_follows_lang_then_number_style_then_the_runs_own(small, tmp_path):
    """build_reports: lang= wins, number_style= is its older name, else the run's run.lang; fuelseal report
    takes --lang (and --number-style)."""
    folder = simulator.run(small({"run.lang": "vi"}), replications=2).save(tmp_path / "run")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report.compose, "PNG_DPI", 30)
        mp.setattr(report.compose, "_draw_charts", lambda res, lang: {})
        head = lambda: (folder / "report.html").read_text(encoding="utf-8")[:40]  # noqa: E731
        report.build_report(folder, "html")
        assert '<html lang="vi">' in head()
        report.build_report(folder, "html", number_style="en")
        assert '<html lang="en">' in head()
        report.build_report(folder, "html", lang="en", number_style="vi")
        assert '<html lang="en">' in head()
        parser = argparse.ArgumentParser(prog="fuelseal")
        report.add_subcommand(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["report", str(folder), "--format", "html", "--lang", "en"])
        assert args.func(args) == 0 and '<html lang="en">' in head()
        args = parser.parse_args(["report", str(folder), "--format", "html", "--number-style", "vi"])
        assert args.func(args) == 0 and '<html lang="vi">' in head()
        with pytest.raises(SystemExit):
            parser.parse_args(["report", str(folder), "--lang", "fr"])
        with pytest.raises(ScenarioError, match="expected one of en, vi"):
            report.build_report(folder, "html", lang="fr")


# ---- after the visual review ------------------------------------------------------------------

def test_the_appendix_shows_the_replications_and_seed_the_run_used(hanam_run, tmp_path):
    """The command line may override run.replications and run.seed: the appendix says what this run used and what
    the file says; a value the run did not change reads as it is."""
    from simulator.report.parameters import appendix

    raw = hanam_run.manifest["resolved_scenario"]
    assert (raw["run"]["replications"], raw["run"]["seed"], hanam_run.replications) == (200, 2017, 4)
    rows = {key: (label, value) for _t, g in appendix(raw, "en", as_run={"run.replications": 100, "run.seed": 1})
            for label, value, key in g}
    assert rows["run.replications"] == ("Replications", "100 (used by this run; the scenario file says 200)")
    assert rows["run.seed"] == ("Random seed", "1 (used by this run; the scenario file says 2017)")
    same = {key: value for _t, g in appendix(raw, "en", as_run={"run.seed": 2017}) for _l, value, key in g}
    assert same["run.seed"] == "2017" and same["run.replications"] == "200"
    for lang, expected in (("en", "4 (used by this run; the scenario file says 200)"),
                           ("vi", "4 (giá trị dùng trong lần chạy này; tệp kịch bản ghi 200)")):
        c = report.content(hanam_run, tmp_path, lang=lang, with_charts=False)
        got = {key: value for _t, g in c.appendix for _l, value, key in g}
        assert got["run.replications"] == expected and got["run.seed"] == "2017"


def test_shares_prices_fuels_and_the_method_read_in_plain_words():
    """Shares to at most three significant figures and one decimal from 1% up (10.72% → 10.7%, 5.59% → 5.6%),
    two significant figures below; a price path as a price per litre from a date; fuels by their names; the
    calibration method in words; a calibrated parameter by its label."""
    from simulator.report.parameters import format_value, fuel_name, parameter_name, share_text

    en, vi = Numbers("en"), Numbers("vi")
    assert [share_text(x, en) for x in (0.1072, 0.0559, 0.165, 0.06, 0.005, 0.0003, 1.0, -0.5, 0.0)] == [
        "10.7%", "5.6%", "16.5%", "6%", "0.5%", "0.03%", "100%", "−50%", "0%"]
    assert share_text(0.1072, vi) == "10,7%"
    assert format_value("share", {"dist": "beta", "mean": 0.0559, "sd": 0.02}, en) == "beta: mean 5.6%, sd 2%"
    one = [{"date": "2016-01-01", "price": 16400}]
    assert format_value("path", one, en) == "16,400 VND per litre from 1 Jan 2016"
    assert format_value("path", one, vi) == "16.400 đồng/lít từ ngày 01/01/2016"
    two = [*one, {"date": "2016-03-01", "price": 15000.0}]
    assert format_value("path", two, en) == "16,400 VND per litre from 1 Jan 2016; 15,000 VND per litre from 1 Mar 2016"
    five = [{"date": f"2016-0{m}-01", "price": 15000.0 + 100 * m} for m in range(1, 6)]
    assert format_value("path", five, vi) == ("15.100 đồng/lít từ ngày 01/01/2016; tổng cộng 5 mức giá, từ 15.100 đến "
                                              "15.500 đồng/lít")
    assert (fuel_name("ron92"), fuel_name("ron92", "vi"), fuel_name("E5", "vi"), fuel_name("diesel", "vi"),
            fuel_name("lpg", "vi")) == ("RON 92 petrol", "xăng RON 92", "xăng E5", "dầu diesel", "lpg")
    assert parameter_name("prices.ron92") == "Retail prices: RON 92 petrol"
    assert parameter_name("supply.upstream.e5.rate", "vi").endswith(": xăng E5")
    assert parameter_name("behaviour.undeclared_share.mean") == "Undeclared share before sealing (mean)"
    assert parameter_name("no.such.key") == "no.such.key"
    assert format_value("method", "abc-rejection, 8000 simulations, 200 kept", en) == (
        "8,000 trial simulations with values drawn at random; the 200 closest to the published figures kept")


def test_the_findings_say_why_correcting_dispensers_lowers_tax(hanam_run, tmp_path):
    """A negative dispenser-correction part comes with one sentence saying why, and what customers gain."""
    from simulator.report.compose import _consumers

    s = pd.DataFrame({"mean": [-0.0398, 4.18e9], "p05": [-0.1052, 2.549e8], "p95": [-0.0019, 1.018e10],
                      "n": [100, 100]}, index=["uplift_metrology", "consumer_savings"])
    assert _consumers(s, Numbers("en")) == (
        "The part from correcting dispensers is negative (−4.0%): a dispenser that short-delivers shows more litres "
        "than it pours, so once it is corrected customers get the full litres they pay for, and the sales it shows "
        "— and the tax on them — fall. Customers gain 4.18 billion VND (90%: 0.25–10.2 billion VND) from accurate "
        "dispensers.")
    assert _consumers(s, Numbers("vi")).startswith("Phần do hiệu chỉnh cột đo mang dấu âm (−4,0%): ")
    positive = s.assign(mean=[0.01, 4.18e9])
    assert _consumers(positive, Numbers("en")).startswith("Customers gain 4.18 billion VND (90%: ")
    assert _consumers(s.drop(index="consumer_savings").assign(mean=[0.01]), Numbers("en")) == ""
    findings = report.content(hanam_run, tmp_path, with_charts=False).findings
    assert any(f.startswith("The part from correcting dispensers is negative (−") for f in findings)


def test_the_rebuild_command_and_the_alt_text_are_whole(built):
    """The colophon's command works from anywhere (the folder's absolute path); a chart's alt text is its title
    once, then its caption, on one line."""
    folder = built[0]
    page, raw = _parse(folder / "report.html")
    text = " ".join(unescape(" ".join(page.text)).split())
    assert f"Rebuild it with: fuelseal report {folder.absolute()}" in text
    alts = [v for t, k, v in page.attrs if t == "img" and k == "alt"]
    assert len(alts) == len(charts.CHARTS)
    for alt in alts:
        assert "\n" not in alt and "  " not in alt and "Read:" in alt
        title = alt[:alt.index("Read:")].strip()
        assert title and alt.count(title) == 1, alt[:200]


def test_the_pdf_leaves_no_page_mostly_empty(built):
    """Between the front page and the last one, text and charts fill at least three quarters of each page of the
    Hà Nam report (tables run on under a repeated header, charts float within their chapter): the lowest text or
    picture on a page ends at most a quarter of the text area (264 mm) above its foot (18.5 mm), 240 pt from the
    page's bottom edge."""
    from pypdf import PdfReader

    reader = PdfReader(built[0] / "report.pdf")
    pages = reader.pages
    assert len(pages) >= 8
    for i, page in enumerate(pages[1:-1], start=2):
        lows = []

        def visit(op, args, cm, tm, lows=lows):
            if op in (b"Tj", b"TJ", b"Do"):
                lows.append(cm[5] if op == b"Do" else cm[5] + tm[5])

        page.extract_text(visitor_operand_before=visit)
        body = [y for y in lows if y > 40]  # above the footer
        assert body and min(body) < 240, (i, min(body) if body else None)


def test_a_single_price_path_reads_price_by_price(small):
    """Without [prices], the retail price and its dated changes each read as a price per litre from a date."""
    import datetime as dt

    from simulator.report.compose import _assumptions

    sc = small({"demand.price_path": [{"date": dt.date(2017, 3, 1), "price": 18000.0}]})
    assert dict(_assumptions(sc, Numbers("en")))["Retail price"] == (
        "17,000 VND per litre from 1 Jan 2016; 18,000 VND per litre from 1 Mar 2017")
    assert dict(_assumptions(sc, Numbers("vi")))["Giá bán lẻ"] == (
        "17.000 đồng/lít từ ngày 01/01/2016; 18.000 đồng/lít từ ngày 01/03/2017")
