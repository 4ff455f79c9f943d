"""Numbers as a planner reads them: percentages, VND in millions or billions, days."""

from __future__ import annotations

import math
import re
import unicodedata

from .kpis import KPIS


def slug(text: str, width: int = 40) -> str:
    """A folder-name version of ``text``: "Hà Nam 2017 — …" → "ha-nam-2017-…"."""
    plain = unicodedata.normalize("NFKD", text.lower().replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:width].strip("-") or "run"


def _ok(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def pct(x, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%" if _ok(x) else "n/a"


def vnd(x) -> str:
    """VND with a unit that keeps three significant figures (bn = 10⁹, m = 10⁶)."""
    if not _ok(x):
        return "n/a"
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:,.2f} bn VND"
    if a >= 1e6:
        return f"{x / 1e6:,.1f} m VND"
    return f"{x:,.0f} VND"


def number(x, digits: int = 0) -> str:
    return f"{x:,.{digits}f}" if _ok(x) else "n/a"


def days(x) -> str:
    if not _ok(x):
        return "n/a"
    return f"{x:,.0f} days ({x / 30.44:.1f} months)"


def days_short(x) -> str:
    return f"{x:,.0f} days" if _ok(x) else "n/a"


def ratio(x) -> str:
    return f"{x:,.1f}×" if _ok(x) else "n/a"


# how each kind of KPI number reads (see simulator.kpis)
FORMATTERS = {"share": pct, "share_fine": lambda x: pct(x, 2), "money": vnd, "days": days_short, "count": number,
              "ratio": ratio, "value": lambda x: f"{x:.4g}" if _ok(x) else "n/a"}

# KPI name → (label, formatter) for tables printed to planners, in the summary's order
KPI_DISPLAY = {k.name: (k.label, FORMATTERS[k.kind]) for k in KPIS.values() if k.label}
