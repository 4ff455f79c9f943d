"""Golden tables: the same scenario and seed give bit-identical tables, release after release.

``tests/data/golden/`` holds tables for the built-in Hà Nam 2017 scenario (3 replications,
seed 2017; regenerated deliberately when the scenario was rebuilt on tax regimes, supply and
dated prices, issue 12, and when it gained licence suspensions and calibration draws, issue
13, and when the teams' findings stopped being fined in Hà Nam: fines are the
inspections', issue 13) and for the minimal scenario with the per-station table and the full visit log (2
replications, seed 7; saved by the first release, commit 40ad0de, and still
bit-identical: the regimes left a scenario that does not use them untouched). Both draw sales day by
day (``run.daily_sales``), the reference path; ``hanam-segments`` holds the same Hà Nam case with sales
drawn by segments, the default since issue 18 (the speed issue), saved then. A change
that moves code around must not move a single number; a change that means to move
numbers (a model issue) regenerates these files in the same commit and says why.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simulator

DATA = Path(__file__).parents[1] / "data"
GOLDEN = DATA / "golden"
CASES = {
    # sales drawn day by day (run.daily_sales): the reference path, bit for bit as saved
    "hanam": (None, {"run.daily_sales": True}, 3, 2017, ("kpis", "monthly", "districts", "visits")),
    "minimal": (DATA / "minimal.toml", {"run.station_detail": True, "run.visit_log": "all", "run.daily_sales": True},
                2, 7, ("kpis", "monthly", "districts", "visits", "stations")),
    # by segments, the default since issue 18: saved then
    "hanam-segments": (None, {}, 3, 2017, ("kpis", "monthly", "districts", "visits")),
}


ADDED = {
    # issue 12 (tax regimes, supply, prices): new columns; every column of the first release is unchanged
    "upstream_tax", "extra_tax_upstream", "uplift_upstream", "uplift_upstream_before_after", "tax_upstream_with",
    "tax_upstream_without",
    "extra_tax_declared_household", "extra_tax_presumptive", "extra_tax_enterprise", "extra_tax_regime_switch",
    "uplift_regime_switch",
    # issue 13 (enforcement): new KPIs
    "back_taxes", "stations_fined", "broken_seals_open", "cost_government", "cost_stations", "tax_metrology_only",
    "overpaid_value", "extra_tax_before_campaign", "stations_suspended", "calibration_draw",
    "stations_fined_by_audits", "short_delivery_found_by_audits",
    # issue 14 (money first): the net gain and the payback month
    "net_benefit", "payback_months",
    # issue 16 (instruments): of the cost, the instruments'
    "cost_instruments", "net_benefit_all_costs", "benefit_cost_ratio_all_costs",
    # issue 16 (where first): per district, the government's cost spent there and the district's own window
    "cost", "team_days_to_seal", "extra_tax_per_month_sealed", "regime_switch_per_month_sealed", "steady_months",
    "cost_horizon",
}
"""Columns added since the golden tables were saved. Only these may be new; nothing may go."""


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Column by column, exactly: numbers bit for bit (NaN equal to NaN), the rest value by value
    (so a pandas upgrade that changes a text column's dtype does not count as a change)."""
    new = [c for c in a.columns if c not in b.columns]
    assert set(new) <= ADDED, f"columns neither in the golden table nor declared as added: {set(new) - ADDED}"
    a = a[[c for c in a.columns if c not in new]]
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for col in a.columns:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if x.dtype.kind in "fiu" and y.dtype.kind in "fiu":
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), col
        else:
            assert [str(v) for v in x] == [str(v) for v in y], col


@pytest.mark.parametrize("case", sorted(CASES))
def test_tables_are_bit_identical_to_the_saved_ones(case):
    path, overrides, n, seed, tables = CASES[case]
    sc = simulator.load_scenario(path, overrides or None)
    res = simulator.run(sc, replications=n, seed=seed)
    for table in tables:
        _same(getattr(res, table), pd.read_parquet(GOLDEN / f"{case}-{table}.parquet"))
