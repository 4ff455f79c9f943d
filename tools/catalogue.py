"""Keep the Vietnamese catalogues in step with the code: ``make catalogue``.

Finds every string the code marks (``_("...")``, ``N_("...")``, as ``pybabel extract`` does) and
the KPI labels, then, over ``simulator/locale/vi/*.po``:

* folds ``NAME2.po`` (written while two people worked on one part) into ``NAME.po``;
* drops a message the code no longer uses, and a message a file earlier in the list already holds;
* lists every marked string that has no Vietnamese yet (exit code 1 if any), with where it is used.

It rewrites the files with Babel's own writer (so an editor's formatting may change) and never
invents a translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator.i18n import marked_messages  # noqa: E402

LOCALE = ROOT / "simulator" / "locale" / "vi"


def used() -> dict[str, str]:
    return marked_messages()


def _read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh, locale="vi")


def _write(path: Path, catalog) -> None:
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=False)


def main() -> int:
    code = used()
    for extra in sorted(LOCALE.glob("*2.po")):  # charts2.po → charts.po
        base = LOCALE / extra.name.replace("2.po", ".po")
        if base.exists():
            target, source = _read(base), _read(extra)
            for m in source:
                if m.id and m.id not in target:
                    target[m.id] = m
            _write(base, target)
            extra.unlink()
            print(f"folded {extra.name} into {base.name}")
    seen: dict[str, str] = {}
    for path in sorted(LOCALE.glob("*.po")):
        catalog = _read(path)
        drop = []
        for m in catalog:
            if not m.id:
                continue
            if m.id not in code:
                drop.append(m.id)
                print(f"{path.name}: dropped (no longer used) {m.id!r}")
            elif m.id in seen:
                drop.append(m.id)
                print(f"{path.name}: dropped (already in {seen[m.id]}) {m.id!r}")
            else:
                seen[m.id] = path.name
        for msgid in drop:
            del catalog[msgid]
        if drop:
            _write(path, catalog)
    missing = {m: w for m, w in code.items() if m not in seen}
    for m, where in sorted(missing.items()):
        print(f"no Vietnamese yet: {m!r} ({where})")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
