"""The options every command shares, defined once so they read and behave the same everywhere.

Each function adds one family of options to a sub-parser: the scenario and its
overrides, replications and seed, where work runs, how output is shown, and the folder
paths may not leave. ``run``, ``validate``, ``verify``, ``sweep``, ``calibrate`` and
``sensitivity`` are assembled from them (``report`` adds its own ``--safe`` in
:mod:`simulator.report`, which sits below the command line).
"""

from __future__ import annotations

import argparse

from ..commandline import lazy  # noqa: F401  (the command line's lazy imports: cli.options.lazy)
from ..execution import EXECUTORS
from ..i18n import LANGS

SCENARIO_HELP = "scenario TOML file (default: built-in Hà Nam 2017)"


def scenario(p: argparse.ArgumentParser, *, optional: bool = True) -> None:
    """The scenario file: optional (the built-in one) for run and the analyses, required for validate."""
    if optional:
        p.add_argument("scenario", nargs="?", default=None, help=SCENARIO_HELP)
    else:
        p.add_argument("scenario", help="scenario TOML file")


def overrides(p: argparse.ArgumentParser, help: str = "override a dotted key, e.g. campaign.teams=3",
              metavar: str = "KEY=VALUE") -> None:
    """``--set KEY=VALUE`` (repeatable); a sweep reads ``NAME=V1,V2,…`` through the same option."""
    p.add_argument("--set", action="append", metavar=metavar, help=help)


def replications(p: argparse.ArgumentParser, n_help: str = "number of replications",
                 seed_help: str = "random seed") -> None:
    p.add_argument("-n", "--replications", type=int, default=None, help=n_help)
    p.add_argument("--seed", type=int, default=None, help=seed_help)


def workers(p: argparse.ArgumentParser, help: str = "worker processes (default: all cores)") -> None:
    p.add_argument("--workers", type=int, default=None, help=help)


def executor(p: argparse.ArgumentParser, what: str) -> None:
    """``--executor`` and ``--scheduler``: where ``what`` (replications, points) run."""
    p.add_argument("--executor", choices=EXECUTORS, default="process",
                   help=f"where {what} run: a local process pool, or a Dask cluster")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler address, e.g. tcp://host:8786 (default: start a LocalCluster)")


def output(p: argparse.ArgumentParser, json_help: str = "print only one JSON object on stdout") -> None:
    p.add_argument("--json", action="store_true", help=json_help)
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def safe(p: argparse.ArgumentParser, help: str = "paths inside the scenario may not leave DIR") -> None:
    p.add_argument("--safe", metavar="DIR", default=None, help=help)


def overwrite(p: argparse.ArgumentParser, help: str) -> None:
    p.add_argument("--overwrite", action="store_true", help=help)


def lang(p: argparse.ArgumentParser, what: str = "charts, summary and reports") -> None:
    """``--lang en|vi``: the language of what the command writes (default: the scenario's ``run.lang``)."""
    p.add_argument("--lang", choices=LANGS, default=None,
                   help=f"language of the {what}: en or vi (default: the scenario's run.lang, else en)")
