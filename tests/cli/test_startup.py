"""The command line answers `--help` and a bad flag without loading the layers that compute: pandas, the model,
matplotlib and the renderers load only when a command runs (the time it takes is in benchmarks/bench.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HANAM = str(Path(__file__).parents[2] / "scenarios" / "hanam_2017.toml")

PROBE = """
import sys
from simulator.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted(m for m in ("pandas", "matplotlib", "pydantic", "simpy", "scipy", "fpdf", "jinja2") if m in sys.modules)
print("LOADED:" + ",".join(heavy))
"""


def _loaded(*argv: str) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=60).stdout
    return out.rsplit("LOADED:", 1)[1].strip()


def test_help_loads_none_of_the_layers_that_compute():
    assert _loaded("--help") == ""
    assert _loaded("run", "--help") == "" and _loaded("report", "--help") == ""
    assert _loaded("evaluate", "--help") == ""


def test_a_command_still_loads_what_it_needs():
    assert "pydantic" in _loaded("validate", HANAM)
