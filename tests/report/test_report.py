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
    assert "Sealing all" in text and "published: 16.5%" in text  # the headline sentence and the published figure
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
    expected = {"campaign_disabled": ["Campaign disabled (no dispenser is sealed)", "No campaign: the "],
                "one_replication": ["Figures come from a single replication", "(published: 16.5%)"],
                "zero_sealed": ["Dispensers sealed 0% 0%", "seals no dispenser within the horizon"]}[name]
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
    folder = simulator.run(sc, replications=2).save(tmp_path / "run")
    rows = dict(report.content(report.load_run(folder), folder, with_charts=False).assumptions)
    m, e, c = sc.metrology, sc.enforcement, sc.campaign
    expected = {
        "Dispenser accuracy": [f"±{pct(m.mpe, 1)}", f"{pct(m.short_delivery_share, 1)} of dispensers",
                               f"by {pct(m.short_delivery_error.value, 1)}"],
        "Enforcement": [f"{e.audits_per_year:g} inspections",
                        f"detection probability {pct(e.detection_probability, 0)}", f"fine {e.fine:,.0f} VND"],
        "Campaign": ["with one team" if c.teams == 1 else f"with {c.teams} teams", "order of visits: by route",
                     day(c.start)],
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
    assert said in report.content(hanam_run, tmp_path, with_charts=False).method
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
    """Runs of words of the report's catalogue (simulator/locale/vi/report.po) a Vietnamese report must not
    show: each msgid whose Vietnamese differs, cut at its {placeholders}, pieces of four words or more."""
    from babel.messages.pofile import read_po

    with (Path(simulator.__file__).parent / "locale" / "vi" / "report.po").open("rb") as fh:
        catalogue = read_po(fh, locale="vi")
    pieces = set()
    for m in catalogue:
        if m.id and m.string and m.string != m.id:
            for piece in re.split(r"\{[^}]*\}", m.id):
                piece = piece.strip(" ,.;:()—–+")
                if len(piece.split()) >= 4:
                    pieces.add(piece)
    return sorted(pieces)


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
    assert "Chi phí chiến dịch" in everything and "Kiểm định và kẹp chì toàn bộ" in everything
    assert "Mục lục" in pages[0] and "Lợi ích ròng" in everything


def test_the_key_figures_stay_on_one_page_of_the_pdf(built_vi):
    """The key-figures table is never split: its first and last rows are on the page of its heading."""
    pages = _pdf_pages(built_vi[0] / "report.pdf")
    first = [i for i, t in enumerate(pages) if "Số liệu chính\nChỉ tiêu Trung bình Khoảng 90%" in t]
    assert len(first) == 1
    page = pages[first[0]]
    assert "Thuế thu thêm trong kỳ đánh giá" in page and "Người tiêu dùng tiết kiệm được" in page


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
    assert rows["behaviour.undeclared_share"][1] == "beta: mean 5.59%, sd 2%"
    assert vi["behaviour.undeclared_share"][1] == "phân phối beta: trung bình 5,59%, độ lệch chuẩn 2%"
    assert rows["campaign.start"][1] == "3 Jan 2017" and vi["campaign.start"][1] == "03/01/2017"
    assert rows["network.districts.Phủ Lý"] == ("Stations in Phủ Lý", "32")
    assert rows["demand.annual_growth"][1] == "normal: mean 6%, sd 2%, at least −50%"
    assert vi["calibration.targets.uplift_before_after"] == ("Mục tiêu: Mức tăng thu thuế, so với trước chiến dịch",
                                                             "16,5%")
    titles = [title for title, _group in appendix(raw, "vi")]
    assert titles[:3] == ["Kịch bản", "Cửa hàng và cột đo", "Lượng bán"] and "Loại hình kinh doanh: " \
        "household businesses" in titles
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
              "operators.x": fiscal.Operator, "supply.upstream.x": fiscal.UpstreamTax, "scenario.vi": sections.Wording}
    dicts = {"network.districts", "demand.fuel_mix", "calibration.targets"}
    missing = []
    for prefix, model in checks.items():
        for name, f in model.model_fields.items():
            key = f"{prefix}.{f.alias or name}"
            if key in ("supply.upstream", "scenario.vi"):  # tables whose fields are checked below
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
