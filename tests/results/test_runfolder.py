"""Run folders that nothing can destroy or silently corrupt.

A run folder is a planner's evidence. These tests try it as a careless or hostile user
would: --overwrite aimed at the wrong place, replication files swapped, truncated or
copied in from another run, tables edited after the run, two writers at once, pipes
and devices given as inputs, a full disk, SIGTERM, and overrides that try to smuggle a
second setting. Each case is checked before and after: what must not be touched is
intact byte for byte, and what is finished equals an uninterrupted run.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import wait_for_files

import simulator
from simulator.cli import main
from simulator.files import FolderLock, read_regular
from simulator.results import storage

ROOT = Path(__file__).parents[2]
MINIMAL = str(ROOT / "tests" / "data" / "minimal.toml")
# a slower scenario, so that a run is still going when a test acts on it
SLOW = ["--set", "network.districts={ A = 300, B = 300 }", "--set", "campaign.district_order=[]"]


def snapshot(path: Path) -> dict[str, object]:
    """Every entry below ``path`` (or ``path`` itself) with its bytes, link target and mode."""
    out: dict[str, object] = {}
    paths = [path] + (sorted(path.rglob("*")) if path.is_dir() and not path.is_symlink() else [])
    for p in paths:
        if p.name == ".fuelseal.lock":  # the lock's note names its last holder; it is not data
            continue
        key = str(p.relative_to(path.parent))
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            out[key] = ("link", os.readlink(p))
        elif stat.S_ISDIR(st.st_mode):
            out[key] = ("dir", stat.S_IMODE(st.st_mode))
        else:
            out[key] = ("file", p.read_bytes(), stat.S_IMODE(st.st_mode))
    return out


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def run_cli(capsys, argv: list[str]) -> tuple[int, str, str]:
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def run_dir(tmp_path, capsys) -> Path:
    """A complete run folder of the minimal scenario, 3 replications, with charts."""
    out = tmp_path / "run"
    assert main(["run", MINIMAL, "-n", "3", "--seed", "4", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    return out


def register_scenario(folder: Path, rows: str = "S1,A,,2,\n", register: str = "reg.csv") -> Path:
    """The minimal scenario with a station register instead of district counts: writes
    ``folder/reg.csv`` (``rows`` under the header) unless ``register`` points elsewhere,
    and returns the scenario file ``folder/sc.toml``."""
    if register == "reg.csv":
        (folder / "reg.csv").write_text("id,district,operator,pumps,litres_per_day\n" + rows)
    sc = folder / "sc.toml"
    sc.write_text(Path(MINIMAL).read_text().replace("districts = { A = 3, B = 2 }", f'register = "{register}"'))
    return sc


def straight(n: int = 3, seed: int = 4) -> simulator.Results:
    return simulator.run(simulator.load_scenario(MINIMAL), replications=n, seed=seed)


def assert_same_tables(folder: Path, expected: simulator.Results) -> None:
    got = simulator.Results.load(folder)
    for table in ("kpis", "monthly", "districts"):
        pd.testing.assert_frame_equal(getattr(got, table), getattr(expected, table), check_exact=True)


# ---- only run folders are ever replaced ------------------------------------------------------
def _targets(tmp_path: Path, run_dir: Path, monkeypatch) -> dict[str, tuple[str, Path]]:
    work = tmp_path / "work"
    work.mkdir()
    (work / "thesis.docx").write_bytes(b"years of work")
    home = tmp_path / "home"
    (home / "docs").mkdir(parents=True)
    (home / "docs" / "plan.txt").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    other = tmp_path / "home1"
    other.mkdir()
    (other / "notes.txt").write_text("unrelated")
    plain = tmp_path / "plain.txt"
    plain.write_text("a file, not a folder")
    link = tmp_path / "link"
    link.symlink_to(run_dir, target_is_directory=True)
    mixed = tmp_path / "mixed"
    shutil.copytree(run_dir, mixed)
    (mixed / "my-notes.txt").write_text("added by hand")
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "manifest.json").write_text('{"hello": "world"}')
    return {"the current folder": (".", work), "a home folder": (str(home), home),
            "a folder with other content": (str(other), other), "a plain file": (str(plain), plain),
            "a symlink to a run folder": (str(link), link), "a run folder with a file added": (str(mixed), mixed),
            "a folder whose manifest is not fuelseal's": (str(fake), fake)}


CASES = ["the current folder", "a home folder", "a folder with other content", "a plain file",
         "a symlink to a run folder", "a run folder with a file added", "a folder whose manifest is not fuelseal's"]


@pytest.mark.parametrize("case", CASES)
def test_overwrite_touches_nothing_but_a_run_folder(tmp_path, run_dir, monkeypatch, capsys, case):
    """--overwrite aimed at anything that is not beyond doubt a run folder is refused with one
    line and exit 2, and the target is intact byte for byte (the link's target too)."""
    arg, target = _targets(tmp_path, run_dir, monkeypatch)[case]
    monkeypatch.chdir(tmp_path / "work")
    before, before_run = snapshot(target), snapshot(run_dir)
    rc, out, err = run_cli(capsys, ["run", MINIMAL, "-n", "1", "--out", arg, "--overwrite", "--quiet"])
    assert rc == 2 and out == ""
    assert one_line_error(err).startswith("fuelseal: error: ")
    assert snapshot(target) == before
    assert snapshot(run_dir) == before_run
    assert not list(tmp_path.glob(".*replaced*"))


def test_an_empty_current_folder_may_hold_a_new_run(tmp_path, monkeypatch, capsys):
    """`mkdir run && cd run && fuelseal run --out .` works: only replacing the current folder is refused."""
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    rc, _, err = run_cli(capsys, ["run", MINIMAL, "-n", "1", "--out", ".", "--quiet", "--no-charts"])
    assert rc == 0, err
    assert storage.read_manifest(tmp_path / "here")["status"] == "complete"
    rc, _, err = run_cli(capsys, ["run", MINIMAL, "-n", "1", "--out", ".", "--overwrite", "--quiet"])
    assert rc == 2 and "current folder" in one_line_error(err)


def test_a_run_folder_is_replaced_only_after_the_new_one_has_its_manifest(run_dir, tmp_path, monkeypatch, capsys):
    """The old run folder is renamed aside and put back when the new run cannot start (here:
    the disk fills while the new scenario is written); when it can, the old one is gone and
    nothing is left beside it."""
    before = snapshot(run_dir)
    from simulator.results import Results

    def full_disk(folder, sc):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "scenario.toml"))

    with monkeypatch.context() as m:
        m.setattr(Results, "write_scenario", staticmethod(full_disk))
        rc, _, err = run_cli(capsys, ["run", MINIMAL, "-n", "1", "--seed", "9", "--out", str(run_dir),
                                      "--overwrite", "--quiet"])
    assert rc == 2 and "no space left on the device" in one_line_error(err)
    assert snapshot(run_dir) == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]

    rc, _, _ = run_cli(capsys, ["run", MINIMAL, "-n", "1", "--seed", "9", "--out", str(run_dir), "--overwrite",
                                "--quiet", "--no-charts"])
    assert rc == 0
    assert json.loads((run_dir / "manifest.json").read_text())["seed"] == 9
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert not (run_dir / "charts").exists()  # nothing of the old folder survives in the new one


def test_results_save_replaces_only_run_folders(tmp_path, hanam_run):
    """The Python API keeps the same promise as the command line."""
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "data.csv").write_text("precious")
    with pytest.raises(simulator.ScenarioError, match="not a run folder"):
        hanam_run.save(keep, overwrite=True)
    assert (keep / "data.csv").read_text() == "precious"
    saved = hanam_run.save(tmp_path / "r")
    assert hanam_run.save(saved, overwrite=True) == saved and storage.read_manifest(saved)["status"] == "complete"
    with pytest.raises(FileExistsError) as exc:  # in the API's own words, not the command line's
        hanam_run.save(saved)
    assert "overwrite=True" in str(exc.value) and "--overwrite" not in str(exc.value)


# ---- every saved replication proves what it is ----------------------------------------------
def test_resume_reruns_foreign_duplicated_truncated_and_garbage_replications(tmp_path, capsys):
    """Replication files copied from another seed or scenario, saved under the wrong number,
    truncated, empty, garbage, or a named pipe: each is named on stderr and run again, and the
    finished tables equal an uninterrupted run."""
    n = 8
    out, other_seed, other_sc = tmp_path / "run", tmp_path / "seed", tmp_path / "sc"
    for folder, extra in ((out, ["--seed", "4"]), (other_seed, ["--seed", "5"]),
                          (other_sc, ["--seed", "4", "--set", "campaign.teams=2"])):
        assert main(["run", MINIMAL, "-n", str(n), "--out", str(folder), "--quiet", "--no-charts", *extra]) == 0
    capsys.readouterr()
    reps = out / "replications"
    name = "rep-{:06d}.npz".format
    shutil.copy(other_seed / "replications" / name(0), reps / name(0))   # another seed
    shutil.copy(other_sc / "replications" / name(1), reps / name(1))     # another scenario
    shutil.copy(reps / name(3), reps / name(2))                           # replication 3 saved as 2
    data = (reps / name(4)).read_bytes()
    (reps / name(4)).write_bytes(data[: len(data) // 2])                  # truncated
    (reps / name(5)).write_bytes(b"")                                     # empty
    (reps / name(6)).write_bytes(os.urandom(len(data)))                   # garbage
    (reps / name(7)).unlink()
    os.mkfifo(reps / name(7))                                             # a named pipe
    flipped = bytearray((reps / name(3)).read_bytes())
    manifest = storage.read_manifest(out)
    storage.write_manifest(out, {**manifest, "status": "incomplete"})    # as a killed run leaves it

    t0 = time.monotonic()
    rc, _, err = run_cli(capsys, ["run", "--resume", str(out), "--quiet", "--workers", "1"])
    assert rc == 0, err
    assert time.monotonic() - t0 < 60
    notes = [line for line in err.splitlines() if "run again" in line]
    assert len(notes) == 7 and "Traceback" not in err
    assert any("seed 5, not 4" in line for line in notes) and any("another scenario" in line for line in notes)
    assert any("holds replication 3, not 2" in line for line in notes)
    assert_same_tables(out, straight(n))
    assert bytes(flipped) == (reps / name(3)).read_bytes()  # a good file is kept as it was


def test_a_flipped_bit_in_a_replication_is_caught(tmp_path, capsys):
    """A single changed byte inside a saved replication fails its CRC; the replication is run again."""
    out = tmp_path / "run"
    assert main(["run", MINIMAL, "-n", "3", "--seed", "4", "--out", str(out), "--quiet", "--no-charts"]) == 0
    rep = out / "replications" / "rep-000001.npz"
    data = bytearray(rep.read_bytes())
    data[len(data) // 2] ^= 0x01
    rep.write_bytes(bytes(data))
    capsys.readouterr()
    rc, _, err = run_cli(capsys, ["run", "--resume", str(out), "--quiet"])
    assert rc == 0 and "rep-000001.npz" in err
    assert_same_tables(out, straight())


@pytest.mark.parametrize("edit", ["seed", "replications", "status", "files"])
def test_an_edited_manifest_is_refused(run_dir, capsys, edit):
    """A manifest changed by hand (another seed, more replications, …) fails its checksum:
    resume, verify and report all refuse it with one line, and nothing runs."""
    path = run_dir / "manifest.json"
    m = json.loads(path.read_text())
    m[edit] = {"seed": 99, "replications": 5, "status": "incomplete", "files": {}}[edit]
    path.write_text(json.dumps(m, indent=2))
    before = snapshot(run_dir)
    for argv in (["run", "--resume", str(run_dir), "--quiet"], ["verify", str(run_dir)],
                 ["report", str(run_dir), "--format", "html"]):
        rc, _, err = run_cli(capsys, argv)
        assert rc == 2 and "edited or damaged" in one_line_error(err), argv
    assert snapshot(run_dir) == before


# ---- tamper-evident folders -----------------------------------------------------------------
@pytest.mark.parametrize("name", ["kpis.csv", "summary.csv", "summary.parquet", "visits.csv", "monthly.parquet",
                                  "charts/monthly_tax.png", "scenario.toml"])
def test_an_edited_file_is_reported_by_verify_and_refused_by_report(run_dir, capsys, name):
    """Any table, chart or the scenario changed after the run: verify names it and exits 1
    (scenario.toml: the folder cannot be opened, exit 2); report refuses it unless --trust."""
    path = run_dir / name
    if not path.exists():
        pytest.skip(f"{name} is not written by this version")
    data = bytearray(path.read_bytes())
    i = data.find(b"0.") if path.suffix in (".csv", ".toml") else len(data) // 2
    data[i] = ord("9") if path.suffix in (".csv", ".toml") else data[i] ^ 0xFF
    path.write_bytes(bytes(data))
    rc, out, err = run_cli(capsys, ["verify", str(run_dir)])
    assert rc in (1, 2) and "Traceback" not in err
    assert name in out + err
    rc, out, err = run_cli(capsys, ["report", str(run_dir), "--format", "html"])
    assert rc == 2 and name in one_line_error(err) and not (run_dir / "report.html").exists()
    if name != "scenario.toml":  # told to trust it, the report is built — or a damaged table named
        rc, out, err = run_cli(capsys, ["report", str(run_dir), "--format", "html", "--trust"])
        assert (rc == 0 and (run_dir / "report.html").exists()) or (rc == 2 and name in one_line_error(err))


def test_verify_passes_an_untouched_folder_and_report_keeps_it_verifiable(run_dir, capsys):
    """The manifest vouches for every file written, the report's too: verify after report passes."""
    manifest = storage.read_manifest(run_dir)
    assert {"kpis.csv", "summary.parquet", "scenario.toml", "replications/rep-000000.npz",
            "charts/monthly_tax.png"} <= set(manifest["files"])
    assert main(["report", str(run_dir)]) == 0
    assert {"report.html", "report.pdf"} <= set(storage.read_manifest(run_dir)["files"])
    capsys.readouterr()
    rc, out, _ = run_cli(capsys, ["verify", str(run_dir)])
    assert rc == 0 and "identical" in out


# ---- one writer at a time --------------------------------------------------------------------
def _start(out: Path, n: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "simulator", "run", "-n", str(n), "--seed", "5", "--out", str(out),
                             "--quiet", "--no-charts", *SLOW, *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_a_second_writer_is_refused_while_the_first_runs(tmp_path, capsys):
    """While a run writes its folder, a second --overwrite, a --resume and a report are each
    refused with one line naming the process; the first run then finishes a folder that verifies."""
    out = tmp_path / "run"
    proc = _start(out, 12, "--workers", "1")
    try:
        wait_for_files(out, 1, proc)
        for argv in (["run", MINIMAL, "-n", "1", "--out", str(out), "--overwrite", "--quiet"],
                     ["run", "--resume", str(out), "--quiet"], ["report", str(out)]):
            rc, _, err = run_cli(capsys, argv)
            assert rc == 2, argv
            assert f"in use by process {proc.pid}" in one_line_error(err)
        _, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    rc, out_text, _ = run_cli(capsys, ["verify", str(out), "--sample", "1"])
    assert rc == 0, out_text


def test_the_lock_is_exclusive_and_released_with_its_holder(tmp_path):
    """Two holders never coexist; a reader waits for no one but is refused while a writer holds it."""
    tmp_path.joinpath("f").mkdir()
    first = FolderLock(tmp_path / "f").acquire(exclusive=True, command="first")
    with pytest.raises(simulator.ScenarioError, match=rf"in use by process {os.getpid()} \(first\)"):
        FolderLock(tmp_path / "f").acquire(exclusive=True)
    with pytest.raises(simulator.ScenarioError, match="in use"):
        FolderLock(tmp_path / "f").acquire(exclusive=False)
    first.release()
    with FolderLock(tmp_path / "f").acquire(exclusive=False), FolderLock(tmp_path / "f").acquire(exclusive=False):
        pass  # readers share
    FolderLock(tmp_path / "f").acquire(exclusive=True).release()


# ---- inputs read safely ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "sparse", "folder"])
def test_pipes_devices_huge_files_and_folders_are_refused_at_once(tmp_path, kind, capsys):
    """A scenario that is a FIFO, /dev/zero, a 10 GB sparse file or a folder: exit 2 with one line
    naming what it is, within a second, and nothing written."""
    path = {"fifo": tmp_path / "s.toml", "dev_zero": Path("/dev/zero"), "sparse": tmp_path / "big.toml",
            "folder": tmp_path / "dir.toml"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "sparse":
        with open(path, "wb") as fh:
            fh.truncate(10 * 1024**3)
    elif kind == "folder":
        path.mkdir()
    t0 = time.monotonic()
    rc, _, err = run_cli(capsys, ["run", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert time.monotonic() - t0 < 1.0
    line = one_line_error(err)
    assert rc == 2 and str(path) in line
    assert {"fifo": "named pipe", "dev_zero": "device", "sparse": "at most", "folder": "folder"}[kind] in line
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_fifo_scenario_ends_a_real_process_with_exit_2(tmp_path):
    """As a real process (which would block forever opening a FIFO for reading without care)."""
    fifo = tmp_path / "s.toml"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "simulator", "validate", str(fifo)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and "named pipe" in one_line_error(proc.stderr)


@pytest.mark.parametrize("what", ["manifest.json", "register.csv", "replications/rep-000000.npz"])
def test_a_fifo_inside_a_run_folder_is_refused(tmp_path, capsys, what):
    """A named pipe in place of the manifest or the register: refused at once; in place of a
    replication file: run again."""
    sc = register_scenario(tmp_path, "S1,A,,2,\nS2,B,,1,900\n")
    out = tmp_path / "run"
    assert main(["run", str(sc), "-n", "2", "--out", str(out), "--quiet", "--no-charts"]) == 0
    (out / what).unlink()
    os.mkfifo(out / what)
    capsys.readouterr()
    t0 = time.monotonic()
    rc, _, err = run_cli(capsys, ["run", "--resume", str(out), "--quiet"])
    assert time.monotonic() - t0 < 30 and "Traceback" not in err
    if what.startswith("replications"):
        assert rc == 0 and "rep-000000.npz" in err
    else:
        assert rc == 2 and "named pipe" in one_line_error(err)


def test_read_regular_reads_at_most_the_limit():
    """/proc files report size 0 but have content: the reader stops one byte past the limit."""
    with pytest.raises(simulator.ScenarioError, match="larger than"):
        read_regular("/proc/self/maps", 16)


def test_resume_applies_the_size_guard(run_dir, monkeypatch, capsys):
    """A folder whose run would not fit in memory is refused on resume as on a new run."""
    import simulator.scenario.size as scenario_module

    monkeypatch.setattr(scenario_module, "MAX_MONTHLY_ROWS", 10)
    rc, _, err = run_cli(capsys, ["run", "--resume", str(run_dir), "--quiet"])
    assert rc == 2 and "replications fit" in one_line_error(err)


def test_the_size_guard_counts_station_detail_and_the_visit_log(small):
    """Per-station tables and a full visit log are counted: a run that would need too much
    memory for them is refused before it starts, naming the setting."""
    from simulator.scenario import MAX_TABLE_BYTES, run_bytes

    sc = small({"network.districts": {"A": 20000, "B": 20000}, "run.station_detail": True})
    per_rep = sum(run_bytes(sc, 1).values())
    most = int(MAX_TABLE_BYTES // per_rep)
    with pytest.raises(simulator.ScenarioError, match=rf"with run.station_detail .* at most {most} fit"):
        small({"network.districts": {"A": 20000, "B": 20000}, "run.station_detail": True,
               "run.replications": most + 1})
    assert run_bytes(small({"run.visit_log": "all"}), 10)["visits"] == 10 * run_bytes(
        small({"run.visit_log": "first"}), 10)["visits"]


def test_workers_are_capped(capsys):
    """--workers beyond the documented maximum is refused; the pool never exceeds the replications."""
    from simulator.execution import MAX_WORKERS

    with pytest.raises(SystemExit) as exc:
        main(["run", "-n", "2", "--workers", str(MAX_WORKERS + 1), "--quiet"])
    assert exc.value.code == 2 and f"from 1 to {MAX_WORKERS}" in one_line_error(capsys.readouterr().err)


# ---- every failure is one line, exit 2, nothing lost -----------------------------------------
@pytest.mark.parametrize("argv", [
    ["run", "--seed", "-1"], ["run", "--seed", str(2**63)], ["sweep", "--set", "campaign.teams=1,2", "--seed", "-1"],
    ["calibrate", "--param", "behaviour.undeclared_share=0.05:0.3", "--seed", str(2**63)],
    ["sensitivity", "--seed", "-5"],
], ids=["negative", "too-large", "sweep", "calibrate", "sensitivity"])
def test_bad_seeds_are_refused_before_anything_is_written(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(argv + ["--quiet"])
    assert exc.value.code == 2
    assert "--seed" in one_line_error(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_a_seed_out_of_range_in_the_file_is_refused(tmp_path, capsys):
    sc = tmp_path / "s.toml"
    sc.write_text(Path(MINIMAL).read_text() + "seed = 9223372036854775808\n")
    rc, _, err = run_cli(capsys, ["run", str(sc), "--out", str(tmp_path / "o"), "--quiet"])
    assert rc == 2 and "run.seed" in one_line_error(err) and not (tmp_path / "o").exists()


def test_a_full_disk_ends_in_one_line_and_a_resumable_folder(tmp_path, monkeypatch, capsys):
    """The disk fills after two replications (an injected ENOSPC at the third file): one line,
    exit 2, no temporary file left, and --resume then gives the tables of an uninterrupted run."""
    import simulator.files as files

    real = files.os.replace
    calls = {"n": 0}

    def replace(src, dst):
        if str(dst).endswith(".npz"):
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst)

    out = tmp_path / "run"
    with monkeypatch.context() as m:
        m.setattr(files.os, "replace", replace)
        rc, _, err = run_cli(capsys, ["run", MINIMAL, "-n", "5", "--seed", "4", "--out", str(out), "--quiet",
                                      "--workers", "1"])
    line = one_line_error(err)
    assert rc == 2 and "no space left on the device" in line and "saved 2 of 5" in line and "--resume" in line
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".rep-*"))
    rc, _, _ = run_cli(capsys, ["run", "--resume", str(out), "--quiet"])
    assert rc == 0
    assert_same_tables(out, straight(5))


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(exist_ok=True)
    if shutil.which("mount") is None or os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


@pytest.mark.slow
def test_a_real_full_disk_on_a_small_tmpfs(tmp_path, capsys):
    """The same on a real 160 KiB file system, where the platform lets the test mount one."""
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "160k"):
        pytest.skip("cannot mount a tmpfs here (the injected-ENOSPC test covers the case)")
    try:
        out = disk / "run"
        rc, _, err = run_cli(capsys, ["run", MINIMAL, "-n", "40", "--seed", "4", "--out", str(out), "--quiet",
                                      "--workers", "1"])
        line = one_line_error(err)
        assert rc == 2 and "no space left on the device" in line and "--resume" in line
        assert not list(out.rglob("*.tmp"))
        saved = len(list((out / "replications").glob("rep-*.npz")))
        assert 0 < saved < 40
        subprocess.run(["mount", "-o", "remount,size=20m", str(disk)], check=True)
        rc, _, err = run_cli(capsys, ["run", "--resume", str(out), "--quiet"])
        assert rc == 0, err
        assert_same_tables(out, straight(40))
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@pytest.mark.parametrize("make", ["read_only", "under_a_file", "name_too_long"])
def test_unwritable_places_are_one_line(tmp_path, capsys, make):
    """A read-only folder, --out under a plain file, a name too long for the file system."""
    if make == "read_only":
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        target = ro / "run"
        if os.access(ro, os.W_OK):  # root ignores permissions: use a read-only bind mount if possible
            ro.chmod(0o755)
            if os.geteuid() != 0 or subprocess.run(["mount", "--bind", "-o", "ro", str(ro), str(ro)],
                                                   capture_output=True).returncode:
                pytest.skip("cannot make a read-only folder here")
    elif make == "under_a_file":
        (tmp_path / "f").write_text("x")
        target = tmp_path / "f" / "run"
    else:
        target = tmp_path / ("x" * 300)
    try:
        rc, _, err = run_cli(capsys, ["run", MINIMAL, "-n", "1", "--out", str(target), "--quiet"])
    finally:
        if make == "read_only":
            subprocess.run(["umount", str(tmp_path / "ro")], capture_output=True)
    assert rc == 2
    line = one_line_error(err)
    assert {"read_only": "read-only", "under_a_file": "is a file", "name_too_long": "too long"}[make] in line


def test_a_missing_dask_is_one_line_before_anything_is_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    rc, _, err = run_cli(capsys, ["run", MINIMAL, "-n", "1", "--out", str(tmp_path / "o"), "--executor", "dask",
                                  "--quiet"])
    assert rc == 2 and "pip install 'fuelseal[dask]'" in one_line_error(err)
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_an_unreachable_scheduler_gives_up_after_the_timeout(tmp_path, monkeypatch, capsys):
    """A scheduler address nobody answers: one line after SCHEDULER_TIMEOUT seconds (1 here)."""
    import simulator.execution as execution

    monkeypatch.setattr(execution, "SCHEDULER_TIMEOUT", 1)
    t0 = time.monotonic()
    rc, _, err = run_cli(capsys, ["run", MINIMAL, "-n", "2", "--out", str(tmp_path / "o"), "--executor", "dask",
                                  "--scheduler", "tcp://127.0.0.1:9", "--quiet"])
    assert rc == 2 and "cannot reach the Dask scheduler within 1 s" in one_line_error(err)
    assert time.monotonic() - t0 < 30


@pytest.mark.slow
def test_an_ascii_only_terminal_gets_no_traceback(tmp_path):
    """PYTHONUTF8=0 under LC_ALL=C: stdout is ASCII; the Vietnamese summary is printed escaped."""
    env = {**os.environ, "PYTHONUTF8": "0", "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""}
    env.pop("PYTHONIOENCODING")
    proc = subprocess.run([sys.executable, "-X", "utf8=0", "-m", "simulator", "run", "-n", "2", "--out",
                           str(tmp_path / "run"), "--quiet", "--no-charts"], capture_output=True, text=True,
                          env=env, timeout=120, encoding="utf-8", errors="replace")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "H\\xe0 Nam" in proc.stdout


# ---- signals --------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_saves_what_is_finished_and_leaves_no_worker(tmp_path, sig, capsys):
    """SIGTERM (what `timeout` and job schedulers send) and SIGHUP behave like Ctrl-C: the
    finished replications are saved, "saved N of M; finish with …" is printed, the exit code
    is non-zero, and no worker process outlives the command. --resume then finishes the run."""
    out = tmp_path / "run"
    n = 40
    proc = _start(out, n, "--workers", "2")
    try:
        wait_for_files(out, 2, proc)
        kids = _children(proc.pid)
        assert kids, "the run should have worker processes"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 143 and "Traceback" not in err
    line = one_line_error(err)
    assert "stopped by " + sig.name in line and f"of {n} replications" in line and "--resume" in line
    t0 = time.monotonic()
    while any(_alive(k) for k in kids) and time.monotonic() - t0 < 10:
        time.sleep(0.05)
    assert not any(_alive(k) for k in kids)
    rc, _, _ = run_cli(capsys, ["run", "--resume", str(out), "--quiet"])
    assert rc == 0


@pytest.mark.slow
def test_sigterm_stops_a_dask_run_and_its_cluster(tmp_path):
    """On the Dask executor too: one line, exit 143, no worker, nanny or tracker process left."""
    out = tmp_path / "run"
    proc = _start(out, 60, "--workers", "2", "--executor", "dask")
    try:
        wait_for_files(out, 2, proc)
        kids = _children(proc.pid)
        kids += [g for k in kids for g in _children(k)]
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 143 and "stopped by SIGTERM" in one_line_error(err)
    t0 = time.monotonic()
    while any(_alive(k) for k in kids) and time.monotonic() - t0 < 15:
        time.sleep(0.1)
    assert kids and not any(_alive(k) for k in kids)


@pytest.mark.slow
def test_sigterm_stops_a_sweep_and_its_workers(tmp_path):
    """A sweep on a process pool: SIGTERM saves the finished points and stops every worker."""
    out = tmp_path / "sweep"
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "sweep", "--set", "campaign.teams=1,2,3,4,5,6,7,8",
                             "-n", "6", "--workers", "2", "--out", str(out), "--quiet", *SLOW],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.time()
        while not _children(proc.pid) and time.time() - t0 < 60:
            time.sleep(0.05)
        time.sleep(1.0)
        kids = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 143 and "Traceback" not in err
    assert "stopped by SIGTERM" in one_line_error(err) and "sweep --resume" in err
    t0 = time.monotonic()
    while any(_alive(k) for k in kids) and time.monotonic() - t0 < 10:
        time.sleep(0.05)
    assert not any(_alive(k) for k in kids)


# ---- strict overrides ------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("campaign.teams=5\nrun.seed=9", "line break"),
    ("campaign.teams=5\r\nrun.seed=9", "line break"),
    ("campaign.teams=true", "valid integer"),
    ("campaign.enabled=\"yes\"", "valid boolean"),
    ("campaign.enabled=1", "valid boolean"),
    ("costs.per_seal=false", "valid number"),
    ("tax.rate=\"0.015\"", "valid number"),
])
def test_overrides_are_one_strict_value(tmp_path, capsys, value, expected):
    """--set takes exactly one TOML value; booleans are not numbers and text is not a boolean."""
    rc, _, err = run_cli(capsys, ["run", MINIMAL, "-n", "1", "--set", value, "--out", str(tmp_path / "o"),
                                  "--quiet"])
    assert rc == 2 and expected in one_line_error(err)
    assert not (tmp_path / "o").exists()


# ---- --safe everywhere it matters --------------------------------------------------------------
def test_resume_rechecks_the_stored_scenario_against_safe(run_dir, tmp_path, capsys):
    """--resume --safe refuses a folder outside DIR; a stored scenario whose register path was
    edited to point out of the folder is refused even without --safe (the hash covers only rows)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    rc, _, err = run_cli(capsys, ["run", "--resume", str(run_dir), "--safe", str(elsewhere), "--quiet"])
    assert rc == 2 and "outside the allowed folder" in one_line_error(err)
    rc, _, _ = run_cli(capsys, ["run", "--resume", str(run_dir), "--safe", str(tmp_path), "--quiet"])
    assert rc == 0

    sc = register_scenario(tmp_path)
    out = tmp_path / "withreg"
    assert main(["run", str(sc), "-n", "1", "--out", str(out), "--quiet", "--no-charts"]) == 0
    stored = out / "scenario.toml"
    stored.write_text(stored.read_text().replace('register = "register.csv"', 'register = "../reg.csv"'))
    capsys.readouterr()
    rc, _, err = run_cli(capsys, ["run", "--resume", str(out), "--quiet"])
    assert rc == 2 and "leaves the allowed folder" in one_line_error(err)


@pytest.mark.parametrize("command", ["sweep", "calibrate", "sensitivity", "validate", "run"])
def test_safe_is_accepted_and_enforced_by_every_command(tmp_path, capsys, command):
    """A scenario whose register lies outside --safe DIR is refused by every command that reads one."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "reg.csv").write_text("id,district,operator,pumps,litres_per_day\nS1,A,,2,\n")
    inside = tmp_path / "inside"
    inside.mkdir()
    sc = register_scenario(inside, register="../outside/reg.csv")
    extra = {"sweep": ["--set", "campaign.teams=1,2"], "calibrate": ["--param", "behaviour.undeclared_share=0.05:0.3"],
             "sensitivity": [], "validate": [], "run": []}[command]
    rc, _, err = run_cli(capsys, [command, str(sc), *extra, "--safe", str(inside)])
    assert rc == 2 and "leaves the allowed folder" in one_line_error(err)


# ---- provenance --------------------------------------------------------------------------------
def test_the_manifest_pins_code_and_dependencies_and_files_are_0644(tmp_path, capsys):
    """The manifest records the package version and commit, Python, the platform and every
    dependency that can change numbers; the register's path and SHA-256; all files are 0644."""
    old = os.umask(0o022)
    try:
        sc = register_scenario(tmp_path)
        reg = tmp_path / "reg.csv"
        out = tmp_path / "run"
        assert main(["run", str(sc), "-n", "2", "--out", str(out), "--quiet"]) == 0
    finally:
        os.umask(old)
    m = storage.read_manifest(out)
    v = m["versions"]
    for key in ("fuelseal", "fuelseal_commit", "python", "platform", "numpy", "simpy", "pandas", "scipy", "SALib",
                "dask", "pyarrow"):
        assert v.get(key), key
    import hashlib

    assert m["register"] == {"path": str(reg.resolve()), "sha256": hashlib.sha256(reg.read_bytes()).hexdigest(),
                             "stations": 1}
    modes = {str(p.relative_to(out)): stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()}
    assert modes and all(mode == 0o644 for mode in modes.values()), modes
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


# ---- found by an adversarial review -----------------------------------------------------------
def test_sweep_never_writes_into_a_folder_that_is_not_a_sweeps(tmp_path, run_dir, monkeypatch, capsys):
    """A sweep aimed at a folder holding the user's files, or at a run folder, is refused (with or
    without --overwrite) and leaves it byte for byte; a refused sweep leaves nothing behind."""
    proj = tmp_path / "proj"
    proj.mkdir()
    shutil.copy(MINIMAL, proj / "scenario.toml")
    (proj / ".draft.tmp").write_text("mine")
    before, before_run = snapshot(proj), snapshot(run_dir)
    for target, extra in ((proj, []), (proj, ["--overwrite"]), (run_dir, ["--overwrite"])):
        rc, _, err = run_cli(capsys, ["sweep", str(proj / "scenario.toml"), "--set", "campaign.teams=1,2", "-n", "1",
                                      "--out", str(target), "--quiet", *extra])
        assert rc == 2 and one_line_error(err)
    assert snapshot(proj) == before and snapshot(run_dir) == before_run
    rc, _, err = run_cli(capsys, ["sweep", MINIMAL, "--set", "campaign.teams=1,true", "-n", "1", "--out",
                                  str(tmp_path / "new"), "--quiet"])
    assert rc == 2 and not (tmp_path / "new").exists()


@pytest.mark.parametrize("where", ["charts", "replications", "charts/monthly_tax.png"])
def test_a_symlink_inside_a_run_folder_is_never_followed(run_dir, tmp_path, capsys, where):
    """A run folder whose charts/ or replications/ (or a file in them) is a symbolic link out of
    it is refused on resume, and the place it points to is left alone."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "monthly_tax.png").write_text("precious")
    link = run_dir / where
    if link.is_dir():
        shutil.rmtree(link)
    else:
        link.unlink()
    link.symlink_to(victim if where != "charts/monthly_tax.png" else victim / "monthly_tax.png")
    before = snapshot(victim)
    rc, _, err = run_cli(capsys, ["run", "--resume", str(run_dir), "--quiet"])
    assert rc == 2 and "symbolic link" in one_line_error(err)
    assert snapshot(victim) == before


def test_sweep_resume_refuses_a_symlinked_points_folder_and_reruns_a_swapped_point(tmp_path, capsys):
    """points/ as a symbolic link is refused; a point table swapped with another is run again,
    so the resumed table equals the original."""
    out = tmp_path / "sw"
    assert main(["sweep", MINIMAL, "--set", "campaign.teams=1,2", "-n", "2", "--out", str(out), "--quiet"]) == 0
    original = pd.read_csv(out / "sweep.csv")
    victim = tmp_path / "victim"
    victim.mkdir()
    linked = tmp_path / "linked"
    shutil.copytree(out, linked)
    shutil.rmtree(linked / "points")
    (linked / "points").symlink_to(victim)
    capsys.readouterr()
    rc, _, err = run_cli(capsys, ["sweep", "--resume", str(linked), "--quiet"])
    assert rc == 2 and list(victim.iterdir()) == []
    shutil.copy(out / "points" / "point-0002.parquet", out / "points" / "point-0001.parquet")
    rc, _, _ = run_cli(capsys, ["sweep", "--resume", str(out), "--quiet"])
    assert rc == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "sweep.csv"), original)


def test_a_hard_linked_lock_file_is_never_written(run_dir, tmp_path, capsys):
    """A lock file that is a hard link to the user's file is refused, and the file keeps its bytes."""
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    (run_dir / ".fuelseal.lock").unlink()
    os.link(notes, run_dir / ".fuelseal.lock")
    for argv in (["report", str(run_dir), "--format", "html"], ["run", "--resume", str(run_dir), "--quiet"]):
        rc, _, err = run_cli(capsys, argv)
        assert rc == 2 and "hard link" in one_line_error(err)
    assert notes.read_text() == "my notes"


def test_a_manifest_downgraded_to_the_old_format_is_not_trusted(run_dir, capsys):
    """Removing "format" and "checksum" (to pass as a fuelseal 0.1 manifest) and editing the seed:
    report refuses it without --trust, resume refuses it, verify flags it."""
    m = json.loads((run_dir / "manifest.json").read_text())
    for key in ("format", "checksum"):
        m.pop(key)
    m["seed"] = 7
    (run_dir / "manifest.json").write_text(json.dumps(m))
    for argv, code in ((["report", str(run_dir), "--format", "html"], 2), (["run", "--resume", str(run_dir)], 2),
                       (["verify", str(run_dir)], 2)):
        rc, _, err = run_cli(capsys, argv)
        assert rc == code and one_line_error(err), argv
    legacy = {k: v for k, v in m.items() if k != "files"}  # as fuelseal 0.1 wrote it: no seal, no checksums
    (run_dir / "manifest.json").write_text(json.dumps(legacy))
    rc, out, err = run_cli(capsys, ["report", str(run_dir), "--format", "html"])
    assert rc == 2 and "no checksums" in one_line_error(err)
    rc, _, err = run_cli(capsys, ["run", "--resume", str(run_dir)])
    assert rc == 2 and "fuelseal 0.1" in one_line_error(err)


@pytest.mark.parametrize("forge", ["nul_name", "versions_text", "dotdot_name"])
def test_a_forged_but_sealed_manifest_gives_one_line(run_dir, capsys, forge):
    """Even a manifest re-sealed by a forger, with a NUL byte or '..' in a file name or versions
    that are not a table, ends in one line — for report --trust too — never a traceback."""
    m = storage.read_manifest(run_dir)
    if forge == "nul_name":
        m["files"]["kpis\x00.csv"] = "0" * 64
    elif forge == "dotdot_name":
        m["files"]["../outside.csv"] = "0" * 64
    else:
        m["versions"] = "x"
    storage.write_manifest(run_dir, m)
    for argv in (["verify", str(run_dir)], ["report", str(run_dir), "--format", "html"],
                 ["report", str(run_dir), "--format", "html", "--trust"], ["run", "--resume", str(run_dir)]):
        rc, _, err = run_cli(capsys, argv)
        assert rc == 2 and "damaged" in one_line_error(err), argv


def test_a_replication_with_the_right_identity_but_torn_arrays_is_run_again(tmp_path, capsys):
    """A file with the right number, seed and hash whose district arrays do not fit together."""
    import numpy as np

    out = tmp_path / "run"
    assert main(["run", MINIMAL, "-n", "3", "--seed", "4", "--out", str(out), "--quiet", "--no-charts"]) == 0
    rep = out / "replications" / "rep-000001.npz"
    with np.load(rep) as npz:
        data = {k: npz[k] for k in npz.files}
    data["district_names"] = data["district_names"][:1]
    np.savez(rep, **data)
    capsys.readouterr()
    rc, _, err = run_cli(capsys, ["run", "--resume", str(out), "--quiet"])
    assert rc == 0 and "rep-000001.npz damaged tables" in err
    assert_same_tables(out, straight())


def test_a_folder_name_that_is_not_utf8_is_one_line(tmp_path, capsys):
    bad = os.fsdecode(bytes(tmp_path) + b"/r\xfe")
    rc, _, err = run_cli(capsys, ["run", MINIMAL, "-n", "1", "--out", bad, "--quiet"])
    assert rc == 2 and "UTF-8" in one_line_error(err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("stage", ["tables", "charts"])
def test_sigterm_while_writing_tables_or_charts_still_says_how_to_finish(tmp_path, monkeypatch, capsys, stage):
    """A signal after the last replication, while tables or charts are written: the message says
    what is saved and how to finish; --resume then completes a folder that verifies."""
    from simulator import charts, results
    from simulator.execution import Terminated

    def stop(*a, **k):
        raise Terminated("SIGTERM")

    out = tmp_path / "run"
    with monkeypatch.context() as m:
        m.setattr(*((results.Results, "write_tables", stop) if stage == "tables" else (charts, "write_charts", stop)))
        rc, _, err = run_cli(capsys, ["run", MINIMAL, "-n", "2", "--out", str(out), "--quiet"])
    line = one_line_error(err)
    assert rc == 143 and "stopped by SIGTERM" in line and f"fuelseal run --resume {out}" in line
    assert not list(out.rglob("*.tmp"))
    rc, _, _ = run_cli(capsys, ["run", "--resume", str(out), "--quiet"])
    assert rc == 0 and (out / "charts" / "monthly_tax.png").exists()
    assert storage.check_files(out, storage.read_manifest(out)) == []


def test_a_second_signal_does_not_interrupt_the_clean_up():
    """After the first SIGTERM, further SIGTERM/SIGHUP are ignored until the command has cleaned up."""
    from simulator.execution import Terminated, signals_interrupt

    with pytest.raises(Terminated), signals_interrupt():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        finally:
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGTERM)  # ignored: the clean-up goes on
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_restoring_never_deletes_a_folder_another_run_made_meanwhile(run_dir, tmp_path):
    """If a new run takes the place of a folder being replaced, the replacement's undo leaves
    both: the other run's folder, and the old one aside (with a note saying where)."""
    room = storage.make_room(run_dir, overwrite=True)
    assert room.aside is not None and not run_dir.exists()
    run_dir.mkdir()
    (run_dir / "manifest.json").write_text("another run's")
    aside = room.aside
    note = room.restore()
    assert note and str(aside) in note
    assert (run_dir / "manifest.json").read_text() == "another run's"
    assert storage.read_manifest(aside)["status"] == "complete"


@pytest.mark.parametrize("command", ["verify", "report", "resume"])
def test_commands_on_a_folder_that_is_not_a_run_leave_no_lock_in_it(tmp_path, capsys, command):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("x")
    argv = {"verify": ["verify", str(folder)], "report": ["report", str(folder)],
            "resume": ["run", "--resume", str(folder)]}[command]
    rc, _, err = run_cli(capsys, argv)
    assert rc == 2 and one_line_error(err)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
