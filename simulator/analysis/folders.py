"""Sweep and sensitivity folders read back: the tables a chart or a report is rebuilt from, without re-running.

``fuelseal sweep --out DIR`` and ``fuelseal sensitivity --out DIR`` write their tables, charts and a
record of how they were made. The two loaders here read such a folder into the plain DataFrames
the charts take (:mod:`simulator.charts.analysis`), so a report can redraw the charts in another
language or quote their numbers::

    from simulator.analysis.folders import read_sweep, read_sensitivity

    sw = read_sweep("runs/sweep-ha-nam")
    sw.table          # sweep.csv: one row per point and KPI (point, swept names, kpi, mean, sd, p05, p50, p95, n)
    sw.per_rep        # every point's per-replication KPIs (point, swept names, replication, KPIs…)
    sw.chart_data("vi")  # the numbers sweep.png draws (= sweep-chart.csv in that language)
    sw.figure("vi")      # the chart itself, in Vietnamese

    se = read_sensitivity("runs/sensitivity-ha-nam")
    se.table, se.method, se.kpis   # sensitivity.csv, "oat" or "sobol", the KPIs explained
    se.figure("uplift", lang="vi")

Both also build in memory (:meth:`SweepResult.from_runs`, :class:`SensitivityResult`) — that is how
the commands write their charts, so a folder read back draws exactly what was written. Folders
written before these records existed still load: a sweep without a deadline in ``sweep.json`` is
marked against the default one (three months after ``campaign.start``), a sensitivity folder
without ``sensitivity.json`` takes its method and KPIs from its table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..charts.analysis import (
    TEAMS,
    sensitivity_data,
    sensitivity_figure,
    sensitivity_method,
    sweep_data,
    sweep_figure,
)
from ..errors import ScenarioError
from ..files import check_regular, read_json, write_atomic
from ..i18n import DEFAULT_LANG, check_lang
from ..scenario import Scenario
from ..scenario.points import resolve
from .points import PointRun, describe
from .sweep import grid_points, mark_deadline, per_replication, swept_names
from .sweepfolder import CHART_CSV, parse_grid, read_spec

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SENSITIVITY_JSON = "sensitivity.json"
DEFAULT_PROBABILITY = 0.9


def _csv_text(df: pd.DataFrame) -> pd.DataFrame:
    """Tables and lists (distributions) as the TOML text a user would type, dates as ISO."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = [describe(v) if isinstance(v, (dict, list)) else v for v in out[c]]
    return out


# ---- sweep ---------------------------------------------------------------------------------------
@dataclass
class SweepResult:
    """A sweep's tables and the settings its chart is drawn with."""

    table: pd.DataFrame
    """One row per point and KPI: ``point``, the swept names, ``kpi``, ``mean``, ``sd``, ``p05``, ``p50``,
    ``p95``, ``n`` (as :func:`simulator.analysis.sweep` returns it; ``sweep.csv``)."""
    per_rep: pd.DataFrame | None
    """Every point's per-replication KPIs: ``point``, the swept names, ``replication``, one column per
    KPI, and ``done_by_deadline`` when the fewest teams are marked (None if a point's table is missing)."""
    deadline: dt.date | None = None
    """The date the fewest teams are marked against (None: no marker)."""
    start: dt.date | None = None
    """``campaign.start`` of the scenario (where ``completion_days`` count from)."""
    probability: float = DEFAULT_PROBABILITY
    kpis: list[str] | None = None
    """The KPIs the sweep kept (``--kpi``), which the chart then shows; None: the chart's defaults."""
    lang: str = DEFAULT_LANG
    """The language the chart was written in (``--lang``, else the scenario's ``run.lang``)."""
    spec: dict = field(default_factory=dict)
    """``sweep.json`` as written (empty in memory)."""
    scenario_values: dict = field(default_factory=dict)
    """The scenario's own value of each swept name: the chart's reference when the grid holds it (what the
    plan is compared with), else the first value."""

    @classmethod
    def from_runs(cls, scenario: Scenario, table: pd.DataFrame, runs: Sequence[PointRun], *,
                  deadline: dt.date | None = None, probability: float = DEFAULT_PROBABILITY,
                  kpis: Sequence[str] | None = None, lang: str | None = None) -> SweepResult:
        """From :func:`simulator.analysis.sweep_runs`; ``deadline`` marks the fewest teams when
        ``campaign.teams`` is swept."""
        start = scenario.campaign.start
        per_rep = per_replication(runs)
        if deadline is not None and TEAMS in swept_names(table):
            per_rep = mark_deadline(per_rep, deadline, start)
        own = {}
        for name in swept_names(table):
            try:
                own[name] = resolve(scenario, name)
            except ScenarioError:
                pass
        return cls(table, per_rep, deadline if TEAMS in swept_names(table) else None, start, probability,
                   list(kpis) if kpis else None, check_lang(lang or scenario.run.lang), scenario_values=own)

    def chart_data(self, lang: str | None = None, **kw: Any) -> pd.DataFrame:
        """The numbers the chart draws (:func:`simulator.charts.analysis.sweep_data`)."""
        kw.setdefault("kpis", self.kpis)
        kw.setdefault("scenario_values", self.scenario_values)
        return sweep_data(self.table, self.per_rep, probability=self.probability, lang=lang or self.lang, **kw)

    def figure(self, lang: str | None = None, **kw: Any) -> Figure:
        """The chart (:func:`simulator.charts.analysis.sweep_figure`) in ``lang`` (default: as written)."""
        kw.setdefault("kpis", self.kpis)
        kw.setdefault("scenario_values", self.scenario_values)
        return sweep_figure(self.table, self.per_rep, deadline=self.deadline, start=self.start,
                            probability=self.probability, lang=lang or self.lang, **kw)

    def write_charts(self, folder: str | Path, lang: str | None = None) -> list[Path]:
        """``sweep.png`` and ``sweep-chart.csv`` (its numbers) into ``folder``."""
        from ..charts.style import save_figure

        folder = Path(folder)
        data = _csv_text(self.chart_data(lang))
        write_atomic(folder / CHART_CSV, lambda fh: data.to_csv(fh, index=False))
        return [save_figure(self.figure(lang), folder / "sweep.png", dpi=120), folder / CHART_CSV]


def _toml(folder: Path) -> dict:
    path = folder / "scenario.toml"
    check_regular(path, what="scenario file")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"scenario.toml is damaged ({exc.__class__.__name__})", source=str(path)) from None


def _date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def read_sweep(folder: str | Path) -> SweepResult:
    """A finished sweep folder (``fuelseal sweep --out DIR``) read back.

    ``table`` is ``sweep.csv`` with the swept values as the sweep used them (numbers, dates, tables —
    not their text), so it equals the table :func:`simulator.analysis.sweep` returned; ``per_rep``
    comes from ``points/`` (each table checked against its SHA-256; None when one is missing or
    altered); deadline, probability, KPIs and language from ``sweep.json`` and ``scenario.toml``.
    A damaged or foreign folder is a one-line :class:`~simulator.errors.ScenarioError`."""
    folder = Path(folder)
    sets, _n, _seed, kpis = read_spec(folder)
    spec = read_json(folder / "sweep.json", what="sweep record")
    points = grid_points(parse_grid(sets))
    csv = folder / "sweep.csv"
    check_regular(csv, what="sweep table")
    table = pd.read_csv(csv)
    names = list(points[0])
    if swept_names(table) != names or not table["point"].between(1, len(points)).all():
        raise ScenarioError("sweep.csv does not match sweep.json", source=str(csv))
    for name in names:
        table[name] = [points[int(p) - 1][name] for p in table["point"]]
    per_rep = _read_points(folder, points)
    doc = _toml(folder)
    start = _date(doc.get("campaign", {}).get("start"))
    # written before the marker existed: the plan's own deadline, if the scenario states one
    deadline = _date(spec["deadline"] if "deadline" in spec else doc.get("campaign", {}).get("deadline"))
    probability = float(spec.get("probability", DEFAULT_PROBABILITY))
    if deadline is not None and per_rep is not None and TEAMS in names:
        per_rep = mark_deadline(per_rep, deadline, start)
    lang = spec.get("lang") or doc.get("run", {}).get("lang") or DEFAULT_LANG
    own = {}
    for name in names:  # the scenario's own values, from the scenario as swept
        node: Any = doc
        for part in name.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            own[name] = node
    return SweepResult(table, per_rep, deadline if TEAMS in names else None, start, probability, kpis,
                       check_lang(lang), spec, scenario_values=own)


def _read_points(folder: Path, points: list[dict[str, Any]]) -> pd.DataFrame | None:
    runs = []
    for i, settings in enumerate(points, start=1):
        meta, path = folder / "points" / f"point-{i:04d}.json", folder / "points" / f"point-{i:04d}.parquet"
        try:
            record = read_json(meta, what="sweep point record")
            check_regular(path, what="sweep point table")
            data = path.read_bytes()
        except (ScenarioError, OSError):
            return None
        if hashlib.sha256(data).hexdigest() != record.get("table_sha256"):
            return None
        runs.append(PointRun(dict(settings), pd.read_parquet(io.BytesIO(data))))
    return per_replication(runs)


# ---- sensitivity ---------------------------------------------------------------------------------
def sensitivity_files(kpis: Sequence[str]) -> list[tuple[str, str, str]]:
    """(KPI, chart, chart numbers) file names: ``sensitivity.png`` and ``sensitivity-chart.csv`` for one
    KPI, ``sensitivity-<kpi>.png`` and ``sensitivity-<kpi>-chart.csv`` for each of several."""
    if len(kpis) == 1:
        return [(kpis[0], "sensitivity.png", "sensitivity-chart.csv")]
    return [(k, f"sensitivity-{k}.png", f"sensitivity-{k}-chart.csv") for k in kpis]


@dataclass
class SensitivityResult:
    """A sensitivity study's table and how it was made."""

    table: pd.DataFrame
    """``sensitivity.csv``: one row per parameter and KPI (see :func:`simulator.analysis.sensitivity`)."""
    meta: dict = field(default_factory=dict)
    """``sensitivity.json``: ``method``, ``kpi`` (list), ``samples`` (Sobol), ``replications``, ``seed``,
    ``conf_level``, ``ranges`` ({name: [low, high]}), ``lang``, ``scenario`` (its name), ``charts``."""

    @property
    def method(self) -> str:
        return str(self.meta.get("method") or sensitivity_method(self.table))

    @property
    def kpis(self) -> list[str]:
        return list(self.meta.get("kpi") or dict.fromkeys(self.table["kpi"]))

    @property
    def lang(self) -> str:
        return check_lang(self.meta.get("lang") or DEFAULT_LANG)

    def chart_data(self, kpi: str | None = None, lang: str | None = None) -> pd.DataFrame:
        """The numbers the chart of ``kpi`` draws (:func:`simulator.charts.analysis.sensitivity_data`)."""
        return sensitivity_data(self.table, kpi, lang=lang or self.lang,
                                conf_level=float(self.meta.get("conf_level", 0.95)))

    def figure(self, kpi: str | None = None, lang: str | None = None, **kw: Any) -> Figure:
        """The chart of ``kpi`` (:func:`simulator.charts.analysis.sensitivity_figure`) in ``lang``; ``kw`` goes to
        it (``size="print"``, ``title=``)."""
        return sensitivity_figure(self.table, kpi, lang=lang or self.lang, method=self.method,
                                  conf_level=float(self.meta.get("conf_level", 0.95)), **kw)

    def write(self, folder: str | Path, lang: str | None = None) -> list[Path]:
        """``sensitivity.csv`` (machine columns, unchanged), ``sensitivity.json``, and each KPI's chart
        and chart numbers into ``folder``."""
        from ..charts.style import save_figure

        folder = Path(folder)
        meta = {**self.meta, "method": self.method, "kpi": self.kpis, "lang": lang or self.lang,
                "charts": {k: {"png": png, "csv": csv} for k, png, csv in sensitivity_files(self.kpis)}}
        write_atomic(folder / "sensitivity.csv", lambda fh: self.table.to_csv(fh, index=False))
        write_atomic(folder / SENSITIVITY_JSON, json.dumps(meta, ensure_ascii=False, indent=1, default=str)
                     .encode("utf-8"))
        written = [folder / "sensitivity.csv", folder / SENSITIVITY_JSON]
        for k, png, csv in sensitivity_files(self.kpis):
            data = self.chart_data(k, lang)
            write_atomic(folder / csv, lambda fh, data=data: data.to_csv(fh, index=False))
            written += [save_figure(self.figure(k, lang), folder / png, dpi=120), folder / csv]
        return written


def read_sensitivity(folder: str | Path) -> SensitivityResult:
    """A sensitivity folder (``fuelseal sensitivity --out DIR``) read back: ``sensitivity.csv`` and,
    when present, ``sensitivity.json`` (older folders: method and KPIs from the table)."""
    folder = Path(folder)
    csv = folder / "sensitivity.csv"
    if not csv.is_file() or csv.is_symlink():
        raise ScenarioError("not a sensitivity folder (no sensitivity.csv)", source=str(folder))
    check_regular(csv, what="sensitivity table")
    table = pd.read_csv(csv)
    record = folder / SENSITIVITY_JSON
    meta = read_json(record, what="sensitivity record") if record.exists() or record.is_symlink() else {}
    return SensitivityResult(table, meta)
