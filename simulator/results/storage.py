"""The run folder on disk: what belongs in it, how it proves its integrity, how it is replaced.

A run folder is a planner's evidence, so it is built to be checked:

* ``manifest.json`` says it is a fuelseal run folder (``"format"``), records the run
  (scenario hash, seed, replications, versions) and a SHA-256 of every table, chart and
  report written into the folder (``"files"``); its own ``"checksum"`` covers all of that,
  so an edited manifest is recognised and refused.
* Only what fuelseal writes lives in it (:data:`KNOWN_TOP`): a folder holding anything
  else is never taken for a run folder.
* ``--overwrite`` replaces only a run folder, and never in place: the old folder is
  locked, renamed aside, and removed only once the new run has its manifest
  (:func:`make_room`); if anything fails first, the old folder is put back.

It is tamper-*evident*, not tamper-proof: someone who rewrites a table and recomputes
both checksums is not stopped here — ``fuelseal verify`` re-runs replications for that.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScenarioError
from ..files import LOCK_NAME, MAX_MANIFEST_BYTES, FolderLock, os_error, read_json, sha256_file, write_atomic

FORMAT = "fuelseal-run/2"
TABLES = ("kpis", "summary", "monthly", "districts", "visits", "stations")
CHART_FILES = (".png", ".svg", ".pdf", ".csv", ".tmp")  # charts/: pictures, their data, a write
KNOWN_TOP = ({"manifest.json", "scenario.toml", "scenario.original.toml", "register.csv", "replications", "charts",
              "report.html", "report.pdf", LOCK_NAME} | {f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")})
LEGACY_KEYS = {"scenario_sha256", "seed", "replications", "status"}


# ---- the manifest ----------------------------------------------------------------------------
def _canonical(manifest: dict) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def seal(manifest: dict) -> dict:
    """The manifest as plain JSON data with ``format`` and its own ``checksum``."""
    plain = json.loads(json.dumps({**manifest, "format": FORMAT}, default=str, ensure_ascii=False))
    plain.pop("checksum", None)
    plain["checksum"] = hashlib.sha256(_canonical(plain)).hexdigest()
    return plain


def write_manifest(folder: Path, manifest: dict) -> dict:
    """Seal and write ``folder/manifest.json`` atomically; return what was written."""
    sealed = seal(manifest)
    write_atomic(folder / "manifest.json", json.dumps(sealed, indent=2, ensure_ascii=False).encode("utf-8"))
    return sealed


def read_manifest(folder: Path) -> dict:
    """The folder's manifest, refused with one line if it is missing, not a regular file,
    too large, not JSON, or changed since fuelseal wrote it."""
    path = folder / "manifest.json"
    if not path.exists() and not path.is_symlink():
        raise ScenarioError("not a run folder (no manifest.json)", source=str(folder))
    try:
        m = read_json(path, MAX_MANIFEST_BYTES, "run manifest")
    except ScenarioError as exc:
        raise ScenarioError(f"not a usable run folder: manifest.json {exc.detail}", source=str(folder)) from None
    edited = ScenarioError("manifest.json was edited or damaged after fuelseal wrote it (its checksum does "
                           "not match); it cannot be trusted — run the scenario again", source=str(folder))
    if "checksum" in m or "format" in m or "files" in m:  # fuelseal 0.1 never wrote any of these
        if m.get("format") != FORMAT and "format" in m and "checksum" in m:
            raise ScenarioError(f"manifest.json: unknown format {str(m.get('format'))[:40]!r} (expected {FORMAT})",
                                source=str(folder))
        if m.get("checksum") != hashlib.sha256(_canonical(m)).hexdigest():
            raise edited
    elif not LEGACY_KEYS <= set(m):
        raise ScenarioError("not a run folder (manifest.json is not a fuelseal manifest)", source=str(folder))
    problem = _shape_problem(m)
    if problem:
        raise ScenarioError(f"manifest.json is damaged ({problem})", source=str(folder))
    return m


def _shape_problem(m: dict) -> str | None:
    """What is wrong with the types of a manifest's fields (a forger's or a bug's), or None."""
    for key, kind in (("seed", int), ("replications", int), ("status", str), ("scenario_sha256", str)):
        if key in m and (isinstance(m[key], bool) or not isinstance(m[key], kind)):
            return f"{key}: expected {'a whole number' if kind is int else 'text'}"
    for key in ("versions", "files", "resolved_scenario", "timings"):
        if key in m and m[key] is not None and not isinstance(m[key], dict):
            return f"{key}: expected a table"
    for name, value in (m.get("versions") or {}).items():
        if not isinstance(value, (str, type(None))):
            return f"versions.{name}: expected text"
    for name, digest in (m.get("files") or {}).items():
        if not _plain_name(name) or not isinstance(digest, str):
            return f"files: {name[:40]!r} is not a file name inside the folder with its SHA-256"
    return None


def _plain_name(name: str) -> bool:
    """A relative name inside the folder: no NUL, no '..', not absolute, valid UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    parts = Path(name).parts
    return bool(parts) and "\0" not in name and ".." not in parts and not Path(name).is_absolute()


def is_legacy(manifest: dict) -> bool:
    """Written by fuelseal 0.1, before manifests carried checksums."""
    return "checksum" not in manifest


# ---- what belongs in a run folder ------------------------------------------------------------
def foreign_entries(folder: Path) -> list[str]:
    """Names in ``folder`` that fuelseal does not write (sorted); temporary files of a killed
    writer count as fuelseal's own."""
    out = []
    for entry in folder.iterdir():
        name = entry.name
        if name in KNOWN_TOP and not entry.is_symlink():
            if name == "replications" and entry.is_dir():
                out += [f"replications/{e.name}" for e in entry.iterdir()
                        if not (e.name.startswith(("rep-", ".rep-")) and e.is_file() and not e.is_symlink())]
            elif name == "charts" and entry.is_dir():
                out += [f"charts/{e.name}" for e in entry.iterdir()
                        if not (e.suffix in CHART_FILES and e.is_file() and not e.is_symlink())]
            continue
        if name.startswith(".") and name.endswith(".tmp") and entry.is_file() and not entry.is_symlink():
            continue
        out.append(name)
    return sorted(out)


def recognise(folder: Path) -> dict:
    """The manifest of ``folder`` if it is, beyond doubt, a fuelseal run folder holding
    nothing else; otherwise a one-line refusal."""
    m = read_manifest(folder)
    other = foreign_entries(folder)
    if other:
        more = f" and {len(other) - 1} more" if len(other) > 1 else ""
        raise ScenarioError(f"holds {other[0]!r}{more}, which fuelseal did not write; --overwrite replaces only "
                            f"run folders (move it out or choose another --out)", source=str(folder))
    return m


def checksums(folder: Path, names: list[str]) -> dict[str, str]:
    """``{relative name: SHA-256}`` of the named files in ``folder``."""
    return {n: sha256_file(folder / n) for n in sorted(names)}


def written_files(folder: Path) -> list[str]:
    """Every file fuelseal wrote into ``folder`` that the manifest should vouch for
    (tables, scenario, register, replications, charts, reports — not the manifest or lock)."""
    names = []
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink() or entry.name in ("manifest.json", LOCK_NAME) or entry.name.startswith("."):
            continue
        if entry.is_file() and entry.name in KNOWN_TOP:
            names.append(entry.name)
        elif entry.is_dir() and entry.name in ("replications", "charts"):
            names += [f"{entry.name}/{e.name}" for e in sorted(entry.iterdir())
                      if e.is_file() and not e.is_symlink() and not e.name.startswith(".")]
    return names


def check_files(folder: Path, manifest: dict, skip: tuple[str, ...] = (), missing_ok: bool = False) -> list[str]:
    """Problems with the files the manifest vouches for, one per file: missing (unless
    ``missing_ok``: a deleted copy cannot mislead), not a regular file, or different from
    when it was written. Empty when all match."""
    from ..files import check_regular

    listed = manifest.get("files")
    if is_legacy(manifest) or not isinstance(listed, dict):
        return ["manifest.json lists no checksums (written by fuelseal 0.1)"]
    problems = []
    for name, digest in sorted(listed.items()):
        if name.startswith(skip):
            continue
        if not _plain_name(name):
            problems.append(f"{name[:40]!r}: not a name inside the folder")
            continue
        path = folder / name
        if missing_ok and not path.exists() and not path.is_symlink():
            continue
        try:
            check_regular(path, what="file written by fuelseal")
        except ScenarioError as exc:
            problems.append(f"{name}: {exc.detail}")
            continue
        try:
            same = sha256_file(path) == digest
        except OSError as exc:
            problems.append(f"{name}: {os_error(exc).detail}")
            continue
        if not same:
            problems.append(f"{name}: changed since the run (checksum differs)")
    return problems


# ---- replacing a folder ----------------------------------------------------------------------
def _refuse_special(p: Path) -> None:
    try:
        str(p).encode("utf-8")
    except UnicodeEncodeError:
        raise ScenarioError("expected a folder name that is valid UTF-8", source=str(p).encode(
            "utf-8", "backslashreplace").decode()) from None
    if p.is_symlink():
        raise ScenarioError("is a symbolic link; give the folder it points to", source=str(p))
    if p.exists() and not p.is_dir():
        raise ScenarioError("is a file, not a run folder; fuelseal never replaces files (choose another --out)",
                            source=str(p))


def _refuse_precious(p: Path) -> None:
    """Folders never replaced, run folder or not: the current one and its parents, a home, the root."""
    try:
        real = p.resolve()
        here = Path.cwd().resolve()
    except (OSError, RuntimeError) as exc:
        raise ScenarioError(f"cannot resolve this path ({exc.__class__.__name__})", source=str(p)) from None
    if real == here or real in here.parents:
        raise ScenarioError("is the current folder or one of its parents; give a folder of its own with --out",
                            source=str(p))
    home = Path.home().resolve()
    if real == home or real in home.parents or real.parent == real:
        raise ScenarioError("is a home or system folder; give a folder of its own with --out", source=str(p))


@dataclass
class Room:
    """A place made for a new run folder. When an old run folder had to go, it was locked and
    renamed to ``aside``; :meth:`discard` removes it once the new folder has its manifest,
    :meth:`restore` puts it back if the new run could not start."""

    path: Path
    aside: Path | None = None
    lock: FolderLock | None = None

    def discard(self) -> None:
        if self.aside is not None:
            shutil.rmtree(self.aside, ignore_errors=True)
            self.aside = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def restore(self) -> str | None:
        """Put the old folder back; if another process has taken its place meanwhile, leave
        both alone and return a note saying where the old one is."""
        note = None
        if self.aside is not None:
            try:
                if self.path.exists() and not any(self.path.iterdir()):
                    self.path.rmdir()  # an empty folder this run made: never anything else
                os.rename(self.aside, self.path)
            except OSError:
                note = f"the replaced run folder is kept, intact, at {self.aside}"
            self.aside = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None
        return note


def check_links(folder: Path) -> None:
    """Refuse a run folder in which fuelseal would follow a symbolic link out of it: the
    folder's own entries and those of ``replications/`` and ``charts/`` must not be links,
    and those two must be folders."""
    for entry in folder.iterdir():
        if entry.is_symlink():
            raise ScenarioError(f"holds a symbolic link {entry.name!r}; a run folder holds only what fuelseal wrote",
                                source=str(folder))
    for sub in ("replications", "charts"):
        d = folder / sub
        if d.exists() and not d.is_dir():
            raise ScenarioError(f"{sub} is not a folder; a run folder holds only what fuelseal wrote",
                                source=str(folder))
        if d.is_dir():
            for entry in d.iterdir():
                if entry.is_symlink():
                    raise ScenarioError(f"holds a symbolic link {sub}/{entry.name!r}; a run folder holds only what "
                                        "fuelseal wrote", source=str(folder))


def make_room(path: str | os.PathLike, overwrite: bool) -> Room:
    """Check that a new run folder may be written at ``path``: it is absent or an empty
    folder, or — with ``overwrite`` — a run folder (and nothing else) that no process is
    writing, which is then locked and renamed aside. Anything else is refused with one
    line and left exactly as it was."""
    p = Path(path)
    _refuse_special(p)
    if not p.exists():
        return Room(p)
    try:
        empty = not any(p.iterdir())
    except OSError as exc:
        raise os_error(exc, p) from None
    if empty:
        return Room(p)
    if not overwrite:
        raise ScenarioError("exists and is not empty (choose another --out, add --overwrite to replace a run "
                            "folder, or --resume it)", source=str(p))
    _refuse_precious(p)
    recognise(p)  # before the lock, which would otherwise add its file to a folder that is not ours
    lock = FolderLock(p).acquire(exclusive=True, command="fuelseal run --overwrite")
    try:
        recognise(p)  # again under the lock: nobody can add to it from now on
    except BaseException:
        lock.release()
        raise
    aside = p.with_name(f".{p.name}.replaced-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        os.replace(p, aside)
    except OSError as exc:
        lock.release()
        raise os_error(exc, p, "nothing was changed") from None
    return Room(p, aside, lock)
