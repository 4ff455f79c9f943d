"""fuelseal: the cost, duration and tax yield of verifying fuel dispensers and sealing their totalisers.

``fuelseal run [SCENARIO]`` runs a scenario (the built-in Hà Nam 2017 one by default),
prints a summary a planner can read and writes a run folder; ``fuelseal validate``
checks a file. Bad input ends with one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import textwrap
from pathlib import Path

from . import __version__
from .errors import ScenarioError
from .formatting import KPI_DISPLAY, number, pct, slug
from .scenario import Scenario, load_scenario, parse_value

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other bad input
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _overrides(pairs: list[str] | None) -> dict:
    out = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"expected key=value (for example campaign.teams=3), got {pair!r}", source="--set")
        out[key.strip()] = parse_value(value.strip())
    return out


def _load(args) -> Scenario:
    return load_scenario(args.scenario, _overrides(args.set), base=getattr(args, "safe", None))


def _default_out(sc: Scenario) -> Path:
    return Path("runs") / f"{slug(sc.name)}-{dt.datetime.now():%Y%m%d-%H%M%S}"


def summary_text(res, sc: Scenario) -> str:
    """The planner's summary: a headline sentence and a table of KPIs with 90% intervals."""
    s = res.summary()
    w0 = sc.campaign.start.replace(day=1)
    lines = [sc.name, f"{res.replications} replications, seed {res.seed}; evaluation window: "
             f"{sc.run.evaluation_months} months from {w0:%Y-%m}", ""]
    lines.append(textwrap.fill(headline(s, sc), 88))
    lines.append("")
    lines.append(f"{'':32} {'mean':>18} {'90% interval':>30}")
    for key, (label, fmt) in KPI_DISPLAY.items():
        if key not in s.index:
            continue
        r = s.loc[key]
        lines.append(f"{label:32} {fmt(r['mean']):>18} {fmt(r['p05']) + ' – ' + fmt(r['p95']):>30}")
    if sc.scenario.reference_uplift is not None:
        lines.append("")
        lines.append(f"Published before/after figure: {pct(sc.scenario.reference_uplift)}"
                     + (f" ({sc.scenario.reference_source})" if sc.scenario.reference_source else ""))
    return "\n".join(lines)


def headline(s, sc: Scenario) -> str:
    """One sentence with the answer, e.g. "Sealing all 450 dispensers with 2 teams takes …"."""
    c = sc.campaign
    pumps = s.loc["pumps", "mean"]
    teams = f"{c.teams} team{'s' if c.teams > 1 else ''}"
    ba = (f"{pct(s.loc['uplift_before_after', 'mean'])} ({pct(s.loc['uplift_before_after', 'p05'])}–"
          f"{pct(s.loc['uplift_before_after', 'p95'])})")
    if not c.enabled:
        return (f"No campaign: the {number(pumps)} dispensers stay unsealed; tax in the window is {ba} "
                f"above the same months before.")
    cd = s.loc["completion_days"]
    if s.loc["completed", "mean"] == 1:
        first = (f"Sealing all {number(pumps)} dispensers with {teams} takes {number(cd['p50'])} days "
                 f"({cd['p50'] / 30.44:.1f} months; 90%: {number(cd['p05'])}–{number(cd['p95'])} days)")
    else:
        first = (f"With {teams} the campaign finishes within the horizon in only "
                 f"{pct(s.loc['completed', 'mean'], 0)} of replications, sealing {pct(s.loc['share_sealed', 'mean'])} "
                 f"of {number(pumps)} dispensers on average,")
    return (f"{first} and raises tax by {pct(s.loc['uplift', 'mean'])} (90%: {pct(s.loc['uplift', 'p05'])}–"
            f"{pct(s.loc['uplift', 'p95'])}) against no campaign, or by {ba} against the same months before.")


def cmd_run(args) -> int:
    from .runfolder import RunFolder

    if args.resume:
        if args.scenario or args.set or args.seed is not None or args.replications is not None:
            raise ScenarioError("--resume takes the scenario, seed and replications from the run folder; "
                                "give only the folder", source="--resume")
        folder = RunFolder.open(args.resume)
        sc = folder.scenario
    else:
        sc = _load(args)
        out = Path(args.out) if args.out else _default_out(sc)
        n = sc.run.replications if args.replications is None else args.replications
        seed = sc.run.seed if args.seed is None else args.seed
        folder = RunFolder.create(out, sc, seed, n, overwrite=args.overwrite)
    res = _fill(folder, args, quiet=args.quiet or args.json)
    if not args.no_charts:
        from .charts import write_charts

        write_charts(res, folder.path, ("png", "svg") if args.svg else ("png",))
    if args.json:
        print(json.dumps(res.summary_json(), ensure_ascii=False))
    else:
        print(summary_text(res, sc))
        print(f"\nRun folder: {folder.path}")
    return 0


def _fill(folder, args, quiet: bool):
    """Run the folder's missing replications, saving each as it finishes, then the tables."""
    import time

    from .progress import Progress
    from .runner import iter_replications

    todo = folder.missing()
    workers = args.workers or os.cpu_count() or 1
    t0 = time.perf_counter()
    bar = Progress(folder.replications, enabled=None if not quiet else False)
    bar.update(folder.replications - len(todo))
    try:
        for batch in iter_replications(folder.scenario, todo, folder.seed, min(workers, max(len(todo), 1)),
                                       args.executor, args.scheduler):
            for output in batch:
                folder.save_replication(output)
            bar.update(len(batch))
    except KeyboardInterrupt:
        bar.close()
        done = len(folder.done())
        raise Interrupted(f"interrupted: {done} of {folder.replications} replications are saved in "
                          f"{folder.path}; finish with: fuelseal run --resume {folder.path}") from None
    bar.close()
    return folder.finish({"simulate_seconds": time.perf_counter() - t0, "workers": workers,
                          "executor": args.executor, "resumed": len(todo) < folder.replications})


class Interrupted(Exception):
    """Ctrl-C during a run: what was finished is saved."""


def cmd_verify(args) -> int:
    """Re-run a sample of a run folder's replications and compare them bit for bit."""
    import numpy as np

    from .results import Results
    from .runfolder import RunFolder
    from .runner import run

    folder = RunFolder.open(args.run_dir)
    if folder.manifest.get("status") != "complete":
        raise ScenarioError("the run is incomplete: finish it with fuelseal run --resume first", source=args.run_dir)
    stored = Results.load(folder.path)
    n = folder.replications
    k = min(args.sample, n)
    sample = sorted({int(round(x)) for x in np.linspace(0, n - 1, k)})
    fresh = run(folder.scenario, replications=max(sample) + 1, seed=folder.seed, workers=args.workers or 1)
    problems = []
    for table in ("kpis", "monthly", "districts"):
        a = getattr(stored, table)
        b = getattr(fresh, table)
        a = a[a.replication.isin(sample)].reset_index(drop=True)
        b = b[b.replication.isin(sample)].reset_index(drop=True)
        if a.shape != b.shape or list(a.columns) != list(b.columns):
            problems.append(f"{table}: shape or columns differ ({a.shape} vs {b.shape})")
            continue
        for col in a.columns:
            x, y = a[col].to_numpy(), b[col].to_numpy()
            same = (np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" and y.dtype.kind == "f"
                    else bool((x == y).all()))
            if not same:
                problems.append(f"{table}.{col} differs")
    from .results import versions

    now = versions()
    changed = {k: (v, now.get(k)) for k, v in folder.manifest.get("versions", {}).items() if now.get(k) != v}
    if changed:
        print("versions changed since the run: " + ", ".join(f"{k} {a} → {b}" for k, (a, b) in changed.items()))
    if problems:
        print(f"DIFFERENT: replications {sample} of {folder.path} do not reproduce:")
        for p in problems:
            print(f"  {p}")
        return 1
    print(f"identical: replications {sample} of {n} re-run bit for bit (seed {folder.seed}, "
          f"scenario {folder.manifest['scenario_sha256'][:12]})")
    return 0


def cmd_validate(args) -> int:
    sc = _load(args)
    n = sc.network
    where = (f"register {n.register_file} ({len(sc.register.ids)} stations)" if sc.register is not None
             else f"{len(n.districts)} districts")
    c = sc.campaign
    campaign = f"from {c.start} with {c.teams} teams" if c.enabled else "disabled"
    print(f"{args.scenario}: ok — {sc.name}; {where}; {sc.scenario.start} to {sc.scenario.end}; campaign {campaign}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="fuelseal", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", action="version", version=f"fuelseal {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="run a scenario and write a run folder")
    r.add_argument("scenario", nargs="?", default=None, help="scenario TOML file (default: built-in Hà Nam 2017)")
    r.add_argument("-n", "--replications", type=int, default=None, help="number of replications")
    r.add_argument("--seed", type=int, default=None, help="random seed")
    r.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a dotted key, e.g. campaign.teams=3")
    r.add_argument("--out", default=None, help="run folder to write (default: runs/<scenario>-<time>)")
    r.add_argument("--overwrite", action="store_true", help="replace an existing run folder")
    r.add_argument("--json", action="store_true", help="print only the summary as one JSON object")
    r.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    r.add_argument("--executor", choices=("process", "dask"), default="process",
                   help="where replications run: a local process pool, or a Dask cluster")
    r.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler address, e.g. tcp://host:8786 (default: start a LocalCluster)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--safe", metavar="DIR", default=None, help="paths inside the scenario may not leave DIR")
    r.add_argument("--resume", metavar="RUN_DIR", default=None, help="finish an interrupted run folder")
    r.add_argument("--svg", action="store_true", help="also write the charts as SVG")
    r.add_argument("--no-charts", action="store_true", help="do not draw charts into the run folder")
    r.set_defaults(func=cmd_run)

    from .analysis.cli import add_subcommands as add_analysis_subcommands
    from .report import add_subcommand as add_report_subcommand

    add_report_subcommand(sub)
    add_analysis_subcommands(sub)

    ver = sub.add_parser("verify", help="re-run a sample of a run folder's replications and compare")
    ver.add_argument("run_dir", help="a complete run folder")
    ver.add_argument("--sample", type=int, default=3, help="how many replications to re-run (default 3)")
    ver.add_argument("--workers", type=int, default=None, help="worker processes")
    ver.set_defaults(func=cmd_verify)

    v = sub.add_parser("validate", help="check a scenario file")
    v.add_argument("scenario", help="scenario TOML file")
    v.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a dotted key")
    v.add_argument("--safe", metavar="DIR", default=None, help="paths inside the scenario may not leave DIR")
    v.set_defaults(func=cmd_validate)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("replications", "workers", "sample"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            parser.error(f"--{name}: expected a whole number ≥ 1, got {value}")
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"fuelseal: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Interrupted as exc:
        print(f"fuelseal: {exc}", file=sys.stderr)
        return 130
    except KeyboardInterrupt as exc:
        print(f"fuelseal: {exc}" if str(exc) else "fuelseal: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
