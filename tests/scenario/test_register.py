"""The station register as a provincial planner exports it from Excel: CSV or .xlsx, column names in any
letter case, empty operator cells for the default station type, and errors that say what was found."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import run_command

import simulator
from simulator.cli import main
from simulator.scenario import read_register
from simulator.scenario.reference import markdown, text
from simulator.scenario.register import COLUMNS, DEFAULT_OPERATOR, REGISTER_COLUMNS, _text

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "scenarios" / "data" / "example_register.csv"
MINIMAL = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")
OPERATORS = """
[operators.state]
regime = "enterprise"

[operators.private]
undeclared_share = 0.3

[operators.household]
tax_rate = 0.01
"""
ENTERPRISE_TAX = "[tax]\nrate = 0.015\nvat_rate = 0.1\ncit_rate = 0.2\nmargin_per_litre = 1000\n"


def scenario(folder: Path, register: str, operators: str = "", tax: str = "") -> Path:
    """The minimal scenario reading ``register`` (a file in ``folder``), with ``operators`` tables."""
    text_ = MINIMAL.replace("districts = { A = 3, B = 2 }", f'register = "{register}"')
    if tax:
        text_ = text_.replace("[tax]\nrate = 0.015\n", tax)
    path = folder / "s.toml"
    path.write_text(text_ + operators, encoding="utf-8")
    return path


def xlsx(path: Path, rows: list[list], title: str = "Trạm xăng", more_sheets: int = 0) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for r in rows:
        sheet.append(r)
    for i in range(more_sheets):
        book.create_sheet(f"other {i}").append(["nothing", "here"])
    book.save(path)
    return path


def refused(path: Path, *parts: str) -> str:
    """Loading ``path`` (a scenario or a register) raises one line holding every part."""
    with pytest.raises(simulator.ScenarioError) as info:
        if path.suffix == ".toml":
            simulator.load_scenario(path)
        else:
            read_register(path)
    msg = str(info.value)
    assert len(msg.splitlines()) == 1, msg
    for part in parts:
        assert part in msg, msg
    return msg


# ---- Excel workbooks ---------------------------------------------------------------------------
ROWS = [
    ["ID", " District ", "Operator", "PUMPS", "litres_per_day", "ghi chú"],
    ["HN-001", "Phủ Lý", "private", 3, 2100],
    [101, "Phủ Lý", None, 2, None],
    [None, None, None, None, None],  # an empty row: skipped, but counted in the row numbers
    ["HN-003", "Duy Tiên", "household", 1, 600.5, "bên đường"],
    ["007", "Kim Bảng", "state", 4, 3200],
]


def _csv_text(rows: list[list]) -> str:
    width = len(rows[0])
    return "\n".join(",".join("" if v is None else str(v) for v in [*r, *[None] * (width - len(r))])
                     for r in rows) + "\n"


def test_an_xlsx_register_reads_as_the_same_register_in_csv(tmp_path):
    """The first sheet of a workbook gives the same stations, operators, pumps, litres and row numbers as
    the same table in a CSV; the SHA-256 is of the workbook's bytes."""
    book = xlsx(tmp_path / "stations.xlsx", ROWS, more_sheets=1)
    (tmp_path / "stations.csv").write_text(_csv_text(ROWS), encoding="utf-8")
    a, b = read_register(book), read_register(tmp_path / "stations.csv")
    assert a.rows() == b.rows() == [["HN-001", "Phủ Lý", "private", 3, 2100.0],
                                    ["101", "Phủ Lý", DEFAULT_OPERATOR, 2, None],
                                    ["HN-003", "Duy Tiên", "household", 1, 600.5],
                                    ["007", "Kim Bảng", "state", 4, 3200.0]]
    assert a.row_numbers == b.row_numbers == (2, 3, 5, 6)
    assert a.pumps.dtype == np.int64 and np.isnan(a.litres_per_day[1])
    assert a.sha256 == hashlib.sha256(book.read_bytes()).hexdigest()
    assert a.to_csv() == b.to_csv()


def test_numbers_excel_stored_read_as_a_csv_would_hold_them():
    """Excel keeps every number as a float: an id 101 comes back 101.0 and must read "101"."""
    assert [_text(v) for v in (101.0, 3.0, 2100.5, 101, None, "HN-1", True, 1e20)] == [
        "101", "3", "2100.5", "101", "", "HN-1", "TRUE", "100000000000000000000"]


def test_a_scenario_reads_an_xlsx_register(tmp_path, capsys):
    """network.register = "stations.xlsx" validates and runs; the manifest's register hash is the file's."""
    xlsx(tmp_path / "stations.xlsx", [ROWS[0][:5], *[r[:5] for r in ROWS[1:]]])
    path = scenario(tmp_path, "stations.xlsx", OPERATORS, ENTERPRISE_TAX)
    sc = simulator.load_scenario(path)
    assert sc.register.ids == ("HN-001", "101", "HN-003", "007")
    assert main(["validate", str(path)]) == 0
    assert "register stations.xlsx (4 stations)" in capsys.readouterr().out


def test_an_xlsx_error_names_the_excel_row(tmp_path):
    """Row numbers are the sheet's: after the empty row 3, the bad station on row 4 is named row 4."""
    rows = [list(REGISTER_COLUMNS), ["A", "X", None, 2, None], [None], ["B", "X", None, "hai", None]]
    refused(xlsx(tmp_path / "r.xlsx", rows), "r.xlsx: row 4: pumps: expected a whole number ≥ 1, got 'hai'")


def test_a_value_beyond_the_named_columns_is_named_by_its_column_letter(tmp_path):
    rows = [list(REGISTER_COLUMNS), ["A", "X", None, 2, None, None, "?"]]
    refused(xlsx(tmp_path / "r.xlsx", rows), "r.xlsx: row 2: a value in column G, which has no name in row 1")


def test_a_formula_without_a_saved_value_is_named(tmp_path):
    """A workbook written by a program keeps formulas without their results: never computed here."""
    rows = [list(REGISTER_COLUMNS), ["A", "X", None, "=1+1", None]]
    refused(xlsx(tmp_path / "r.xlsx", rows), "r.xlsx: row 2: pumps: expected a whole number ≥ 1, got a formula "
                                             "with no saved value")


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("damage", ["text", "empty", "truncated", "no_workbook", "bad_xml"])
def test_a_corrupt_workbook_is_one_line_naming_the_file(tmp_path, damage):
    good = xlsx(tmp_path / "good.xlsx", ROWS).read_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    data = {
        "text": b"id,district,operator,pumps,litres_per_day\nA,X,,1,\n"[:20] + b"\x00\xff",
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "no_workbook": _zip({k: v for k, v in parts.items() if k != "xl/workbook.xml"}),
        "bad_xml": _zip({**parts, "xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"}),
    }[damage]
    (tmp_path / "r.xlsx").write_bytes(data)
    refused(tmp_path / "r.xlsx", f"{tmp_path / 'r.xlsx'}: not a readable Excel workbook (.xlsx)")


def test_a_workbook_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    from simulator.scenario import register

    monkeypatch.setattr(register, "MAX_XLSX_UNPACKED", 1000)
    refused(xlsx(tmp_path / "r.xlsx", ROWS), "not a readable Excel workbook (.xlsx): it unpacks to")


def test_an_old_xls_workbook_says_to_save_it_as_xlsx_or_csv(tmp_path):
    (tmp_path / "r.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    refused(tmp_path / "r.xls", "an Excel 97–2003 workbook (.xls) cannot be read", "save it as an Excel Workbook "
                                "(.xlsx) or as CSV UTF-8")
    (tmp_path / "r.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))  # renamed, still one
    refused(tmp_path / "r.csv", "(.xls) cannot be read")


# ---- CSV as Excel writes it -----------------------------------------------------------------------
def test_column_names_match_whatever_their_case_and_spaces(tmp_path):
    (tmp_path / "r.csv").write_text("LITRES_PER_DAY; ID ;District;Operator;Pumps\n1500;A;X;;2\n", encoding="utf-8")
    reg = read_register(tmp_path / "r.csv")
    assert reg.rows() == [["A", "X", DEFAULT_OPERATOR, 2, 1500.0]]


def test_a_column_named_twice_is_refused(tmp_path):
    (tmp_path / "r.csv").write_text("id,district,operator,pumps,litres_per_day,ID\nA,X,,2,,B\n", encoding="utf-8")
    refused(tmp_path / "r.csv", "r.csv: row 1: column 'id' appears twice in the header (columns 1 and 6)")


@pytest.mark.parametrize(("header", "parts"), [
    ("id|district|operator|pumps|litres_per_day",
     ["missing column 'id' (and 'district', 'operator', 'pumps', 'litres_per_day'); found one column "
      "'id|district|operator|pumps|litres_per_day' (separated by '|'?", "expected columns id, district, operator, "
      "pumps, litres_per_day"]),
    ("id district operator pumps litres_per_day", ["(separated by ' '?"]),
    ("Mã;Huyện;Loại;Số cột bơm;Lít/ngày;Ghi chú;Địa chỉ",
     ["missing column 'id' (and 'district', 'operator', 'pumps', 'litres_per_day'); found columns 'Mã', 'Huyện', "
      "'Loại', 'Số cột bơm', 'Lít/ngày' … (7 in all) (separated by ';'); expected columns id, district"]),
    ("id\tdistrict\toperator\tpumps\tliters per day",
     ["missing column 'litres_per_day'; found columns 'id', 'district', 'operator', 'pumps', 'liters per day' "
      "(separated by tabs); expected columns", "is 'liters per day' meant to be 'litres_per_day'?"]),
    ("", ["missing column 'id'", "found no column names (separated by ',')"]),
])
def test_a_missing_column_says_what_was_found(tmp_path, header, parts):
    (tmp_path / "r.csv").write_text(header + "\nA\n", encoding="utf-8")
    refused(tmp_path / "r.csv", *parts)


def test_a_missing_column_in_a_workbook_names_the_sheet(tmp_path):
    rows = [["Danh sách cửa hàng xăng dầu tỉnh Bắc Ninh"], list(REGISTER_COLUMNS)]
    msg = refused(xlsx(tmp_path / "r.xlsx", rows, title="Trạm"),
                  "found one column 'Danh sách cửa hàng xăng dầu tỉnh Bắc Ninh' in row 1 of the first sheet, 'Trạm'")
    assert "separated by" not in msg
    refused(xlsx(tmp_path / "r.xlsx", [["id,district,operator,pumps,litres_per_day"]]),
            "(separated by ','? each column of the register is a column of the sheet")


def test_blank_and_comma_only_rows_are_skipped_and_counted(tmp_path):
    """Excel writes an empty row as ",,,,": skipped, and a later error names the row as Excel shows it."""
    (tmp_path / "r.csv").write_text("id,district,operator,pumps,litres_per_day\nA,X,,1,\n,,,,\n\nB,X,,0,\n",
                                    encoding="utf-8")
    refused(tmp_path / "r.csv", "r.csv: row 5: pumps: expected a whole number ≥ 1, got '0'")


def test_excel_unicode_text_and_a_non_utf8_csv(tmp_path):
    """Excel's "Unicode Text" (UTF-16, tabs) reads; a CSV in a Windows code page says how to save it."""
    rows = "id\tdistrict\toperator\tpumps\tlitres_per_day\r\nA\tTừ Sơn\t\t2\t\r\n"
    (tmp_path / "r.txt").write_bytes(rows.encode("utf-16"))
    assert read_register(tmp_path / "r.txt").districts == ("Từ Sơn",)
    (tmp_path / "r.csv").write_bytes("id,district,operator,pumps,litres_per_day\nA,Hà Nam,,2,\n".encode("cp1258"))
    refused(tmp_path / "r.csv", "cannot read as UTF-8 text", "save the register as CSV UTF-8")


# ---- operators -------------------------------------------------------------------------------------
def test_an_empty_operator_cell_is_the_default_type_with_operators_defined(tmp_path):
    """With [operators] defined, an empty cell validates (no "'default' is not defined") and its station is
    under the scenario-wide [tax] regime, the others under their types' regimes."""
    (tmp_path / "r.csv").write_text("id,district,operator,pumps,litres_per_day\nA,X,state,2,100\nB,X,,1,\n",
                                    encoding="utf-8")
    sc = simulator.load_scenario(scenario(tmp_path, "r.csv", OPERATORS, ENTERPRISE_TAX))
    assert sc.register.operators == ("state", DEFAULT_OPERATOR)
    assert [sc.regime_of(op) for op in sc.register.operators] == ["enterprise", "declared_household"]


def test_an_empty_operator_cell_runs_under_the_default_regime(tmp_path):
    """In the model, the station with an empty cell gets [tax]'s regime and rate and [behaviour]'s shares."""
    from simulator.model.declarations import station_terms
    from simulator.model.network import build_network
    from simulator.scenario import REGIMES

    (tmp_path / "r.csv").write_text("id,district,operator,pumps,litres_per_day\nA,X,state,2,100\nB,X,,1,\n"
                                    "C,X,household,1,\n", encoding="utf-8")
    sc = simulator.load_scenario(scenario(tmp_path, "r.csv", OPERATORS, ENTERPRISE_TAX))
    rng = np.random.default_rng(1)
    net = build_network(sc, rng)
    terms = station_terms(sc, net, rng)
    assert [REGIMES[r] for r in terms.regime] == ["enterprise", "declared_household", "declared_household"]
    assert list(terms.tax_rate) == [0.015, 0.015, 0.01]
    assert terms.undeclared[1] == pytest.approx(0.1)  # [behaviour]'s, not an operator type's
    assert np.isfinite(simulator.run(sc, replications=1, workers=1).kpis["uplift"]).all()


def test_an_empty_cell_needs_what_the_default_regime_needs(tmp_path):
    """When every type names its own regime, [tax]'s regime is checked for the stations of the default type."""
    (tmp_path / "r.csv").write_text("id,district,operator,pumps,litres_per_day\nA,X,state,2,100\nB,X,,1,\n",
                                    encoding="utf-8")
    ops = '\n[operators.state]\nregime = "declared_household"\n'
    path = scenario(tmp_path, "r.csv", ops, '[tax]\nrate = 0.015\nregime = "presumptive"\n')
    refused(path, "s.toml: tax.assessment_months: required by the presumptive regime (tax.regime), the regime of "
                  "the register's stations with an empty operator cell (row 3)")


def test_an_undefined_operator_is_named_with_the_defined_ones(tmp_path):
    (tmp_path / "r.csv").write_text("id,district,operator,pumps,litres_per_day\nA,X,state,2,\nB,X,,1,\n"
                                    "C,X,privat,1,\n", encoding="utf-8")
    msg = refused(scenario(tmp_path, "r.csv", OPERATORS, ENTERPRISE_TAX),
                  "r.csv: row 4: operator: 'privat' is not defined in the scenario's [operators] (defined: state, "
                  "private, household;", "did you mean 'private'?")
    assert "'default'" not in msg


def test_an_operator_name_without_operators_is_refused(tmp_path):
    """No [operators]: a named type is a mistake too (it used to pass silently as the default type)."""
    (tmp_path / "r.csv").write_text("id,district,operator,pumps,litres_per_day\n"
                                    "A,X,,2,\nB,X,,1,\nC,X,,1,\nD,X,,1,\nE,X,,1,\nF,X,petrolimex,1,\n"
                                    "G,X,Hộ kinh doanh,1,\n", encoding="utf-8")
    refused(scenario(tmp_path, "r.csv"),
            "r.csv: row 7: operator: 'petrolimex' is not defined: the scenario has no [operators] table; leave the "
            "cell empty for the default station type, or define [operators.petrolimex] (2 rows name types that are "
            "not defined: 'petrolimex', 'Hộ kinh doanh')")


def test_operator_names_match_whatever_their_case_and_default_reads_as_empty(tmp_path):
    """"Private" is [operators.private]; a cell "default" (how run folders before 0.3 stored an empty one)
    is the default type, with or without [operators]."""
    (tmp_path / "r.csv").write_text("id,district,operator,pumps,litres_per_day\nA,X,Private,2,\nB,X,default,1,\n",
                                    encoding="utf-8")
    sc = simulator.load_scenario(scenario(tmp_path, "r.csv", OPERATORS, ENTERPRISE_TAX))
    assert sc.register.operators == ("private", DEFAULT_OPERATOR)
    (tmp_path / "r.csv").write_text("id,district,operator,pumps,litres_per_day\nB,X,default,1,\n", encoding="utf-8")
    assert simulator.load_scenario(scenario(tmp_path, "r.csv")).register.operators == (DEFAULT_OPERATOR,)


@pytest.mark.parametrize("case", ["undefined_operator", "corrupt_xlsx", "old_xls"])
def test_validate_on_a_bad_register_exits_2_with_one_line(tmp_path, capsys, case):
    name = {"undefined_operator": "r.csv", "corrupt_xlsx": "r.xlsx", "old_xls": "r.xls"}[case]
    data = {"undefined_operator": b"id,district,operator,pumps,litres_per_day\nA,X,petrolimex,2,\n",
            "corrupt_xlsx": b"PK\x03\x04 not really a workbook", "old_xls": b"\xd0\xcf\x11\xe0"}[case]
    (tmp_path / name).write_bytes(data)
    assert main(["validate", str(scenario(tmp_path, name))]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fuelseal: error: ") and name in lines[0], captured.err
    assert "Traceback" not in captured.err and not captured.out


# ---- the example register and the reference ------------------------------------------------------
def test_the_example_register_reads_and_a_scenario_using_it_validates():
    reg = read_register(EXAMPLE)
    assert len(reg.ids) == 8 and set(reg.districts) == {"Thành phố Bắc Ninh", "Từ Sơn"}
    assert DEFAULT_OPERATOR in reg.operators and np.isnan(reg.litres_per_day).any()
    raw = simulator.load_scenario(ROOT / "tests" / "data" / "minimal.toml").raw
    raw["network"] = {"register": str(EXAMPLE)}
    raw["operators"] = {"state": {"regime": "declared_household"}, "private": {}, "household": {"tax_rate": 0.01}}
    raw["campaign"]["district_order"] = ["Từ Sơn", "Thành phố Bắc Ninh"]
    sc = simulator.scenario_from_dict(raw)
    assert sc.register.ids == reg.ids and sc.register.default_rows() == [4, 8]
    assert [sc.regime_of(op) for op in sc.register.operators] == ["declared_household"] * 8


def test_the_reference_documents_every_register_column(capsys):
    doc = markdown()
    part = doc[doc.index("## Station register"):]
    for c in COLUMNS:
        assert f"| `{c.name}` |" in part
    assert "litres per day" in part and ".xlsx" in part and "semicolons or tabs" in part
    assert run_command(["keys", "register"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Station register (network.register)") and "campaign.teams" not in out
    assert all(f"\n{c.name}  (" in out for c in COLUMNS)
    assert out.strip() == text("register") and text("register") in text()
    assert EXAMPLE.read_text(encoding="utf-8").startswith(part.split("```\n")[1].split("```")[0])


@pytest.mark.parametrize("column, cell", [("id", "=HYPERLINK(\"http://x\")"), ("district", "@SUM(1+1)"),
                                          ("district", "-2+3+cmd|' /C calc'!A0"), ("operator", "+1")])
def test_a_name_that_starts_like_a_spreadsheet_formula_is_refused(tmp_path, column, cell):
    """Ids, districts and operator types are written back into tables a planner opens in Excel (visits.csv, a
    chart's CSV); one starting with = + - @ would run there as a formula, so the register is refused, naming
    the row and the column."""
    row = {"id": "S1", "district": "A", "operator": "", "pumps": "2", "litres_per_day": "800"}
    row[column] = cell
    text_ = "id,district,operator,pumps,litres_per_day\n" + ",".join(f'"{v}"' if "," in v or '"' in v else v
                                                                     for v in row.values()) + "\n"
    path = tmp_path / "r.csv"
    path.write_text(text_.replace('"=HYPERLINK("http://x")"', '"=HYPERLINK(""http://x"")"'), encoding="utf-8")
    refused(path, "row 2", f"{column}:", "spreadsheet formula")


def test_a_workbook_of_very_many_files_is_refused_before_it_is_opened(tmp_path):
    """A register workbook holds a dozen files; one of tens of thousands (each tiny, far under the size limits)
    costs seconds and memory to open, and is refused by count first."""
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(10_001):
            z.writestr(f"x/{i}", b"")
    refused(path, "10,001 files", "10,000")


def test_a_cell_far_to_the_right_is_not_read(tmp_path):
    """Only the first 64 columns are read: a stray cell in column XFD (16,384) neither costs a row of empty
    cells nor changes the register."""
    rows = [list(REGISTER_COLUMNS), ["S1", "A", "", 2, 800], ["S2", "B", "", 3, 900]]
    plain = read_register(xlsx(tmp_path / "a.xlsx", rows))
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    book.active.cell(row=3, column=16_384, value="stray")
    book.save(tmp_path / "b.xlsx")
    assert read_register(tmp_path / "b.xlsx").ids == plain.ids == ("S1", "S2")
