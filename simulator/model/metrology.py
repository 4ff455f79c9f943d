"""Metrology: how far each dispenser's indicated litres are from what it delivers.

A dispenser's error ``e`` is indicated/delivered − 1: a customer who receives *D* litres
pays for *D·(1 + e)*. Honest dispensers have small errors around zero
(``metrology.error_sd``), a few of them outside the maximum permissible error
(``metrology.mpe``); a share of dispensers (``short_delivery_share``) — or every
dispenser of a share of stations (``short_delivery_stations``: a station that cheats
sets its pumps) — has been deliberately set to over-indicate by ``short_delivery_error``
(short delivery, consumer fraud).

Verification tests each dispenser against the MPE: one that fails is adjusted (extra
team time, ``adjust_minutes``) and its error is brought back inside the tolerance;
a deliberately set one is also reported and fined. Correcting short delivery protects
consumers and *lowers* the litres indicated per litre delivered — the metrology part
of the before/after uplift is therefore usually negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario import Scenario


@dataclass(frozen=True)
class Dispensers:
    """Per-dispenser errors before and after verification."""

    error_before: np.ndarray  # e0: as found
    error_after: np.ndarray  # e1: after verification (adjusted where it failed)
    failed: np.ndarray  # bool: outside the MPE, or deliberately set
    deliberate: np.ndarray  # bool: deliberately set to short-deliver


def draw_dispensers(sc: Scenario, n: int, rng: np.random.Generator,
                    dispenser_station: np.ndarray | None = None) -> Dispensers:
    """Draw every dispenser's error from the ``metrology`` sub-stream. With
    ``metrology.short_delivery_stations`` a share of *stations* cheats, with every one of
    their dispensers set (``dispenser_station`` maps dispensers to stations); otherwise a
    share of dispensers (``short_delivery_share``)."""
    m = sc.metrology
    # a dispenser never indicates less than half of what it delivers, whatever the tail of the normal
    natural = np.clip(rng.normal(0.0, m.error_sd, n), -0.5, 0.5) if m.error_sd > 0 else np.zeros(n)
    deliberate = rng.random(n) < m.short_delivery_share
    skim = m.short_delivery_error.sample(rng, n)
    adjusted = np.clip(rng.normal(0.0, m.error_sd, n), -m.mpe / 2, m.mpe / 2) if m.error_sd > 0 else np.zeros(n)
    if m.short_delivery_stations is not None and dispenser_station is not None:
        n_stations = int(dispenser_station.max()) + 1 if n else 0
        deliberate = (rng.random(n_stations) < m.short_delivery_stations)[dispenser_station]
    before = np.where(deliberate, skim, natural)
    failed = deliberate | (np.abs(before) > m.mpe)
    after = np.where(failed, adjusted, before)
    return Dispensers(before, after, failed, deliberate)
