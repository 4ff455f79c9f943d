"""A :class:`~simulator.report.document.Document` as one self-contained HTML page.

The page is the Jinja2 template ``templates/report.html.j2`` (autoescaped: no text of a
scenario can become markup) with the style sheet ``templates/report.css`` inline, the pictures
as ``data:`` URIs and nothing fetched from the network (no fonts, scripts or links), so it can
be mailed or opened offline. ``<html lang>`` is the document's language; the table of contents
links to each section's anchor.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

from ..i18n import HTML_LANG, N_, check_lang, translator
from .document import Document, Figure, Row, Table, slug

TEMPLATES = Path(__file__).parent / "templates"
WORDS = {"contents": N_("Contents"), "report": N_("fuelseal report")}
"""The renderer's own words (marked here, where the catalogue test finds them; the template gets them translated)."""


@cache
def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env


def _cell_class(table: Table, row: Row, i: int):
    from markupsafe import Markup

    names = []
    if i in table.numeric:
        names.append("num")
    if i in table.small:
        names.append("small")
    if i == 0 and row.indent:
        names.append(f"indent{min(row.indent, 2)}")
    return Markup(f' class="{" ".join(names)}"') if names else ""


def _figure_id(b: Figure) -> str:
    return b.id or slug(b.title)


def _toc(doc: Document) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Chapters with their parts (sections of level 1 and titled figures) for the contents."""
    out: list[tuple[str, str, list[tuple[str, str]]]] = []
    for level, anchor, title in doc.contents(listed_only=True):
        if level == 0:
            out.append((anchor, title, []))
        elif level == 1 and out:
            out[-1][2].append((anchor, title))
    return out


def render_html(doc, lang: str | None = None) -> str:
    """The document as one self-contained HTML page, in ``lang`` (default: the document's own).
    A :class:`~simulator.report.compose.Content` is accepted too (laid out with its ``document()``)."""
    if not isinstance(doc, Document):
        doc = doc.document()
    lang = check_lang(lang or doc.lang)
    template = _environment().get_template("report.html.j2")
    _ = translator(lang)
    return template.render(doc=doc, toc=_toc(doc), html_lang=HTML_LANG[lang], words={k: _(v) for k, v in WORDS.items()},
                           kind=lambda b: type(b).__name__, cell_class=_cell_class, figure_id=_figure_id)
