"""Results of a run as tidy tables, one per level of detail.

* ``kpis`` — one row per replication, one column per KPI;
* ``monthly`` — one row per replication × arm (``with``/``without``) × month;
* ``districts`` — one row per replication × district (evaluation window);
* ``visits`` — the team-visit log (by default of the first replication only).

``summary()`` gives one row per KPI (mean, sd, p05, p50, p95). ``save(dir)`` writes
every table as CSV and Parquet with a manifest; ``Results.load(dir)`` reads it back.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import platform
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..kpis import UNITS
from ..model.declarations import ARMS, FIELDS, months_of
from ..model.replication import DISTRICT_COLUMNS

if TYPE_CHECKING:
    from ..model.replication import ReplicationOutput
    from ..scenario import Scenario

KPI_UNITS = UNITS  # name → unit, from the registry in simulator.kpis
TABLES = ("kpis", "summary", "monthly", "districts", "visits", "stations")
STATION_COLUMNS = ["replication", "arm", "month", "station", "true_litres", "declared_litres", "undeclared_litres"]


def _station_table(outputs, first) -> pd.DataFrame:
    """Per station and month (only when ``run.station_detail`` is on)."""
    frames = []
    for o in outputs:
        if o.stations is None:
            continue
        n_m, n_a, n_s, _ = o.stations.shape
        frames.append(pd.DataFrame({
            "replication": o.replication,
            "arm": np.repeat(np.array(ARMS), n_m * n_s),
            "month": np.tile(np.repeat(first, n_s), n_a),
            "station": np.tile(np.array(o.station_ids), n_a * n_m),
            **{c: o.stations.transpose(1, 0, 2, 3)[..., i].ravel()
               for i, c in enumerate(("true_litres", "declared_litres", "undeclared_litres"))},
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=STATION_COLUMNS)
# every package whose version can change a number or a file in a run folder
DEPENDENCIES = ("numpy", "pandas", "simpy", "pydantic", "matplotlib", "pyarrow", "scipy", "SALib", "babel", "dask",
                "distributed")


def summarise(kpis: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI: mean, sd, p05, p50, p95 and the number of finite values."""
    cols = [c for c in kpis.columns if c != "replication"]
    rows = []
    for c in cols:
        x = kpis[c].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        if x.size:
            q = np.quantile(x, [0.05, 0.5, 0.95])
            rows.append((c, x.mean(), x.std(ddof=1) if x.size > 1 else 0.0, *q, x.size))
        else:
            rows.append((c, *([np.nan] * 5), 0))
    out = pd.DataFrame(rows, columns=["kpi", "mean", "sd", "p05", "p50", "p95", "n"]).set_index("kpi")
    out["unit"] = [KPI_UNITS.get(k, "") for k in out.index]
    return out


@functools.lru_cache(maxsize=1)
def _versions() -> tuple:
    out = {"python": platform.python_version(), "platform": platform.platform(), "fuelseal": _version("fuelseal"),
           "fuelseal_commit": source_commit()}
    out.update({name: _version(name) for name in DEPENDENCIES})
    return tuple(out.items())


def versions() -> dict[str, str]:
    """Versions of Python, the platform, fuelseal (its release and, in a git checkout, the
    commit with ``+dirty`` for uncommitted changes) and of every dependency that can change
    a number (looked up once per process)."""
    return dict(_versions())


def source_commit() -> str:
    """The git commit of the code that runs, ``+dirty`` when it has uncommitted changes, or
    ``"unknown"`` outside a git checkout (an installed wheel: its version then pins it)."""
    import subprocess

    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no", "--", "."],
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "") if head else "unknown"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


RESOLVED_HEADER = """The scenario this run used, every default spelled out (fuelseal validate --show-resolved).
Made from {source}, with any --set overrides; that file as given, comments included, is
scenario.original.toml. Run it again with: fuelseal run scenario.toml
"""


class Results:
    """What a run produced; see the module docstring for the tables."""

    def __init__(self, kpis: pd.DataFrame, monthly: pd.DataFrame, districts: pd.DataFrame,
                 visits: pd.DataFrame, manifest: dict, scenario: Scenario | None = None,
                 stations: pd.DataFrame | None = None):
        self.stations = stations if stations is not None else pd.DataFrame(columns=STATION_COLUMNS)
        self.kpis = kpis
        self.monthly = monthly
        self.districts = districts
        self.visits = visits
        self.manifest = manifest
        self.scenario = scenario

    # ---- construction ----------------------------------------------------------
    @classmethod
    def from_outputs(cls, sc: Scenario, seed: int, outputs: list[ReplicationOutput], timings: dict) -> Results:
        reps = np.array([o.replication for o in outputs])
        kpis = pd.DataFrame([o.kpis for o in outputs])
        kpis.insert(0, "replication", reps)

        months = months_of(sc)
        first = pd.to_datetime([m.first for m in months]).astype("datetime64[ns]")
        cube = np.stack([o.monthly for o in outputs]) if outputs else np.zeros((0, len(months), 2, len(FIELDS)))
        n_r, n_m, n_a, _ = cube.shape
        monthly = pd.DataFrame({
            "replication": np.repeat(reps, n_a * n_m),
            "arm": np.tile(np.repeat(np.array(ARMS), n_m), n_r),
            "month": np.tile(first, n_r * n_a),
        })
        flat = cube.transpose(0, 2, 1, 3).reshape(-1, len(FIELDS))
        for i, f in enumerate(FIELDS):
            monthly[f] = flat[:, i]
        monthly["pumps_sealed"] = monthly["pumps_sealed"].astype(np.int64)

        drows = []
        for o in outputs:
            # a folder written before the cost columns holds the ledger's fields only
            d = pd.DataFrame(o.districts, columns=list(DISTRICT_COLUMNS[:o.districts.shape[1]]))
            d.insert(0, "district", list(o.district_names))
            d.insert(0, "replication", o.replication)
            d.insert(2, "pumps", o.district_pumps.astype(np.int64))
            d.insert(3, "pumps_sealed", o.district_sealed.astype(np.int64))
            drows.append(d)
        districts = pd.concat(drows, ignore_index=True) if drows else pd.DataFrame()
        if len(districts):
            districts["extra_tax"] = districts["tax_with"] - districts["tax_without"]

        origin = pd.Timestamp(sc.scenario.start)
        vrows = [(o.replication, *v) for o in outputs for v in o.visits]
        visits = pd.DataFrame(vrows, columns=["replication", "team", "station", "district", "pumps", "start_day",
                                              "end_day", "kind"])
        visits["start"] = (origin + pd.to_timedelta(visits["start_day"], unit="D")).dt.round("s")
        visits["end"] = (origin + pd.to_timedelta(visits["end_day"], unit="D")).dt.round("s")

        stations = _station_table(outputs, first)

        manifest = {
            "scenario": sc.name,
            "scenario_file": sc.source,
            "scenario_sha256": sc.digest(),
            "seed": int(seed),
            "replications": len(outputs),
            "reference_uplift": sc.scenario.reference_uplift,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "versions": versions(),
            "timings": timings,
            "resolved_scenario": sc.raw,
        }
        return cls(kpis, monthly, districts, visits, manifest, sc, stations)

    # ---- reading ---------------------------------------------------------------
    @property
    def replications(self) -> int:
        return len(self.kpis)

    @property
    def seed(self) -> int:
        return int(self.manifest["seed"])

    @functools.cached_property
    def settings(self) -> Scenario | None:
        """The typed scenario the run used, defaults included: :attr:`scenario` when it was loaded,
        else validated from the manifest's resolved scenario (without reading its register);
        None for a manifest that no longer validates (a folder from another version)."""
        if self.scenario is not None:
            return self.scenario
        from ..scenario import Scenario

        try:
            return Scenario.model_validate(self.manifest.get("resolved_scenario"))
        except (ValueError, TypeError):
            return None

    def setting(self, dotted: str, default: Any = None) -> Any:
        """One setting the run used, by dotted name (``"campaign.teams"``): from :attr:`settings`,
        or — for a folder whose scenario no longer validates — from the manifest, else ``default``."""
        node: Any = self.settings
        if node is not None:
            for part in dotted.split("."):
                node = getattr(node, part)
            return node
        node = self.manifest.get("resolved_scenario") or {}
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def summary(self) -> pd.DataFrame:
        """One row per KPI: mean, sd, p05, p50, p95, n (finite values), unit."""
        return summarise(self.kpis)

    def summary_json(self) -> dict:
        """The ``--json`` shape: ``{"kpis": {name: {mean, sd, p05, p50, p95}}, "scenario", "replications", "seed"}``."""
        s = self.summary()
        kpis = {
            k: {c: _num(s.at[k, c]) for c in ("mean", "sd", "p05", "p50", "p95")}
            for k in s.index
        }
        return {"kpis": kpis, "scenario": self.manifest["scenario"], "replications": self.replications,
                "seed": self.seed}

    def plot(self, name: str | None = None, **kw):
        """A chart as a matplotlib ``Figure`` (``name`` from :data:`simulator.charts.CHARTS`), or
        ``{name: Figure}`` for all of them; ``kw`` goes to the chart (e.g. ``lang="vi"``: Vietnamese)."""
        from .. import charts  # matplotlib loads only when a chart is asked for

        return charts.all_charts(self, **kw) if name is None else charts.chart(self, name, **kw)

    def __repr__(self) -> str:
        return f"<Results {self.manifest['scenario']!r}: {self.replications} replications, seed {self.seed}>"

    # ---- saving and loading ----------------------------------------------------
    def save(self, folder: str | os.PathLike, *, overwrite: bool = False, extra: dict | None = None) -> Path:
        """Write the run folder: tables as CSV and Parquet, ``summary``, ``manifest.json``
        and the resolved ``scenario.toml``. The folder appears complete or not at all."""
        from .storage import make_room

        out = Path(folder)
        if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
            raise FileExistsError(f"{out}: exists and is not empty (pass overwrite=True to replace it)")
        room = make_room(out, overwrite)  # only a run folder is ever replaced
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; a run folder is meant to be shared
        try:
            self._write(tmp, extra or {})
            if out.exists():  # an empty folder
                out.rmdir()
            os.replace(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            room.restore()
            raise
        room.discard()
        return out

    def _write(self, folder: Path, extra: dict) -> None:
        self.write_tables(folder)
        if self.scenario is not None:
            Results.write_scenario(folder, self.scenario)
        from . import storage

        files = storage.checksums(folder, storage.written_files(folder))
        storage.write_manifest(folder, {**self.manifest, **extra, "status": "complete", "files": files})

    def write_tables(self, folder: Path) -> None:
        """Every table as CSV and Parquet in ``folder`` (each file written, then renamed)."""
        tables = {"kpis": self.kpis, "summary": self.summary().reset_index(), "monthly": self.monthly,
                  "districts": self.districts, "visits": self.visits}
        if len(self.stations):
            tables["stations"] = self.stations
        from ..files import write_atomic

        for name, df in tables.items():
            write_atomic(folder / f"{name}.csv", lambda fh, df=df: df.to_csv(fh, index=False))
            write_atomic(folder / f"{name}.parquet", lambda fh, df=df: df.to_parquet(fh, index=False))

    @staticmethod
    def write_scenario(folder: Path, sc: Scenario) -> None:
        """The resolved scenario — every value the model used, defaults included — as ``scenario.toml``
        (with its register copied beside it), and the file as given, comments and all, as
        ``scenario.original.toml``."""
        from ..files import MAX_SCENARIO_BYTES, read_regular, write_atomic

        original = None
        if sc.source and Path(sc.source).is_file():
            original = read_regular(Path(sc.source), MAX_SCENARIO_BYTES, "scenario file (TOML)")
        header = RESOLVED_HEADER.format(source=Path(sc.source).name if original is not None else "a dict")
        if sc.register is not None:  # keep the run folder self-contained
            write_atomic(folder / "register.csv", sc.register.to_csv().encode("utf-8"))
            # the copy beside it, named without re-reading it (a scenario loaded under --safe may not name a
            # path outside its folder, and the run folder is one)
            from ..scenario import apply_overrides

            shown = sc.model_copy()
            shown._raw = apply_overrides(sc._raw, {"network.register": "register.csv"}, source=sc.source)
            text = shown.to_toml(header)
        else:
            text = sc.to_toml(header)
        write_atomic(folder / "scenario.toml", text.encode("utf-8"))
        if original is not None:
            write_atomic(folder / "scenario.original.toml", original)

    @classmethod
    def load(cls, folder: str | os.PathLike, *, verify_manifest: bool = True) -> Results:
        """Read a run folder written by :meth:`save` (tables from Parquet). The manifest must be
        intact (``verify_manifest=False`` reads one that fails its checksum, as ``--trust`` does)."""
        from ..files import check_regular
        from .storage import read_manifest

        f = Path(folder)
        if verify_manifest:
            manifest = read_manifest(f)
        else:
            from ..files import MAX_MANIFEST_BYTES, read_json

            manifest = read_json(f / "manifest.json", MAX_MANIFEST_BYTES, "run manifest")
        t = {}
        for name in ("kpis", "monthly", "districts", "visits", "stations"):
            path = f / f"{name}.parquet"
            if name == "stations" and not path.exists():
                continue
            check_regular(path, what="table")
            try:
                t[name] = pd.read_parquet(path)
            except Exception as exc:  # pyarrow raises many kinds on a damaged file; all mean the same
                from ..errors import ScenarioError

                raise ScenarioError(f"damaged table ({exc.__class__.__name__})", source=str(path)) from None
        stations = t.get("stations")
        scenario = None
        if (f / "scenario.toml").exists():
            from ..errors import ScenarioError
            from ..scenario import load_scenario

            try:
                scenario = load_scenario(f / "scenario.toml")
            except ScenarioError:  # e.g. a folder written by an older version without its register
                scenario = None
        return cls(t["kpis"], t["monthly"], t["districts"], t["visits"], manifest, scenario, stations)


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x
