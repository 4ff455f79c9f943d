"""Run folders that survive interruptions.

``fuelseal run --out DIR`` creates DIR fresh with a manifest marked ``incomplete``, the
resolved scenario, and then one file per finished replication under
``DIR/replications/`` as it completes — each written to a temporary file and renamed,
so a killed process leaves only whole files. When every replication is there the
tables are written and the manifest is marked ``complete``. ``fuelseal run --resume
DIR`` runs only the missing replications and writes the same tables as an
uninterrupted run. Replication files are plain ``.npz`` arrays read without pickle:
a run folder is data, never code.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .errors import ScenarioError
from .model import ReplicationOutput
from .results import Results
from .scenario import Scenario, check_run_size, load_scenario

VISIT_COLUMNS = ("team", "station", "district", "pumps", "start", "end", "kind")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _pack(o: ReplicationOutput) -> dict[str, np.ndarray]:
    v = list(zip(*o.visits)) if o.visits else [()] * len(VISIT_COLUMNS)
    arrays = {
        "replication": np.array(o.replication),
        "kpi_names": np.array(list(o.kpis), dtype=str),
        "kpi_values": np.array(list(o.kpis.values()), dtype=float),
        "monthly": o.monthly,
        "districts": o.districts,
        "district_names": np.array(o.district_names, dtype=str),
        "district_pumps": o.district_pumps,
        "district_sealed": o.district_sealed,
        "station_ids": np.array(o.station_ids, dtype=str),
        "visit_team": np.array(v[0], dtype=np.int64),
        "visit_station": np.array(v[1], dtype=str),
        "visit_district": np.array(v[2], dtype=str),
        "visit_pumps": np.array(v[3], dtype=np.int64),
        "visit_start": np.array(v[4], dtype=float),
        "visit_end": np.array(v[5], dtype=float),
        "visit_kind": np.array(v[6], dtype=str),
    }
    if o.stations is not None:
        arrays["stations"] = o.stations
    return arrays


def _unpack(data) -> ReplicationOutput:
    visits = list(zip(data["visit_team"].tolist(), data["visit_station"].tolist(), data["visit_district"].tolist(),
                      data["visit_pumps"].tolist(), data["visit_start"].tolist(), data["visit_end"].tolist(),
                      data["visit_kind"].tolist()))
    return ReplicationOutput(
        replication=int(data["replication"]),
        kpis={k: float(x) for k, x in zip(data["kpi_names"].tolist(), data["kpi_values"])},
        monthly=data["monthly"],
        districts=data["districts"],
        district_names=tuple(data["district_names"].tolist()),
        district_pumps=data["district_pumps"],
        district_sealed=data["district_sealed"],
        visits=visits,
        station_ids=tuple(data["station_ids"].tolist()),
        stations=data["stations"] if "stations" in data.files else None,
    )


class RunFolder:
    """A run folder being filled (or resumed)."""

    def __init__(self, path: Path, scenario: Scenario, seed: int, replications: int, manifest: dict):
        self.path, self.scenario, self.seed = path, scenario, seed
        self.replications, self.manifest = replications, manifest
        self.reps_dir = path / "replications"

    # ---- creating and opening -------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike, scenario: Scenario, seed: int, replications: int,
               overwrite: bool = False) -> RunFolder:
        check_run_size(scenario, replications, source="--replications")
        p = Path(path)
        if p.exists() and (not p.is_dir() or any(p.iterdir())):
            if not overwrite:
                raise ScenarioError("exists and is not empty (choose another --out, add --overwrite, or --resume it)",
                                    source=str(p))
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        (p / "replications").mkdir(parents=True, exist_ok=True)
        from .results import versions

        manifest = {"status": "incomplete", "scenario": scenario.name, "scenario_file": scenario.source,
                    "scenario_sha256": scenario.digest(), "seed": int(seed), "replications": int(replications),
                    "versions": versions()}
        folder = cls(p, scenario, int(seed), int(replications), manifest)
        Results.write_scenario(p, scenario)
        folder._write_manifest()
        return folder

    @classmethod
    def open(cls, path: str | os.PathLike) -> RunFolder:
        """Open an existing run folder to resume or verify it."""
        p = Path(path)
        try:
            manifest = json.loads((p / "manifest.json").read_text(encoding="utf-8"))
            seed, n = int(manifest["seed"]), int(manifest["replications"])
        except FileNotFoundError:
            raise ScenarioError("not a run folder (no manifest.json)", source=str(p)) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ScenarioError(f"manifest.json is damaged ({exc.__class__.__name__})", source=str(p)) from None
        scenario = load_scenario(p / "scenario.toml")
        if scenario.digest() != manifest.get("scenario_sha256"):
            raise ScenarioError("scenario.toml does not match the manifest's scenario_sha256", source=str(p))
        for leftover in (p / "replications").glob(".rep-*"):  # temporary files of a killed writer
            leftover.unlink(missing_ok=True)
        return cls(p, scenario, seed, n, manifest)

    # ---- replications -----------------------------------------------------------------
    def done(self) -> set[int]:
        out = set()
        for f in self.reps_dir.glob("rep-*.npz"):
            try:
                r = int(f.stem.removeprefix("rep-"))
            except ValueError:
                continue
            if 0 <= r < self.replications:
                out.add(r)
        return out

    def missing(self) -> list[int]:
        have = self.done()
        return [r for r in range(self.replications) if r not in have]

    def save_replication(self, output: ReplicationOutput) -> None:
        import io

        buf = io.BytesIO()
        np.savez(buf, **_pack(output))
        write_atomic(self.reps_dir / f"rep-{output.replication:06d}.npz", buf.getvalue())

    def load_replications(self) -> list[ReplicationOutput]:
        out = []
        for r in sorted(self.done()):
            with np.load(self.reps_dir / f"rep-{r:06d}.npz", allow_pickle=False) as data:
                out.append(_unpack(data))
        return out

    # ---- finishing --------------------------------------------------------------------
    def finish(self, timings: dict) -> Results:
        """Assemble every replication into the tables and mark the folder complete."""
        outputs = self.load_replications()
        if len(outputs) != self.replications:
            raise RuntimeError(f"{self.replications - len(outputs)} replications are still missing")
        res = Results.from_outputs(self.scenario, self.seed, outputs, timings=timings)
        res.write_tables(self.path)
        self.manifest = {**res.manifest, "status": "complete"}
        self._write_manifest()
        return res

    def _write_manifest(self) -> None:
        write_atomic(self.path / "manifest.json",
                     json.dumps(self.manifest, indent=2, default=str, ensure_ascii=False).encode("utf-8"))
