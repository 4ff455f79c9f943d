"""Many points run alike: ranges of numeric parameters, and points run with one seed.

Every analysis tool — a sweep, a calibration, a sensitivity study — asks the same
question many times: "what if ``behaviour.undeclared_share.mean`` were 0.12 and
``campaign.teams`` were 3?". Such a *point* (a set of dotted overrides, built by
:func:`simulator.scenario.points.with_values`) is run here with the **same seed** as every
other, so that each point sees the same replication draws (common random numbers) and
differences between points are the parameters' doing, not noise.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ScenarioError
from ..execution import map_tasks, worker_count
from ..files import check_regular, read_json
from ..kpis import KPIS, unknown
from ..progress import Progress
from ..runner import run
from ..scenario import Scenario
from ..scenario.points import (  # noqa: F401  (simulator.analysis.points.with_values etc., as before)
    BETA_SD_FRACTION,
    _dumpable,
    check_type,
    describe,
    is_integer_field,
    is_number,
    resolve,
    with_values,
)
from ..scenario.quantities import Quantity


# ---- ranges of numeric parameters ------------------------------------------------
@dataclass(frozen=True)
class Range:
    """A checked range of one numeric parameter: ``low < high``, both valid values."""

    name: str
    low: float
    high: float
    current: float
    integer: bool


def check_range(scenario: Scenario, name: str, bounds: Any, source: str, *, integer_ok: bool) -> Range:
    """Check that ``name`` is a numeric parameter of ``scenario`` and ``bounds`` a non-empty
    ``(low, high)`` inside its domain (each bound is validated as the scenario would be)."""
    current = resolve(scenario, name, source)
    if not is_number(current):
        hint = (f" (use one of its numbers, e.g. {name}.mean)"
                if isinstance(current, (Quantity, Mapping)) else "")
        raise ScenarioError(f"expected a numeric parameter, but it is {describe(_dumpable(current))}{hint}",
                            source=source, key=name)
    integer = is_integer_field(scenario, name)
    if integer and not integer_ok:
        raise ScenarioError("takes whole numbers only; this needs a continuous parameter "
                            "(use a sweep for whole numbers)", source=source, key=name)
    try:
        low, high = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ScenarioError(f"expected a range low:high, got {bounds!r}", source=source, key=name) from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ScenarioError(f"expected finite bounds, got {low:g}:{high:g}", source=source, key=name)
    if not low < high:
        raise ScenarioError(f"the range {low:g}:{high:g} is empty (expected low < high)", source=source, key=name)
    if integer and not (low.is_integer() and high.is_integer()):
        raise ScenarioError(f"expected whole-number bounds, got {low:g}:{high:g}", source=source, key=name)
    for b in (low, high):
        try:
            with_values(scenario, {name: int(b) if integer else b}, source)
        except ScenarioError as exc:
            detail = exc.detail.split(" is not accepted: ", 1)[-1]
            raise ScenarioError(f"bound {b:g} is outside the parameter's domain: {detail}", source=source,
                                key=name) from None
    return Range(name, low, high, float(current), integer)


def parse_range(text: str, source: str, name: str) -> tuple[float, float]:
    """``"0.02:0.5"`` → ``(0.02, 0.5)``, for command-line ranges."""
    lo, sep, hi = text.partition(":")
    try:
        if not sep:
            raise ValueError
        return float(lo), float(hi)
    except ValueError:
        raise ScenarioError(f"expected a range low:high such as 0.02:0.5, got {text!r}", source=source,
                            key=name) from None


# ---- running many points ---------------------------------------------------------
@dataclass
class PointRun:
    """What one point produced: the per-replication KPIs, and the monthly table when asked."""

    settings: dict[str, Any]
    kpis: pd.DataFrame
    monthly: pd.DataFrame | None = None


def _run_one(scenario: Scenario, replications: int, seed: int, keep_monthly: bool, workers: int = 1,
             progress: Callable[[int], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    res = run(scenario, replications, seed, workers=workers, progress=progress or False)
    return res.kpis, (res.monthly if keep_monthly else None)


def _run_chunk(scenarios: list[Scenario], replications: int, seed: int, keep_monthly: bool):
    return [_run_one(sc, replications, seed, keep_monthly) for sc in scenarios]


class _Checkpoints:
    """Finished points of a sweep on disk: ``point-0001.parquet`` (its KPI table) beside
    ``point-0001.json`` (the point scenario's hash, replications, seed and the table's
    SHA-256). A point is reused only when all four match, so a resumed sweep gives the
    same table: a table swapped, damaged or left from another sweep is run again."""

    def __init__(self, folder: Path | None, replications: int, seed: int):
        self.folder, self.replications, self.seed = folder, replications, seed
        if folder is not None:
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                raise ScenarioError("is not a folder fuelseal made (a symbolic link or a file)", source=str(folder))
            folder.mkdir(parents=True, exist_ok=True)

    def _key(self, sc: Scenario) -> dict:
        return {"scenario_sha256": sc.digest(), "replications": self.replications, "seed": self.seed}

    def load(self, i: int, sc: Scenario) -> pd.DataFrame | None:
        if self.folder is None:
            return None
        meta, table = self.folder / f"point-{i:04d}.json", self.folder / f"point-{i:04d}.parquet"
        try:
            record = read_json(meta, what="sweep point record")
            if {k: v for k, v in record.items() if k != "table_sha256"} == self._key(sc):
                check_regular(table, what="sweep point table")
                data = table.read_bytes()
                if hashlib.sha256(data).hexdigest() == record.get("table_sha256"):
                    return pd.read_parquet(io.BytesIO(data))
        except Exception:  # unreadable record or table (ScenarioError, pyarrow's many errors): run it again
            return None
        return None

    def save(self, i: int, sc: Scenario, kpis: pd.DataFrame) -> None:
        if self.folder is None:
            return
        from ..files import write_atomic

        buf = io.BytesIO()
        kpis.to_parquet(buf, index=False)
        data = buf.getvalue()
        write_atomic(self.folder / f"point-{i:04d}.parquet", data)
        record = {**self._key(sc), "table_sha256": hashlib.sha256(data).hexdigest()}
        write_atomic(self.folder / f"point-{i:04d}.json", json.dumps(record).encode())


def run_points(scenario: Scenario, points: Sequence[Mapping[str, Any]], replications: int, seed: int, *,
               workers: int | None = None, progress: bool | None = None, keep_monthly: bool = False,
               source: str = "override", label: str = "replications",
               checkpoint: Path | None = None, executor: str = "process",
               scheduler: str | None = None) -> list[PointRun]:
    """Run every point with ``replications`` replications from the same ``seed``.

    All points are built (and so validated) before the first one runs, so a bad value
    fails at once. With several ``workers`` the points are shared between processes;
    the numbers do not depend on how many; ``executor="dask"`` sends them to a Dask
    cluster instead (``scheduler`` address, or a LocalCluster). With a ``checkpoint`` folder each finished
    point is saved there as it completes, and points already saved are not run again
    (KPI tables only: ``keep_monthly`` points always run).
    """
    workers = worker_count(workers)
    built = [with_values(scenario, p, source) for p in points]
    saved = _Checkpoints(checkpoint if not keep_monthly else None, replications, seed)
    out: list[tuple[pd.DataFrame, pd.DataFrame | None] | None] = [None] * len(built)
    for i, sc in enumerate(built):
        kpis = saved.load(i + 1, sc)
        if kpis is not None:
            out[i] = (kpis, None)
    todo = [i for i in range(len(built)) if out[i] is None]
    bar = Progress(len(built) * replications, label=label, enabled=progress)
    bar.update((len(built) - len(todo)) * replications)
    try:
        if executor == "process" and (workers <= 1 or len(todo) <= 1):
            # one point (or one worker): its replications, not the points, share the workers
            for i in todo:
                out[i] = _run_one(built[i], replications, seed, keep_monthly, workers, bar.update)
                saved.save(i + 1, built[i], out[i][0])
        else:
            # a handful of points per task keeps the pool busy without shipping one scenario at a time;
            # on Dask one point per task (the scheduler balances them)
            size = 1 if executor == "dask" else max(1, min(8, len(todo) // (4 * workers)))
            chunks = [todo[j:j + size] for j in range(0, len(todo), size)]
            tasks = [([built[i] for i in c], replications, seed, keep_monthly) for c in chunks]
            for k, results in map_tasks(_run_chunk, tasks, workers=workers, executor=executor, scheduler=scheduler):
                for i, res in zip(chunks[k], results, strict=True):
                    out[i] = res
                    saved.save(i + 1, built[i], res[0])
                bar.update(len(chunks[k]) * replications)
    finally:
        bar.close()
    return [PointRun(dict(p), k, m) for p, (k, m) in zip(points, out, strict=True)]


def replications_and_seed(scenario: Scenario, replications: int | None, seed: int | None, source: str,
                          minimum: int = 1) -> tuple[int, int]:
    """The run settings to use: the given ones, or the scenario's ``[run]`` defaults."""
    n = scenario.run.replications if replications is None else int(replications)
    s = scenario.run.seed if seed is None else int(seed)
    if n < minimum:
        raise ScenarioError(f"expected at least {minimum} replication{'s' if minimum > 1 else ''}, got {n}",
                            source=source, key="replications")
    if s < 0:
        raise ScenarioError(f"expected a seed ≥ 0, got {s}", source=source, key="seed")
    return n, s


def check_kpis(scenario: Scenario, kpis: Sequence[str], source: str) -> None:
    """Fail fast on a misspelt KPI, from the registry in :mod:`simulator.kpis` (no trial run)."""
    bad = unknown(kpis)
    if bad:
        raise ScenarioError(f"unknown KPI; expected one of {', '.join(KPIS)}", source=source, key=bad[0])

