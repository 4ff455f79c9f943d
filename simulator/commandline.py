"""The arguments of the commands that live below the command line — ``fuelseal report`` and ``fuelseal
compare`` (:mod:`simulator.report`) — defined where the command line can register them without loading the
layers that run them (pandas, the model, the renderers): ``fuelseal --help`` and a bad flag answer at once.
A foundation module: it imports nothing of the simulator but the language list; the handlers are resolved on
first call (:func:`lazy`).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

from .i18n import LANGS

NUMBER_STYLES = ("en", "vi")  # as simulator.charts.NUMBER_STYLES, without importing matplotlib for `--help`


def lazy(module: str, name: str) -> Callable:
    """``name`` of ``module`` (relative to :mod:`simulator`), imported when first called."""

    def call(*args, **kwargs):
        return getattr(importlib.import_module(module, "simulator"), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{module.lstrip('.')}.{name}, imported on first call"
    return call


def add_subcommand(subparsers) -> argparse.ArgumentParser:
    """Register ``fuelseal report FOLDER [--format html|pdf|both] [--lang en|vi]`` (``--number-style`` is the
    older name of ``--lang``), and ``fuelseal report RUN_A RUN_B … --compare [--labels …] [--out DIR]``."""
    p = subparsers.add_parser("report", help="build report.html and report.pdf from a run, sweep or sensitivity "
                                             "folder",
                              description="Build a self-contained report (HTML and/or PDF) from a run folder — or a "
                                          "sweep, sensitivity or comparison folder — without running the model "
                                          "again. With --compare, put several run folders side by side (as "
                                          "fuelseal compare).")
    p.add_argument("run_dir", metavar="FOLDER",
                   help="a folder written by fuelseal run, sweep, sensitivity or compare")
    p.add_argument("more", metavar="RUN_DIR", nargs="*", help="with --compare: more run folders")
    p.add_argument("--compare", action="store_true",
                   help="compare FOLDER and the RUN_DIRs in one report (as fuelseal compare)")
    add_arguments(p)
    _report_options(p, "both", "language of the report: en (English) or vi (Vietnamese, numbers as 1.234,5 and "
                               "dates as 31/12/2017); default: the folder's own (a run's run.lang), else en",
                    "report a folder even if its files do not match the checksums in its manifest",
                    number_style=True)
    p.set_defaults(func=lazy(".report", "cmd_report"))
    return p


def _report_options(p: argparse.ArgumentParser, format_default: str | None, lang_help: str, trust_help: str, *,
                    number_style: bool = False) -> None:
    """What a report is written as (``--format``, ``--lang``), whether a folder is trusted and where folders may
    lie: the options ``report`` and ``compare`` share."""
    p.add_argument("--format", choices=("html", "pdf", "both"), default=format_default,
                   help="which report to write (default: both)")
    p.add_argument("--lang", choices=LANGS, default=None, help=lang_help)
    if number_style:
        p.add_argument("--number-style", choices=NUMBER_STYLES, default=None,
                       help="older name of --lang (--lang wins)")
    p.add_argument("--trust", action="store_true", help=trust_help)
    p.add_argument("--safe", metavar="DIR", default=None, help="refuse a folder outside DIR")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of a comparison (``fuelseal compare``; ``fuelseal report --compare`` shares them)."""
    p.add_argument("--labels", metavar="A,B,…", default=None,
                   help="names of the runs in the report, separated by commas (default: the folder names)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="comparison folder to write compare.csv and the report into (default: runs/compare-<time>); "
                        "a new or empty folder, or one fuelseal compare wrote")


def add_compare_subcommand(subparsers) -> argparse.ArgumentParser:
    """Register ``fuelseal compare RUN_A RUN_B [RUN …] [--labels A,B,…] [--out DIR] [--lang en|vi]
    [--format html|pdf|both]``."""
    p = subparsers.add_parser("compare", help="put run folders side by side in one report, or compare instruments "
                                              "(--instruments) on one scenario",
                              description="Compare run folders: their key figures side by side, the difference "
                                          "of each from the first with its 90% interval (paired when the seeds "
                                          "match), what their scenarios differ in, and their charts overlaid; "
                                          "write compare.csv and report.html / report.pdf into --out. With "
                                          "--instruments: run each instrument (seal, the scenario's "
                                          "[instruments.NAME]) or combination on the same stations against the "
                                          "same world without any policy, and print the table (or --json).")
    p.add_argument("run_dirs", metavar="RUN_DIR", nargs="*", help="run folders written by fuelseal run (two or more; "
                                                                   "the others are compared with the first); with "
                                                                   "--instruments, one scenario file (default: the "
                                                                   "built-in one)")
    add_arguments(p)
    # --format's default is None so that --instruments can tell it was given (it is refused there); None is both
    _report_options(p, None, "language of the report: en or vi (default: the first run's run.lang, else en)",
                    "compare run folders even if their files do not match the checksums in their manifests")
    p.set_defaults(func=lazy(".report.compare", "cmd_compare"))
    return p
