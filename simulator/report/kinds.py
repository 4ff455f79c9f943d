"""Which folders fuelseal writes a report for, and how: a registry of report kinds.

A *kind* is a name, a test that recognises a folder of that kind (``detect(folder) -> bool``: cheap,
never raising) and a builder that turns such a folder into a :class:`~simulator.report.document.Document`
(``build(folder, lang) -> Document``; ``lang`` None means the folder's own language). The run report
registers itself here as ``"run"`` (:mod:`simulator.report`); the analysis layer, which sits above the
report, registers ``"sweep"`` and ``"sensitivity"`` (:mod:`simulator.analysis.report`), and the comparison
of several runs registers ``"compare"`` (:mod:`simulator.report.compare`). ``fuelseal report FOLDER`` and
:func:`simulator.report.build_reports` look the folder's kind up with :func:`kind_of` and write
``report.html`` / ``report.pdf`` into it::

    from simulator.report.kinds import register_kind

    register_kind("calibration", lambda folder: (folder / "calibration.json").is_file(), build_calibration,
                  what="a calibration folder (calibration.json)", lock=True)

Kinds are tried in the order they were registered; the first whose ``detect`` says yes wins. A folder no
kind recognises is a one-line :class:`~simulator.errors.ScenarioError` naming the kinds fuelseal knows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScenarioError
from ..files import FolderLock, write_atomic
from ..i18n import LANGS
from .document import Document
from .html import render_html
from .pdf import render_pdf

REPORT_FILES = ("report.html", "report.pdf")
FORMATS = ("html", "pdf")


def check_options(formats: Iterable[str], lang: str | None, number_style: str | None) -> tuple[str, ...]:
    """The report formats asked for, each once, after checking them and the language (one-line errors)."""
    formats = tuple(dict.fromkeys(formats))
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ScenarioError(f"expected html, pdf or both, got {bad[0]!r}", key="--format")
    for key, value in (("lang", lang), ("number_style", number_style)):
        if value is not None and value not in LANGS:
            raise ScenarioError(f"expected one of {', '.join(LANGS)}, got {value!r}", key=key)
    return formats
"""What a report writes into the folder it reports on (one file per format)."""


@dataclass(frozen=True)
class Kind:
    """A kind of folder fuelseal reports on."""

    name: str
    detect: Callable[[Path], bool]
    """Whether a folder is of this kind (looks only at which files are there; never raises)."""
    build: Callable[[Path, str | None], Document]
    """The folder's report as a document, in ``lang`` (None: the folder's own language)."""
    what: str = ""
    """The folder in words, for the error naming the kinds: "a sweep folder (sweep.json)"."""
    lock: bool = False
    """Hold the folder's :class:`~simulator.files.FolderLock` while reading it and writing the report (the
    folders whose writers take it: sweeps, comparisons)."""
    write: Callable[..., list[Path]] | None = None
    """``write(folder, formats, lang=..., number_style=..., trust=...)`` when the kind writes its reports
    itself (the run report: it also records them in the run's manifest); else :func:`write_report`."""
    rank: int = 100
    """Kinds are tried by rank, then in the order they were registered (the run report: 0, first)."""


KINDS: dict[str, Kind] = {}
"""Every registered kind by name, in the order they are tried."""


def register_kind(name: str, detect: Callable[[Path], bool], build: Callable[[Path, str | None], Document], *,
                  what: str = "", lock: bool = False, write: Callable[..., list[Path]] | None = None,
                  rank: int = 100) -> Kind:
    """Register (or replace) the report kind ``name``; return it. See :class:`Kind` for the arguments."""
    kind = Kind(name, detect, build, what or f"a {name} folder", lock, write, rank)
    KINDS[name] = kind
    order = sorted(KINDS.values(), key=lambda k: k.rank)  # stable: registration order within a rank
    KINDS.clear()
    KINDS.update((k.name, k) for k in order)
    return kind


def kinds() -> list[str]:
    """The names of the registered kinds, in the order they are tried."""
    return list(KINDS)


def _looks(kind: Kind, folder: Path) -> bool:
    try:
        return bool(kind.detect(folder))
    except (OSError, ValueError):
        return False


def kind_of(folder: str | os.PathLike) -> Kind:
    """The kind of report ``folder`` gets: the first registered kind that recognises it; a folder no kind
    recognises (or no folder at all) is a one-line :class:`~simulator.errors.ScenarioError` naming them."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        raise ScenarioError("not a run folder (no such folder)", source=str(folder))
    for kind in KINDS.values():
        if _looks(kind, folder):
            return kind
    whats = [k.what for k in KINDS.values()]
    expected = whats[0] if len(whats) == 1 else ", ".join(whats[:-1]) + " or " + whats[-1]
    raise ScenarioError(f"nothing to report on: expected {expected} (report kinds: {', '.join(KINDS)})",
                        source=str(folder))


def write_report(doc: Document, folder: str | os.PathLike, formats: Iterable[str]) -> list[Path]:
    """``report.html`` and/or ``report.pdf`` of ``doc`` into ``folder``, each written whole or not at all."""
    folder = Path(folder)
    written = []
    for fmt in formats:
        if fmt == "html":
            written.append(write_atomic(folder / "report.html", render_html(doc, doc.lang).encode("utf-8")))
        elif fmt == "pdf":
            written.append(write_atomic(folder / "report.pdf", lambda fh: render_pdf(doc, fh, doc.lang)))
        else:
            raise ScenarioError(f"expected html, pdf or both, got {fmt!r}", key="--format")
    return written


def build_kind(kind: Kind, folder: str | os.PathLike, formats: Iterable[str], lang: str | None = None) -> list[Path]:
    """The report of a folder of ``kind`` (one that writes no reports of its own) into the folder: under the
    folder's lock when the kind takes it, the document built once for every format."""
    folder = Path(folder)
    formats = tuple(formats)
    if not kind.lock:
        return write_report(kind.build(folder, lang), folder, formats)
    with FolderLock(folder).acquire(exclusive=True, command="fuelseal report"):
        return write_report(kind.build(folder, lang), folder, formats)


__all__ = ["KINDS", "REPORT_FILES", "Kind", "build_kind", "kind_of", "kinds", "register_kind", "write_report"]
