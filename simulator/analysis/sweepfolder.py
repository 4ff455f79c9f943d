"""A sweep folder on disk: what belongs in it, and the record that lets ``--resume`` finish it.

``fuelseal sweep --out DIR`` writes the resolved ``scenario.toml`` (and ``register.csv``),
``sweep.json`` (the grid, replications, seed and KPIs; since issue 14 also the deadline and
probability the fewest teams are marked against, and the chart's language), one checkpoint
per finished point under ``points/`` (its per-replication KPI table and a record with the
table's SHA-256), then ``sweep.csv`` (the summary), ``sweep.png`` (the chart) and
``sweep-chart.csv`` (the numbers the chart draws); ``fuelseal report DIR`` adds ``report.html`` and
``report.pdf``. Nothing else lives there, so fuelseal never
writes into (or replaces files of) a folder that is not a sweep's, and follows no symbolic link.
:func:`simulator.analysis.folders.read_sweep` reads a finished folder back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ScenarioError
from ..files import read_json
from ..scenario import parse_value, split_pairs

SWEEP_FILES = {"scenario.toml", "scenario.original.toml", "register.csv", "sweep.json",
               "sweep.csv", "sweep.png", "sweep-chart.csv", "points",
               ".fuelseal.lock", "report.html", "report.pdf"}  # the reports: fuelseal report DIR
CHART_CSV = "sweep-chart.csv"


def split_values(text: str) -> list[str]:
    """``"1,2,3"`` → ``["1", "2", "3"]``, leaving commas inside ``{…}``, ``[…]`` or quotes alone,
    so that ``{ dist = "beta", mean = 0.1, sd = 0.05 },0.2`` is two values."""
    out, depth, quote, cur = [], 0, "", []
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur).strip())
    return out


def parse_grid(sets: list[str] | None) -> dict[str, list[Any]]:
    """The grid of ``--set NAME=V1,V2,…`` texts (as ``sweep.json`` records them): name → values,
    each read as TOML would (``5``, ``0.2``, ``2017-02-01``, ``{ dist = … }``)."""
    grid: dict[str, list[Any]] = {}
    for key, text in split_pairs(sets, "--set"):
        if key in grid:
            raise ScenarioError("given twice; list every value once, e.g. campaign.teams=1,2,3", source="--set",
                                key=key)
        values = [parse_value(v, key=key) for v in split_values(text)]
        if any(v == "" for v in values):
            raise ScenarioError(f"empty value in {text!r}", source="--set", key=key)
        grid[key] = values
    if not grid:
        raise ScenarioError("expected at least one --set NAME=V1,V2,… to sweep, e.g. --set campaign.teams=1,2,3",
                            source="--set")
    return grid


def folder_problem(out: Path) -> str | None:
    """Why ``out`` is not a sweep folder fuelseal may write into again (None if it is one)."""
    if not (out / "sweep.json").is_file() or (out / "sweep.json").is_symlink():
        return "not a sweep folder (no sweep.json)"
    for entry in out.iterdir():
        tmp = entry.name.startswith(".") and entry.name.endswith(".tmp")
        if entry.is_symlink() or (entry.name not in SWEEP_FILES and not tmp):
            return f"holds {entry.name!r}, which fuelseal did not write"
    points = out / "points"
    if points.exists() and not points.is_dir():
        return "points is not a folder"
    if points.is_dir() and any(e.is_symlink() or not e.is_file() for e in points.iterdir()):
        return "points/ holds something other than point files"
    return None


def read_spec(folder: Path) -> tuple[list[str], int, int, list[str] | None]:
    """The grid (``--set`` texts), replications, seed and KPIs recorded in ``folder/sweep.json``,
    checked; a damaged record is one line."""
    spec_file = folder / "sweep.json"
    problem = folder_problem(folder) if folder.is_dir() else "not a sweep folder"
    if problem:
        raise ScenarioError(problem, source=str(folder))
    spec = read_json(spec_file, what="sweep record")
    try:
        sets, n, seed, kpi = spec["set"], spec["replications"], spec["seed"], spec["kpi"]
        if not isinstance(sets, list) or not all(isinstance(x, str) for x in sets):
            raise TypeError
        if any(isinstance(v, bool) or not isinstance(v, int) for v in (n, seed)):
            raise TypeError
        if kpi is not None and (not isinstance(kpi, list) or not all(isinstance(k, str) for k in kpi)):
            raise TypeError
    except (KeyError, TypeError) as exc:
        raise ScenarioError(f"sweep.json is damaged ({exc.__class__.__name__})", source=str(spec_file)) from None
    if not 0 <= seed < 2**63 or n < 1:
        raise ScenarioError("sweep.json is damaged (seed or replications out of range)", source=str(spec_file))
    return sets, n, seed, kpi
