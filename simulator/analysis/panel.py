"""Panels: what a tax office sees after a campaign — tax by province (district) and month — from simulated
worlds in which the true effect is known.

A panel holds one row per unit (a district: a province in a national scenario) and month of the horizon:
``tax`` collected (the world with the campaign: what was observed), ``treated_from`` (the first month of the
unit's campaign: its ``[campaign.districts]`` start, else the campaign's), and two covariates an analyst
may have — ``litres`` the sealed totalisers indicate (empty before a unit's first seal: nobody metered
them) and ``price_index`` (the month's mean retail price ÷ the first month's). Several replications make
several panels, told apart by ``replication``.

The truth comes from the same world without the campaign (common random numbers): the effect on the
treated is the tax with less the tax without, over the unit-months from ``treated_from`` on — as a share of
the tax without (the campaign's own effect, not a before/after figure like "tax rose 16.5%") and in VND a
unit-month; overall, by cohort (units starting in the same month) and by event time (months since the
start; before it, 0 unless an announcement moved declarations early). :func:`simulate_panels` makes them;
:meth:`SimulatedPanel.save` writes ``panel.csv`` and ``truth.json``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..scenario import Scenario

PANEL_COLUMNS = ["replication", "unit", "month", "tax", "treated_from", "litres", "price_index"]
"""The columns of ``panel.csv``: what an analyst would have (the truth is in ``truth.json``)."""


def treated_from(sc: Scenario) -> dict[str, dt.date | None]:
    """Each district's first month of campaign (its schedule's start, else the campaign's); None for every
    district when the campaign is disabled."""
    c = sc.campaign
    own = c.schedules
    if not c.enabled:
        return dict.fromkeys(sc.district_names)
    return {name: (own[name].start if name in own else c.start).replace(day=1) for name in sc.district_names}


def panel_rows(sc: Scenario, out) -> pd.DataFrame:
    """One replication's panel (with ``tax_without``, the truth's counterfactual, beside it)."""
    from ..model.declarations import months_of

    months = [m.first for m in months_of(sc)]
    names = list(out.district_names)
    starts = treated_from(sc)
    dm = out.district_months  # months × districts × (tax with, tax without, metered litres)
    n_m, n_d = dm.shape[0], dm.shape[1]
    frame = pd.DataFrame({
        "replication": out.replication,
        "unit": np.tile(names, n_m),
        "month": np.repeat(pd.to_datetime(months), n_d),
        "tax": dm[:, :, 0].ravel(),
        "tax_without": dm[:, :, 1].ravel(),
        "litres": dm[:, :, 2].ravel(),
        "price_index": np.repeat(out.price_index, n_d),
    })
    frame["treated_from"] = pd.to_datetime(frame["unit"].map(starts))
    # nobody metered a unit's litres before its first sealed totaliser
    frame["litres"] = frame["litres"].where(frame["litres"] > 0)
    return frame[[*PANEL_COLUMNS, "tax_without"]]


def _effect(g: pd.DataFrame) -> dict:
    without = float(g["tax_without"].sum())
    diff = float((g["tax"] - g["tax_without"]).sum())
    return {"effect_share": diff / without if without > 0 else None, "effect_vnd_per_unit_month": diff / len(g),
            "unit_months": len(g)}


def truth_of(panel: pd.DataFrame) -> dict:
    """The true effect on the treated in one panel (see the module docstring)."""
    p = panel[panel["treated_from"].notna()]
    if not len(p):
        return {"overall": None, "by_cohort": [], "by_event_time": []}
    event = ((p["month"].dt.year - p["treated_from"].dt.year) * 12 + p["month"].dt.month
             - p["treated_from"].dt.month)
    p = p.assign(event_time=event)
    after = p[p["event_time"] >= 0]
    cohorts = [{"cohort": str(c.date()), **_effect(g)} for c, g in after.groupby("treated_from")]
    events = [{"event_time": int(e), **_effect(g)} for e, g in p.groupby("event_time")]
    return {"overall": _effect(after), "by_cohort": cohorts, "by_event_time": events}


@dataclass
class SimulatedPanel:
    """Panels from ``replications`` worlds of a scenario, with their truth."""

    data: pd.DataFrame  # PANEL_COLUMNS + tax_without
    scenario: Scenario
    seed: int

    @property
    def replications(self) -> list[int]:
        return sorted(self.data["replication"].unique().tolist())

    def panel(self, replication: int = 0) -> pd.DataFrame:
        """One replication's panel as an analyst has it (:data:`PANEL_COLUMNS` without ``replication``)."""
        p = self.data[self.data["replication"] == replication]
        return p[PANEL_COLUMNS[1:]].reset_index(drop=True)

    def truth(self) -> dict:
        """``{"definition", "scenario", "seed", "replications": [{"replication", "overall", "by_cohort",
        "by_event_time"}, …]}``."""
        reps = [{"replication": int(r), **truth_of(g)} for r, g in self.data.groupby("replication")]
        return {"definition": "effect on the treated: (tax with the campaign − tax without it) over the unit-months "
                              "from treated_from on, as a share of the tax without and in VND a unit-month; by "
                              "cohort (treated_from) and by event time (months since treated_from)",
                "scenario": self.scenario.name, "seed": self.seed, "replications": reps}

    def save(self, out: str | Path, overwrite: bool = False) -> Path:
        """Write ``panel.csv`` (:data:`PANEL_COLUMNS`; months and starts as YYYY-MM-01) and ``truth.json``
        into the folder ``out``; existing files are replaced only with ``overwrite``."""
        from ..files import write_atomic

        out = Path(out)
        if out.exists() and not out.is_dir():
            raise ScenarioError("exists and is not a folder", source=str(out))
        clash = [f for f in ("panel.csv", "truth.json") if (out / f).exists()]
        if clash and not overwrite:
            raise ScenarioError(f"already holds {clash[0]} (choose another --out or add --overwrite)",
                                source=str(out))
        out.mkdir(parents=True, exist_ok=True)
        table = self.data[PANEL_COLUMNS].copy()
        table["month"] = table["month"].dt.strftime("%Y-%m-%d")
        table["treated_from"] = table["treated_from"].dt.strftime("%Y-%m-%d")
        write_atomic(out / "panel.csv", table.to_csv(index=False).encode("utf-8"))
        write_atomic(out / "truth.json", (json.dumps(self.truth(), ensure_ascii=False, indent=1, allow_nan=False)
                                          + "\n").encode("utf-8"))
        return out


REQUIRED = ("unit", "month", "tax", "treated_from")
OPTIONAL = ("litres", "price_index", "replication")


def read_panel(data: str | Path | pd.DataFrame, replication: int | None = None) -> pd.DataFrame:
    """A panel from a CSV file (``fuelseal panel``'s, or an observed one: columns ``unit``, ``month``, ``tax``,
    ``treated_from`` — empty for a unit never treated — and optionally ``litres``, ``price_index``), read as
    data only and checked: every unit has the same consecutive months, once each; a unit starts in one month;
    some month lies before every start; a price index is positive. One unit (a province's own series) is a
    panel for ``its``; the comparisons (``did``, ``synth``) need several. A file of several panels (a
    ``replication`` column) gives the one ``replication`` names (default: the first). Errors name the file, the
    row or the unit, on one line."""
    from .observed import csv_rows, parse_month, parse_tax

    src, header, rows = csv_rows(data, "panel (CSV)", "panel")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ScenarioError(f"missing column {missing[0]!r}; expected columns {', '.join(REQUIRED)} (and optionally "
                            f"{', '.join(OPTIONAL)}), found {', '.join(header) or 'none'}", source=src)
    if "replication" in header:
        reps = sorted({r.get("replication", "") for r in rows})
        chosen = str(replication) if replication is not None else (reps[0] if reps else "")
        if replication is not None and chosen not in reps:
            raise ScenarioError(f"no panel {replication} in the file (it holds {', '.join(reps[:5])}"
                                f"{'…' if len(reps) > 5 else ''})", source=src, key="replication")
        numbered = [(n, r) for n, r in enumerate(rows, start=2) if r.get("replication", "") == chosen]
    else:
        if replication is not None:
            raise ScenarioError("the file holds one panel (no replication column)", source=src, key="replication")
        numbered = list(enumerate(rows, start=2))
    seen: dict[tuple[str, pd.Timestamp], int] = {}
    starts: dict[str, tuple[pd.Timestamp | None, int]] = {}
    records = []
    for n, row in numbered:
        where = f"row {n}"
        unit = row.get("unit", "")
        if not unit:
            raise ScenarioError("unit: expected a name, got an empty cell", source=src, key=where)
        month = parse_month(row.get("month", ""), src, where)
        if (unit, month) in seen:
            raise ScenarioError(f"unit {unit!r}, month {month:%Y-%m}: given twice (first on row {seen[unit, month]})",
                                source=src, key=where)
        seen[unit, month] = n
        text = row.get("treated_from", "")
        start = parse_month(text, src, where, "treated_from") if text else None
        if unit in starts and starts[unit][0] != start:
            raise ScenarioError(f"treated_from: unit {unit!r} starts in one month only, but row {starts[unit][1]} "
                                f"says {_month(starts[unit][0])} and this row {_month(start)}", source=src, key=where)
        starts.setdefault(unit, (start, n))
        rec = {"unit": unit, "month": month, "tax": parse_tax(row.get("tax", ""), src, where), "treated_from": start}
        for col in ("litres", "price_index"):
            cell = row.get(col, "")
            try:
                rec[col] = float(cell) if cell else np.nan
            except ValueError:
                raise ScenarioError(f"{col}: expected a number or an empty cell, got {cell!r}", source=src,
                                    key=where) from None
            value = rec[col]  # litres may be 0 (nothing metered); a price index is a ratio of prices
            if not (np.isnan(value) or (np.isfinite(value) and (value >= 0 if col == "litres" else value > 0))):
                raise ScenarioError(f"{col}: expected {'a number ≥ 0' if col == 'litres' else 'a number > 0'} or "
                                    f"an empty cell, got {cell!r}", source=src, key=where)
        records.append(rec)
    if not records:
        raise ScenarioError("expected at least one row", source=src)
    panel = pd.DataFrame(records).sort_values(["unit", "month"], kind="stable").reset_index(drop=True)
    panel["treated_from"] = pd.to_datetime(panel["treated_from"])
    months = pd.date_range(panel["month"].min(), panel["month"].max(), freq="MS")
    for unit, g in panel.groupby("unit", sort=False):
        gap = months.difference(pd.DatetimeIndex(g["month"]))
        if len(gap):
            raise ScenarioError(f"unit {unit!r}: no row for {gap[0]:%Y-%m} (every unit needs every month from "
                                f"{months[0]:%Y-%m} to {months[-1]:%Y-%m})", source=src)
    first = panel["treated_from"].min()
    if pd.notna(first) and first <= months[0]:
        raise ScenarioError(f"no month before the first unit's start ({first:%Y-%m}): the panel must begin "
                            "before any unit is treated", source=src)
    panel.attrs["source"] = src
    return panel


def _month(m) -> str:
    return "never" if m is None or pd.isna(m) else f"{m:%Y-%m}"


def _panel_task(sc: Scenario, replication: int, seed: int) -> pd.DataFrame:
    from ..model.replication import run_replication

    return panel_rows(sc, run_replication(sc, replication, seed))


def simulate_panels(sc: Scenario, replications: int | None = None, seed: int | None = None, *,
                    workers: int | None = None, progress: bool | None = None) -> SimulatedPanel:
    """``replications`` panels of ``sc`` (default: ``run.replications``), replication by replication on
    ``workers`` processes; the same seed gives the same panels on any number of workers."""
    from ..execution import map_tasks, worker_count
    from ..progress import Progress
    from .points import replications_and_seed

    if sc.district_names and len(sc.district_names) < 2:
        raise ScenarioError("a panel needs several units: give the scenario several districts (provinces)",
                            source="panel")
    n, s = replications_and_seed(sc, replications, seed, "panel")
    frames: list[pd.DataFrame | None] = [None] * n
    with Progress(n, "panels", enabled=progress) as bar:
        for i, frame in map_tasks(_panel_task, [(sc, r, s) for r in range(n)], workers=worker_count(workers)):
            frames[i] = frame
            bar.update(1)
    return SimulatedPanel(pd.concat(frames, ignore_index=True), sc, s)
