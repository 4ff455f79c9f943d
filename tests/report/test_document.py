"""The document model and its two renderers, on a document that is not a run report (as a sweep or
comparison report will be): anchors and contents, tables kept whole or with their header repeated,
footers on every page, Vietnamese text that survives into the PDF."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from simulator.report import (
    Bullets,
    Document,
    Figure,
    KeyFigures,
    Paragraph,
    Row,
    Section,
    Table,
    render_html,
    render_pdf,
)


def _png(width: int = 300, height: int = 150) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (0, 114, 178)).save(buf, format="PNG")
    return buf.getvalue()


def _doc(lang: str = "en", rows: int = 90) -> Document:
    long = Table(header=("Setting", "Cost", "Key"), numeric=(1,), small=(2,),
                 rows=[Row((f"Setting {i}", f"{i} million VND", f"sweep.setting_{i}")) for i in range(rows)])
    return Document(
        title="Teams against cost", lang=lang, lead="Three teams finish first.", footer="Sweep · teams",
        subtitle="A sweep", meta="made in a test", colophon="built by a test",
        sections=[
            Section("summary", "Summary", [Paragraph("Words."), Bullets(["one", "two"]),
                                           KeyFigures(header=("Figure", "Mean", "90% interval"), numeric=(1, 2),
                                                      rows=[Row(("Money",), group=True),
                                                            Row(("Cost", "1", "1–2"), strong=True),
                                                            Row(("of which teams", "1", "1"), indent=1)])]),
            Section("chart", "Chart", [Figure(png=_png(), title="Cost by teams", caption="A caption.",
                                              alt="bars", id="fig-cost")]),
            Section("all", "All settings", [long], new_page=True),
            Section("all-more", "More settings", [Table(header=("A", "B"), rows=[Row(("x", "y"))])], level=1),
        ])


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attrs, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.attrs.extend((tag, k, v or "") for k, v in attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_html_of_any_document_has_anchors_contents_and_escaped_text():
    """Each section is an anchor the contents link to (figures too); a level-1 section is nested in the
    contents; text is escaped by the template; <html lang> follows the language."""
    doc = _doc()
    doc.sections[0].blocks.append(Paragraph("<script>alert(1)</script> & co"))
    page = render_html(doc)
    parser = _Text()
    parser.feed(page)
    ids = {v for t, k, v in parser.attrs if k == "id"}
    links = [v for t, k, v in parser.attrs if t == "a" and k == "href"]
    assert {"summary", "chart", "all", "all-more", "fig-cost"} <= ids
    assert links == ["#summary", "#chart", "#fig-cost", "#all", "#all-more"]
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<tr class="group"><th scope="rowgroup" colspan="3">Money</th></tr>' in page
    assert '<td class="indent1">of which teams</td>' in page
    assert '<html lang="vi">' in render_html(doc, "vi") and "<h2 id=\"contents\">Mục lục</h2>" in render_html(doc, "vi")


def test_pdf_of_any_document_repeats_a_long_tables_header_and_numbers_every_page():
    """A table longer than a page runs on with its header on every page; every page's footer reads the
    document's footer and "page X of Y"; the contents list the sections with their page numbers."""
    buf = io.BytesIO()
    render_pdf(_doc(), buf)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(buf.getvalue())).pages]
    n = len(pages)
    assert n >= 4
    for i, text in enumerate(pages, start=1):
        assert f"Sweep · teams page {i} of {n}" in text.splitlines(), (i, text[-200:])
    holding = [i for i, t in enumerate(pages) if re.search(r"Setting \d+ ", t)]
    assert len(holding) >= 2  # the long table runs over pages …
    for i in holding:
        assert "Setting Cost Key" in pages[i]  # … with its header on each
    assert "Setting 89 89 million VND" in pages[holding[-1]]
    first = pages[0]
    assert "Contents" in first and re.search(r"All settings[ .]*\d", first) and "Cost by teams" in first


def test_a_table_that_fits_on_a_page_is_moved_whole_to_the_next_one():
    """Key figures that would not fit below the text before them start on the next page, whole (with their
    heading), although they are longer than half a page."""
    filler = Section("filler", "Filler", [Paragraph("Line of text. " * 60) for _ in range(5)])
    figures = KeyFigures(header=("Figure", "Mean", "90% interval"), numeric=(1, 2),
                         rows=[Row((f"Figure {i}", str(i), f"{i}–{i + 1}")) for i in range(30)])
    doc = Document(title="Kept", footer="kept", sections=[filler, Section("figures", "Key figures", [figures])])
    buf = io.BytesIO()
    render_pdf(doc, buf)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(buf.getvalue())).pages]
    where = [i for i, t in enumerate(pages) if "Figure 0 " in t or "Figure 29 " in t]
    assert len(set(where)) == 1, where
    assert "Key figures" in pages[where[0]]  # the heading goes with its table …
    assert "Line of text" not in pages[where[0]] and "Line of text" in pages[where[0] - 1]  # … to a page of its own


def test_vietnamese_survives_into_the_pdf_text():
    """DejaVu Sans embedded: the diacritics extract as written, and the footer says "trang X/Y"."""
    doc = _doc("vi", rows=3)
    doc.sections[0].blocks.append(Paragraph("Chi phí chiến dịch: 2,36 tỷ đồng; kẹp chì đồng hồ công tơ tổng."))
    buf = io.BytesIO()
    render_pdf(doc, buf)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(buf.getvalue())).pages]
    text = " ".join(" ".join(pages).split())
    assert "Chi phí chiến dịch: 2,36 tỷ đồng; kẹp chì đồng hồ công tơ tổng." in text
    assert "Mục lục" in pages[0] and f"trang 1/{len(pages)}" in pages[0]


def test_the_document_model_refuses_what_renderers_could_not_draw():
    with pytest.raises(ValueError, match="expected 3 cells"):
        Table(header=("a", "b", "c"), rows=[Row(("x", "y"))])
    with pytest.raises(ValueError, match="used twice"):
        Document(title="t", sections=[Section("a", "A"), Section("a", "B")])
    with pytest.raises(ValueError, match="level"):
        Document(title="t", sections=[Section("a", "A", level=1)])


# ---- layout after the visual review ----------------------------------------------------------

def _pages(doc: Document) -> list[str]:
    buf = io.BytesIO()
    render_pdf(doc, buf)
    return [p.extract_text() for p in PdfReader(io.BytesIO(buf.getvalue())).pages]


def _filler(n: int) -> Section:
    return Section("filler", "Filler", [Paragraph("Line of text. " * 60) for _ in range(n)])


def test_a_table_that_does_not_fit_runs_on_from_where_the_text_ends():
    """A 40-row table after half a page of text starts on that page, not the next (no half-empty page); its header
    is repeated on the next page, which holds at least two of its rows. A short table (four rows) that does not fit
    is moved whole instead."""
    from simulator.report.pdf import _Renderer

    rows = [Row((f"Row {i}", str(i), f"key.row_{i}")) for i in range(40)]
    long = Table(header=("Setting", "Value", "Key"), rows=rows, small=(2,))
    doc = Document(title="Flow", footer="flow", sections=[_filler(3), Section("long", "Long table", [long])])
    pages = _pages(doc)
    first = next(i for i, t in enumerate(pages) if "Row 0 " in t)
    assert "Line of text" in pages[first] and "Long table" in pages[first]  # on the page the text ends on
    later = [i for i, t in enumerate(pages) if re.search(r"Row \d+ ", t) and i != first]
    assert later and all("Setting Value Key" in pages[i] for i in later)
    assert len(re.findall(r"Row \d+ ", pages[later[-1]])) >= 2 and "Row 39 39" in pages[later[-1]]

    short = Table(header=("Setting", "Value"), rows=[Row((f"Short {i}", str(i))) for i in range(4)])
    renderer = _Renderer(doc, "en")
    try:
        assert renderer.whole(short) and not renderer.whole(long)
    finally:
        renderer.close()


def test_a_dotted_key_wraps_at_its_dots_never_inside_a_word():
    """In a narrow small-type column, "calibration.targets.stations_fined_by_audits" breaks after a dot (and a
    key without dots after an underscore), so no word of it is cut."""
    rows = [Row(("Target", "1", "calibration.targets.stations_fined_by_audits")),
            Row(("Long", "2", "enforcement_suspension_diverted_share_of_sales_nearby"))]
    doc = Document(title="Keys", footer="keys", sections=[Section("keys", "Keys", [
        Table(header=("Parameter", "Value", "Key"), rows=rows, small=(2,), widths=(3.6, 4.2, 2.2))])])
    text = "\n".join(_pages(doc))
    assert "calibration.targets.\nstations_fined_by_audits" in text or \
        "calibration.\ntargets.stations_fined_by_audits" in text, text
    key = "enforcement_suspension_diverted_share_of_sales_nearby"
    parts = text[text.index("enforcement_"):text.index("nearby") + len("nearby")].split("\n")
    assert len(parts) > 1 and "".join(parts) == key and all(p.endswith("_") for p in parts[:-1]), parts


def test_a_figure_is_placed_at_its_print_width_and_floats_to_fill_a_page():
    """A figure drawn for print (width_mm) is placed that wide, not stretched to the text width; a tall figure that
    does not fit under the text lets a later one of its section that does fit go first."""
    doc = Document(title="Figures", footer="figures", sections=[
        _filler(2),
        Section("figs", "Figures", [Figure(png=_png(300, 300), title="Tall chart", width_mm=170.0),
                                    Figure(png=_png(300, 60), title="Short chart", width_mm=100.0)])])
    buf = io.BytesIO()
    render_pdf(doc, buf)
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    pages = [p.extract_text() for p in reader.pages]
    short = max(i for i, t in enumerate(pages) if "Short chart" in t)  # not the contents: where it is drawn
    tall = max(i for i, t in enumerate(pages) if "Tall chart" in t)
    assert tall == short + 1 and "Line of text" in pages[short], pages  # the short one went first, under the text
    widths = []

    def visit(op, args, cm, tm):
        if op == b"Do":
            widths.append(round(cm[0] / 72 * 25.4, 1))

    for page in reader.pages:
        page.extract_text(visitor_operand_before=visit)
    assert sorted(widths) == [100.0, 170.0]


def test_a_section_left_out_of_the_contents_is_still_a_bookmark_and_an_anchor():
    """listed=False (the appendix's many small parts): not a line of the contents (HTML or PDF), but an HTML anchor
    and a PDF bookmark."""
    doc = _doc()
    doc.sections[-1].listed = False
    page = render_html(doc)
    assert 'id="all-more"' in page and 'href="#all-more"' not in page and 'href="#all"' in page
    buf = io.BytesIO()
    render_pdf(doc, buf)
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    first = reader.pages[0].extract_text()
    assert "All settings" in first and "More settings" not in first
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    assert "More settings" in titles and "All settings" in titles
