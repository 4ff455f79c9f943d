"""Reading a run folder for a report: complete, finished, and matching its manifest's checksums."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ScenarioError
from ..files import MAX_MANIFEST_BYTES, read_json
from ..results import storage
from ..results.tables import Results


def load_run(run_dir: str | os.PathLike, *, trust: bool = False) -> Results:
    """Read a complete run folder, or fail with one line saying what is wrong with it.

    Every file the manifest vouches for must match its SHA-256, so a report never
    states a figure that was edited after the run; ``trust=True`` reports such a
    folder anyway (and folders written by fuelseal 0.1, which have no checksums)."""
    folder = Path(run_dir)
    if folder.is_symlink() or not folder.is_dir():
        raise ScenarioError("not a run folder (no such folder)", source=str(folder))
    if trust:
        manifest = read_json(folder / "manifest.json", MAX_MANIFEST_BYTES, "run manifest")
        problem = storage._shape_problem(manifest)
        if problem:
            raise ScenarioError(f"manifest.json is damaged ({problem})", source=str(folder))
    else:
        manifest = storage.read_manifest(folder)
    if manifest.get("status") == "incomplete":
        raise ScenarioError(f"the run is not finished; finish it with: fuelseal run --resume {folder}",
                            source=str(folder))
    if not trust:
        problems = storage.check_files(folder, manifest, skip=("report.",), missing_ok=True)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise ScenarioError(f"{problems[0]}{more}; the report would not show what was run — check it with "
                                f"fuelseal verify, or add --trust to report it anyway", source=str(folder))
    missing = [f for f in ("manifest.json", "kpis.parquet", "monthly.parquet", "districts.parquet",
                           "visits.parquet") if not (folder / f).is_file()]
    if missing:
        raise ScenarioError(f"not a complete run folder (missing {', '.join(missing)}; write one with "
                            "fuelseal run --out)", source=str(folder))
    try:
        res = Results.load(folder, verify_manifest=not trust)
    except ScenarioError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ScenarioError(f"cannot read the run folder ({exc.__class__.__name__}: {exc})", source=str(folder)) \
            from None
    if not isinstance(res.manifest.get("resolved_scenario"), dict) or not len(res.kpis):
        raise ScenarioError("manifest.json has no resolved scenario or the run has no replications",
                            source=str(folder))
    return res
