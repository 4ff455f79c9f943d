"""The data directory of ``fuelseal serve``: every file the page reads or writes lies under it.

``runs/<id>/`` are ordinary run folders (``fuelseal report`` and ``fuelseal run --resume`` work on
them), ``uploads/<id>/`` hold an uploaded scenario and station register, ``cache/<id>/`` the
reports and charts drawn on request in the other language and the run folder's zip. Identifiers are
made here (random hex); a request can only name one, never a path, and :meth:`Workspace.file` refuses
anything that resolves outside the directory or through a symbolic link.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScenarioError
from ..files import MAX_REGISTER_BYTES, MAX_SCENARIO_BYTES

ID = re.compile(r"[0-9a-f]{12}")
"""What a run or upload identifier looks like: the only thing a request may name."""
REGISTER_SUFFIXES = (".csv", ".xlsx")


def new_id() -> str:
    return secrets.token_hex(6)


def is_id(text: str) -> bool:
    return bool(ID.fullmatch(text or ""))


def shown_name(name: str, width: int = 60) -> str:
    """An uploaded file's name as the page may show it: its last path part, printable characters only
    (the file itself is never stored under it)."""
    last = re.split(r"[\\/]", name or "")[-1]
    clean = "".join(ch for ch in last if unicodedata.category(ch)[0] not in "CZ" or ch == " ").strip()
    return (clean[:width] + "…") if len(clean) > width else clean


def suffix_of(name: str) -> str:
    return Path(shown_name(name)).suffix.lower()


class OutsideData(Exception):
    """A path the page would use leads out of the data directory (a symbolic link planted in it)."""


MAX_UPLOADS = 200
MAX_UPLOADS_BYTES = 2 * 2**30
"""Uploads kept in one data directory, by number and in all: beyond, an upload is refused (the page deletes
nothing a planner may still want; they are in ``<data>/uploads``)."""


@dataclass(frozen=True)
class Upload:
    id: str
    folder: Path
    scenario: Path
    register: Path | None
    name: str


class Workspace:
    """The folders under ``root`` (created if missing)."""

    def __init__(self, root: str | Path):
        root = Path(root)
        if root.is_symlink():
            raise ScenarioError("the data directory may not be a symbolic link", source=str(root))
        if root.exists() and not root.is_dir():
            raise ScenarioError("expected a folder for the data directory, got a file", source=str(root))
        self.root = root.resolve()
        for sub in ("runs", "uploads", "cache"):
            if (self.root / sub).is_symlink():
                raise ScenarioError("may not be a symbolic link", source=str(self.root / sub))
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    def run_folder(self, run_id: str) -> Path:
        return self.runs / self._checked(run_id)

    def cache(self, run_id: str, *sub: str) -> Path:
        """The run's cache folder (or a folder in it), made if missing; :class:`OutsideData` if any part of the
        way is a symbolic link (what the page writes there must not land elsewhere)."""
        folder = self.root
        for part in ("cache", self._checked(run_id), *sub):
            folder = folder / part
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                raise OutsideData(f"{folder} is not a folder of the data directory")
            folder.mkdir(exist_ok=True)
        return folder

    def file(self, path: Path) -> Path | None:
        """``path`` if it is a regular file inside the data directory reached without a symbolic link,
        else None."""
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return None
        here = self.root
        for part in rel.parts:
            here = here / part
            if here.is_symlink():
                return None
        if not here.is_file() or self.root not in here.resolve().parents:
            return None
        return here

    @staticmethod
    def _checked(some_id: str) -> str:
        if not is_id(some_id):
            raise KeyError(some_id)
        return some_id

    # ---- uploads ---------------------------------------------------------------------------

    def save_upload(self, scenario_name: str, scenario: bytes, register_name: str | None = None,
                    register: bytes | None = None) -> Upload:
        """Store an uploaded scenario (``scenario.toml``) and station register (``register.csv`` or
        ``.xlsx``) in a new upload folder; the names given only choose the register's suffix and
        what the page shows. Sizes and suffixes are checked here, the contents by the scenario loader."""
        if suffix_of(scenario_name) != ".toml":
            raise ScenarioError("expected a scenario file ending in .toml",
                                source=shown_name(scenario_name) or "upload")
        if not scenario:
            raise ScenarioError("the scenario file is empty", source=shown_name(scenario_name))
        if len(scenario) > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"larger than {MAX_SCENARIO_BYTES // 2**20} MiB", source=shown_name(scenario_name))
        suffix = None
        if register is not None:
            suffix = suffix_of(register_name or "")
            if suffix not in REGISTER_SUFFIXES:
                raise ScenarioError("expected a station register ending in .csv or .xlsx",
                                    source=shown_name(register_name or "") or "register")
            if len(register) > MAX_REGISTER_BYTES:
                raise ScenarioError(f"larger than {MAX_REGISTER_BYTES // 2**20} MiB", source=shown_name(register_name))
        kept = [p for p in (self.root / "uploads").iterdir() if p.is_dir() and not p.is_symlink()]
        size = sum(f.stat().st_size for p in kept for f in p.iterdir() if f.is_file() and not f.is_symlink())
        if len(kept) >= MAX_UPLOADS or size + len(scenario) + len(register or b"") > MAX_UPLOADS_BYTES:
            raise ScenarioError(f"this data directory already keeps {len(kept)} uploads ({size / 2**20:,.0f} MiB); "
                                f"remove some from {self.root / 'uploads'} first", source="upload")
        upload_id = new_id()
        folder = self.root / "uploads" / upload_id
        folder.mkdir()
        (folder / "scenario.toml").write_bytes(scenario)
        reg = None
        if register is not None:
            reg = folder / f"register{suffix}"
            reg.write_bytes(register)
        name = shown_name(scenario_name)
        (folder / "name.txt").write_text(name, encoding="utf-8")
        return Upload(upload_id, folder, folder / "scenario.toml", reg, name)

    def upload(self, upload_id: str) -> Upload | None:
        if not is_id(upload_id):
            return None
        folder = self.root / "uploads" / upload_id
        scenario = self.file(folder / "scenario.toml")
        if scenario is None:
            return None
        reg = next((p for p in (self.file(folder / f"register{s}") for s in REGISTER_SUFFIXES) if p), None)
        name_file = self.file(folder / "name.txt")
        name = name_file.read_text(encoding="utf-8") if name_file else "scenario.toml"
        return Upload(upload_id, folder, scenario, reg, name)
