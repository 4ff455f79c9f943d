"""The scenarios the page offers: the built-in Hà Nam 2017, every ``*.toml`` in the scenarios folder
(``--scenarios DIR``; by default ``scenarios/`` where the server starts, which in a clone of fuelseal
holds the national rollout), and the files a planner uploads.

A preset is named by an identifier — ``builtin``, ``file:<name>``, ``upload:<id>`` — never by a path a
request could choose; :meth:`Presets.find` turns it into the file, the folder its paths may not leave
(the loader's ``base``) and the overrides an upload adds (its register).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ScenarioError
from ..scenario import Scenario, builtin_path, load_scenario
from .workspace import Workspace

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,80}")


@dataclass(frozen=True)
class Preset:
    id: str
    path: Path
    base: Path
    extra: dict[str, str] = field(default_factory=dict)
    """Overrides the preset itself needs (an uploaded register's file name)."""
    uploaded: str = ""
    """The uploaded file's name as given (shown), for an upload."""

    def tidy(self, message: str) -> str:
        """``message`` with the preset's paths as a planner knows them: an upload by the name given, a file by
        its name (the server's own folders are not shown)."""
        message = message.replace(str(self.path), self.uploaded or self.path.name)
        return message.replace(str(self.base) + "/", "").replace(str(self.base), "")

    def files(self) -> list[Path]:
        """The files besides the scenario that it reads and the page knows of: an upload's register."""
        reg = self.extra.get("network.register")
        return [self.base / reg.strip('"')] if reg else []

    def load(self, overrides: dict | None = None) -> Scenario:
        from ..scenario import parse_overrides

        pairs = {**parse_overrides([f"{k}={v}" for k, v in self.extra.items()]), **(overrides or {})}
        return load_scenario(self.path, pairs, base=self.base)


class Presets:
    def __init__(self, workspace: Workspace, folder: str | Path | None = None):
        self.workspace = workspace
        self.folder = Path(folder).resolve() if folder is not None else None

    def files(self) -> list[Preset]:
        """The built-in scenario, then the folder's scenario files (a copy of the built-in one left out)."""
        builtin = builtin_path()
        out = [Preset("builtin", builtin, builtin.parent)]
        if self.folder is None or not self.folder.is_dir():
            return out
        own = builtin.read_bytes()
        for p in sorted(self.folder.glob("*.toml")):
            if p.is_symlink() or not p.is_file() or not NAME.fullmatch(p.name):
                continue
            try:
                if p.read_bytes() == own:
                    continue
            except OSError:
                continue
            out.append(Preset(f"file:{p.stem}", p, self.folder))
        return out

    def find_tidy(self, upload, message: str) -> str:
        """``message`` about a just-stored upload, tidied as :meth:`Preset.tidy`."""
        return Preset("upload", upload.scenario, upload.folder, uploaded=upload.name).tidy(message)

    def find(self, preset_id: str) -> Preset:
        if preset_id.startswith("upload:"):
            up = self.workspace.upload(preset_id.removeprefix("upload:"))
            if up is None:
                raise ScenarioError("no such uploaded scenario", source=preset_id)
            extra = {"network.register": f'"{up.register.name}"'} if up.register is not None else {}
            return Preset(preset_id, up.scenario, up.folder, extra, up.name)
        for p in self.files():
            if p.id == preset_id:
                return p
        raise ScenarioError("no such scenario", source=preset_id)
