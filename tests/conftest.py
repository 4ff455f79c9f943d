"""Shared fixtures: small scenarios built from plain dicts, so each test states the
world it needs in a few lines."""

from __future__ import annotations

import copy

import pytest

import simulator
from simulator.scenario import apply_overrides

BASE = {
    "scenario": {"name": "test province", "start": "2016-01-01", "end": "2017-12-31"},
    "network": {"districts": {"A": 6, "B": 4}, "pumps_per_station": 2},
    "demand": {"litres_per_pump_day": 1000.0, "daily_cv": 0.3, "annual_growth": 0.0, "price_per_litre": 17000.0},
    "tax": {"rate": 0.015},
    "behaviour": {"undeclared_share": 0.2, "residual_share": 0.0},
    "campaign": {"enabled": True, "start": "2017-01-02", "teams": 1, "travel_hours": 1.0, "minutes_per_pump": 60.0},
    "costs": {"per_team_day": 1_000_000.0, "per_seal": 10_000.0, "per_visit": 50_000.0},
    "run": {"replications": 3, "seed": 1, "evaluation_months": 12},
}


def make_scenario(overrides: dict | None = None, **sections) -> simulator.Scenario:
    """A small valid scenario (10 stations, 20 dispensers, 2016–2017) with dotted overrides."""
    import datetime as dt

    raw = copy.deepcopy(BASE)
    for name, table in sections.items():
        raw[name] = table
    raw = apply_overrides(raw, overrides or {})
    for sec, key in (("scenario", "start"), ("scenario", "end"), ("campaign", "start")):
        if isinstance(raw.get(sec, {}).get(key), str):
            raw[sec][key] = dt.date.fromisoformat(raw[sec][key])
    return simulator.scenario_from_dict(raw, source="<test>")


@pytest.fixture
def small():
    """Factory fixture: ``small({"campaign.teams": 2})`` → a small Scenario."""
    return make_scenario
