"""Comparing runs: paired differences on common random numbers where the seeds match."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import simulator
from simulator.results.compare import Z90, compare, difference, paired


def _run(values, seed=1, name="A"):
    kpis = pd.DataFrame({"replication": range(len(values)), "extra_tax": values})
    return SimpleNamespace(kpis=kpis, seed=seed, manifest={"scenario": name})


def test_paired_differences_are_taken_replication_by_replication():
    """Same seed: the differences 1, 2, …, 21 → mean 11, 90% interval the 5th–95th percentiles (2, 20)."""
    a = _run(np.arange(21.0) * 100)
    b = _run(np.arange(21.0) * 100 + np.arange(1.0, 22.0))
    d = difference(a, b, "extra_tax")
    assert d == {"diff_mean": 11.0, "diff_p05": 2.0, "diff_p95": 20.0, "paired": True, "n_pairs": 21}


def test_different_seeds_are_compared_unpaired_with_a_normal_interval():
    a, b = _run([1.0, 3.0]), _run([2.0, 6.0], seed=2)
    assert not paired(a, b)
    d = difference(a, b, "extra_tax")
    se = np.sqrt(2.0 / 2 + 8.0 / 2)  # variances 2 and 8, two replications each
    assert d["diff_mean"] == 2.0 and not d["paired"]
    assert d["diff_p05"] == pytest.approx(2.0 - Z90 * se) and d["diff_p95"] == pytest.approx(2.0 + Z90 * se)


def test_two_teams_against_four_on_the_same_seed(small):
    """Two real runs on one seed: the change in days to the last seal is the mean of the per-replication
    differences, and the first run's rows carry no difference."""
    a = simulator.run(small({"campaign.teams": 1}), replications=6, seed=3)
    b = simulator.run(small({"campaign.teams": 3}), replications=6, seed=3)
    t = compare([a, b], labels=["1 team", "3 teams"], kpis=["completion_days", "cost"])
    assert list(t["label"].unique()) == ["1 team", "3 teams"]
    first = t[t.run == 0]
    assert first["diff_mean"].isna().all()
    row = t[(t.run == 1) & (t.kpi == "completion_days")].iloc[0]
    assert row["paired"] and row["n_pairs"] == 6 and row["diff_mean"] < 0
    expected = (b.kpis["completion_days"] - a.kpis["completion_days"]).mean()
    assert row["diff_mean"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="at least two runs"):
        compare([a])
