"""The station register: one row per station (id, district, operator, pumps, litres_per_day), from a CSV
file or from the first sheet of an Excel workbook (.xlsx).

Read as data only, from a regular file under a size limit; every error names the file
and the row, numbered as a spreadsheet numbers them (row 1 is the header). The columns
are documented once, in :data:`COLUMNS`; :mod:`.reference` prints them.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import math
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import ScenarioError
from ..files import MAX_REGISTER_BYTES, read_regular
from .size import MAX_DISPENSERS


@dataclass(frozen=True)
class Column:
    """One column of the register, as the reference documents it."""

    name: str
    meaning: str
    type: str
    unit: str
    required: bool  # every row needs a value
    empty: str  # what an empty cell means


COLUMNS = (
    Column("id", "The station's identifier, unique in the register (a licence or tax number, a code); tables "
                 "and reports name the station by it.", "text", "", True, "not allowed"),
    Column("district", "The district the station is in. campaign.district_order, when given, names these "
                       "districts in the order the teams take them.", "text", "", True, "not allowed"),
    Column("operator", "The station's operator type: a NAME of the scenario's [operators.NAME] (letter case "
                       "aside); the station's behaviour, tax regime and supply are that type's.", "text", "", False,
           "the default station type: the scenario-wide [tax] regime, [behaviour] and [supply] (or "
           "[operators.default] if the scenario defines it; a cell reading \"default\" is the same)"),
    Column("pumps", "The station's dispensers (fuel pumps), each with its own totaliser to verify and seal.",
           "whole number, ≥ 1", "dispensers", True, "not allowed"),
    Column("litres_per_day", "The station's mean sales, all its dispensers together, before [demand]'s seasonal "
                             "factors, growth and day-to-day variation.", "number, ≥ 0", "litres per day", False,
           "drawn in each replication: [demand] litres_per_pump_day (per dispenser) × pumps"),
)
"""The register's columns, in the order :meth:`Register.to_csv` writes them."""

REGISTER_COLUMNS = tuple(c.name for c in COLUMNS)

DEFAULT_OPERATOR = "default"
"""What the register stores for an empty ``operator`` cell: the default station type (``[tax]``,
``[behaviour]`` and ``[supply]``, or ``[operators.default]`` when the scenario defines one)."""


@dataclass(frozen=True)
class Register:
    """Stations read from a register: one row per station."""

    ids: tuple[str, ...]
    districts: tuple[str, ...]
    operators: tuple[str, ...]  # an empty cell is DEFAULT_OPERATOR
    pumps: np.ndarray  # dispensers per station
    litres_per_day: np.ndarray  # station mean litres/day; NaN = draw from demand
    sha256: str = ""  # of the file's bytes, for the run manifest
    row_numbers: tuple[int, ...] = field(default=(), compare=False)  # each station's row in the file

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

    def row_of(self, station: int) -> int:
        """The file's row number of the ``station``-th station (row 1 is the header)."""
        return self.row_numbers[station] if self.row_numbers else station + 2

    def with_operators(self, defined: Mapping[str, object], source: str) -> Register:
        """The register with each ``operator`` cell matched to a type the scenario defines in
        ``[operators]`` (``defined``; letter case and surrounding spaces aside), or to the default type
        when empty. A name that is not defined is an error naming the row — also when the scenario
        defines no types at all, so that a misspelt or forgotten type never passes unnoticed."""
        by_case: dict[str, list[str]] = {}
        for name in defined:
            by_case.setdefault(name.casefold(), []).append(name)
        out, bad = [], []
        for i, op in enumerate(self.operators):
            same = by_case.get(op.casefold(), [])
            if op in defined or op == DEFAULT_OPERATOR:
                out.append(op)
            elif len(same) == 1:
                out.append(same[0])
            else:
                bad.append((self.row_of(i), op))
        if bad:
            row, op = bad[0]
            if defined:
                msg = (f"operator: {op!r} is not defined in the scenario's [operators] (defined: {', '.join(defined)}; "
                       f"an empty cell is the default station type, under [tax])")
            else:
                msg = (f"operator: {op!r} is not defined: the scenario has no [operators] table; leave the cell "
                       f"empty for the default station type, or define [operators.{_toml_key(op)}]")
            if len(bad) > 1:
                names = list(dict.fromkeys(o for _, o in bad))
                msg += (f" ({len(bad)} rows name types that are not defined: "
                        + ", ".join(repr(o) for o in names[:5]) + (" …" if len(names) > 5 else "") + ")")
            near = difflib.get_close_matches(op, list(defined), n=1, cutoff=0.6)
            msg += f"; did you mean {near[0]!r}?" if near else ""
            raise ScenarioError(msg, source=source, key=f"row {row}")
        return self if tuple(out) == self.operators else replace(self, operators=tuple(out))

    def default_rows(self) -> list[int]:
        """The rows of the stations of the default type (an empty ``operator`` cell)."""
        return [self.row_of(i) for i, op in enumerate(self.operators) if op == DEFAULT_OPERATOR]


def _csv_cell(x) -> str:
    if x is None:
        return ""
    text = str(x)
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n') else text


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


SEPARATORS = (",", ";", "\t")
"""What a register's columns may be separated by: commas, or semicolons and tabs (Excel's CSV export in
locales whose decimal mark is a comma, Vietnamese among them)."""

SEPARATOR_LIKE = ",;\t|:^~#/\\ "
"""Characters that, in a one-column header, suggest the columns were separated by something else."""

EXCEL_MAX_ROWS = 1_048_576
MAX_XLSX_UNPACKED = 512 * 1024**2
MAX_XLSX_ENTRIES = 10_000  # files inside a workbook: a real register has a dozen
MAX_XLSX_COLUMNS = 64  # columns read: a register has five; a cell far to the right does not cost a row of 16,384
"""Largest a register workbook may unpack to (its parts' sizes added up): a workbook is a zip archive,
and one of a few MiB could otherwise unpack to many GiB."""

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 (.xls), and password-protected .xlsx
SAVE_AS = "open it in Excel and save it as an Excel Workbook (.xlsx) or as CSV UTF-8 (Comma delimited)"


def _separator(text: str) -> str:
    """The separator of the header line: the one of :data:`SEPARATORS` that splits it into the most columns
    (a comma when none does)."""
    header = text.split("\n", 1)[0]
    return max(SEPARATORS, key=lambda sep: (header.count(sep), sep == ","))


@dataclass
class _Table:
    """A register file's header and rows as text, whatever the format."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (row number, one cell per header column)
    found: str  # how the header was read, for the missing-column message
    column: Callable[[int], str]  # the name of the i-th column (0-based) for messages: "3" or "C"
    hint: Callable[[str], str] = lambda cell: ""  # a one-column header that looks separated otherwise
    empty_because: Callable[[int, int], str] = lambda row, col: ""  # why a cell came back empty


def read_register(path: Path) -> Register:
    """Read and check a station register (CSV, or the first sheet of a .xlsx workbook); errors name the
    file and the row."""
    path = Path(path)
    src = str(path)
    data = read_regular(path, MAX_REGISTER_BYTES, "station register (CSV or .xlsx)")
    suffix = path.suffix.lower()
    if data.startswith(OLE_MAGIC) and suffix in (".xlsx", ".xlsm"):
        raise ScenarioError("a password-protected (encrypted) workbook cannot be read: remove the password "
                            "(File › Info › Protect Workbook) or save the sheet as CSV UTF-8", source=src)
    if suffix == ".xls" or data.startswith(OLE_MAGIC):
        raise ScenarioError(f"an Excel 97–2003 workbook (.xls) cannot be read: {SAVE_AS}", source=src)
    if suffix == ".ods":
        raise ScenarioError("an OpenDocument spreadsheet (.ods) cannot be read: save it as an Excel Workbook "
                            "(.xlsx) or as CSV (UTF-8)", source=src)
    if suffix in (".xlsx", ".xlsm") or data.startswith(ZIP_MAGIC):
        table = _xlsx_table(data, src)
    else:
        table = _csv_table(data, src)
    return replace(_stations(table, src), sha256=hashlib.sha256(data).hexdigest())


# ---- CSV -----------------------------------------------------------------------------------------
def _csv_table(data: bytes, src: str) -> _Table:
    try:
        # Excel's "Unicode Text" export is UTF-16 with a byte-order mark (and tabs)
        text = data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"cannot read as UTF-8 text ({exc.__class__.__name__}); in Excel, save the register "
                            f"as CSV UTF-8 (Comma delimited) or as an Excel Workbook (.xlsx)", source=src) from None
    sep = _separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise ScenarioError(f"not a readable CSV header ({exc})", source=src) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        n = 1  # row 1 is the header; a blank line is a row, as in a spreadsheet
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ScenarioError(f"not readable as CSV ({exc})", source=src, key=f"row {n + 1}") from None
            n += 1
            if not any(c.strip() for c in cells):  # a blank line, or an empty row Excel wrote as ",,,,"
                continue
            if len(cells) > len(header):
                raise ScenarioError(f"more fields than the {len(header)} columns", source=src, key=f"row {n}")
            if len(cells) < len(header):
                raise ScenarioError(f"expected {len(header)} fields, got {len(cells)}", source=src, key=f"row {n}")
            yield n, cells

    def hint(cell: str) -> str:
        other = _separator_like(cell)
        return (f"(separated by {other!r}? a register's columns are separated by commas, semicolons or tabs)"
                if other and other != sep else "")

    name = {"\t": "tabs", ";": "';'", ",": "','"}[sep]
    return _Table(header, rows(), f"(separated by {name})", lambda i: str(i + 1), hint)


def _separator_like(cell: str) -> str:
    """The character that most likely separates the names in a one-column header: the one that splits out
    the most register column names, else the most frequent separator-like character (a space only when it
    splits out names: a title such as "Danh sách cửa hàng" is not a separated header)."""
    def names(ch: str) -> int:
        return sum(part.strip().casefold() in REGISTER_COLUMNS for part in cell.split(ch))

    best = max(SEPARATOR_LIKE, key=names)
    if names(best) and len(cell.split(best)) > 1:
        return best
    counts = {ch: cell.count(ch) for ch in SEPARATOR_LIKE if ch != " "}
    best = max(counts, key=lambda ch: counts[ch])
    return best if counts[best] else ""


# ---- Excel ---------------------------------------------------------------------------------------
def _xlsx_table(data: bytes, src: str) -> _Table:
    unreadable = "not a readable Excel workbook (.xlsx)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            unpacked = sum(info.file_size for info in entries)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ScenarioError(f"{unreadable} ({exc.__class__.__name__}); {SAVE_AS}", source=src) from None
    if len(entries) > MAX_XLSX_ENTRIES:
        raise ScenarioError(f"{unreadable}: it holds {len(entries):,} files, more than a register workbook may "
                            f"({MAX_XLSX_ENTRIES:,})", source=src)
    if unpacked > MAX_XLSX_UNPACKED:
        raise ScenarioError(f"{unreadable}: it unpacks to {unpacked / 1024**2:,.0f} MiB, more than a register "
                            f"workbook may ({MAX_XLSX_UNPACKED // 1024**2} MiB)", source=src)
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise ScenarioError("reading a .xlsx register needs openpyxl (pip install openpyxl); or save the "
                            "register as CSV UTF-8", source=src) from None

    def sheet(data_only: bool) -> tuple[str, list[tuple[int, tuple]]]:
        """The first worksheet's title and its non-empty rows (row number, values), row 1 always."""
        try:
            with warnings.catch_warnings():  # styles and extensions openpyxl does not read are no concern here
                warnings.simplefilter("ignore")
                book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
                try:
                    if not book.worksheets:
                        raise ScenarioError(f"{unreadable}: it has no worksheet", source=src)
                    ws = book.worksheets[0]
                    ws.reset_dimensions()  # read the rows there are, whatever size the file claims
                    out = []
                    for n, values in enumerate(ws.iter_rows(values_only=True, max_col=MAX_XLSX_COLUMNS), start=1):
                        if n > EXCEL_MAX_ROWS:
                            raise ScenarioError(f"{unreadable}: more than {EXCEL_MAX_ROWS:,} rows", source=src)
                        if n == 1 or any(v is not None and str(v).strip() for v in values):
                            out.append((n, tuple(values)))
                    return ws.title, out
                finally:
                    book.close()
        except ScenarioError:
            raise
        except Exception as exc:  # a damaged workbook fails in the zip, XML or openpyxl's own code
            raise ScenarioError(f"{unreadable} ({exc.__class__.__name__}); {SAVE_AS}", source=src) from None

    title, found = sheet(data_only=True)  # the values Excel saved; formulas are never evaluated here
    header = [_text(v) for v in found[0][1]] if found and found[0][0] == 1 else []
    while header and not header[-1].strip():
        header.pop()
    width = len(header)
    formulas: dict[tuple[int, int], object] = {}

    def rows() -> Iterator[tuple[int, list[str]]]:
        for n, values in found:
            if n == 1:
                continue
            beyond = [j for j, v in enumerate(values) if j >= width and v is not None and str(v).strip()]
            if beyond:
                raise ScenarioError(f"a value in column {_letter(beyond[0])}, which has no name in row 1 (the "
                                    f"header has {width} columns)", source=src, key=f"row {n}")
            yield n, [_text(v) for v in values[:width]] + [""] * (width - len(values))

    def empty_because(row: int, col: int) -> str:
        """Why a cell read empty: a formula whose value was never saved (a workbook written by a program
        rather than saved by Excel), else nothing."""
        if not formulas:
            formulas.update({(n, j): v for n, values in sheet(data_only=False)[1] for j, v in enumerate(values)
                             if v is not None})
        f = formulas.get((row, col))
        return ("a formula with no saved value (the workbook was not saved by Excel or LibreOffice): open and "
                "save it there, or paste the values") if isinstance(f, str) and f.startswith("=") else ""

    def hint(cell: str) -> str:
        other = _separator_like(cell)
        return (f"(separated by {other!r}? each column of the register is a column of the sheet: Data › Text "
                f"to Columns splits one)" if other else "")

    return _Table(header, rows(), f"in row 1 of the first sheet, {title!r}", _letter, hint, empty_because)


def _letter(i: int) -> str:
    """The spreadsheet letter of the i-th column (0-based): A, B, … Z, AA …"""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _text(v) -> str:
    """A cell's value as the text a CSV would hold: whole numbers without ".0" (Excel stores every number
    as a float: an id 101 or 3 pumps come back as 101.0 and 3.0)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    return str(v)


# ---- the checks, whatever the format -------------------------------------------------------------
def _columns(table: _Table, src: str) -> dict[str, int]:
    """Column name → position; names match whatever their letter case and surrounding spaces."""
    at: dict[str, int] = {}
    for i, h in enumerate(table.header):
        name = h.strip().casefold()
        if name in REGISTER_COLUMNS:
            if name in at:
                raise ScenarioError(f"column {name!r} appears twice in the header (columns {table.column(at[name])} "
                                    f"and {table.column(i)})", source=src, key="row 1")
            at[name] = i
    missing = [c for c in REGISTER_COLUMNS if c not in at]
    if missing:
        raise ScenarioError(_missing(missing, table, at), source=src)
    return at


def _missing(missing: list[str], table: _Table, at: dict[str, int]) -> str:
    names = [h.strip() for h in table.header]
    shown = [n for n in names if n]
    msg = f"missing column {missing[0]!r}" + (f" (and {', '.join(map(repr, missing[1:]))})" if missing[1:] else "")
    if not shown:
        msg += f"; found no column names {table.found}"
    else:
        listed = ", ".join(repr(n if len(n) <= 60 else n[:59] + "…") for n in shown[:5])
        more = f" … ({len(shown)} in all)" if len(shown) > 5 else ""
        hint = table.hint(shown[0]) if len(shown) == 1 else ""
        msg += f"; found {'columns' if len(shown) > 1 else 'one column'} {listed}{more} {hint or table.found}"
    msg += f"; expected columns {', '.join(REGISTER_COLUMNS)}"
    others = {re.sub(r"[\s-]+", "_", n.casefold()): n for i, n in enumerate(names) if n and i not in at.values()}
    near = difflib.get_close_matches(missing[0], list(others), n=1, cutoff=0.75)
    return msg + (f"; is {others[near[0]]!r} meant to be {missing[0]!r}?" if near else "")


FORMULA_STARTS = ("=", "+", "-", "@")
"""What a spreadsheet reads as the start of a formula: an id, district or operator type starting so would run
as one when a table fuelseal writes (visits.csv, a chart's CSV) is opened in Excel."""


def _stations(table: _Table, src: str) -> Register:
    at = _columns(table, src)
    ids, districts, operators, pumps, litres, numbers = [], [], [], [], [], []
    seen: dict[str, int] = {}
    for n, cells in table.rows:
        where = f"row {n}"
        row = {c: cells[i].strip() for c, i in at.items()}
        for column, what in (("id", "a station id"), ("district", "a district name"), ("pumps", "a whole number ≥ 1")):
            if not row[column]:
                why = table.empty_because(n, at[column]) or "an empty value"
                raise ScenarioError(f"{column}: expected {what}, got {why}", source=src, key=where)
        for column in ("id", "district", "operator"):
            if row[column][:1] in FORMULA_STARTS:
                raise ScenarioError(f"{column}: {row[column][:40]!r} starts like a spreadsheet formula "
                                    f"({' '.join(FORMULA_STARTS)}); a name may not, so that the tables fuelseal "
                                    "writes open safely in Excel", source=src, key=where)
        sid = row["id"]
        if sid in seen:
            raise ScenarioError(f"id: duplicate id {sid!r} (first on row {seen[sid]})", source=src, key=where)
        seen[sid] = n
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
        operators.append(row["operator"] or DEFAULT_OPERATOR)
        pumps.append(p)
        litres.append(v)
        numbers.append(n)
    if len(ids) == 0:
        raise ScenarioError("expected at least one station row", source=src)
    if sum(pumps) > MAX_DISPENSERS:
        raise ScenarioError(f"{sum(pumps):,} dispensers is more than this tool handles ({MAX_DISPENSERS:,})",
                            source=src)
    return Register(tuple(ids), tuple(districts), tuple(operators), np.array(pumps, dtype=np.int64), np.array(litres),
                    row_numbers=tuple(numbers))
