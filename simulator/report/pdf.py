"""A :class:`~simulator.report.document.Document` as an A4 PDF, drawn with fpdf2.

The text is set in DejaVu Sans — the TrueType copy matplotlib ships, embedded as a subset —
so Vietnamese diacritics render and can be copied or searched. Every page carries a footer
with the document's short title and "page X of Y"; the first page has the title, the lead
and a table of contents with page numbers (fpdf2's ``insert_toc_placeholder``) that links to
the sections, which are also the PDF's outline. A table that does not fit below the text before
it runs on to the next page with its header repeated, so no page is left mostly empty — unless
it is marked ``keep`` (the key figures: moved whole), or fewer than :data:`MIN_ROWS_BEFORE` of
its rows would stay on this page (moved whole with its heading), and never leaving fewer than
:data:`MIN_ROWS_AFTER` rows for the next page, nor a group heading at the foot of a page. Keys
in ``small`` columns wrap at their dots (and underscores), never inside a word. A chart is
placed as wide as it was drawn for print (``Figure.width_mm``), else the text width, and never
shrunk to fill the end of a page. Body text is 10 pt, notes and captions 8.5 pt.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
from functools import cache
from pathlib import Path
from typing import BinaryIO

from ..i18n import N_, check_lang, translator
from .document import Bullets, Document, Figure, Paragraph, Row, Section, Table

MARGIN = 18.0  # mm, left and right
TOP, BOTTOM = 14.0, 18.5  # mm: above the text, and below it (the footer sits in this one)
FOOTER_Y = -11.0  # mm from the bottom edge
BODY, NOTE, LEAD = 10.0, 8.5, 11.0  # font sizes, pt
ACCENT, MUTED, RULE, TINT = (11, 61, 98), (85, 85, 85), (205, 205, 205), (242, 247, 251)
MIN_ROWS_BEFORE, MIN_ROWS_AFTER = 3, 2  # a table split over two pages keeps at least this many rows on each
CELL_PAD = 1.4  # mm, left and right of a table cell's text
FIGURE_GAP = 1.0  # mm under a figure (a chart has white space of its own around it)
TOC_HEADING = 10.0  # mm: the contents' heading and the space under it
WORDS = {"contents": N_("Contents"), "page": N_("page {page} of {pages}")}
"""The renderer's own words."""
FONT = "DejaVu"
MONO = "DejaVuMono"


@cache
def font_files() -> dict[tuple[str, str], Path]:
    """(family, style) → the DejaVu TrueType file matplotlib ships."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {(FONT, ""): folder / "DejaVuSans.ttf", (FONT, "B"): folder / "DejaVuSans-Bold.ttf",
            (FONT, "I"): folder / "DejaVuSans-Oblique.ttf", (MONO, ""): folder / "DejaVuSansMono.ttf"}


def _pdf_class():
    from fpdf import FPDF

    class _PDF(FPDF):
        """A4 portrait in millimetres, DejaVu fonts, a footer on every page."""

        def __init__(self, footer_left: str, page_words: str, height: float | None = None):
            super().__init__(orientation="P", unit="mm", format="A4" if height is None else (210, height))
            for (family, style), path in font_files().items():
                self.add_font(family, style, str(path))
            self.set_margins(MARGIN, TOP, MARGIN)
            self.set_auto_page_break(True, margin=BOTTOM)
            self.footer_left, self.page_words = footer_left, page_words
            self.alias_nb_pages("{nb}")
            self.set_font(FONT, size=BODY)

        def footer(self):
            if not self.page_words:  # a measuring document: no footer
                return
            self.set_y(FOOTER_Y)
            self.set_draw_color(*RULE)
            self.line(self.l_margin, self.y - 1.5, self.w - self.r_margin, self.y - 1.5)
            self.set_font(FONT, size=NOTE)
            self.set_text_color(*MUTED)
            right = self.page_words.format(page=self.page_no(), pages="{nb}")
            width = self.get_string_width(right.replace("{nb}", "999")) + 2
            self.cell(self.epw - width, 5, self.footer_left, align="L")
            self.cell(width, 5, right, align="R")
            self.set_text_color(0, 0, 0)

    return _PDF


class _Renderer:
    def __init__(self, doc: Document, lang: str):
        self.doc, self._ = doc, translator(lang)
        self.pdf = _pdf_class()(doc.footer or doc.title, self._(WORDS["page"]))
        self.pdf.set_lang(lang)
        self.pdf.set_title(doc.title)
        self.pdf.set_author(doc.author)
        self.pdf.set_creator("fuelseal")
        self._heights: dict[tuple, float] = {}
        self._measure = None
        self._unlisted: set[int] = set()  # outline entries (by index) left out of the contents

    # ---- text ---------------------------------------------------------------------------
    def font(self, size: float = BODY, style: str = "", colour=(0, 0, 0), family: str = FONT) -> None:
        self.pdf.set_font(family, style, size)
        self.pdf.set_text_color(*colour)

    def text(self, text: str, size: float = BODY, style: str = "", colour=(0, 0, 0), indent: float = 0.0,
             after: float = 2.0) -> None:
        pdf = self.pdf
        self.font(size, style, colour)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, size * 0.46, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(after)

    def room(self, height: float) -> None:
        """A new page unless ``height`` mm fit on this one (or it is empty: what does not fit on an empty page
        is split)."""
        if self.pdf.y + height > self.pdf.page_break_trigger and not self.at_top():
            self.pdf.add_page()

    def page_height(self) -> float:
        """The height text can fill on a page, in mm."""
        return self.pdf.page_break_trigger - self.pdf.t_margin

    def at_top(self) -> bool:
        return self.pdf.y <= self.pdf.t_margin + 0.5

    # ---- front page ---------------------------------------------------------------------
    def front(self) -> None:
        doc, pdf = self.doc, self.pdf
        pdf.add_page()
        self.text(doc.title, 18, "B", ACCENT, after=2.5)
        if doc.subtitle:
            self.text(doc.subtitle, 11, after=1.5)
        if doc.meta:
            self.text(doc.meta, NOTE, colour=MUTED, after=5)
        if doc.lead:
            self.lead(doc.lead)

    def lead(self, text: str) -> None:
        pdf = self.pdf
        self.font(LEAD, "B", (0, 0, 0))
        pad, bar = 3.5, 1.4
        width = pdf.epw - bar - 2 * pad
        lines = pdf.multi_cell(width, LEAD * 0.48, text, dry_run=True, output="LINES")
        height = len(lines) * LEAD * 0.48 + 2 * pad
        self.room(height)
        y = pdf.y
        pdf.set_fill_color(*TINT)
        pdf.rect(pdf.l_margin, y, pdf.epw, height, style="F")
        pdf.set_fill_color(*ACCENT)
        pdf.rect(pdf.l_margin, y, bar, height, style="F")
        pdf.set_xy(pdf.l_margin + bar + pad, y + pad)
        pdf.multi_cell(width, LEAD * 0.48, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(y + height + 6)

    # ---- contents -----------------------------------------------------------------------
    def contents(self) -> None:
        entries = [e for e in self.doc.contents(listed_only=True) if e[0] <= 1]
        if not entries:
            return
        pdf = self.pdf
        # on the first page if it fits there, closer set if need be; else on pages of their own
        for line in ({0: 6.6, 1: 5.4}, {0: 6.0, 1: 4.7}, {0: 5.6, 1: 4.3}):
            if self._toc_pages(entries, line, pdf.y) == 1:
                break
        else:
            line = {0: 6.6, 1: 5.4}
            pdf.add_page()
        pages = self._toc_pages(entries, line, pdf.y)
        # a plain function, not a bound method: fpdf2 deep-copies its state (with this callback) when it
        # tries a table on a page, and a copied method would draw on a copy of the document
        pdf.insert_toc_placeholder(_toc_renderer(self._(WORDS["contents"]), line, self._unlisted), pages=pages,
                                   allow_extra_pages=False)

    def _toc_pages(self, entries, line: dict[int, float], y: float) -> int:
        """How many pages the contents drawn from ``y`` take: its lines laid out as fpdf2 breaks them."""
        pdf, pages = self.pdf, 1
        y += TOC_HEADING
        for level, _a, _t in entries:
            if y + line[level] > pdf.page_break_trigger:
                pages, y = pages + 1, pdf.t_margin
            y += line[level]
        return pages

    # ---- sections and blocks -------------------------------------------------------------
    def section(self, s: Section) -> None:
        pdf = self.pdf
        if s.new_page and not self.at_top():
            pdf.add_page()
        first = s.blocks[0] if s.blocks else None
        if isinstance(first, Table):  # the heading goes with the table it introduces: whole, or its first rows
            height = self._start_height(first) + (16 if s.level == 0 else 11)
            if height <= self.page_height():
                self.room(height)
        elif isinstance(first, Figure) and any(self._fits_below(b, 16 if s.level == 0 else 11) for b in s.blocks
                                               if isinstance(b, Figure)):
            pass  # a figure fits under the heading here (figures float: see below)
        elif isinstance(first, Figure):
            self.room(self._figure_need(first) + (16 if s.level == 0 else 11))
        if s.level == 0:
            self.room(40)
            if not self.at_top():
                pdf.ln(4)
            self._start(s.title, 0, s.listed)
            self.text(s.title, 14, "B", ACCENT, after=0.5)
            pdf.set_draw_color(*ACCENT)
            pdf.set_line_width(0.5)
            pdf.line(pdf.l_margin, pdf.y, pdf.w - pdf.r_margin, pdf.y)
            pdf.set_line_width(0.2)
            pdf.ln(3.5)
        else:
            self.room(30)
            if not self.at_top():
                pdf.ln(2.5)
            self._start(s.title, 1, s.listed)
            self.text(s.title, 11.5, "B", ACCENT, after=1.5)
        blocks = list(s.blocks)
        while blocks:
            b = blocks.pop(0)
            if isinstance(b, Figure) and not self._fits(b):  # figures float: a later one that fits goes first
                later = next((j for j, x in enumerate(itertools.takewhile(lambda x: isinstance(x, Figure), blocks))
                              if self._fits(x)), None)
                if later is not None:
                    blocks.insert(0, b)  # next, at the top of the next page
                    b = blocks.pop(later + 1)
            if isinstance(b, Paragraph):
                self.paragraph(b)
            elif isinstance(b, Bullets):
                self.bullets(b)
            elif isinstance(b, Table):
                self.table(b)
            elif isinstance(b, Figure):
                self.figure(b, s.level, s.listed)

    def _start(self, title: str, level: int, listed: bool = True) -> None:
        """A PDF bookmark (outline entry) at ``level``; one not ``listed`` is left out of the contents."""
        self.pdf.start_section(title, level=level)
        if not listed:
            self._unlisted.add(len(self.pdf._outline) - 1)

    def paragraph(self, b: Paragraph) -> None:
        if b.kind == "lead":
            self.lead(b.text)
        elif b.kind == "note":
            self.text(b.text, NOTE, colour=MUTED, after=2.5)
        else:
            self.text(b.text, BODY, after=2.5)

    def bullets(self, b: Bullets) -> None:
        pdf = self.pdf
        for item in b.items:
            self.font(BODY)
            lines = pdf.multi_cell(pdf.epw - 5, BODY * 0.46, item, dry_run=True, output="LINES")
            self.room(min(len(lines), 3) * BODY * 0.46)
            y = pdf.y
            pdf.set_xy(pdf.l_margin + 0.5, y)
            pdf.cell(4, BODY * 0.46, "•")
            pdf.set_xy(pdf.l_margin + 5, y)
            pdf.multi_cell(pdf.epw - 5, BODY * 0.46, item, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.6)
        pdf.ln(1)

    def _draw_table(self, pdf, b: Table) -> None:
        from fpdf.fonts import FontFace

        size = BODY - 0.5
        n = len(b.header)
        widths = b.widths or (1.0,) * n
        align = tuple("RIGHT" if i in b.numeric else "LEFT" for i in range(n))
        head = FontFace(family=FONT, emphasis="BOLD", size_pt=size, fill_color=(240, 240, 240))
        small = FontFace(family=FONT, size_pt=NOTE - 1, color=MUTED)
        group = FontFace(family=FONT, emphasis="BOLD", size_pt=size, color=ACCENT, fill_color=TINT)
        strong = FontFace(family=FONT, emphasis="BOLD", size_pt=size)
        rows = [r if r.group else Row(tuple(_break_key(c, self._column_width(pdf, widths, i), pdf)
                                            if i in b.small else c for i, c in enumerate(r.cells)),
                                      indent=r.indent, strong=r.strong) for r in b.rows]
        pdf.set_font(FONT, "", size)
        pdf.set_text_color(0, 0, 0)
        pdf.set_fill_color(255, 255, 255)  # the table's cells start from the current style: no fill
        pdf.set_draw_color(*RULE)
        with pdf.table(col_widths=widths, text_align=align, headings_style=head, line_height=size * 0.43,
                       borders_layout="HORIZONTAL_LINES", padding=(0.9, CELL_PAD), width=pdf.epw,
                       repeat_headings=1, v_align="TOP") as t:
            row = t.row()
            for h in b.header:
                row.cell(h)
            for r in rows:
                row = t.row()
                if r.group:
                    row.cell(r.cells[0], colspan=n, style=group, align="LEFT")
                    continue
                for i, c in enumerate(r.cells):
                    style = small if i in b.small else strong if r.strong else None
                    padding = (0.9, 1.4, 0.9, 1.4 + 4.0 * r.indent) if i == 0 and r.indent else None
                    row.cell(c, style=style, padding=padding)

    @staticmethod
    def _column_width(pdf, widths, i: int) -> float:
        """The width text can take in column ``i``, in mm."""
        return pdf.epw * widths[i] / sum(widths) - 2 * CELL_PAD - 0.5

    def _height(self, b: Table) -> float:
        """The height of a table drawn whole, in mm (drawn on a page as tall as needed, then forgotten)."""
        key = _table_key(b)
        if key not in self._heights:
            if self._measure is None:  # a second document with a page as tall as any table: cheaper than
                # fpdf2's offset_rendering, which copies the whole document (fonts included) for each try
                self._measure = _pdf_class()("", "", height=5000)
            m = self._measure
            m.add_page()
            top = m.y
            self._draw_table(m, b)
            self._heights[key] = m.y - top
        return self._heights[key]

    def _start_height(self, b: Table) -> float:
        """How much of a table must follow its heading on the same page: all of a table kept whole (or too short
        to split), else its header and first :data:`MIN_ROWS_BEFORE` rows."""
        if b.keep or len(b.rows) < MIN_ROWS_BEFORE + MIN_ROWS_AFTER:
            return self._height(b)
        return self._height(dataclasses.replace(b, rows=b.rows[:MIN_ROWS_BEFORE], caption=""))

    def whole(self, b: Table) -> bool:
        """Whether a table is moved whole to the next page when it does not fit: one marked ``keep`` (the key
        figures) that fits on a page, or one too short to split."""
        return self._height(b) <= self.page_height() and (
            b.keep or len(b.rows) < MIN_ROWS_BEFORE + MIN_ROWS_AFTER)

    def _fitting(self, b: Table, room: float) -> int:
        """How many of the table's first rows fit, with its header, in ``room`` mm (binary search)."""
        lo, hi = 0, len(b.rows)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._height(dataclasses.replace(b, rows=b.rows[:mid], caption="")) <= room:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def table(self, b: Table) -> None:
        """A table where the text has reached: whole if it fits; else split at a row, the rest on the next
        page(s) under the header again (see the module's note for when it is moved whole instead)."""
        pdf = self.pdf
        part = b
        while self._height(part) > pdf.page_break_trigger - pdf.y:
            if self.whole(part):
                if not self.at_top():
                    pdf.add_page()
                break
            k = min(self._fitting(part, pdf.page_break_trigger - pdf.y), len(part.rows) - MIN_ROWS_AFTER)
            while k > 0 and part.rows[k - 1].group:  # a group heading goes with its rows
                k -= 1
            if k < MIN_ROWS_BEFORE and not self.at_top():
                pdf.add_page()
                continue
            if k < 1:  # a row taller than a page: fpdf2 does what it can
                break
            self._draw_table(pdf, dataclasses.replace(part, rows=part.rows[:k], caption=""))
            pdf.add_page()
            part = dataclasses.replace(part, rows=part.rows[k:])
        self._draw_table(pdf, part)
        pdf.ln(2)
        if b.caption:
            self.text(b.caption, NOTE, colour=MUTED, after=3)
        else:
            pdf.ln(2)

    def _figure_size(self, b: Figure) -> tuple[float, float, float, float]:
        """(width, height, title height, caption height) of a figure on the page, in mm: as wide as drawn for print
        (its text then prints at the size it was drawn), else the text width; never shrunk to squeeze it onto a
        page, where its text would print too small — only one taller than a page is."""
        from PIL import Image

        pdf = self.pdf
        with Image.open(io.BytesIO(b.png)) as im:
            w_px, h_px = im.size
        width = min(b.width_mm or pdf.epw, pdf.epw)
        height = width * h_px / w_px
        tallest = pdf.page_break_trigger - pdf.t_margin - 14
        if height > tallest:
            height, width = tallest, tallest * w_px / h_px
        title_h = 7 if b.show_title and b.title else 0
        caption_h = 0
        if b.caption:
            self.font(NOTE)
            caption_h = len(pdf.multi_cell(width, NOTE * 0.46, b.caption, dry_run=True, output="LINES")) * NOTE * 0.46
        return width, height, title_h, caption_h

    def _figure_need(self, b: Figure) -> float:
        """The height a figure takes on the page, with its title, caption and the gap under it, in mm."""
        _w, height, title_h, caption_h = self._figure_size(b)
        return title_h + height + caption_h + FIGURE_GAP

    def _fits(self, b: Figure) -> bool:
        """Whether a figure fits on this page below the text already there."""
        return self._fits_below(b, 0.0)

    def _fits_below(self, b: Figure, above: float) -> bool:
        """Whether a figure fits on this page below the text already there and ``above`` mm more."""
        return self.pdf.y + above + self._figure_need(b) <= self.pdf.page_break_trigger

    def figure(self, b: Figure, level: int, listed: bool = True) -> None:
        pdf = self.pdf
        width, height, title_h, caption_h = self._figure_size(b)
        self.room(title_h + height + caption_h + FIGURE_GAP)
        if b.title:
            self._start(b.title, level + 1, listed)
        if title_h:
            self.text(b.title, BODY + 0.5, "B", after=1)
        x = pdf.l_margin + (pdf.epw - width) / 2
        pdf.image(io.BytesIO(b.png), x=x, y=pdf.y, w=width, h=height, alt_text=b.alt or b.title or None)
        pdf.set_y(pdf.y + height + FIGURE_GAP)
        if b.caption:
            self.text(b.caption, NOTE, colour=MUTED, after=2)
        pdf.ln(FIGURE_GAP)

    def render(self, fh: BinaryIO) -> None:
        self.front()
        self.contents()
        for s in self.doc.sections:
            self.section(s)
        if self.doc.colophon:
            self.font(NOTE)
            lines = self.pdf.multi_cell(self.pdf.epw, NOTE * 0.46, self.doc.colophon, dry_run=True, output="LINES")
            self.room(4 + len(lines) * NOTE * 0.46)
            if not self.at_top():
                self.pdf.ln(4)
            self.text(self.doc.colophon, NOTE, colour=MUTED)
        try:
            fh.write(bytes(self.pdf.output()))
        finally:
            self.close()

    def close(self) -> None:
        """Close the font files the documents read (fontTools keeps them open)."""
        for doc in (self.pdf, self._measure):
            _close_fonts(doc)


def _table_key(b: Table) -> tuple:
    """What a table's height depends on (its id would do for one object, but parts of tables come and go)."""
    return (b.header, tuple((r.cells, r.group, r.indent, r.strong) for r in b.rows), b.widths, b.small, b.numeric)


def _break_key(text: str, width: float, pdf) -> str:
    """A dotted key that does not fit ``width`` mm in the small type of its column, broken into lines after its
    dots — and, where a part is still too wide, after its underscores — never inside a word."""
    pdf.set_font(FONT, "", NOTE - 1)
    if pdf.get_string_width(text) <= width:
        return text

    def fill(pieces: list[str]) -> list[str]:
        lines = [""]
        for piece in pieces:
            if lines[-1] and pdf.get_string_width(lines[-1] + piece) > width:
                lines.append(piece)
            else:
                lines[-1] += piece
        return lines

    out = []
    for line in fill(re.split(r"(?<=\.)", text)):
        out.extend(fill(re.split(r"(?<=_)", line)) if pdf.get_string_width(line) > width else [line])
    return "\n".join(p for p in out if p)


def _close_fonts(pdf) -> None:
    """fontTools reads a TrueType file lazily and keeps it open: close it once the PDF is written."""
    for font in getattr(pdf, "fonts", {}).values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()


def _toc_renderer(heading: str, line: dict[int, float], unlisted: set[int] = frozenset()):
    """Draws the contents: chapters and their parts with dot leaders and page numbers, each a link; the outline
    entries whose index is in ``unlisted`` (filled in as the sections are drawn) are left out."""

    def render(pdf, outline) -> None:
        pdf.set_x(pdf.l_margin)
        pdf.set_font(FONT, "B", 13)
        pdf.set_text_color(*ACCENT)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(TOC_HEADING - 8)
        for i, item in enumerate(outline):
            if item.level > 1 or i in unlisted:
                continue
            h = line[item.level]
            size, style, indent = (BODY + 0.5, "B", 0.0) if item.level == 0 else (BODY - 0.5, "", 6.0)
            link = pdf.add_link(page=item.page_number)
            pdf.set_font(FONT, style, size)
            pdf.set_text_color(0, 0, 0)
            name_w = min(pdf.get_string_width(item.name) + 1.5, pdf.epw - indent - 14)
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(name_w, h, item.name, link=link)
            dots_w = pdf.epw - indent - name_w - 10
            pdf.set_font(FONT, "", size)
            pdf.set_text_color(*MUTED)
            pdf.cell(dots_w, h, " ." * max(0, int(dots_w / pdf.get_string_width(" .")) - 1), align="R", link=link)
            pdf.set_font(FONT, style, size)
            pdf.set_text_color(0, 0, 0)
            pdf.cell(10, h, str(item.page_number), align="R", link=link, new_x="LMARGIN", new_y="NEXT")

    return render


def render_pdf(doc, fh: BinaryIO | str | Path, lang: str | None = None) -> None:
    """Write the document as an A4 PDF to ``fh`` (a binary file, or a path), in ``lang`` (default: the
    document's own). A :class:`~simulator.report.compose.Content` is accepted too (laid out with its
    ``document()``)."""
    if not isinstance(doc, Document):
        doc = doc.document()
    lang = check_lang(lang or doc.lang)
    if isinstance(fh, (str, Path)):
        with open(fh, "wb") as out:
            _Renderer(doc, lang).render(out)
        return
    _Renderer(doc, lang).render(fh)
