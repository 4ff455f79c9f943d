"""Executors and scale: identical numbers on 1 worker, 2 workers and a Dask
LocalCluster; SimPy events grow with visits and months, not dispensers; the benchmark runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import simulator

ROOT = Path(__file__).parents[2]


def _scenario():
    return simulator.load_scenario().with_overrides({"network.districts": {"A": 20, "B": 10},
                                                     "campaign.district_order": []})


@pytest.mark.slow
def test_same_numbers_on_one_worker_two_workers_and_dask():
    """KPIs and monthly tables are bit-identical whatever the executor and worker count."""
    sc = _scenario()
    one = simulator.run(sc, replications=6, seed=4, workers=1)
    two = simulator.run(sc, replications=6, seed=4, workers=2)
    dask = simulator.run(sc, replications=6, seed=4, workers=2, executor="dask")
    for other in (two, dask):
        pd.testing.assert_frame_equal(one.kpis, other.kpis, check_exact=True)
        pd.testing.assert_frame_equal(one.monthly, other.monthly, check_exact=True)
        pd.testing.assert_frame_equal(one.districts, other.districts, check_exact=True)


def test_simpy_events_grow_with_visits_not_with_dispensers():
    """Ten times the dispensers per station: the same number of SimPy events."""
    sc = _scenario().with_overrides({"enforcement.audits_per_year": 0.0})
    few = simulator.run(sc.with_overrides({"network.pumps_per_station": 1}), replications=1).kpis
    many = simulator.run(sc.with_overrides({"network.pumps_per_station": 10}), replications=1).kpis
    assert many["pumps"].iloc[0] == 10 * few["pumps"].iloc[0]
    assert many["simpy_events"].iloc[0] == few["simpy_events"].iloc[0]


@pytest.mark.slow
def test_benchmark_runs_at_a_tiny_size(tmp_path):
    """`python benchmarks/bench.py --quick --json F` prints the table and writes its rows."""
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--json", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "× floor" in proc.stdout and "peak MiB" in proc.stdout
    rows = json.loads(out.read_text())["rows"]
    assert {r["case"] for r in rows} >= {"national ×0.01", "Hà Nam, 1 worker", "Hà Nam, 2 workers"}
    national = rows[0]
    assert national["ratio_to_floor"] > 0 and national["peak_rss_mib"] > 0 and national["simpy_events"] > 0


@pytest.mark.slow
def test_sweep_points_on_dask_equal_the_local_sweep(tmp_path):
    """A sweep's points sent to a Dask LocalCluster give the same table as on one process."""
    sc = _scenario()
    grid = {"campaign.teams": [1, 3]}
    local = simulator.sweep(sc, grid, replications=3, seed=2)
    dask = simulator.sweep(sc, grid, replications=3, seed=2, workers=2, executor="dask",
                           checkpoint=tmp_path / "points")
    pd.testing.assert_frame_equal(local, dask, check_exact=True)
    assert len(list((tmp_path / "points").glob("point-*.parquet"))) == 2
