"""``python -m simulator.web.draw RUN_DIR LANG OUT``: a run folder's charts in another language,
into ``OUT/charts/`` (the page's cache), without touching the run folder. The page runs it in a
child process so that drawing never holds up its answers."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from ..charts import write_charts
    from ..report.loading import load_run

    folder, lang, out = argv
    write_charts(load_run(folder), out, ("png",), lang=lang, data=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
