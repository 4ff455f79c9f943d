"""The document model every fuelseal report is made of, and that both renderers draw.

A :class:`Document` is a title, an optional subtitle and a line about where it comes from,
a **lead** (the answer, in one or two plain sentences) and a list of :class:`Section` s.
A section has a title, a level (0: a chapter; 1: a part of the chapter before it) and a list
of blocks:

* :class:`Paragraph` — running text (``kind="note"`` for small print);
* :class:`Bullets` — a list of findings;
* :class:`Table` — a header and rows of text; numeric columns align right, ``small`` columns
  are set in small grey type (e.g. a dotted key for analysts, wrapped in the PDF at its dots), a
  :class:`Row` may be a group heading or indented ("of which …"); ``keep`` keeps it on one page,
  else a table that does not fit runs on to the next page with its header repeated;
* :class:`KeyFigures` — the table of key figures (a :class:`Table` always kept whole);
* :class:`Figure` — a PNG picture with its title (listed in the table of contents) and caption
  (``width_mm``: printed that wide, e.g. a chart drawn for print at its own width).

Everything in a document is already text in the reader's language: numbers, money and dates
formatted with :class:`simulator.numbers.Numbers`, words translated with ``_()``. The
renderers — :func:`simulator.report.html.render_html` and :func:`simulator.report.pdf.render_pdf`
— only draw; they add nothing but their own few words (``Contents``, ``page X of Y``), so they
do not care which kind of report a document is.

How to build a new kind of report (a sweep, a sensitivity analysis, several runs side by side)::

    from simulator.numbers import Numbers
    from simulator.report.document import Document, Section, Paragraph, Table, Row, Figure
    from simulator.report import render_html, render_pdf

    nf = Numbers(lang); _ = nf.gettext          # mark every string: _("Teams"), and add it to a .po file
    doc = Document(
        title=_("Teams against cost"), lang=lang,
        lead=_("Three teams finish in {days}.").format(days=nf.days(61)),
        footer=_("Sweep {name}").format(name=folder.name),   # left of "page X of Y" in the PDF
        sections=[
            Section("results", _("Results"), [
                Table(header=(_("Teams"), _("Cost")), numeric=(1,),
                      rows=[Row((nf.number(t), nf.vnd(c))) for t, c in results]),
                Figure(png=png_bytes, title=_("Cost against teams"), alt=_("Cost against teams")),
            ]),
        ])
    html_text = render_html(doc)                 # a str: one self-contained page
    with open("report.pdf", "wb") as fh:
        render_pdf(doc, fh)                      # A4, fonts embedded, contents, footers

Give every section a stable ``id`` (a slug): it is the HTML anchor and the PDF outline entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Paragraph:
    """Running text. ``kind``: "body", "lead" (the answer, highlighted) or "note" (small print)."""

    text: str
    kind: str = "body"


@dataclass
class Bullets:
    """A list of short findings, one sentence or two each."""

    items: list[str]


@dataclass
class Row:
    """One table row: its cells as text; ``group`` makes it a heading row across the table (its first
    cell is the heading); ``indent`` indents its first cell ("of which …" rows); ``strong`` sets it in bold."""

    cells: tuple[str, ...]
    group: bool = False
    indent: int = 0
    strong: bool = False

    def __post_init__(self):
        self.cells = tuple(str(c) for c in self.cells)


@dataclass
class Table:
    """A table: a header and rows. ``numeric``: columns aligned right; ``small``: columns in small grey
    type; ``widths``: relative column widths (default: equal); ``keep``: never split across pages (else a
    long table repeats its header on each page); ``caption``: a note under it."""

    header: tuple[str, ...]
    rows: list[Row]
    numeric: tuple[int, ...] = ()
    small: tuple[int, ...] = ()
    widths: tuple[float, ...] | None = None
    keep: bool = False
    caption: str = ""

    def __post_init__(self):
        self.rows = [r if isinstance(r, Row) else Row(tuple(r)) for r in self.rows]
        n = len(self.header)
        for r in self.rows:
            if not r.group and len(r.cells) != n:
                raise ValueError(f"table row {r.cells!r}: expected {n} cells, one per column")
        if self.widths is not None and len(self.widths) != n:
            raise ValueError(f"table widths: expected {n}, got {len(self.widths)}")


@dataclass
class KeyFigures(Table):
    """The key figures: a label, a value and its 90% interval per row; always kept on one page."""

    keep: bool = True


@dataclass
class Figure:
    """A picture (PNG bytes) with its ``title`` (listed in the contents), ``caption`` (under it; may be
    empty when the picture carries its own) and ``alt`` text (what it shows, for screen readers)."""

    png: bytes
    title: str = ""
    caption: str = ""
    alt: str = ""
    id: str = ""
    show_title: bool = True
    """False when the picture carries its own title (a chart): the title then only names it in the contents."""
    width_mm: float | None = None
    """How wide to print it, in mm: a chart drawn for print at its own width, so its text prints at the size it
    was drawn; default (None) the text width. The HTML page sizes it to the page."""


Block = Paragraph | Bullets | Table | KeyFigures | Figure


@dataclass
class Section:
    """A titled part of a document: ``level`` 0 is a chapter, 1 a part of the chapter before it;
    ``new_page`` starts it on a new page in the PDF; ``listed=False`` leaves it (and its figures) out of
    the table of contents — it is still an HTML anchor and a PDF bookmark (e.g. the many small parts of
    an appendix, which would push the contents off the first page)."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 0
    new_page: bool = False
    listed: bool = True


@dataclass
class Document:
    """A report: title, subtitle, a line about its source (``meta``), the ``lead`` (the answer), the
    sections, and the text at its foot (``colophon``: how it was built). ``footer`` is the short text on
    every PDF page beside "page X of Y" (the title or the run); ``lang`` the language it is written in."""

    title: str
    sections: list[Section]
    lead: str = ""
    subtitle: str = ""
    meta: str = ""
    colophon: str = ""
    footer: str = ""
    lang: str = "en"
    author: str = "fuelseal"

    def __post_init__(self):
        _check_ids(self.sections)

    def contents(self, listed_only: bool = False) -> list[tuple[int, str, str]]:
        """The table of contents: (level, anchor id, title) of every section and titled figure, in order
        (``listed_only``: of the sections marked ``listed`` only, as the renderers' contents show them)."""
        out = []
        for s in self.sections:
            if listed_only and not s.listed:
                continue
            out.append((s.level, s.id, s.title))
            for b in s.blocks:
                if isinstance(b, Figure) and b.title:
                    out.append((s.level + 1, b.id or slug(b.title), b.title))
        return out


def slug(text: str) -> str:
    """An anchor id from a title: lower case ASCII letters, digits and hyphens."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text.lower().replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "section"


def text_of(doc: Document) -> str:
    """Every word a document says, in reading order (for checks and search): title to colophon."""
    parts: list[str] = [doc.title, doc.subtitle, doc.meta, doc.lead]
    for s in doc.sections:
        parts.append(s.title)
        for b in s.blocks:
            if isinstance(b, Paragraph):
                parts.append(b.text)
            elif isinstance(b, Bullets):
                parts.extend(b.items)
            elif isinstance(b, Table):
                parts.extend(b.header)
                parts.extend(" ".join(r.cells) for r in b.rows)
                parts.append(b.caption)
            elif isinstance(b, Figure):
                parts.extend((b.title, b.caption))
    parts.append(doc.colophon)
    return "\n".join(p for p in parts if p)


def _check_ids(sections: Sequence[Section]) -> None:
    """Anchors must be unique and a part (level 1) must follow a chapter."""
    seen = set()
    for i, s in enumerate(sections):
        if s.id in seen:
            raise ValueError(f"section id {s.id!r} is used twice")
        if s.level not in (0, 1) or (s.level == 1 and i == 0):
            raise ValueError(f"section {s.id!r}: expected level 0, or 1 after a level-0 section")
        seen.add(s.id)
