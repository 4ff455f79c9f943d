"""Plain names of the things a scenario names by key, for charts and reports: fuels.

A scenario names its fuels by short keys (``[prices] ron92 = ...``, ``demand.fuel_mix``); a reader
should see "RON 92 petrol" / "xăng RON 92". :func:`fuel_name` gives the name in either language,
and the key itself for a fuel it does not know. Charts, reports and the printed summary all use it;
it imports only :mod:`simulator.i18n`.
"""

from __future__ import annotations

from .i18n import N_, check_lang, translator

FUELS = {
    "ron92": N_("RON 92 petrol"),
    "ron95": N_("RON 95 petrol"),
    "e5": N_("E5 petrol"),
    "diesel": N_("diesel"),
}
"""Fuel key (as in ``[prices]``) → its plain name in English, marked for the catalogue."""


def fuel_name(key: str, lang: str = "en") -> str:
    """A fuel's plain name in ``lang``: ``"ron92"`` → "RON 92 petrol" / "xăng RON 92", ``"e5"`` → "E5 petrol" /
    "xăng E5", ``"diesel"`` → "diesel" / "dầu diesel"; a key it does not know stays the key. Keys are read
    without regard to case, hyphens or underscores (``"RON-92"`` is ``ron92``)."""
    _ = translator(check_lang(lang))
    name = FUELS.get(str(key).lower().replace("-", "").replace("_", "").replace(" ", ""))
    return _(name) if name else str(key)
