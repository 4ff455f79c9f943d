"""Run folders that survive interruptions and prove what they hold.

``fuelseal run --out DIR`` makes room for DIR (an old *run folder* is replaced only with
``--overwrite``, and only after the new one exists — see :mod:`simulator.storage`),
locks it, and writes a manifest marked ``incomplete`` and the resolved scenario. Each
finished replication is then saved under ``DIR/replications/`` as it completes, written
atomically, and carries its own identity: its replication number, the seed and the
scenario hash. When every replication is there the tables are written, each file's
SHA-256 goes into the manifest and it is marked ``complete``.

``fuelseal run --resume DIR`` checks the manifest (its checksum, the scenario hash, the
seed and counts) before anything runs, then checks every saved replication: a file that
is unreadable, truncated, from another scenario or seed, or saved under the wrong number
is run again, so the tables equal those of an uninterrupted run. Replication files are
plain ``.npz`` arrays read without pickle: a run folder is data, never code.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

import numpy as np

from ..errors import ScenarioError
from ..files import (
    MAX_TABLE_BYTES,
    FolderLock,
    check_regular,
    os_error,
    remove_stale_tmp,
    write_atomic,
)
from ..model.declarations import FIELDS, months_of
from ..model.replication import ReplicationOutput
from ..scenario import Scenario, check_run_size, load_scenario
from . import storage
from .tables import Results, versions

VISIT_COLUMNS = ("team", "station", "district", "pumps", "start", "end", "kind")
REP_ARRAYS = ("replication", "seed", "scenario_sha256", "kpi_names", "kpi_values", "monthly", "districts",
              "district_names", "district_pumps", "district_sealed", "station_ids", "visit_team", "visit_station",
              "visit_district", "visit_pumps", "visit_start", "visit_end", "visit_kind")

__all__ = ["RunFolder", "write_atomic"]


def rep_name(r: int) -> str:
    return f"rep-{r:06d}.npz"


def _pack(o: ReplicationOutput, seed: int, digest: str) -> dict[str, np.ndarray]:
    v = list(zip(*o.visits)) if o.visits else [()] * len(VISIT_COLUMNS)
    arrays = {
        "replication": np.array(o.replication, dtype=np.int64),
        "seed": np.array(seed, dtype=np.uint64),
        "scenario_sha256": np.array(digest),
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


def _unpack(data: dict[str, np.ndarray]) -> ReplicationOutput:
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
        stations=data.get("stations"),
    )


class BadReplication(Exception):
    """A saved replication file that cannot be used; ``str()`` says why."""


class RunFolder:
    """A run folder being filled (or resumed), held under an exclusive lock until :meth:`close`."""

    def __init__(self, path: Path, scenario: Scenario, seed: int, replications: int, manifest: dict,
                 lock: FolderLock | None = None):
        self.path, self.scenario, self.seed = path, scenario, seed
        self.replications, self.manifest = replications, manifest
        self.reps_dir = path / "replications"
        self.lock = lock
        self.digest = scenario.digest()
        self.rejected: list[str] = []  # replication files found unusable and run again

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    # ---- creating and opening -------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike, scenario: Scenario, seed: int, replications: int,
               overwrite: bool = False) -> RunFolder:
        """A new run folder at ``path``; see :func:`simulator.storage.make_room` for what may be replaced."""
        check_run_size(scenario, replications, source="--replications")
        room = storage.make_room(path, overwrite)
        p = room.path
        existed = p.exists()
        lock = None
        try:
            try:
                p.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                raise ScenarioError("exists and is not a folder", source=str(p)) from None
            lock = FolderLock(p).acquire(exclusive=True, command="fuelseal run")
            if storage.foreign_entries(p) or (p / "manifest.json").exists():  # another writer got here first
                raise ScenarioError("another run started writing here at the same moment; choose another --out",
                                    source=str(p))
            (p / "replications").mkdir(exist_ok=True)
            manifest = {"status": "incomplete", "scenario": scenario.name, "scenario_file": scenario.source,
                        "scenario_sha256": scenario.digest(), "seed": int(seed), "replications": int(replications),
                        "register": _register_info(scenario), "versions": versions()}
            Results.write_scenario(p, scenario)
            manifest = storage.write_manifest(p, manifest)
        except BaseException:
            if lock is not None:
                _remove_own(p, existed)
                lock.release()
            note = room.restore()
            if note:
                print(f"fuelseal: note: {note}", file=sys.stderr)
            raise
        room.discard()
        return cls(p, scenario, int(seed), int(replications), manifest, lock)

    @classmethod
    def open(cls, path: str | os.PathLike, *, safe: str | os.PathLike | None = None,
             exclusive: bool = True, command: str = "fuelseal run --resume") -> RunFolder:
        """Open an existing run folder to resume it (``exclusive``) or read it. The manifest
        must be intact, the stored scenario must match its hash and may refer only to files
        inside the folder (and inside ``safe``, when given)."""
        p = Path(path)
        storage._refuse_special(p)
        if not p.is_dir():
            raise ScenarioError("not found; expected a run folder", source=str(p))
        if safe is not None:
            root = Path(safe).resolve()
            if root != p.resolve() and root not in p.resolve().parents:
                raise ScenarioError(f"the run folder lies outside the allowed folder {root} (--safe)", source=str(p))
        storage.read_manifest(p)  # before the lock, whose file must not appear in a folder that is not a run's
        lock = FolderLock(p).acquire(exclusive=exclusive, command=command)
        try:
            manifest = storage.read_manifest(p)
            if exclusive and storage.is_legacy(manifest):
                raise ScenarioError("written by fuelseal 0.1, whose manifests are not sealed, so its seed and "
                                    f"counts cannot be checked; run it again with: fuelseal run {p}/scenario.toml",
                                    source=str(p))
            storage.check_links(p)
            seed, n = _whole(manifest, "seed", 0, 2**63 - 1, p), _whole(manifest, "replications", 1, 1_000_000, p)
            scenario = load_scenario(p / "scenario.toml", base=p)
            # folders written before the scenario was stored resolved hash it as written
            if manifest.get("scenario_sha256") not in (scenario.digest(), scenario.legacy_digest()):
                raise ScenarioError("scenario.toml does not match the manifest's scenario_sha256 (edited after the "
                                    "run)", source=str(p))
            check_run_size(scenario, n, source=str(p / "manifest.json"))
            if exclusive:  # only now is it sure that no live writer owns a temporary file here
                remove_stale_tmp(p)
                if (p / "replications").is_dir():
                    remove_stale_tmp(p / "replications")
        except BaseException:
            lock.release()
            raise
        folder = cls(p, scenario, seed, n, manifest, lock)
        folder.digest = manifest["scenario_sha256"]  # what its replication files carry
        return folder

    # ---- replications -----------------------------------------------------------------
    def _names(self) -> dict[int, Path]:
        out = {}
        if not self.reps_dir.is_dir():
            return out
        for f in self.reps_dir.iterdir():
            stem = f.name.removeprefix("rep-").removesuffix(".npz")
            if f.name.startswith("rep-") and f.name.endswith(".npz") and stem.isdigit():
                r = int(stem)
                if 0 <= r < self.replications and f.name == rep_name(r):
                    out[r] = f
        return out

    def done(self) -> set[int]:
        """Replications with a file of the right name (not yet checked inside; see :meth:`missing`)."""
        return set(self._names())

    def read_replication(self, r: int) -> ReplicationOutput:
        """Replication ``r`` from its file, checked to be whole and to be what its name says."""
        path = self.reps_dir / rep_name(r)
        try:
            check_regular(path, MAX_TABLE_BYTES, "replication file")
        except ScenarioError as exc:
            raise BadReplication(exc.detail) from None
        try:
            with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as npz:
                data = {k: npz[k] for k in npz.files}  # reading every member checks its CRC
        except Exception as exc:  # zip, zlib and numpy raise assorted errors on garbage; all mean the same
            raise BadReplication(f"unreadable ({exc.__class__.__name__})") from None
        missing = [k for k in REP_ARRAYS if k not in data]
        if missing:
            raise BadReplication(f"incomplete (no {missing[0]!r}; written by another version?)")
        try:
            got = int(data["replication"]), int(data["seed"]), str(data["scenario_sha256"])
        except (TypeError, ValueError, OverflowError):
            raise BadReplication("damaged identity") from None
        if got[0] != r:
            raise BadReplication(f"holds replication {got[0]}, not {r}")
        if got[1] != self.seed:
            raise BadReplication(f"made with seed {got[1]}, not {self.seed}")
        if got[2] != self.digest:
            raise BadReplication("made from another scenario")
        if not _consistent(data, (len(months_of(self.scenario)), 2, len(FIELDS))):
            raise BadReplication("damaged tables (unexpected shapes)")
        return _unpack(data)

    def missing(self) -> list[int]:
        """Replications still to run: those without a file, and those whose file is unusable
        (which is removed, and named on stderr, so that it is run again)."""
        if self.reps_dir.is_symlink() or (self.reps_dir.exists() and not self.reps_dir.is_dir()):
            raise ScenarioError("replications is not a folder; this is not a run folder fuelseal can resume",
                                source=str(self.path))
        try:
            self.reps_dir.mkdir(exist_ok=True)
        except OSError as exc:
            raise os_error(exc, self.reps_dir) from None
        have = self._names()
        for extra in sorted(self.reps_dir.glob("rep-*")) if self.reps_dir.is_dir() else []:
            if extra not in have.values():
                self._reject(extra, "not a replication of this run")
        todo = []
        for r in range(self.replications):
            if r not in have:
                todo.append(r)
                continue
            try:
                self.read_replication(r)
            except BadReplication as exc:
                self._reject(have[r], str(exc))
                todo.append(r)
        return todo

    def _reject(self, path: Path, why: str) -> None:
        self.rejected.append(f"{path.name}: {why}")
        print(f"fuelseal: note: {path.relative_to(self.path)} {why}; it will be run again", file=sys.stderr)
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:
            raise os_error(exc, path) from None

    def save_replication(self, output: ReplicationOutput) -> None:
        buf = io.BytesIO()
        np.savez(buf, **_pack(output, self.seed, self.digest))
        write_atomic(self.reps_dir / rep_name(output.replication), buf.getvalue())

    def load_replications(self) -> list[ReplicationOutput]:
        """Every saved replication, checked (see :meth:`read_replication`), in order."""
        out = []
        for r in sorted(self.done()):
            try:
                out.append(self.read_replication(r))
            except BadReplication as exc:
                raise ScenarioError(f"{exc}; finish with: fuelseal run --resume {self.path}",
                                    source=str(self.reps_dir / rep_name(r))) from None
        return out

    # ---- finishing --------------------------------------------------------------------
    def finish(self, timings: dict) -> Results:
        """Assemble every replication into the tables and mark the folder complete."""
        outputs = self.load_replications()
        if len(outputs) != self.replications:
            raise ScenarioError(f"{self.replications - len(outputs)} replications are still missing; finish with: "
                                f"fuelseal run --resume {self.path}", source=str(self.path))
        res = Results.from_outputs(self.scenario, self.seed, outputs, timings=timings)
        # a resumed folder may hold tables, charts and reports of an earlier finish: they are
        # made anew from the checked replications, never vouched for as they were found
        for stale in storage.TABLES:
            for ext in ("csv", "parquet"):
                (self.path / f"{stale}.{ext}").unlink(missing_ok=True)
        for stale in ("report.html", "report.pdf"):
            (self.path / stale).unlink(missing_ok=True)
        if (self.path / "charts").is_dir() and not (self.path / "charts").is_symlink():
            shutil.rmtree(self.path / "charts")
        res.write_tables(self.path)
        self.manifest = {**res.manifest, "status": "complete", "register": _register_info(self.scenario)}
        self.record()
        return res

    def record(self) -> None:
        """Put the SHA-256 of every file fuelseal wrote here into the manifest and rewrite it."""
        files = storage.checksums(self.path, storage.written_files(self.path))
        self.manifest = storage.write_manifest(self.path, {**self.manifest, "files": files})


def _consistent(data: dict[str, np.ndarray], monthly_shape: tuple[int, ...]) -> bool:
    """Whether a replication's arrays fit together (as the model writes them)."""
    n_d = data["districts"].shape[0] if data["districts"].ndim == 2 else -1
    visits = {len(data[k]) for k in REP_ARRAYS if k.startswith("visit_")}
    ok = (data["monthly"].shape == monthly_shape and data["kpi_names"].ndim == 1
          and data["kpi_names"].shape == data["kpi_values"].shape
          and n_d == len(data["district_names"]) == len(data["district_pumps"]) == len(data["district_sealed"])
          and len(visits) == 1 and data["station_ids"].ndim == 1)
    if ok and "stations" in data:
        st = data["stations"]
        ok = st.ndim == 4 and st.shape[:2] == monthly_shape[:2] and st.shape[2] == len(data["station_ids"])
    return bool(ok)


def _whole(manifest: dict, key: str, low: int, high: int, folder: Path) -> int:
    v = manifest.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        raise ScenarioError(f"manifest.json: {key}: expected a whole number from {low} to {high}, got {v!r}",
                            source=str(folder))
    return v


def _register_info(sc: Scenario) -> dict | None:
    """Where the register came from and what it held (the scenario hash covers its rows)."""
    if sc.register is None:
        return None
    return {"path": sc.register_path, "sha256": sc.register.sha256, "stations": len(sc.register.ids)}


def _remove_own(p: Path, existed: bool) -> None:
    """Undo a folder this process started: remove it, or empty it if it was an empty folder before."""
    if not existed:
        shutil.rmtree(p, ignore_errors=True)
        return
    for entry in p.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
