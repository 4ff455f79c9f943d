"""Words in the reader's language: English or Vietnamese, through gettext catalogues.

Every string a planner reads — chart titles and captions, report headings, the headline,
the key-figure labels — is written in English in the code, marked for translation, and
looked up in a message catalogue for the chosen language::

    from simulator.i18n import translator
    _ = translator("vi")
    _("Campaign cost")            # → "Chi phí chiến dịch"

``lang="en"`` returns the text unchanged. The Vietnamese catalogue is plain gettext ``.po``
text, one file per part of the program (``simulator/locale/vi/*.po``: charts, report,
KPI labels, ...), so a translator edits them with any PO editor and two people can work
on two parts at once. They are compiled in memory with Babel when first needed (no binary
``.mo`` to go stale). ``N_`` marks a string for the catalogue where it is defined (a
registry, a constant) without translating it yet; it is translated where it is shown.

``make catalogue`` extracts every marked string (``pybabel extract -k _ -k N_``) and updates
the ``.po`` files; ``tests/test_i18n.py`` fails if a marked string has no Vietnamese.

Numbers, money and dates are not words: :mod:`simulator.numbers` writes them per locale.
This module imports nothing of the simulator.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

LANGS = ("en", "vi")
"""The languages fuelseal writes: English (the code's own) and Vietnamese."""
DEFAULT_LANG = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
HTML_LANG = {"en": "en", "vi": "vi"}


def N_(message: str) -> str:  # noqa: N802 — gettext's own name for "mark, translate later"
    """Mark ``message`` for the catalogue without translating it (it is translated where shown)."""
    return message


def check_lang(lang: str) -> str:
    """``lang`` if fuelseal writes it, else a one-line ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"language: expected one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def catalogue_files(lang: str) -> list[Path]:
    """The ``.po`` files of ``lang``, in a stable order (later files win on a duplicate message)."""
    return sorted((LOCALE_DIR / lang).glob("*.po"))


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: none — the text is the code's own)."""
    check_lang(lang)
    if lang == DEFAULT_LANG:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    merged = None
    for path in catalogue_files(lang):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        if merged is None:
            merged = catalog
        else:
            for message in catalog:
                if message.id:
                    merged[message.id] = message
    if merged is None:
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, merged, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def marked_messages() -> dict[str, str]:
    """Every string the package shows a reader, as ``pybabel extract`` finds them (``_("...")`` and
    ``N_("...")`` in ``simulator/``) plus the KPI registry's labels: msgid → where it is used
    (``file:line``). What ``tests/test_i18n.py`` and ``make catalogue`` check the catalogues against."""
    from babel.messages.extract import extract_from_dir

    from .kpis import KPIS  # the registry's labels are shown but not marked (kpis imports nothing)

    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(Path(__file__).parent),
            method_map=[("**.py", "python"), ("web/templates/**.j2", "jinja2.ext:babel_extract")],
            keywords={"_": None, "N_": None}):
        for text in (message if isinstance(message, tuple) else (message,)):
            if text:
                found.setdefault(text, f"{filename}:{lineno}")
    for k in KPIS.values():
        if k.label:
            found.setdefault(k.label.strip(), f"kpis.py ({k.name})")
    return found


def translator(lang: str = DEFAULT_LANG) -> Callable[[str], str]:
    """``_`` for ``lang``: ``translator("vi")("Campaign cost")`` → the Vietnamese, or the English if none."""
    return translations(lang).gettext


def ntranslator(lang: str = DEFAULT_LANG) -> Callable[[str, str, int], str]:
    """``ngettext`` for ``lang``: ``ntranslator("en")("{n} station", "{n} stations", 3)``."""
    return translations(lang).ngettext
