"""The station register: one CSV row per station (id, district, operator, pumps, litres_per_day).

Read as data only, from a regular file under a size limit; every error names the file
and the row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ScenarioError
from ..files import MAX_REGISTER_BYTES, read_regular
from .size import MAX_DISPENSERS

REGISTER_COLUMNS = ("id", "district", "operator", "pumps", "litres_per_day")


@dataclass(frozen=True)
class Register:
    """Stations read from a register CSV: one row per station."""

    ids: tuple[str, ...]
    districts: tuple[str, ...]
    operators: tuple[str, ...]
    pumps: np.ndarray  # dispensers per station
    litres_per_day: np.ndarray  # station mean litres/day; NaN = draw from demand
    sha256: str = ""  # of the file's bytes, for the run manifest

    def to_csv(self) -> str:
        out = [",".join(REGISTER_COLUMNS)]
        for row in self.rows():
            out.append(",".join(_csv_cell(x) for x in row))
        return "\n".join(out) + "\n"

    def rows(self) -> list[list]:
        return [
            [i, d, o, int(p), None if math.isnan(v) else float(v)]
            for i, d, o, p, v in zip(self.ids, self.districts, self.operators, self.pumps, self.litres_per_day)
        ]


def _csv_cell(x) -> str:
    if x is None:
        return ""
    text = str(x)
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n') else text


SEPARATORS = (",", ";", "\t")
"""What a register's columns may be separated by: commas, or semicolons and tabs (Excel's CSV export in
locales whose decimal mark is a comma, Vietnamese among them)."""


def _separator(text: str) -> str:
    """The separator of the header line: the one of :data:`SEPARATORS` that splits it into the most columns
    (a comma when none does)."""
    header = text.split("\n", 1)[0]
    return max(SEPARATORS, key=lambda sep: (header.count(sep), sep == ","))


def read_register(path: Path) -> Register:
    """Read and check a station register; errors name the file and the row."""
    src = str(path)
    data = read_regular(path, MAX_REGISTER_BYTES, "station register (CSV)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"cannot read as UTF-8 text ({exc.__class__.__name__})", source=src) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_separator(text))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ScenarioError(f"not a readable CSV header ({exc})", source=src) from None
    missing = [c for c in REGISTER_COLUMNS if c not in header]
    if missing:
        raise ScenarioError(f"missing column {missing[0]!r}; expected columns {', '.join(REGISTER_COLUMNS)}",
                            source=src)
    ids, districts, operators, pumps, litres = [], [], [], [], []
    seen: dict[str, int] = {}
    rows = iter(reader)
    n = 1
    while True:
        try:
            raw_row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ScenarioError(f"not readable as CSV ({exc})", source=src, key=f"row {n + 1}") from None
        n += 1  # row 1 is the header
        where = f"row {n}"
        if None in raw_row:
            raise ScenarioError(f"more fields than the {len(header)} columns", source=src, key=where)
        if any(v is None for v in raw_row.values()):
            got = sum(v is not None for v in raw_row.values())
            raise ScenarioError(f"expected {len(header)} fields, got {got}", source=src, key=where)
        row = {(k or "").strip(): v.strip() for k, v in raw_row.items()}
        sid = row["id"]
        if not sid:
            raise ScenarioError("id: expected a station id, got an empty value", source=src, key=where)
        if sid in seen:
            raise ScenarioError(f"id: duplicate id {sid!r} (first on row {seen[sid]})", source=src, key=where)
        seen[sid] = n
        if not row["district"]:
            raise ScenarioError("district: expected a district name, got an empty value", source=src, key=where)
        try:
            p = int(row["pumps"])
            if p < 1:
                raise ValueError
        except ValueError:
            raise ScenarioError(f"pumps: expected a whole number ≥ 1, got {row['pumps']!r}", source=src,
                                key=where) from None
        raw_l = row["litres_per_day"]
        if raw_l == "":
            v = math.nan
        else:
            try:
                v = float(raw_l)
                if not (math.isfinite(v) and v >= 0):
                    raise ValueError
            except ValueError:
                raise ScenarioError(
                    f"litres_per_day: expected a number ≥ 0 (or empty to draw it), got {raw_l!r}", source=src, key=where
                ) from None
        ids.append(sid)
        districts.append(row["district"])
        operators.append(row["operator"] or "default")
        pumps.append(p)
        litres.append(v)
    if len(ids) == 0:
        raise ScenarioError("expected at least one station row", source=src)
    if sum(pumps) > MAX_DISPENSERS:
        raise ScenarioError(f"{sum(pumps):,} dispensers is more than this tool handles ({MAX_DISPENSERS:,})",
                            source=src)
    return Register(tuple(ids), tuple(districts), tuple(operators), np.array(pumps, dtype=np.int64), np.array(litres),
                    hashlib.sha256(data).hexdigest())
