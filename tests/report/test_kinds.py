"""The registry of report kinds: ``fuelseal report FOLDER`` looks the folder's kind up (run, comparison,
sweep, sensitivity, or one registered later) and refuses, in one line naming the kinds, a folder of none."""

from __future__ import annotations

import pytest

from simulator import ScenarioError
from simulator.cli.main import main
from simulator.report import Document, Paragraph, Section, build_reports, kind_of, kinds, register_kind
from simulator.report.kinds import KINDS


def test_the_four_kinds_are_registered_run_first():
    """``import simulator`` registers the run and comparison reports (report layer) and the sweep and
    sensitivity reports (analysis layer); the run report is tried first."""
    assert kinds() == ["run", "compare", "sweep", "sensitivity"]


def test_a_folder_of_no_known_kind_is_one_line_naming_the_kinds(tmp_path, capsys):
    """`fuelseal report` on a folder that is no run, comparison, sweep or sensitivity folder: exit code 2 and
    one line on stderr naming the four kinds; nothing is written into the folder."""
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err == (f"fuelseal: error: {tmp_path}: nothing to report on: expected a run folder (manifest.json), a "
                   "comparison folder (compare.json), a sweep folder (sweep.json) or a sensitivity folder "
                   "(sensitivity.csv) (report kinds: run, compare, sweep, sensitivity)\n")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(ScenarioError, match="no such folder"):
        kind_of(tmp_path / "absent")


def test_a_registered_kind_gets_its_report(tmp_path):
    """A kind registered later is found by its ``detect`` and its document written as report.html and
    report.pdf, in the language asked for (None: the builder's own choice); ranks order the tries."""
    seen = []

    def build(folder, lang):
        seen.append(lang)
        return Document(title="Calibration", lang=lang or "vi", sections=[Section("s", "Words", [Paragraph("x")])])

    try:
        register_kind("calibration", lambda f: (f / "calibration.json").is_file(), build,
                      what="a calibration folder (calibration.json)", lock=True)
        register_kind("early", lambda f: (f / "early.txt").is_file(), build, rank=-1)
        assert kinds()[0] == "early" and kinds()[-1] == "calibration"
        (tmp_path / "calibration.json").write_text("{}")
        assert kind_of(tmp_path).name == "calibration"
        written = build_reports(tmp_path, ("html", "pdf"))
        assert [p.name for p in written] == ["report.html", "report.pdf"] and seen == [None]
        assert '<html lang="vi">' in (tmp_path / "report.html").read_text(encoding="utf-8")
        build_reports(tmp_path, ("html",), lang="en")
        assert seen == [None, "en"]
        (tmp_path / "early.txt").write_text("")
        assert kind_of(tmp_path).name == "early"
    finally:
        KINDS.pop("calibration", None)
        KINDS.pop("early", None)
    assert kinds() == ["run", "compare", "sweep", "sensitivity"]
