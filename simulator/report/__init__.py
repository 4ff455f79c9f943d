"""A report a provincial office can hand on: one HTML file or one PDF, built from a run folder.

The report says what was simulated (the scenario and its key assumptions), what came out
(the headline answer and the key figures with their 90% intervals, in plain words), shows
the charts of :mod:`simulator.charts` and lists every parameter of the scenario as run.
It is built from the run folder alone — the tables, ``summary``, ``manifest.json`` — so it
can be rebuilt at any time without running the model again.

``report.html`` is self-contained: the charts are PNG images inside the file (base64
``data:`` URIs), the style sheet is inline, and nothing is fetched from the network (no
fonts, scripts or links), so it can be mailed or opened offline. ``report.pdf`` is A4 and
drawn with fpdf2 in DejaVu Sans (Vietnamese diacritics embedded and searchable), with a table
of contents and a footer on every page. Both are in English or Vietnamese (``lang``; default:
the run's ``run.lang``): every word through the catalogue ``simulator/locale/vi/report.po``,
every number, amount and date through :class:`simulator.numbers.Numbers`.

``fuelseal report FOLDER [--format html|pdf|both] [--lang en|vi]`` is the command-line entry point
(see :func:`add_subcommand`). It reports on any folder whose kind is registered (:mod:`.kinds`): a run
folder (the run report, built here), a sweep or a sensitivity folder (registered by
:mod:`simulator.analysis.report`) and a comparison folder; ``fuelseal compare RUN_A RUN_B …`` (or
``fuelseal report RUN_A RUN_B --compare``) puts several runs side by side in one report (:mod:`.compare`).

The package, one concept a module, each importing only those before it in this list:

* :mod:`.document` — the document model every report is made of (sections of paragraphs, bullets,
  tables, key figures and figures), and how to build a new kind of report on it;
* :mod:`.parameters` — the parameter appendix: every scenario key with a plain label, formatted;
* :mod:`.compose` — what the run report says: :class:`Content` and :func:`content`, which gathers it
  from a run, and ``Content.document()``, which lays it out;
* :mod:`.loading` — :func:`load_run`, a run folder read only if it is complete and matches its checksums;
* :mod:`.html` — :func:`render_html`; :mod:`.pdf` — :func:`render_pdf`: any document, drawn (they do not
  care which kind of report it is);
* :mod:`.kinds` — the registry of report kinds (:func:`register_kind`): which folders get a report, and how;
* :mod:`.compare` — several runs side by side: the comparison report and the ``fuelseal compare`` command;
* here — :func:`build_reports` (the folder's kind looked up; for a run, the charts drawn once for both
  formats and the manifest told of the new files) and the ``fuelseal report`` command (its arguments, and
  ``fuelseal compare``'s, in :mod:`simulator.commandline`, so that registering them loads none of this).

What it may import: only modules below it — ``results`` (tables, summary, storage), ``charts``,
``files``, ``scenario``, ``numbers``, ``i18n``, ``errors``; never ``cli`` or ``analysis``,
which sit above it (``cli`` registers the command through :func:`add_subcommand`).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from pathlib import Path

from ..commandline import NUMBER_STYLES, add_compare_subcommand, add_subcommand
from ..errors import ScenarioError
from ..files import FolderLock, write_atomic
from ..i18n import LANGS
from ..results import storage
from .compare import build_comparison, cmd_compare, comparison_document
from .compose import Content, content, flatten, report_lang, settings_of
from .document import Bullets, Document, Figure, KeyFigures, Paragraph, Row, Section, Table
from .html import render_html
from .kinds import FORMATS, KINDS, build_kind, check_options, kind_of, kinds, register_kind, write_report
from .loading import load_run
from .pdf import render_pdf

__all__ = [
    "FORMATS",
    "LANGS",
    "NUMBER_STYLES",
    "Bullets",
    "Content",
    "Document",
    "Figure",
    "KeyFigures",
    "Paragraph",
    "Row",
    "Section",
    "Table",
    "KINDS",
    "add_compare_subcommand",
    "add_subcommand",
    "build_comparison",
    "build_report",
    "build_reports",
    "cmd_compare",
    "cmd_report",
    "comparison_document",
    "content",
    "flatten",
    "kind_of",
    "kinds",
    "load_run",
    "register_kind",
    "render_html",
    "render_pdf",
    "report_lang",
    "settings_of",
    "write_report",
]



# ---- building --------------------------------------------------------------------------

def build_reports(run_dir: str | os.PathLike, formats: Iterable[str] = FORMATS, *, lang: str | None = None,
                  number_style: str | None = None, trust: bool = False) -> list[Path]:
    """Write ``report.html`` and/or ``report.pdf`` into the folder — a run folder (the charts are drawn once
    for both) or any folder of a registered kind (:func:`kind_of`: a sweep, a sensitivity study, a
    comparison). ``lang`` is "en" or "vi" (``number_style`` is its older name; ``lang`` wins); default: the
    folder's own language (a run's ``run.lang``), else English. ``trust`` reports a run folder whose files
    do not match its manifest."""
    formats = check_options(formats, lang, number_style)
    folder = Path(run_dir)
    kind = kind_of(folder)
    if kind.write is not None:
        return kind.write(folder, formats, lang=lang, number_style=number_style, trust=trust)
    return build_kind(kind, folder, formats, lang or number_style)


def _is_run(folder: Path) -> bool:
    manifest = folder / "manifest.json"
    return manifest.exists() or manifest.is_symlink()


def _run_document(folder: Path, lang: str | None = None) -> Document:
    return content(load_run(folder), folder, lang=lang).document()


def _run_reports(folder: Path, formats: tuple[str, ...], *, lang: str | None = None, number_style: str | None = None,
                 trust: bool = False) -> list[Path]:
    """The run report: read under the run folder's lock, written, and vouched for in its manifest."""
    if not trust:  # before the lock, whose file must not appear in a folder that is not a run's
        storage.read_manifest(folder)
    elif not (folder / "manifest.json").is_file():
        raise ScenarioError("not a run folder (no manifest.json)", source=str(folder))
    with FolderLock(folder).acquire(exclusive=True, command="fuelseal report"):
        res = load_run(folder, trust=trust)
        c = content(res, folder, lang=lang, number_style=number_style)
        written = _write_reports(c, folder, formats)
        if not storage.is_legacy(res.manifest) and not storage.check_files(folder, res.manifest, skip=("report.",)):
            try:  # vouch for the new reports too, but never re-seal a manifest that failed its checks
                manifest = storage.read_manifest(folder)
                files = {**manifest.get("files", {}), **storage.checksums(folder, [p.name for p in written])}
                storage.write_manifest(folder, {**manifest, "files": files})
            except ScenarioError:
                pass
    return written


register_kind("run", _is_run, _run_document, what="a run folder (manifest.json)", write=_run_reports, rank=0)


def _write_reports(c: Content, folder: Path, formats: tuple[str, ...]) -> list[Path]:
    written = []
    doc = c.document()
    for fmt in formats:
        if fmt == "html":
            text = render_html(doc, c.lang)
            written.append(write_atomic(folder / "report.html", text.encode("utf-8")))
        else:
            written.append(write_atomic(folder / "report.pdf", lambda fh: render_pdf(doc, fh, c.lang)))
    return written


def build_report(run_dir: str | os.PathLike, fmt: str = "html", *, lang: str | None = None,
                 number_style: str | None = None, trust: bool = False) -> Path:
    """Write ``report.html`` (``fmt="html"``) or ``report.pdf`` (``fmt="pdf"``) into the run folder."""
    return build_reports(run_dir, (fmt,), lang=lang, number_style=number_style, trust=trust)[0]


# ---- command line ----------------------------------------------------------------------

def cmd_report(args: argparse.Namespace) -> int:
    more = list(getattr(args, "more", None) or [])
    if getattr(args, "compare", False):  # `fuelseal report RUN_A RUN_B --compare`: as `fuelseal compare`
        return cmd_compare(argparse.Namespace(run_dirs=[args.run_dir, *more], labels=args.labels, out=args.out,
                                              format=args.format, lang=getattr(args, "lang", None) or
                                              args.number_style, trust=args.trust, safe=args.safe))
    if more:
        raise ScenarioError(f"expected one folder, got {1 + len(more)}; to put run folders side by side, add "
                            "--compare (or use fuelseal compare)", source="report")
    if getattr(args, "labels", None) is not None or getattr(args, "out", None) is not None:
        raise ScenarioError("--labels and --out go with --compare; a report is written into the folder it reports "
                            "on", source="report")
    formats = FORMATS if args.format == "both" else (args.format,)
    if args.safe is not None:
        root, here = Path(args.safe).resolve(), Path(args.run_dir).resolve()
        if root != here and root not in here.parents:
            raise ScenarioError(f"the run folder lies outside the allowed folder {root} (--safe)", source=args.run_dir)
    lang = getattr(args, "lang", None)
    for path in build_reports(args.run_dir, formats, lang=lang, number_style=args.number_style, trust=args.trust):
        print(path)
    return 0
