"""The analyst's commands: ``fuelseal sweep``, ``fuelseal calibrate``, ``fuelseal sensitivity``.

:func:`add_subcommands` registers them on the main parser's sub-parsers; each sets
``func`` to a handler that takes the parsed arguments and returns an exit code, the
same way ``run`` and ``validate`` do. Bad input raises
:class:`~simulator.errors.ScenarioError`, which the main CLI prints as one line before
exiting with code 2. With ``--json`` a command prints exactly one JSON object on stdout
and nothing else.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

from ..analysis.points import describe, parse_range
from ..analysis.posterior import ACCEPT, DRAWS, KEEP
from ..analysis.sweepfolder import folder_problem, read_spec
from ..errors import ScenarioError
from ..numbers import KPI_DISPLAY, days, number, slug
from ..scenario import Scenario, load_scenario, parse_overrides, parse_value, split_pairs
from . import options

# scipy, SALib and matplotlib load only when one of these commands runs (see the handlers)
INTERVALS = ("bootstrap", "observation")
METHODS = ("oat", "sobol")


# ---- shared argument handling ------------------------------------------------------------
def split_values(text: str) -> list[str]:
    """``"1,2,3"`` → ``["1", "2", "3"]``, leaving commas inside ``{…}``, ``[…]`` or quotes alone,
    so that ``{ dist = "beta", mean = 0.1, sd = 0.05 },0.2`` is two values."""
    out, depth, quote, cur = [], 0, "", []
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur).strip())
    return out


_pairs = split_pairs  # the same KEY=VALUE reading as `fuelseal run` (simulator.scenario.overrides)
_overrides = parse_overrides


def _load(args, overrides: dict[str, Any] | None = None) -> Scenario:
    return load_scenario(args.scenario, overrides or None, base=getattr(args, "safe", None))


def _inside_safe(args, path: str | os.PathLike | None, flag: str) -> None:
    """With ``--safe DIR``, a file named on the command line must lie inside DIR too."""
    if getattr(args, "safe", None) is None or path is None:
        return
    root, here = Path(args.safe).resolve(), Path(path).resolve()
    if root != here and root not in here.parents:
        raise ScenarioError(f"lies outside the allowed folder {root} (--safe)", source=flag)


def _check_counts(args) -> None:
    for name in ("replications", "workers"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            raise ScenarioError(f"expected a whole number ≥ 1, got {value}", source=f"--{name}")


def _workers(args) -> int:
    return (os.cpu_count() or 1) if args.workers is None else args.workers


def _slug(sc: Scenario) -> str:
    return slug(sc.name)


def _out_dir(args, sc: Scenario, kind: str, files: list[str]) -> Path:
    out = Path(args.out) if args.out else Path("runs") / f"{kind}-{_slug(sc)}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    if out.exists() and not out.is_dir():
        raise ScenarioError("exists and is not a folder", source=str(out))
    clash = [f for f in files if (out / f).exists()]
    if clash and not args.overwrite:
        raise ScenarioError(f"already holds {clash[0]} (choose another --out or add --overwrite)", source=str(out))
    return out


def _common(p: argparse.ArgumentParser, n_help: str) -> None:
    options.scenario(p)
    options.replications(p, n_help, "random seed, the same for every point (default: run.seed)")
    options.workers(p)
    options.output(p)
    options.safe(p, "paths inside the scenario (and files named here) may not leave DIR")


class ScenarioInterrupted(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP during a sweep: the finished points are saved."""

    def __init__(self, message: str, code: int = 130):
        super().__init__(message)
        self.code = code  # 130 after Ctrl-C, 143 after SIGTERM or SIGHUP


def _dump(obj: dict) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str, allow_nan=False))


# ---- sweep ---------------------------------------------------------------------------------------
def _read_sweep_spec(args) -> None:
    """Fill ``args`` from a sweep folder's ``sweep.json`` (for --resume)."""
    _inside_safe(args, args.resume, "--resume")
    sets, n, seed, kpi = read_spec(Path(args.resume))
    args.scenario, args.set, args.replications, args.seed, args.kpi = (str(Path(args.resume) / "scenario.toml"),
                                                                       sets, n, seed, kpi)
    args.out, args.overwrite, args.safe = args.resume, True, args.safe or args.resume


def cmd_sweep(args) -> int:
    from ..analysis.sweep import plot_sweep, sweep, swept_names
    from ..analysis.sweep import table_json as sweep_json

    if args.resume:  # everything comes from the folder's sweep.json
        if args.scenario or args.set or args.replications is not None or args.seed is not None or args.kpi:
            raise ScenarioError("--resume takes the sweep from the folder; give only the folder", source="--resume")
        _read_sweep_spec(args)
    _check_counts(args)
    grid: dict[str, list[Any]] = {}
    for key, text in _pairs(args.set, "--set"):
        if key in grid:
            raise ScenarioError("given twice; list every value once, e.g. campaign.teams=1,2,3", source="--set",
                                key=key)
        values = [parse_value(v, key=key) for v in split_values(text)]
        if any(v == "" for v in values):
            raise ScenarioError(f"empty value in {text!r}", source="--set", key=key)
        grid[key] = values
    if not grid:
        raise ScenarioError("expected at least one --set NAME=V1,V2,… to sweep, e.g. --set campaign.teams=1,2,3",
                            source="--set")
    sc = _load(args)
    from ..execution import Terminated, require
    from ..files import FolderLock, remove_stale_tmp, write_atomic
    from ..results.storage import _refuse_special

    require(args.executor)
    out = Path(args.out) if args.out else Path("runs") / f"sweep-{_slug(sc)}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    _refuse_special(out)
    fresh = not out.exists() or not any(out.iterdir())
    if not fresh and not args.resume:
        if not args.overwrite:
            raise ScenarioError("exists and is not empty (choose another --out, add --overwrite to replace a "
                                "sweep's results, or --resume it)", source=str(out))
        problem = folder_problem(out)
        if problem:
            raise ScenarioError(f"{problem}; --overwrite replaces only a sweep's own results", source=str(out))
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    with FolderLock(out).acquire(exclusive=True, command="fuelseal sweep"):
        if not fresh:
            problem = folder_problem(out)  # again, under the lock
            if problem:
                raise ScenarioError(problem, source=str(out))
            remove_stale_tmp(out)
        try:
            if not args.resume:  # what --resume needs to finish this sweep
                from ..results.tables import Results

                Results.write_scenario(out, sc)
                n = sc.run.replications if args.replications is None else args.replications
                seed = sc.run.seed if args.seed is None else args.seed
                write_atomic(out / "sweep.json", json.dumps({"set": args.set, "replications": n, "seed": seed,
                                                             "kpi": args.kpi}, ensure_ascii=False).encode())
            table = sweep(sc, grid, args.replications, args.seed, kpis=args.kpi, workers=_workers(args),
                          progress=not (args.quiet or args.json), checkpoint=out / "points",
                          executor=args.executor, scheduler=args.scheduler)
        except KeyboardInterrupt as exc:
            points = len(list((out / "points").glob("point-*.json")))
            how = f"stopped by {exc}" if isinstance(exc, Terminated) else "interrupted"
            raise ScenarioInterrupted(f"{how}: saved {points} finished points in {out}; "
                                      f"finish with: fuelseal sweep --resume {out}",
                                      143 if isinstance(exc, Terminated) else 130) from None
        except ScenarioError:
            if fresh and not list((out / "points").glob("point-*.json")):  # refused before any point: undo
                for f in ("scenario.toml", "register.csv", "sweep.json", ".fuelseal.lock"):
                    (out / f).unlink(missing_ok=True)
                if (out / "points").is_dir():
                    shutil.rmtree(out / "points")
                if created:
                    out.rmdir()
            raise
        csv_table = table.copy()
        for name in swept_names(table):  # tables and lists as the TOML text a user would type
            csv_table[name] = [describe(v) if isinstance(v, (dict, list)) else v for v in csv_table[name]]
        write_atomic(out / "sweep.csv", lambda fh: csv_table.to_csv(fh, index=False))
        fig = plot_sweep(table, args.kpi)
        write_atomic(out / "sweep.png", lambda fh: fig.savefig(fh, format="png", dpi=120))
    if args.json:
        _dump(sweep_json(table))
        return 0
    print(sweep_text(table, args.kpi))
    print(f"\nTable: {out / 'sweep.csv'}\nChart: {out / 'sweep.png'}")
    return 0


def sweep_text(table, kpis: list[str] | None = None) -> str:
    """One line per point: the swept values, then each main KPI's mean and 90% interval."""
    from ..analysis.sweep import MAIN_KPIS, swept_names

    names = swept_names(table)
    present = list(dict.fromkeys(table["kpi"]))
    chosen = [k for k in (kpis or MAIN_KPIS) if k in present][:4]
    lines = []
    for point, g in table.groupby("point", sort=True):
        first = g.iloc[0]
        head = ", ".join(f"{n}={describe(first[n])}" for n in names)
        cells = []
        for k in chosen:
            r = g[g["kpi"] == k].iloc[0]
            label, fmt = KPI_DISPLAY.get(k, (k, lambda x: f"{x:.4g}"))
            if fmt is days:  # "52 days (1.7 months)" once is enough; the interval in plain days
                cells.append(f"{label}: {fmt(r['mean'])}, 90%: {number(r['p05'])} – {number(r['p95'])} days")
            else:
                cells.append(f"{label}: {fmt(r['mean'])}, 90%: {fmt(r['p05'])} – {fmt(r['p95'])}")
        lines.append(f"[{point}] {head}\n      " + "\n      ".join(cells))
    return "\n".join(lines)


# ---- calibrate ---------------------------------------------------------------------------------
def cmd_calibrate(args) -> int:
    from ..analysis.calibrate import calibrate, calibrated_toml

    _check_counts(args)
    params = {k: parse_range(v, "--param", k) for k, v in _pairs(args.param, "--param")}
    if not params:
        raise ScenarioError("expected at least one --param NAME=LOW:HIGH, e.g. "
                            "--param behaviour.undeclared_share.mean=0.02:0.5", source="--param")
    targets: dict[str, float] = {}
    for k, v in _pairs(args.target, "--target"):
        value = parse_value(v)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(f"expected a number, got {v!r}", source="--target", key=k)
        targets[k] = float(value)
    if targets and args.observed:
        raise ScenarioError("give either --target or --observed, not both", source="--observed")
    _inside_safe(args, args.observed, "--observed")
    sc = _load(args, _overrides(args.set))
    out = Path(args.out) if args.out else Path(f"{Path(sc.source or 'scenario').stem}-calibrated.toml")
    if out.exists() and not args.overwrite:
        raise ScenarioError("exists (choose another --out or add --overwrite)", source=str(out))
    if out.is_symlink() or (out.exists() and not out.is_file()):
        raise ScenarioError("is not a regular file; --overwrite replaces only a scenario file", source=str(out))
    note = ""
    if not targets and not args.observed:
        if sc.scenario.reference_uplift is None:
            raise ScenarioError("expected --target KPI=VALUE or --observed FILE.csv (the scenario has no "
                                "scenario.reference_uplift to aim at)", source="--target")
        targets = {"uplift_before_after": float(sc.scenario.reference_uplift)}
        note = "target taken from scenario.reference_uplift"
    if args.method == "abc":
        from ..analysis.posterior import posterior, posterior_toml

        if args.observed:
            raise ScenarioError("--method abc takes --target figures, not an observed series", source="--observed")
        cal = posterior(sc, targets, params, draws=args.draws, accept=args.accept, keep=args.keep, seed=args.seed,
                        level=args.level, workers=_workers(args), progress=not (args.quiet or args.json))
        write = posterior_toml
    else:
        cal = calibrate(sc, targets or None, params, observed=args.observed, replications=args.replications,
                        seed=args.seed, interval=args.interval, level=args.level, workers=_workers(args),
                        progress=not (args.quiet or args.json))
        write = calibrated_toml
    written = cal.scenario
    if written.network.register_file is not None and written.source:
        # the calibrated file may live elsewhere: point it at the register by an absolute path
        reg = (Path(written.source).parent / written.network.register_file).resolve()
        written = written.with_overrides({"network.register": str(reg)})
        cal.scenario = written
    out.parent.mkdir(parents=True, exist_ok=True)
    from ..files import write_atomic

    write_atomic(out, write(cal, note).encode("utf-8"))
    if args.json:
        _dump({**cal.to_json(), "calibrated_scenario": str(out)})
        return 0
    if note:
        print(f"Target: uplift_before_after = {targets['uplift_before_after']:.4g} ({note})")
    print(cal)
    print(f"\nCalibrated scenario: {out}")
    return 0


# ---- sensitivity ---------------------------------------------------------------------------
def cmd_sensitivity(args) -> int:
    from ..analysis.sensitivity import plot_sensitivity, sensitivity
    from ..analysis.sensitivity import table_json as sensitivity_json

    _check_counts(args)
    ranges = {k: parse_range(v, "--param", k) for k, v in _pairs(args.param, "--param")} or None
    kpis = args.kpi or ["uplift_before_after"]
    sc = _load(args, _overrides(args.set))
    pngs = ["sensitivity.png"] if len(kpis) == 1 else [f"sensitivity-{k}.png" for k in kpis]
    out = _out_dir(args, sc, "sensitivity", ["sensitivity.csv", *pngs])
    n = args.replications
    if n is None:
        n = sc.run.replications if args.method == "oat" else min(sc.run.replications, 10)
    table = sensitivity(sc, args.method, ranges, kpis, samples=args.samples, replications=n, seed=args.seed,
                        workers=_workers(args), progress=not (args.quiet or args.json))
    out.mkdir(parents=True, exist_ok=True)
    from ..files import write_atomic

    write_atomic(out / "sensitivity.csv", lambda fh: table.to_csv(fh, index=False))
    for k, png in zip(kpis, pngs, strict=True):
        fig = plot_sensitivity(table, k)
        write_atomic(out / png, lambda fh, fig=fig: fig.savefig(fh, format="png", dpi=120))
    if args.json:
        _dump(sensitivity_json(table, args.method))
        return 0
    print(sensitivity_text(table, args.method))
    print(f"\nTable: {out / 'sensitivity.csv'}\nChart: {', '.join(str(out / p) for p in pngs)}")
    return 0


def sensitivity_text(table, method: str) -> str:
    lines = []
    for kpi, g in table.groupby("kpi", sort=False):
        if method == "oat":
            lines.append(f"{kpi}: base {g['base'].iloc[0]:.4g}; one at a time, widest swing first")
            for r in g.itertuples():
                lines.append(f"  {r.parameter:36} {describe(r.value_low):>10} → {r.low:<10.4g} "
                             f"{describe(r.value_high):>10} → {r.high:<10.4g} swing {r.swing:.3g}")
        else:
            lines.append(f"{kpi}: Sobol indices, largest total first (± bootstrap half-width)")
            for r in g.itertuples():
                lines.append(f"  {r.parameter:36} S1 {r.S1:6.3f} ± {r.S1_conf:.3f}   ST {r.ST:6.3f} ± {r.ST_conf:.3f}")
    return "\n".join(lines)


# ---- registration ---------------------------------------------------------------------------
def add_subcommands(subparsers) -> None:
    """Register ``sweep``, ``calibrate`` and ``sensitivity`` on the main parser's sub-parsers."""
    s = subparsers.add_parser(
        "sweep", help="run a grid of settings with the same seed and summarise each KPI",
        description="Run every combination of the --set values with common random numbers; write the table "
                    "(sweep.csv) and a chart of the main KPIs (sweep.png).")
    _common(s, "replications per point (default: run.replications)")
    options.overrides(s, "a dotted name and the values to sweep, e.g. campaign.teams=1,2,3 (repeat for a grid)",
                      metavar="NAME=V1,V2,…")
    s.add_argument("--kpi", action="append", metavar="KPI", help="keep only this KPI (repeatable)")
    s.add_argument("--out", default=None, help="folder for sweep.csv and sweep.png (default: runs/sweep-…)")
    options.overwrite(s, "replace files already in --out")
    s.add_argument("--resume", metavar="DIR", default=None, help="finish an interrupted sweep in DIR")
    options.executor(s, "points")
    s.set_defaults(func=cmd_sweep)

    c = subparsers.add_parser(
        "calibrate", help="find parameter values whose simulated mean matches observed figures",
        description="Fit --param values to --target KPI values (default: uplift_before_after = "
                    "scenario.reference_uplift) or to an observed monthly tax series (--observed month,tax CSV); "
                    "print the fit and write the calibrated scenario.")
    _common(c, "replications per evaluation (default: run.replications)")
    c.add_argument("--param", action="append", metavar="NAME=LOW:HIGH",
                   help="a numeric dotted name and its bounds, e.g. behaviour.undeclared_share.mean=0.02:0.5")
    c.add_argument("--target", action="append", metavar="KPI=VALUE", help="e.g. uplift_before_after=0.165")
    c.add_argument("--observed", metavar="FILE.csv", default=None, help="observed monthly tax: columns month, tax")
    options.overrides(c, "override a dotted key first")
    c.add_argument("--interval", choices=INTERVALS, default="bootstrap",
                   help="bootstrap: Monte Carlo precision; observation: what one province's figure can tell")
    c.add_argument("--level", type=float, default=0.9, help="interval level (default 0.9)")
    c.add_argument("--method", choices=("fit", "abc"), default="fit",
                   help="fit: the values whose simulated mean matches (one value each, with an interval); "
                        "abc: every value consistent with the figures (approximate Bayesian computation), "
                        "written as [calibration] draws that later runs carry into their intervals")
    c.add_argument("--draws", type=int, default=DRAWS,
                   help=f"abc: simulations from the prior, each in its own world (default {DRAWS})")
    c.add_argument("--accept", type=float, default=ACCEPT,
                   help=f"abc: share of the simulations kept, the nearest to the targets (default {ACCEPT})")
    c.add_argument("--keep", type=int, default=KEEP,
                   help=f"abc: equally likely rows written into [calibration] (default {KEEP})")
    c.add_argument("--out", default=None, help="calibrated scenario file (default: <scenario>-calibrated.toml)")
    options.overwrite(c, "replace --out if it exists")
    c.set_defaults(func=cmd_calibrate)

    v = subparsers.add_parser(
        "sensitivity", help="which parameters move a KPI most (tornado or Sobol indices)",
        description="One-at-a-time ranges (a tornado) or Sobol first-order and total indices over the --param "
                    "ranges (default: the main behaviour, demand and campaign parameters); write the table "
                    "(sensitivity.csv) and a chart.")
    _common(v, "replications per point (default: run.replications for oat, at most 10 for sobol)")
    v.add_argument("--method", choices=METHODS, default="oat", help="oat (one at a time) or sobol")
    v.add_argument("--samples", type=int, default=64, help="Sobol base sample size, a power of 2 (default 64)")
    v.add_argument("--kpi", action="append", metavar="KPI", help="KPI to explain (default uplift_before_after)")
    v.add_argument("--param", action="append", metavar="NAME=LOW:HIGH", help="a parameter and its range "
                   "(repeatable; replaces the default set)")
    options.overrides(v, "override a dotted key first")
    v.add_argument("--out", default=None, help="folder for the table and chart (default: runs/sensitivity-…)")
    options.overwrite(v, "replace files already in --out")
    v.set_defaults(func=cmd_sensitivity)
