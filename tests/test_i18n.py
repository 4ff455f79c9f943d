"""Every word a reader sees has its Vietnamese: the catalogues against the code.

The strings are found the way ``pybabel extract`` finds them (``_("...")`` and ``N_("...")``
anywhere in ``simulator/``) plus the KPI registry's labels; each must have a Vietnamese
translation that keeps the same ``{placeholders}``, and no catalogue keeps a message the
code no longer uses.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import simulator
from simulator.i18n import LANGS, catalogue_files, check_lang, marked_messages, translator

PACKAGE = Path(simulator.__file__).parent


def code_messages() -> dict[str, str]:
    """msgid → where it is used (file:line), as pybabel would extract them, and the KPI labels."""
    return marked_messages()


def catalogue() -> dict[str, tuple[str, str]]:
    """msgid → (Vietnamese, file) over every Vietnamese .po file."""
    out = {}
    for path in catalogue_files("vi"):
        with path.open("rb") as fh:
            for m in read_po(fh, locale="vi"):
                if m.id:
                    out[m.id if isinstance(m.id, str) else m.id[0]] = (
                        m.string if isinstance(m.string, str) else m.string[0], path.name)
    return out


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


def test_every_string_the_code_shows_has_its_vietnamese():
    missing = {m: where for m, where in code_messages().items() if not catalogue().get(m, ("",))[0]}
    assert not missing, "no Vietnamese for: " + "; ".join(f"{m!r} ({w})" for m, w in sorted(missing.items())[:20])


def test_translations_keep_the_placeholders_and_the_catalogues_hold_nothing_stale():
    used = code_messages()
    for msgid, (text, path) in catalogue().items():
        assert msgid in used, f"{path}: {msgid!r} is no longer used by the code"
        assert _fields(text) == _fields(msgid), f"{path}: {msgid!r} → {text!r} changes the placeholders"


def test_the_translator_translates_and_english_is_the_code_itself():
    assert translator("vi")("Campaign cost") == "Chi phí chiến dịch"
    assert translator("en")("Campaign cost") == "Campaign cost"
    assert translator("vi")("a string nobody wrote") == "a string nobody wrote"
    assert set(LANGS) == {"en", "vi"}
    with pytest.raises(ValueError, match=re.escape("language: expected one of en, vi, got 'fr'")):
        check_lang("fr")
