"""Shared fixtures: small scenarios built from plain dicts, so each test states the
world it needs in a few lines."""

from __future__ import annotations

import copy
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
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


def run_command(argv: list[str]) -> int:
    """A `fuelseal` command through the real parser, letting ScenarioError through
    (``simulator.cli.main`` would turn it into exit code 2)."""
    from simulator.cli import build_parser

    args = build_parser().parse_args(argv)
    return args.func(args)


def wait_for_files(out, k: int, proc, timeout: float = 120) -> None:
    """Wait until the run writing ``out`` (the process ``proc``) has saved ``k`` replication files."""
    import time

    t0 = time.time()
    while len(list((out / "replications").glob("rep-*.npz"))) < k:
        assert proc.poll() is None, proc.communicate()
        assert time.time() - t0 < timeout
        time.sleep(0.05)


def known_panel(effect: float, units: int = 30, months: int = 36, seed: int = 1, noise: float = 0.03) -> pd.DataFrame:
    """log tax = unit level + a common trend of 0.5% a month + noise, and + log(1 + effect) from each unit's
    start; starts staggered over months 18–29 (18 months before the first), a fifth of the units never
    treated."""
    rng = np.random.default_rng(seed)
    month = pd.date_range("2015-01-01", periods=months, freq="MS")
    rows = []
    for u in range(units):
        level = rng.normal(20, 0.5)
        start = None if u % 5 == 0 else 18 + u % 12
        for t, m in enumerate(month):
            on = start is not None and t >= start
            rows.append({"unit": f"u{u:02d}", "month": m, "treated_from": month[start] if start is not None else pd.NaT,
                         "tax": float(np.exp(level + 0.005 * t + rng.normal(0, noise) + (np.log1p(effect) if on
                                                                                          else 0.0))),
                         "litres": np.nan, "price_index": 1.0})
    return pd.DataFrame(rows)


@pytest.fixture
def small():
    """Factory fixture: ``small({"campaign.teams": 2})`` → a small Scenario."""
    return make_scenario


# ---- charts and report -------------------------------------------------------------------

@pytest.fixture(scope="session")
def hanam_run():
    """The built-in Hà Nam 2017 scenario with 4 replications, shared by the chart and report tests
    (read-only: a test that changes it must copy it first)."""
    return simulator.run(simulator.load_scenario(), replications=4)


@pytest.fixture(scope="session")
def hanam_run_dir(hanam_run, tmp_path_factory):
    """``hanam_run`` saved as a run folder."""
    return hanam_run.save(tmp_path_factory.mktemp("runs") / "hanam")


EDGE_RUNS = {
    "campaign_disabled": ({"campaign.enabled": False}, 3),
    "one_replication": ({}, 1),
    # the campaign starts on the last Saturday of the horizon: no working day is left, nothing is sealed
    # (no team equipment either, so nothing at all is spent)
    "zero_sealed": ({"campaign.start": "2017-12-30", "run.evaluation_months": 1, "costs.per_team_fixed": 0.0}, 3),
}


@pytest.fixture(scope="session", params=sorted(EDGE_RUNS))
def edge_run(request):
    """(name, Results) of the built-in scenario in a corner the charts and report must survive."""
    import datetime as dt

    overrides, n = EDGE_RUNS[request.param]
    overrides = {k: dt.date.fromisoformat(v) if k.endswith(".start") else v for k, v in overrides.items()}
    return request.param, simulator.run(simulator.load_scenario(overrides=overrides or None), replications=n)


# ---- hypothesis: one reproducible profile for the property-based and fuzz tests ----------
# derandomize: the same examples on every machine and every run (CI is reproducible);
# database=None: no .hypothesis/ folder; deadline=None: a run's time varies with the
# machine, and the fuzz tests check their own per-example time limit instead.
# Larger runs: FUELSEAL_FUZZ_EXAMPLES=N (see tests/test_fuzz.py and tests/test_properties.py).
# ---- reading a report back: its text, table rows and pictures; the catalogue's English ----------
class ReportPage(HTMLParser):
    """A report page as a check reads it: visible text, each table row's cells, the pictures' sources."""

    def __init__(self):
        super().__init__()
        self.text, self.rows, self.imgs = [], [], []
        self._cells = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._cells = []
        elif tag == "img":
            self.imgs.append(dict(attrs).get("src", ""))

    def handle_endtag(self, tag):
        if tag == "tr" and self._cells is not None:
            self.rows.append(self._cells)
            self._cells = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cells is not None and data.strip():
            self._cells.append(data.strip())


def read_page(path) -> ReportPage:
    p = ReportPage()
    p.feed(Path(path).read_text(encoding="utf-8"))
    return p


def page_words(p: ReportPage) -> str:
    """The page's visible text on one line, entities decoded."""
    return " ".join(unescape(" ".join(p.text)).split())


def catalogue_pieces(names=None, strip: str = " ,.;:()—–+", min_words: int = 4) -> list[str]:
    """Runs of ``min_words`` words or more of each msgid whose Vietnamese differs, cut at its {placeholders}:
    English a Vietnamese report must not show. ``names``: the .po files (default: every Vietnamese one)."""
    from babel.messages.pofile import read_po

    from simulator.i18n import LOCALE_DIR, catalogue_files

    paths = catalogue_files("vi") if names is None else [LOCALE_DIR / "vi" / n for n in names]
    pieces = set()
    for path in paths:
        with path.open("rb") as fh:
            for m in read_po(fh, locale="vi"):
                if m.id and m.string and m.string != m.id:
                    for piece in re.split(r"\{[^}]*\}", m.id):
                        piece = piece.strip(strip)
                        if len(piece.split()) >= min_words:
                            pieces.add(piece)
    return sorted(pieces)


from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("fuelseal", deadline=None, derandomize=True, database=None,
                                      print_blob=False)
_hypothesis_settings.load_profile("fuelseal")


# ---- analysis toolkit (sweep, calibrate, sensitivity) ------------------------------------

BETA_UNDECLARED = {"dist": "beta", "mean": 0.15, "sd": 0.05}


@pytest.fixture
def evasive():
    """Factory: the small scenario whose undeclared share is a beta (mean 0.15, sd 0.05)
    across stations, so that calibration and sensitivity have a distribution mean to move:
    ``evasive({"campaign.teams": 2})``."""
    def build(overrides: dict | None = None) -> simulator.Scenario:
        return make_scenario({"behaviour.undeclared_share": dict(BETA_UNDECLARED), **(overrides or {})})

    return build


# hypothesis also caches constants and Unicode tables in a .hypothesis/ folder of the
# working directory, even without an example database: keep that cache out of the
# repository (HYPOTHESIS_STORAGE_DIRECTORY, when set, still wins).
if not __import__("os").environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    import tempfile as _tempfile  # noqa: E402
    from pathlib import Path as _Path  # noqa: E402

    from hypothesis.configuration import set_hypothesis_home_dir as _set_hypothesis_home_dir  # noqa: E402

    _set_hypothesis_home_dir(_Path(_tempfile.gettempdir()) / "fuelseal-hypothesis")
