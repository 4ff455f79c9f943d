"""Interrupted runs: each finished replication is on disk; a killed run leaves a
consistent folder marked incomplete; --resume finishes only what is missing and gives
the same tables as an uninterrupted run; verify re-runs a sample bit for bit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import wait_for_files

import simulator
from simulator.cli import main
from simulator.results.runfolder import RunFolder

ROOT = Path(__file__).parents[2]
SLOW = ["--set", "network.districts={ A = 300, B = 300 }", "--set", "campaign.district_order=[]",
        "--set", "run.station_detail=false"]


def _start(out: Path, n: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "simulator", "run", "-n", str(n), "--seed", "5", "--out", str(out),
                             "--workers", "1", "--quiet", *SLOW], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_killed_run_resumes_to_the_same_tables(tmp_path, sig, capsys):
    """A real signal to a real `fuelseal run` mid-way; `--resume` then finishes it.
    No finished replication is lost and the final tables equal an uninterrupted run."""
    out = tmp_path / "run"
    n = 40
    proc = _start(out, n)
    wait_for_files(out, 3, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "--resume" in err and "Traceback" not in err
    else:
        assert proc.returncode == -signal.SIGKILL
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "incomplete"
    with RunFolder.open(out, exclusive=False) as folder:  # a reader: the lock must not outlive it
        saved = folder.done()
        assert 3 <= len(saved) < n
        # every visible replication file is whole (a kill may leave a hidden temporary file, never a torn one)
        before = {r: o.kpis for r, o in zip(sorted(saved), folder.load_replications())}
    assert len(before) == len(saved)

    assert main(["run", "--resume", str(out), "--quiet", "--workers", "2"]) == 0
    capsys.readouterr()
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
    assert not list((out / "replications").glob(".*"))  # leftovers of the kill are cleaned up
    resumed = simulator.Results.load(out)
    for r, kpis in before.items():  # what was saved before the kill was kept, not re-run differently
        assert resumed.kpis.set_index("replication").loc[r].to_dict() == pytest.approx(kpis, nan_ok=True)

    sc = simulator.load_scenario().with_overrides({"network.districts": {"A": 300, "B": 300},
                                                   "campaign.district_order": []})
    straight = simulator.run(sc, replications=n, seed=5)
    pd.testing.assert_frame_equal(resumed.kpis, straight.kpis, check_exact=True)
    pd.testing.assert_frame_equal(resumed.monthly, straight.monthly, check_exact=True)
    pd.testing.assert_frame_equal(resumed.districts, straight.districts, check_exact=True)


def test_verify_reports_identical_and_catches_a_change(tmp_path, capsys):
    """`fuelseal verify` re-runs a sample and says identical; a tampered table is caught."""
    out = tmp_path / "run"
    assert main(["run", str(ROOT / "tests" / "data" / "minimal.toml"), "-n", "5", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    assert "identical" in capsys.readouterr().out
    kpis = pd.read_parquet(out / "kpis.parquet")
    kpis.loc[kpis.replication == 4, "uplift"] += 1e-12
    kpis.to_parquet(out / "kpis.parquet", index=False)
    assert main(["verify", str(out)]) == 1
    assert "kpis.parquet: changed since the run" in capsys.readouterr().out
    # a forger who also recomputes the checksums passes the first layer; the re-run still catches it
    from simulator.results import storage

    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"]["kpis.parquet"] = storage.checksums(out, ["kpis.parquet"])["kpis.parquet"]
    storage.write_manifest(out, manifest)
    assert main(["verify", str(out)]) == 1
    assert "kpis.uplift differs" in capsys.readouterr().out


def test_resume_refuses_other_arguments_and_non_run_folders(tmp_path, capsys):
    """--resume takes everything from the folder; a folder without a manifest is refused."""
    assert main(["run", "--resume", str(tmp_path), "--quiet"]) == 2
    assert "not a run folder" in capsys.readouterr().err
    assert main(["run", "--resume", str(tmp_path), "-n", "3"]) == 2
    assert "give only the folder" in capsys.readouterr().err


def test_replication_files_hold_no_code(tmp_path):
    """Replication files are plain arrays: loading never unpickles anything."""
    out = tmp_path / "run"
    assert main(["run", str(ROOT / "tests" / "data" / "minimal.toml"), "-n", "2", "--out", str(out), "--quiet"]) == 0
    import numpy as np

    for f in (out / "replications").glob("*.npz"):
        with np.load(f, allow_pickle=False) as data:
            assert all(data[k].dtype != object for k in data.files)
    assert os.path.exists(out / "scenario.toml")


@pytest.mark.slow
def test_killed_sweep_resumes_to_the_same_table(tmp_path, capsys):
    """A real SIGKILL to `fuelseal sweep` after two points; `--resume` runs only the rest
    and writes the same sweep.csv as an uninterrupted sweep."""
    out = tmp_path / "sweep"
    args = ["sweep", "--set", "campaign.teams=1,2,3,4,5,6", "-n", "12", "--seed", "3", "--quiet", "--workers", "1",
            *SLOW[:4]]
    proc = subprocess.Popen([sys.executable, "-m", "simulator", *args, "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while len(list((out / "points").glob("point-*.json"))) < 2:
        assert proc.poll() is None, proc.communicate()
        assert time.time() - t0 < 120
        time.sleep(0.05)
    proc.kill()
    proc.communicate(timeout=60)
    done = sorted(p.name for p in (out / "points").glob("point-*.json"))
    assert 2 <= len(done) < 6 and not (out / "sweep.csv").exists()
    stamp = {p: (out / "points" / p).stat().st_mtime_ns for p in done}

    assert main(["sweep", "--resume", str(out), "--quiet", "--workers", "2"]) == 0
    assert all((out / "points" / p).stat().st_mtime_ns == t for p, t in stamp.items())  # not run again
    assert main([*args, "--out", str(tmp_path / "straight")]) == 0
    capsys.readouterr()
    pd.testing.assert_frame_equal(pd.read_csv(out / "sweep.csv"), pd.read_csv(tmp_path / "straight" / "sweep.csv"),
                                  check_exact=True)
