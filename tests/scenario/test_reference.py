"""The key reference is generated from the schema, so it lists every key the loader accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_command as cli

from simulator import ScenarioError
from simulator.scenario.reference import keys, markdown

DOC = Path(__file__).parents[2] / "docs" / "scenario-reference.md"


def test_the_reference_in_docs_is_the_schema_s_own():
    """docs/scenario-reference.md is what the schema gives today (regenerate with `make reference`)."""
    assert DOC.read_text(encoding="utf-8") == markdown(), "stale: run make reference"


def test_every_key_reads_its_type_range_default_and_label():
    by_key = {k.key: k for k in keys()}
    teams = by_key["campaign.teams"]
    assert (teams.type, teams.allowed, teams.required, teams.label) == ("whole number", "≥ 1, ≤ 10000", True,
                                                                        "Verification teams")
    fine = by_key["enforcement.fine_at_verification"]
    assert (fine.type, fine.default, fine.required) == ("true or false", "true", False)
    assert by_key["campaign.order"].type == 'one of "route", "largest_first", "random"'
    assert by_key["operators.NAME.label_vi"].label == "Name in Vietnamese"
    assert by_key["supply.upstream.FUEL.rate"].label == "Upstream tax, share of the price: FUEL"
    assert by_key["scenario.name"].allowed == "not empty"
    assert all(k.label for k in keys()), [k.key for k in keys() if not k.label]


def test_fuelseal_keys_prints_a_section_and_refuses_an_unknown_one(capsys):
    assert cli(["keys", "run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("run.replications  (whole number; ≥ 1, ≤ 1e+06; default 100)") and "run.lang" in out
    assert "campaign." not in out
    with pytest.raises(ScenarioError, match=r"^fuelseal keys: expected one of scenario, network, .*got 'nonsense'$"):
        cli(["keys", "nonsense"])
