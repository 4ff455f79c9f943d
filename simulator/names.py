"""Plain names of the things a scenario names by key, for charts and reports: fuels and instruments.

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


SEAL = "seal"
INSTRUMENT_KINDS = {SEAL: N_("sealing the totalisers"),
                    "einvoice_link": N_("e-invoices by automatic dispenser link"),
                    "einvoice_pos": N_("e-invoices by handheld POS"),
                    "einvoice_manual": N_("e-invoices by camera or by hand"),
                    "receipt_printer": N_("a receipt printer on every dispenser"),
                    "audits_only": N_("more tax audits, without metering"),
                    "lottery": N_("rewards for customers who ask for receipts")}
"""What each kind of instrument is, in words (``seal``: the campaign)."""


def instruments_in_words(kinds: dict[str, str | None], gettext) -> str:
    """"e-invoices by handheld POS + a receipt printer on every dispenser": instruments by name → kind (None: the
    name is the kind), in words; a kind not known keeps its name."""
    return " + ".join(gettext(INSTRUMENT_KINDS[k]) if k in INSTRUMENT_KINDS else name
                      for name, k in ((name, kind or name) for name, kind in kinds.items()))


def fuel_name(key: str, lang: str = "en") -> str:
    """A fuel's plain name in ``lang``: ``"ron92"`` → "RON 92 petrol" / "xăng RON 92", ``"e5"`` → "E5 petrol" /
    "xăng E5", ``"diesel"`` → "diesel" / "dầu diesel"; a key it does not know stays the key. Keys are read
    without regard to case, hyphens or underscores (``"RON-92"`` is ``ron92``)."""
    _ = translator(check_lang(lang))
    name = FUELS.get(str(key).lower().replace("-", "").replace("_", "").replace(" ", ""))
    return _(name) if name else str(key)
