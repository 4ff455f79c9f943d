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
