"""Fuzzing a run folder: flipped bits, truncations, deletions and swaps among its files.

Each example copies one complete run folder (tables, charts, report, replications),
damages it with a few random operations, then runs `fuelseal verify`, `fuelseal report`
and `fuelseal run --resume` on it, in-process. None may end in a traceback (any
exception other than the tool's one-line exit would fail the test), and none may pass
off a wrong table:

* verify exits 0 only if every file the manifest vouches for is byte for byte the original;
* report exits 0 only if every table it reads is the original (or was deleted: a missing
  CSV copy cannot mislead);
* resume exits 0 only with tables equal to the original run's, and a folder whose
  manifest vouches for exactly what it holds.

A larger search: ``FUELSEAL_FUZZ_EXAMPLES=500 pytest tests/results/test_runfolder_fuzz.py``;
``FUELSEAL_FUZZ_STATS=FILE`` also appends each example's exit codes to FILE (one JSON per line).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.cli import main
from simulator.results import storage

ROOT = Path(__file__).parents[2]
MINIMAL = str(ROOT / "tests" / "data" / "minimal.toml")
EXAMPLES = int(os.environ.get("FUELSEAL_FUZZ_EXAMPLES", "0") or 0) or 30
REPORT_INPUTS = ("kpis.parquet", "monthly.parquet", "districts.parquet", "visits.parquet", "summary.parquet",
                 "scenario.toml")
TABLES = ("kpis", "monthly", "districts")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """One complete run folder (3 replications, charts, an HTML report) and its files' bytes."""
    out = tmp_path_factory.mktemp("fuzz") / "ref"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["run", MINIMAL, "-n", "3", "--seed", "4", "--out", str(out), "--quiet"]) == 0
        assert main(["report", str(out), "--format", "html"]) == 0
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    return out, files


def _call(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, err.getvalue()


def operation(names: list[str]) -> st.SearchStrategy[tuple]:
    """One damaging operation on a file of the folder, chosen among all of its files."""
    name = st.sampled_from(names)
    return st.one_of(
        st.tuples(st.just("flip"), name, st.floats(0, 1), st.integers(0, 7)),
        st.tuples(st.just("truncate"), name, st.floats(0, 1, exclude_max=True)),
        st.tuples(st.just("delete"), name),
        st.tuples(st.just("swap"), name, name),
    )


def _damage(folder: Path, op: tuple) -> None:
    path = folder / op[1]
    if not path.is_file():
        return
    kind = op[0]
    if kind == "flip":
        data = bytearray(path.read_bytes())
        if data:
            i = min(int(op[2] * len(data)), len(data) - 1)
            data[i] ^= 1 << op[3]
            path.write_bytes(bytes(data))
    elif kind == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: int(op[2] * len(data))])
    elif kind == "delete":
        path.unlink()
    else:
        other = folder / op[2]
        if other.is_file() and other != path:
            a, b = path.read_bytes(), other.read_bytes()
            path.write_bytes(b)
            other.write_bytes(a)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_damaged_run_folder_never_gives_a_traceback_or_a_silent_wrong_table(reference, tmp_path_factory, data):
    ref, original = reference
    folder = tmp_path_factory.mktemp("case") / "run"
    shutil.copytree(ref, folder)
    ops = data.draw(st.lists(operation(sorted(original)), min_size=1, max_size=4), label="operations")
    for op in ops:
        _damage(folder, op)

    listed = storage.read_manifest(ref)["files"]
    codes = []
    rc, err = _call(["verify", str(folder), "--sample", "1"])
    codes.append(rc)
    assert rc in (0, 1, 2) and "Traceback" not in err
    if rc == 0:
        for name in listed:
            assert (folder / name).read_bytes() == original[name], f"verify passed a changed {name}"

    rc, err = _call(["report", str(folder), "--format", "html"])
    codes.append(rc)
    assert rc in (0, 2) and "Traceback" not in err
    if rc == 0:
        for name in REPORT_INPUTS:
            path = folder / name
            assert not path.exists() or path.read_bytes() == original[name], f"report used a changed {name}"

    rc, err = _call(["run", "--resume", str(folder), "--quiet", "--no-charts", "--workers", "1"])
    codes.append(rc)
    assert rc in (0, 2) and "Traceback" not in err
    if rc == 0:
        for table in TABLES:
            pd.testing.assert_frame_equal(pd.read_parquet(folder / f"{table}.parquet"),
                                          pd.read_parquet(ref / f"{table}.parquet"), check_exact=True)
        manifest = storage.read_manifest(folder)
        assert storage.check_files(folder, manifest) == []
        assert set(manifest["files"]) == set(storage.written_files(folder))
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]
    if os.environ.get("FUELSEAL_FUZZ_STATS"):
        import json

        with open(os.environ["FUELSEAL_FUZZ_STATS"], "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"ops": [op[:2] for op in ops], "verify": codes[0], "report": codes[1],
                                 "resume": codes[2]}) + "\n")
