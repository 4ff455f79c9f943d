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
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..errors import ScenarioError
from ..execution import MAX_WORKERS, Terminated, check_workers, signals_interrupt
from ..execution import require as require_executor
from ..files import os_error
from ..i18n import translator
from . import options
from .options import lazy

if TYPE_CHECKING:
    from ..scenario import Scenario

# loaded when a command first needs them, not to build the parser (`fuelseal --help` stays light)
slug = lazy(".numbers", "slug")
headline, summary_text = lazy(".results.summary", "headline"), lazy(".results.summary", "summary_text")
load_scenario, parse_overrides = lazy(".scenario", "load_scenario"), lazy(".scenario", "parse_overrides")

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other bad input
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _overrides(pairs: list[str] | None) -> dict:
    return parse_overrides(pairs)


def _load(args) -> Scenario:
    overrides = _overrides(args.set)
    if getattr(args, "lang", None):  # --lang is run.lang for this run: the folder remembers it for its report
        overrides = {**overrides, "run.lang": args.lang}
    return load_scenario(args.scenario, overrides, base=getattr(args, "safe", None))


def _default_out(sc: Scenario) -> Path:
    return Path("runs") / f"{slug(sc.name)}-{dt.datetime.now():%Y%m%d-%H%M%S}"


def cmd_run(args) -> int:
    from ..results.runfolder import RunFolder

    if args.resume:
        if args.scenario or args.set or args.seed is not None or args.replications is not None:
            raise ScenarioError("--resume takes the scenario, seed and replications from the run folder; "
                                "give only the folder", source="--resume")
        folder = RunFolder.open(args.resume, safe=args.safe)
        sc = folder.scenario
    else:
        sc = _load(args)
        if not args.quiet:
            _warn(sc)
        require_executor(args.executor)
        out = Path(args.out) if args.out else _default_out(sc)
        n = sc.run.replications if args.replications is None else args.replications
        seed = sc.run.seed if args.seed is None else args.seed
        folder = RunFolder.create(out, sc, seed, n, overwrite=args.overwrite)
    lang = args.lang or sc.run.lang
    with folder:
        res = _fill(folder, args, quiet=args.quiet or args.json)
        if not args.no_charts:
            from ..charts import write_charts

            try:
                write_charts(res, folder.path, ("png", "svg") if args.svg else ("png",), lang=lang,
                             workers=min(args.workers or os.cpu_count() or 1, MAX_WORKERS))
            except KeyboardInterrupt as exc:
                raise Interrupted(f"{_how(exc)} while drawing the charts: the tables in {folder.path} are complete; "
                                  f"draw the charts with: fuelseal run --resume {folder.path}", code=_code(exc)) \
                    from None
            finally:  # the manifest vouches for whichever charts were written
                folder.record()
    if args.json:
        print(json.dumps(res.summary_json(), ensure_ascii=False))
    else:
        print(summary_text(res, sc, lang=lang))
        _ = translator(lang)
        print("\n" + _("Run folder: {path}").format(path=folder.path))
    return 0


def _fill(folder, args, quiet: bool):
    """Run the folder's missing replications, saving each as it finishes, then the tables.
    An interruption (Ctrl-C, SIGTERM, SIGHUP) or a failed write (a full disk) keeps every
    finished replication and says how to finish the run."""
    import time
    from contextlib import closing

    from ..progress import Progress
    from ..runner import iter_replications

    todo = folder.missing()
    workers = min(args.workers or os.cpu_count() or 1, MAX_WORKERS)
    t0 = time.perf_counter()
    bar = Progress(folder.replications, enabled=None if not quiet else False)
    bar.update(folder.replications - len(todo))
    resume = f"fuelseal run --resume {folder.path}"
    try:
        with closing(iter_replications(folder.scenario, todo, folder.seed, min(workers, max(len(todo), 1)),
                                       args.executor, args.scheduler)) as batches:
            for batch in batches:
                for output in batch:
                    folder.save_replication(output)
                bar.update(len(batch))
    except KeyboardInterrupt as exc:
        bar.close()
        done = len(folder.done())
        raise Interrupted(f"{_how(exc)}: saved {done} of {folder.replications} replications in {folder.path}; "
                          f"finish with: {resume}", code=_code(exc)) from None
    except OSError as exc:
        bar.close()
        done = len(folder.done())
        raise os_error(exc, hint=f"saved {done} of {folder.replications} replications; "
                                 f"fix this, then finish with: {resume}") from None
    bar.close()
    try:
        return folder.finish({"simulate_seconds": time.perf_counter() - t0, "workers": workers,
                              "executor": args.executor, "resumed": len(todo) < folder.replications})
    except KeyboardInterrupt as exc:
        raise Interrupted(f"{_how(exc)} while writing the tables: all {folder.replications} replications are "
                          f"saved in {folder.path}; finish with: {resume}", code=_code(exc)) from None
    except OSError as exc:
        raise os_error(exc, hint=f"all {folder.replications} replications are saved; fix this, then finish "
                                 f"with: {resume}") from None


def _how(exc: BaseException) -> str:
    return f"stopped by {exc}" if isinstance(exc, Terminated) else "interrupted"


def _code(exc: BaseException) -> int:
    return 143 if isinstance(exc, Terminated) else 130


class Interrupted(Exception):
    """Ctrl-C, SIGTERM or SIGHUP during a run: what was finished is saved."""

    def __init__(self, message: str, code: int = 130):
        super().__init__(message)
        self.code = code  # 130 after Ctrl-C, 143 after SIGTERM or SIGHUP (as a shell reports them)


def cmd_verify(args) -> int:
    """Check every file of a run folder against its manifest, then re-run a sample of its
    replications and compare them bit for bit."""
    import numpy as np

    from ..results import storage
    from ..results.runfolder import RunFolder
    from ..results.tables import Results
    from ..runner import run

    with RunFolder.open(args.run_dir, safe=args.safe, exclusive=False) as folder:
        if folder.manifest.get("status") != "complete":
            raise ScenarioError("the run is incomplete: finish it with fuelseal run --resume first",
                                source=args.run_dir)
        problems = storage.check_files(folder.path, folder.manifest)
        listed = set(folder.manifest.get("files") or {})
        extra = [n for n in storage.written_files(folder.path) if n not in listed]
        extra += storage.foreign_entries(folder.path)
        if problems:
            print(f"DIFFERENT: {len(problems)} file{'s' if len(problems) > 1 else ''} of {folder.path} "
                  f"{'do' if len(problems) > 1 else 'does'} not match the manifest:")
            for p in problems:
                print(f"  {p}")
            for name in extra:
                print(f"  {name}: not written by this run")
            return 1
        stored = Results.load(folder.path)
    n = folder.replications
    k = min(args.sample, n)
    sample = sorted({int(round(x)) for x in np.linspace(0, n - 1, k)})
    fresh = run(folder.scenario, replications=max(sample) + 1, seed=folder.seed, workers=args.workers or 1)
    problems = []
    for table in ("kpis", "monthly", "districts", "visits", "stations"):
        a = getattr(stored, table)
        b = getattr(fresh, table)
        if "replication" not in a.columns or "replication" not in b.columns:
            continue
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
    from ..results.tables import versions

    now = versions()
    changed = {k: (v, now.get(k)) for k, v in folder.manifest.get("versions", {}).items() if now.get(k) != v}
    if changed:
        print("versions changed since the run: " + ", ".join(f"{k} {a} → {b}" for k, (a, b) in changed.items()))
    for name in extra:
        print(f"note: {name} is in the folder but was not written by this run")
    if problems:
        print(f"DIFFERENT: replications {sample} of {folder.path} do not reproduce:")
        for p in problems:
            print(f"  {p}")
        return 1
    digest = folder.manifest["scenario_sha256"][:12]
    print(f"identical: all {len(folder.manifest.get('files', {}))} files match the manifest, and replications "
          f"{sample} of {n} re-run bit for bit (seed {folder.seed}, scenario {digest})")
    return 0


INSTRUMENT_ONLY = ("replications", "seed", "set", "workers", "json", "overwrite", "svg")
"""Options of ``fuelseal compare`` that only an instruments comparison takes (``--out`` serves both: the run
folders' comparison folder, or where ``--instruments`` writes its chart and tables)."""


def cmd_compare_any(args) -> int:
    """``fuelseal compare``: run folders side by side, or (``--instruments``) instruments on one scenario,
    printed as a table (or ``--json``) and, with ``--out DIR``, written as a chart, its numbers, a CSV table
    and the JSON into DIR."""
    if not (args.instruments or args.combine):
        given = [name for name in INSTRUMENT_ONLY if getattr(args, name) not in (None, False, [])]
        if given:
            raise ScenarioError(f"--{given[0].replace('_', '-')} goes with --instruments (run folders are compared "
                                "as they were run)", source="compare")
        from ..report.compare import cmd_compare

        return cmd_compare(args)
    from ..analysis.instruments import (
        compare_instruments,
        instruments_files,
        instruments_json,
        instruments_text,
        write_instruments,
    )
    from .analysis import _inside_safe, _out_dir

    if len(args.run_dirs) > 1:
        raise ScenarioError("with --instruments, give one scenario file (or none for the built-in one)",
                            source="compare")
    for flag in ("labels", "format", "trust"):  # options of comparing run folders: said, not ignored
        if getattr(args, flag, None) not in (None, False):
            raise ScenarioError("goes with run folders; --instruments writes its own chart and tables",
                                source=f"--{flag}")
    for flag in ("overwrite", "svg"):
        if getattr(args, flag) and not args.out:
            raise ScenarioError("goes with --out DIR (without --out, nothing is written)", source=f"--{flag}")
    args.scenario = args.run_dirs[0] if args.run_dirs else None
    sc = _load(args)
    lang = args.lang or sc.run.lang
    out = None
    if args.out:  # checked before the runs: a folder that may not be written fails at once
        _inside_safe(args, args.out, "--out")
        out = _out_dir(args, sc, "instruments", instruments_files(args.svg))
    names = (args.instruments or "").split(",") if args.instruments else []
    cmp = compare_instruments(sc, names, args.combine, replications=args.replications, seed=args.seed,
                              workers=args.workers, progress=False if args.quiet or args.json else None)
    written = write_instruments(cmp, out, lang=lang, scenario=sc, svg=args.svg) if out is not None else []
    stale = out / instruments_files(svg=True)[1] if out is not None and not args.svg else None
    if stale is not None and stale.is_file() and not stale.is_symlink():  # an earlier --svg: no longer these numbers
        stale.unlink()
    if args.json:
        print(instruments_json(cmp))
        return 0
    print(instruments_text(cmp, lang=lang, scenario=sc))
    if written:
        _ = translator(lang)
        charts, numbers, table, js = written[:-3], written[-3], written[-2], written[-1]
        print()
        print(_("Table: {path}").format(path=table))
        print(_("Chart: {path}").format(path=", ".join(str(p) for p in charts)))
        print(_("Numbers of the chart: {path}").format(path=numbers))
        print(_("JSON: {path}").format(path=js))
    return 0


def cmd_keys(args) -> int:
    from ..scenario.reference import text

    try:
        print(text(args.section))
    except ValueError as exc:
        raise ScenarioError(str(exc).removeprefix("section: "), source="fuelseal keys") from None
    return 0


def _warn(sc: Scenario) -> None:
    """The scenario's warnings (things that run but probably mislead), one line each on stderr."""
    for line in sc.advice():
        print(f"fuelseal: warning: {line}", file=sys.stderr)


def _exists(path: Path) -> ScenarioError:
    return ScenarioError("already exists; fuelseal new never replaces a file (choose another name)", source=str(path))


def cmd_new(args) -> int:
    import tomllib

    from ..scenario import scenario_from_dict
    from ..scenario.template import scenario_text

    path = Path(args.file)
    if path.suffix.lower() != ".toml":
        raise ScenarioError("expected a file name ending in .toml", source=str(path))
    if path.exists() or path.is_symlink():
        raise _exists(path)
    if not path.parent.is_dir():
        raise ScenarioError("the folder does not exist", source=str(path.parent))
    for name in ("stations", "dispensers", "teams"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ScenarioError(f"expected a whole number ≥ 1, got {value}", source=f"--{name}")
    stations = args.stations or 150
    if args.dispensers is not None and args.dispensers < stations:
        raise ScenarioError(f"expected at least one dispenser per station ({stations}), got {args.dispensers}",
                            source="--dispensers")
    try:
        start = dt.date.fromisoformat(args.start) if args.start else None
    except ValueError:
        raise ScenarioError(f"expected a date as YYYY-MM-DD, got {args.start!r}", source="--start") from None
    districts = [d.strip() for d in args.districts.split(",")] if args.districts else None
    if districts is not None and (not all(districts) or len(set(districts)) != len(districts)):
        raise ScenarioError("expected district names separated by commas, none empty or repeated",
                            source="--districts")
    text = scenario_text(province=args.province or "My province", stations=stations, dispensers=args.dispensers,
                         teams=args.teams or 2, start=start, districts=districts)
    sc = scenario_from_dict(tomllib.loads(text), source=str(path))
    try:
        with open(path, "xb") as f:  # "x": a file that appeared meanwhile is never replaced
            try:
                f.write(text.encode("utf-8"))
            except BaseException:
                f.close()
                path.unlink(missing_ok=True)  # nothing half-written
                raise
    except FileExistsError:
        raise _exists(path) from None
    c = sc.campaign
    print(f"{path}: written — {sc.name}; {sum(q.expected() for q in sc.network.districts.values()):.0f} stations; "
          f"campaign from {c.start} with {c.teams} teams; {sc.scenario.start} to {sc.scenario.end}")
    print("Next: replace the PLACEHOLDER and ASSUMPTION lines with your province's figures, then\n"
          f"  fuelseal validate {path}\n  fuelseal run {path}")
    _warn(sc)
    return 0


def cmd_validate(args) -> int:
    sc = _load(args)
    if args.show_resolved:
        print(sc.to_toml(f"{args.scenario}, resolved: every value fuelseal uses, defaults included"), end="")
        _warn(sc)
        return 0
    n = sc.network
    where = (f"register {n.register_file} ({len(sc.register.ids)} stations)" if sc.register is not None
             else f"{len(n.districts)} districts")
    c = sc.campaign
    campaign = f"from {c.start} with {sc.campaign_teams} teams" if c.enabled else "disabled"
    if c.enabled and c.schedules:
        campaign += f" ({len(c.schedules)} districts with their own start and teams)"
    print(f"{args.scenario}: ok — {sc.name}; {where}; {sc.scenario.start} to {sc.scenario.end}; campaign {campaign}")
    _warn(sc)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="fuelseal", description=__doc__.split("\n\n")[0])
    p.add_argument("--version", action="version", version=f"fuelseal {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="run a scenario and write a run folder")
    options.scenario(r)
    options.replications(r)
    options.overrides(r)
    r.add_argument("--out", default=None, help="run folder to write (default: runs/<scenario>-<time>)")
    options.overwrite(r, "replace an existing run folder")
    options.output(r, json_help="print only the summary as one JSON object")
    options.workers(r)
    options.executor(r, "replications")
    options.safe(r, "paths inside the scenario (with --resume: the run folder) may not leave DIR")
    r.add_argument("--resume", metavar="RUN_DIR", default=None, help="finish an interrupted run folder")
    r.add_argument("--svg", action="store_true", help="also write the charts as SVG")
    r.add_argument("--no-charts", action="store_true", help="do not draw charts into the run folder")
    options.lang(r)
    r.set_defaults(func=cmd_run)

    from ..commandline import add_compare_subcommand
    from ..commandline import add_subcommand as add_report_subcommand
    from .analysis import add_subcommands as add_analysis_subcommands

    add_report_subcommand(sub)
    cp = add_compare_subcommand(sub)
    cp.add_argument("--instruments", metavar="A,B,…", default=None,
                    help="compare instruments instead of run folders: seal (the campaign) and the scenario's "
                         "[instruments.NAME], each run on the same stations against the same no-policy world; "
                         "with --out DIR, also write instruments.png (the chart, in --lang), instruments-chart.csv "
                         "(its numbers), instruments.csv (summary and paired differences) and instruments.json")
    cp.add_argument("--combine", metavar="A+B", action="append", default=[],
                    help="also compare instruments used together, e.g. seal+einvoice_pos (repeatable)")
    options.replications(cp)
    options.overrides(cp)
    options.workers(cp)
    options.output(cp)
    options.overwrite(cp, "with --instruments: replace the files already in --out")
    cp.add_argument("--svg", action="store_true", help="with --instruments and --out: also write instruments.svg")
    cp.set_defaults(func=cmd_compare_any)
    add_analysis_subcommands(sub)
    from ..web.serve import add_subcommand as add_serve_subcommand

    add_serve_subcommand(sub)

    k = sub.add_parser("keys", help="list the scenario keys: meaning, type, allowed range, default",
                       description="Every key a scenario file may hold, generated from the schema "
                                   "(docs/scenario-reference.md is the same as a table).")
    k.add_argument("section", nargs="?", default=None, help="only this section, e.g. campaign")
    k.set_defaults(func=cmd_keys)

    ver = sub.add_parser("verify", help="re-run a sample of a run folder's replications and compare")
    ver.add_argument("run_dir", help="a complete run folder")
    ver.add_argument("--sample", type=int, default=3, help="how many replications to re-run (default 3)")
    options.workers(ver, "worker processes")
    options.safe(ver, "refuse a run folder outside DIR")
    ver.set_defaults(func=cmd_verify)

    v = sub.add_parser("validate", help="check a scenario file")
    options.scenario(v, optional=False)
    options.overrides(v, "override a dotted key")
    options.safe(v)
    v.add_argument("--show-resolved", action="store_true",
                   help="print the scenario with every default spelled out (as a run folder stores it)")
    v.set_defaults(func=cmd_validate)

    n = sub.add_parser("new", help="write a commented scenario for a province of your own",
                       description="Write a new scenario file to start from: every required key, each value "
                                   "marked SOURCED, FROM HÀ NAM, ASSUMPTION or PLACEHOLDER. It validates and runs "
                                   "as written; replace what you know, then fuelseal validate FILE.")
    n.add_argument("file", help="the file to write (.toml); an existing file is never replaced")
    n.add_argument("--province", default=None, help="the province's name (default: My province)")
    n.add_argument("--stations", type=int, default=None, help="number of fuel stations (default 150)")
    n.add_argument("--dispensers", type=int, default=None, help="number of dispensers (default 3 per station)")
    n.add_argument("--teams", type=int, default=None, help="verification teams (default 2)")
    n.add_argument("--start", default=None, metavar="YYYY-MM-DD",
                   help="first day of the campaign (default: the first working day of next year)")
    n.add_argument("--districts", default=None, metavar="A,B,…",
                   help="district names, comma-separated; the stations are spread evenly (default: one)")
    n.set_defaults(func=cmd_new)
    return p


SEED_LIMIT = 2**63  # seeds are stored as 64-bit integers in manifests and replication files


def _check_numbers(parser: argparse.ArgumentParser, args) -> None:
    for name in ("replications", "sample"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            parser.error(f"--{name}: expected a whole number ≥ 1, got {value}")
    seed = getattr(args, "seed", None)
    if seed is not None and not 0 <= seed < SEED_LIMIT:
        parser.error(f"--seed: expected a whole number from 0 to 2**63 - 1, got {seed}")
    try:
        check_workers(getattr(args, "workers", None))
    except ScenarioError as exc:
        parser.error(str(exc))


def _safe_streams() -> None:
    """Never fail on printing: with PYTHONUTF8=0 under LC_ALL=C, stdout is ASCII and a
    Vietnamese name would raise; such characters are shown escaped instead."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def main(argv: list[str] | None = None) -> int:
    _safe_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_numbers(parser, args)
    try:
        with signals_interrupt():
            return args.func(args)
    except ScenarioError as exc:
        print(f"fuelseal: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Interrupted as exc:
        print(f"fuelseal: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt as exc:
        if isinstance(exc, Terminated):
            print(f"fuelseal: stopped by {exc}", file=sys.stderr)
            return 143
        print(f"fuelseal: {exc}" if str(exc) else "fuelseal: interrupted", file=sys.stderr)
        return getattr(exc, "code", 130)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:  # a full disk, a read-only folder, a name too long: one line, nothing lost
        print(f"fuelseal: error: {os_error(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("fuelseal: error: out of memory; use fewer replications or a smaller network", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
