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
from typing import TYPE_CHECKING, Any

from ..defaults import ABC_ACCEPT as ACCEPT
from ..defaults import ABC_DRAWS as DRAWS
from ..defaults import ABC_KEEP as KEEP
from ..errors import ScenarioError
from ..i18n import LANGS, translator
from . import options
from .options import lazy

if TYPE_CHECKING:
    from ..scenario import Scenario

# what the handlers use from the layers below, loaded when a handler first calls it (not to build the parser)
describe, parse_range = lazy(".analysis.points", "describe"), lazy(".analysis.points", "parse_range")
folder_problem = lazy(".analysis.sweepfolder", "folder_problem")
parse_grid = lazy(".analysis.sweepfolder", "parse_grid")
read_spec, split_values = lazy(".analysis.sweepfolder", "read_spec"), lazy(".analysis.sweepfolder", "split_values")
Numbers, slug = lazy(".numbers", "Numbers"), lazy(".numbers", "slug")
load_scenario, parse_overrides = lazy(".scenario", "load_scenario"), lazy(".scenario", "parse_overrides")
parse_value, split_pairs = lazy(".scenario", "parse_value"), lazy(".scenario", "split_pairs")

# scipy, SALib and matplotlib load only when one of these commands runs (see the handlers)
INTERVALS = ("bootstrap", "observation")
METHODS = ("oat", "sobol")


# ---- shared argument handling ------------------------------------------------------------
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


def _drop_stale_reports(out: Path) -> None:
    """New results make an earlier report of the folder wrong: remove it (``fuelseal report`` rebuilds it)."""
    for name in ("report.html", "report.pdf"):
        path = out / name
        if path.is_file() and not path.is_symlink():
            path.unlink()


def _common(p: argparse.ArgumentParser, n_help: str) -> None:
    options.scenario(p)
    options.replications(p, n_help, "random seed, the same for every point (default: run.seed)")
    options.workers(p)
    options.output(p)
    options.safe(p, "paths inside the scenario (and files named here) may not leave DIR")


def _lang(args, sc: Scenario) -> str:
    return args.lang or sc.run.lang


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
    from ..files import read_json

    spec = read_json(Path(args.resume) / "sweep.json", what="sweep record")  # the chart's settings, unless given
    if args.deadline is None and isinstance(spec.get("deadline"), str):
        args.deadline = spec["deadline"]
    if args.probability is None and isinstance(spec.get("probability"), (int, float)):
        args.probability = float(spec["probability"])
    if args.lang is None and spec.get("lang") in LANGS:
        args.lang = spec["lang"]


def _sweep_deadline(args, sc: Scenario, grid: dict[str, list[Any]]) -> tuple[dt.date | None, float]:
    """The deadline and probability the fewest teams are marked against (teams swept only)."""
    from ..analysis.folders import DEFAULT_PROBABILITY
    from ..analysis.sweep import check_deadline, default_deadline

    probability = DEFAULT_PROBABILITY if args.probability is None else args.probability
    if not 0 < probability <= 1:
        raise ScenarioError(f"expected a probability in (0, 1], got {probability}", source="--probability")
    if "campaign.teams" not in grid:
        if args.deadline is not None and not args.resume:
            raise ScenarioError("marks the fewest teams that finish in time; sweep campaign.teams to use it",
                                source="--deadline")
        return None, probability
    if args.deadline is None:
        return default_deadline(sc), probability
    return check_deadline(sc, args.deadline, "--deadline"), probability


def cmd_sweep(args) -> int:
    from ..analysis.folders import SweepResult
    from ..analysis.sweep import sweep_runs, swept_names
    from ..analysis.sweep import table_json as sweep_json

    if args.resume:  # everything comes from the folder's sweep.json
        if args.scenario or args.set or args.replications is not None or args.seed is not None or args.kpi:
            raise ScenarioError("--resume takes the sweep from the folder; give only the folder", source="--resume")
        _read_sweep_spec(args)
    _check_counts(args)
    grid = parse_grid(args.set)
    sc = _load(args)
    deadline, probability = _sweep_deadline(args, sc, grid)
    lang = _lang(args, sc)
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
            # the grid, replications, seed and KPIs (what --resume needs), and how the chart is drawn
            write_atomic(out / "sweep.json", json.dumps(
                {"set": args.set, "replications": n, "seed": seed, "kpi": args.kpi,
                 "deadline": None if deadline is None else deadline.isoformat(), "probability": probability,
                 "lang": lang}, ensure_ascii=False).encode())
            table, runs = sweep_runs(sc, grid, args.replications, args.seed, kpis=args.kpi, workers=_workers(args),
                                     progress=False if args.quiet or args.json else None, checkpoint=out / "points",
                                     executor=args.executor, scheduler=args.scheduler)
        except KeyboardInterrupt as exc:
            points = len(list((out / "points").glob("point-*.json")))
            how = f"stopped by {exc}" if isinstance(exc, Terminated) else "interrupted"
            raise ScenarioInterrupted(f"{how}: saved {points} finished points in {out}; "
                                      f"finish with: fuelseal sweep --resume {out}",
                                      143 if isinstance(exc, Terminated) else 130) from None
        except ScenarioError:
            if fresh and not list((out / "points").glob("point-*.json")):  # refused before any point: undo
                for f in ("scenario.toml", "scenario.original.toml", "register.csv", "sweep.json", ".fuelseal.lock"):
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
        _drop_stale_reports(out)
        result = SweepResult.from_runs(sc, table, runs, deadline=deadline, probability=probability, kpis=args.kpi,
                                       lang=lang)
        result.write_charts(out, lang)
    if args.json:
        _dump(sweep_json(table))
        return 0
    _ = translator(lang)
    print(sweep_text(table, args.kpi, lang=lang))
    marker = fewest_text(result, lang)
    if marker:
        print("\n" + marker)
    print("\n" + _("Table: {path}").format(path=out / "sweep.csv"))
    print(_("Chart: {path}").format(path=out / "sweep.png"))
    print(_("Numbers of the chart: {path}").format(path=out / "sweep-chart.csv"))
    return 0


def sweep_text(table, kpis: list[str] | None = None, *, lang: str = "en") -> str:
    """One block per point: the swept values, then each KPI of the chart (and, with no ``kpis`` named, the
    extra tax per VND spent) with its mean and 90% range across replications, in ``lang``."""
    from ..analysis.sweep import swept_names
    from ..charts.analysis import _chosen, parameter_label, parameter_value

    nf = Numbers(lang)
    _ = nf.gettext
    names = swept_names(table)
    present = list(dict.fromkeys(table["kpi"]))
    chosen = _chosen(present, kpis)
    if not kpis and "benefit_cost_ratio" in present and "benefit_cost_ratio" not in chosen:
        # the money a planner weighs: extra tax per VND spent, after the net gain (not a chart panel)
        at = chosen.index("net_benefit") + 1 if "net_benefit" in chosen else len(chosen)
        chosen = [*chosen[:at], "benefit_cost_ratio", *chosen[at:]]
    lines = []
    for point, g in table.groupby("point", sort=True):
        first = g.iloc[0]
        head = "; ".join(f"{parameter_label(n, lang)}: {parameter_value(n, first[n], lang)}" for n in names)
        cells = []
        for k in chosen:
            r = g[g["kpi"] == k].iloc[0]
            fmt = nf.kpi(k)
            cells.append(_("{label}: {mean} (90% of replications: {low} – {high})").format(
                label=nf.label(k), mean=fmt(r["mean"]), low=fmt(r["p05"]), high=fmt(r["p95"])))
        lines.append(f"[{point}] {head}\n      " + "\n      ".join(cells))
    return "\n".join(lines)


def fewest_text(result, lang: str = "en") -> str:
    """The fewest-teams sentence the sweep prints (as its report says it)."""
    from ..analysis.report import fewest_text as sentence

    return sentence(result, lang)


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
                        level=args.level, workers=_workers(args), progress=False if args.quiet or args.json else None)
        write = posterior_toml
    else:
        cal = calibrate(sc, targets or None, params, observed=args.observed, replications=args.replications,
                        seed=args.seed, interval=args.interval, level=args.level, workers=_workers(args),
                        progress=False if args.quiet or args.json else None)
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
    from ..analysis.folders import SENSITIVITY_JSON, SensitivityResult, sensitivity_files
    from ..analysis.sensitivity import default_ranges, sensitivity
    from ..analysis.sensitivity import table_json as sensitivity_json

    _check_counts(args)
    ranges = {k: parse_range(v, "--param", k) for k, v in _pairs(args.param, "--param")} or None
    kpis = args.kpi or ["uplift_before_after"]
    sc = _load(args, _overrides(args.set))
    lang = _lang(args, sc)
    files = sensitivity_files(kpis)
    out = _out_dir(args, sc, "sensitivity", ["sensitivity.csv", SENSITIVITY_JSON, *(f for _, png, csv in files
                                                                                      for f in (png, csv))])
    n = args.replications
    if n is None:
        n = sc.run.replications if args.method == "oat" else min(sc.run.replications, 10)
    table = sensitivity(sc, args.method, ranges, kpis, samples=args.samples, replications=n, seed=args.seed,
                        workers=_workers(args), progress=False if args.quiet or args.json else None)
    out.mkdir(parents=True, exist_ok=True)
    used = ranges if ranges is not None else default_ranges(sc)
    meta = {"method": args.method, "kpi": kpis, "samples": args.samples if args.method == "sobol" else None,
            "replications": n, "seed": sc.run.seed if args.seed is None else args.seed, "conf_level": 0.95,
            "ranges": {k: [float(lo), float(hi)] for k, (lo, hi) in used.items()}, "scenario": sc.name,
            "lang": lang}
    SensitivityResult(table, meta).write(out, lang)
    _drop_stale_reports(out)
    if args.json:
        _dump(sensitivity_json(table, args.method))
        return 0
    _ = translator(lang)
    print(sensitivity_text(table, args.method, lang=lang))
    print("\n" + _("Table: {path}").format(path=out / "sensitivity.csv"))
    print(_("Chart: {path}").format(path=", ".join(str(out / png) for _k, png, _c in files)))
    print(_("Numbers of the chart: {path}").format(path=", ".join(str(out / csv) for _k, _p, csv in files)))
    return 0


def sensitivity_text(table, method: str, *, lang: str = "en") -> str:
    """Per KPI, each parameter's effect (one at a time: the KPI at each end of its range; Sobol: the
    first-order and total indices), in ``lang``; parameters by their dotted names, to be typed back."""
    from ..charts.analysis import _minus

    nf = Numbers(lang)
    _ = nf.gettext
    lines = []
    for kpi, g in table.groupby("kpi", sort=False):
        fmt = nf.kpi(kpi)
        if method == "oat":
            lines.append(_("{kpi}: {base} with the scenario's values; one parameter at a time, widest effect first")
                         .format(kpi=nf.label(kpi), base=fmt(g["base"].iloc[0])))
            for r in g.itertuples():
                lines.append(f"  {r.parameter:36} {describe(r.value_low):>10} → {fmt(r.low):<12} "
                             f"{describe(r.value_high):>10} → {fmt(r.high):<12}")
        else:
            lines.append(_("{kpi}: Sobol indices, largest total first (± half-width of the 95% interval)")
                         .format(kpi=nf.label(kpi)))
            for r in g.itertuples():
                lines.append(f"  {r.parameter:36} S1 {_minus(nf.number(r.S1, 3)):>6} ± {nf.number(r.S1_conf, 3)}   "
                             f"ST {_minus(nf.number(r.ST, 3)):>6} ± {nf.number(r.ST_conf, 3)}")
    return "\n".join(lines)


# ---- panel ------------------------------------------------------------------------------------
def cmd_panel(args) -> int:
    """``fuelseal panel [SCENARIO] --out DIR``: simulated province × month panels and their truth."""
    from ..analysis.panel import simulate_panels

    _check_counts(args)
    sc = _load(args, _overrides(args.set))
    _inside_safe(args, args.out, "--out")
    out = _out_dir(args, sc, "panel", ["panel.csv", "truth.json"])  # refused before the work, not after it
    panels = simulate_panels(sc, args.replications, args.seed, workers=args.workers,
                             progress=False if args.quiet or args.json else None)
    panels.save(out, overwrite=args.overwrite)
    truth = panels.truth()
    if args.json:
        _dump({"panel": str(out / "panel.csv"), "truth": str(out / "truth.json"),
               "units": int(panels.data["unit"].nunique()), "months": int(panels.data["month"].nunique()),
               "replications": len(panels.replications),
               "effect_share": [r["overall"]["effect_share"] if r["overall"] else None
                                for r in truth["replications"]]})
        return 0
    first = truth["replications"][0]["overall"]
    effect = "no campaign" if first is None else f"true effect on the treated {100 * first['effect_share']:.1f}%"
    print(f"{out / 'panel.csv'}: {panels.data['unit'].nunique()} units × {panels.data['month'].nunique()} months × "
          f"{len(panels.replications)} replication(s); {effect} (replication 0); truth in {out / 'truth.json'}")
    return 0


# ---- evaluate ---------------------------------------------------------------------------------
ESTIMATES_JSON, EVENT_STUDY, SYNTHETIC = "estimates.json", "event_study", "synthetic"
CHECK = "check"
TRUTH_LIMIT = 64 * 1024 * 1024  # truth.json of a few hundred panels of every province: a few MB


def evaluate_files(svg: bool = False) -> list[str]:
    """The files ``fuelseal evaluate PANEL --out DIR`` may write (``synthetic.*`` only when synthetic control
    estimates the panel): the JSON ``--json`` prints, each chart (PNG, and SVG with ``svg``) and its numbers."""
    charts = [f"{name}.{fmt}" for name in (EVENT_STUDY, SYNTHETIC) for fmt in ("png", "svg") if fmt == "png" or svg]
    return [ESTIMATES_JSON, *charts, f"{EVENT_STUDY}.csv", f"{SYNTHETIC}.csv"]


def check_files(svg: bool = False) -> list[str]:
    """The files ``fuelseal evaluate --check SCENARIO --out DIR`` writes: the JSON ``--json`` prints, the
    estimates replication by replication, the chart (and SVG) and its numbers."""
    return [f"{CHECK}.json", f"{CHECK}.csv", f"{CHECK}.png", *([f"{CHECK}.svg"] if svg else []), f"{CHECK}-chart.csv"]


def _evaluate_out(args, sc: Scenario | None, files: list[str]) -> Path | None:
    """Where ``--out`` writes, refused before any work when it may not be written (a file, outside ``--safe``, or
    already holding one of ``files`` without ``--overwrite``); None without ``--out``."""
    for flag in ("overwrite", "svg"):
        if getattr(args, flag) and not args.out:
            raise ScenarioError("goes with --out DIR (without --out, nothing is written)", source=f"--{flag}")
    if not args.out:
        return None
    _inside_safe(args, args.out, "--out")
    return _out_dir(args, sc, "evaluate", files)


def _truth_beside(panel: str | os.PathLike, replication: int | None) -> tuple[dict | None, int | None]:
    """``truth.json`` beside a simulated panel (``fuelseal panel`` writes them together), and which of its
    replications the panel read is (as :func:`~simulator.analysis.panel.read_panel` chooses: ``replication``,
    else the first); (None, None) when there is none."""
    from ..files import read_json

    path = Path(panel).parent / "truth.json"
    if not path.is_file():
        return None, None
    truth = read_json(path, TRUTH_LIMIT, what="truth (JSON)")
    reps = [r.get("replication") for r in truth.get("replications") or [] if isinstance(r, dict)]
    if replication is None and reps:
        first = sorted(str(r) for r in reps)[0]  # read_panel takes the first replication as text sorts it
        replication = next(r for r in reps if str(r) == first)
    return truth, replication


def _csv(table) -> Any:
    return lambda fh: fh.write(table.to_csv(index=False).encode("utf-8"))


def write_evaluation(estimates, folder: str | os.PathLike, *, lang: str = "en", level: float = 0.9,
                     truth: dict | None = None, replication: int | None = None, svg: bool = False) -> list[Path]:
    """Write a panel's estimates into ``folder`` (made if need be; files already there are replaced, so the
    caller decides whether they may be): ``estimates.json`` (what ``--json`` prints), the event study
    (``event_study.png``, ``.svg`` with ``svg``, and its numbers ``event_study.csv``) with the true effect when
    ``truth`` is given, and — when synthetic control estimated the panel — its observed and synthetic tax
    (``synthetic.png``, ``synthetic.csv``). Returns the paths written: the JSON, then each chart's pictures
    and numbers."""
    from ..charts.evaluation import event_study_chart, event_study_data, synthetic_chart, synthetic_data
    from ..charts.style import save_figure
    from ..files import write_atomic

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps([e.to_json() for e in estimates], ensure_ascii=False, allow_nan=False) + "\n"
    written = [write_atomic(out / ESTIMATES_JSON, text.encode("utf-8"))]
    formats = ("png", "svg") if svg else ("png",)
    fig = event_study_chart(estimates, lang, truth, level=level, replication=replication)
    written += [save_figure(fig, out / f"{EVENT_STUDY}.{fmt}") for fmt in formats]
    written.append(write_atomic(out / f"{EVENT_STUDY}.csv",
                                _csv(event_study_data(estimates, truth, lang, replication))))
    synth = next((e for e in estimates if e.method == "synth" and e.estimate is not None), None)
    if synth is not None:
        fig = synthetic_chart(synth, lang, level=level)
        written += [save_figure(fig, out / f"{SYNTHETIC}.{fmt}") for fmt in formats]
        written.append(write_atomic(out / f"{SYNTHETIC}.csv", _csv(synthetic_data(synth))))
    return written


def write_check(result, folder: str | os.PathLike, *, lang: str = "en", svg: bool = False) -> list[Path]:
    """Write a simulation study into ``folder`` (as :func:`write_evaluation`): ``check.json`` (what ``--json``
    prints), ``check.csv`` (each replication's estimate, interval and truth per method), the chart
    (``check.png``, ``.svg`` with ``svg``) and its numbers (``check-chart.csv``). Returns the paths in that
    order."""
    from ..charts.evaluation import check_chart, check_data
    from ..charts.style import save_figure
    from ..files import write_atomic

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result.to_json(), ensure_ascii=False, default=str, allow_nan=False) + "\n"
    written = [write_atomic(out / f"{CHECK}.json", text.encode("utf-8")),
               write_atomic(out / f"{CHECK}.csv", _csv(result.rows))]
    fig = check_chart(result, lang)
    written += [save_figure(fig, out / f"{CHECK}.{fmt}") for fmt in ("png", "svg") if fmt == "png" or svg]
    written.append(write_atomic(out / f"{CHECK}-chart.csv", _csv(check_data(result, lang))))
    return written


def _print_written(written: list[Path], lang: str) -> None:
    """Where the files went, one line each kind: the JSON, the tables, the charts and their numbers."""
    if not written:
        return
    _ = translator(lang)
    pictures = [p for p in written if p.suffix in (".png", ".svg")]
    numbers = [p for p in written if p.suffix == ".csv" and (p.stem in (EVENT_STUDY, SYNTHETIC)
                                                             or p.stem.endswith("-chart"))]
    tables = [p for p in written if p.suffix == ".csv" and p not in numbers]
    print()
    print(_("JSON: {path}").format(path=", ".join(str(p) for p in written if p.suffix == ".json")))
    if tables:
        print(_("Table: {path}").format(path=", ".join(map(str, tables))))
    print(_("Chart: {path}").format(path=", ".join(map(str, pictures))))
    print(_("Numbers of the chart: {path}").format(path=", ".join(map(str, numbers))))


def cmd_evaluate(args) -> int:
    """``fuelseal evaluate PANEL.csv --method …``: each estimator's effect on the treated (and, with ``--out``,
    the estimates and their charts written into a folder)."""
    from ..analysis.evaluate import METHODS, evaluate
    from ..analysis.panel import read_panel

    if args.check is not None:
        return _evaluate_check(args)
    if args.panel is None:
        raise ScenarioError("give a panel CSV (or --check SCENARIO)", source="evaluate")
    _inside_safe(args, args.panel, "evaluate")
    out = _evaluate_out(args, None, evaluate_files(args.svg))  # refused before the work, not after it
    panel = read_panel(args.panel, args.replication)
    methods = list(METHODS) if args.method == "all" else [m.strip() for m in args.method.split(",")]
    covariates = () if args.covariates.strip() in ("", "none") else tuple(
        c.strip() for c in args.covariates.split(",") if c.strip())
    estimates = evaluate(panel, methods, level=args.level, covariates=covariates)
    lang = args.lang or "en"
    written = []
    if out is not None:
        truth, replication = _truth_beside(args.panel, args.replication)
        written = write_evaluation(estimates, out, lang=lang, level=args.level, truth=truth, replication=replication,
                                   svg=args.svg)
    if args.json:
        _dump([e.to_json() for e in estimates])
        return 0
    nf = Numbers(lang)
    _ = nf.gettext
    print(_("{panel}: {units} units × {months} months; effect on the treated, as a share of the tax without the "
            "campaign ({level} interval):").format(panel=args.panel, units=panel["unit"].nunique(),
                                                   months=panel["month"].nunique(), level=nf.pct(args.level, 0)))
    for e in estimates:
        if e.estimate is None:
            print(f"  {e.method:6} " + _("n/a"))
        else:
            after = [r["event_time"] for r in e.by_event_time if r["event_time"] >= 0]
            over = "" if e.cells is None or not after else " — " + _(
                "over {n} unit-months, months {first} to {last} after each start").format(
                    n=nf.number(len(e.cells)), first=min(after), last=max(after))
            to = _("to")
            print(f"  {e.method:6} {nf.signed_pct(e.estimate)} ({nf.signed_pct(e.low)} {to} "
                  f"{nf.signed_pct(e.high)}){over}")
        for note in e.notes:
            print(f"         – {note}")
    _print_written(written, lang)
    return 0


def _evaluate_check(args) -> int:
    """``fuelseal evaluate --check SCENARIO -n N``: the simulation study — which estimator to trust (and, with
    ``--out``, the study and its chart written into a folder)."""
    from ..analysis.evaluate import METHODS, check
    from ..analysis.panel import simulate_panels

    if args.panel is not None:
        raise ScenarioError("--check simulates its own panels: give the scenario, not a panel", source="evaluate")
    _check_counts(args)
    args.scenario = args.check
    sc = _load(args, _overrides(args.set))
    out = _evaluate_out(args, sc, check_files(args.svg))  # refused before the simulations, not after them
    panels = simulate_panels(sc, args.replications, args.seed, workers=args.workers,
                             progress=False if args.quiet or args.json else None)
    methods = list(METHODS) if args.method == "all" else [m.strip() for m in args.method.split(",")]
    result = check(panels, methods, level=args.level)
    lang = args.lang or sc.run.lang
    written = write_check(result, out, lang=lang, svg=args.svg) if out is not None else []
    if args.json:
        _dump(result.to_json())
    else:
        print(result.text(lang))
        _print_written(written, lang)
    return 0


# ---- where first ------------------------------------------------------------------------------
def cmd_where_first(args) -> int:
    """``fuelseal where-first [SCENARIO | RUN_DIR]``: the rollout list of a scenario (every district sealed
    from the same start) or of a run folder already written (as it was run)."""
    from ..analysis.wherefirst import where_first
    from ..results.tables import Results

    _check_counts(args)
    if args.top is not None and args.top < 1:
        raise ScenarioError(f"expected a whole number ≥ 1, got {args.top}", source="--top")
    given = Path(args.scenario) if args.scenario else None
    if given is not None and given.is_dir():
        if args.set or args.replications is not None or args.seed is not None:
            raise ScenarioError("a run folder is ranked as it was run; --set, -n and --seed go with a scenario "
                                "file", source="where-first")
        _inside_safe(args, given, "where-first")
        res = Results.load(given)
        sc, answer = res.scenario, where_first(res)
    else:
        sc = _load(args, _overrides(args.set))
        answer = where_first(sc, replications=args.replications, seed=args.seed, workers=args.workers,
                             progress=False if args.quiet or args.json else None)
    if args.csv:
        _inside_safe(args, args.csv, "--csv")
        try:
            with open(args.csv, "x", encoding="utf-8", newline="") as f:
                answer.table.to_csv(f, index=False)
        except FileExistsError:
            raise ScenarioError("already exists; choose another file (it is never replaced)",
                                source=args.csv) from None
    if args.json:
        _dump(answer.to_json())
    else:
        print(answer.text(_lang(args, sc), top=args.top))
    return 0


# ---- registration ---------------------------------------------------------------------------
def add_subcommands(subparsers) -> None:
    """Register ``sweep``, ``calibrate``, ``sensitivity`` and ``where-first`` on the main parser's sub-parsers."""
    s = subparsers.add_parser(
        "sweep", help="run a grid of settings with the same seed and summarise each KPI",
        description="Run every combination of the --set values with common random numbers; write the table "
                    "(sweep.csv), a chart of the main KPIs (sweep.png) and the chart's numbers (sweep-chart.csv).")
    _common(s, "replications per point (default: run.replications)")
    options.overrides(s, "a dotted name and the values to sweep, e.g. campaign.teams=1,2,3 (repeat for a grid)",
                      metavar="NAME=V1,V2,…")
    s.add_argument("--kpi", action="append", metavar="KPI", help="keep only this KPI (repeatable)")
    s.add_argument("--out", default=None,
                   help="folder for sweep.csv, sweep.png and sweep-chart.csv (default: runs/sweep-…)")
    options.overwrite(s, "replace files already in --out")
    s.add_argument("--resume", metavar="DIR", default=None, help="finish an interrupted sweep in DIR")
    s.add_argument("--deadline", metavar="DATE", default=None,
                   help="with campaign.teams swept: mark the fewest teams that seal every dispenser before DATE "
                        "(default: three months after campaign.start)")
    s.add_argument("--probability", type=float, default=None,
                   help="in at least this share of replications (default 0.9)")
    options.lang(s, "chart and the printed summary")
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
                    "(sensitivity.csv), a chart per KPI with its numbers beside it, and sensitivity.json (how the "
                    "study was made).")
    _common(v, "replications per point (default: run.replications for oat, at most 10 for sobol)")
    v.add_argument("--method", choices=METHODS, default="oat", help="oat (one at a time) or sobol")
    v.add_argument("--samples", type=int, default=64, help="Sobol base sample size, a power of 2 (default 64)")
    v.add_argument("--kpi", action="append", metavar="KPI", help="KPI to explain (default uplift_before_after)")
    v.add_argument("--param", action="append", metavar="NAME=LOW:HIGH", help="a parameter and its range "
                   "(repeatable; replaces the default set)")
    options.overrides(v, "override a dotted key first")
    v.add_argument("--out", default=None, help="folder for the table and chart (default: runs/sensitivity-…)")
    options.lang(v, "charts and the printed summary")
    options.overwrite(v, "replace files already in --out")
    v.set_defaults(func=cmd_sensitivity)

    pn = subparsers.add_parser(
        "panel", help="simulate province × month tax panels with their known true effect",
        description="Simulate the panel a tax office would see after the campaign — tax by district (province) "
                    "and month, each unit's first campaign month, litres metered by sealed totalisers, a price "
                    "index — and write panel.csv with truth.json: the true effect on the treated (overall, by "
                    "cohort, by event time) from the same worlds without the campaign.")
    _common(pn, "panels, one per replication (default: run.replications)")
    options.overrides(pn)
    pn.add_argument("--out", required=True, help="folder for panel.csv and truth.json")
    options.overwrite(pn, "replace panel.csv and truth.json in --out")
    pn.set_defaults(func=cmd_panel)

    ev = subparsers.add_parser(
        "evaluate", help="estimate a campaign's effect from a province × month tax panel",
        description="Apply standard estimators to a panel (fuelseal panel's panel.csv, or an observed one with "
                    "columns unit, month, tax, treated_from): the effect on the treated as a share of the tax "
                    "without the campaign, with its interval, by event time, and notes on what each assumed.")
    ev.add_argument("panel", nargs="?", default=None, help="the panel CSV")
    ev.add_argument("--check", metavar="SCENARIO", default=None,
                    help="instead: simulate panels from SCENARIO, apply each method and report bias, RMSE and "
                         "how often its interval covers the truth")
    options.replications(ev, "with --check: panels to simulate (default: run.replications)")
    options.workers(ev)
    options.overrides(ev)
    ev.add_argument("--quiet", action="store_true", help="no progress bar")
    ev.add_argument("--method", default="all", help="did, synth, its (comma-separated), or all (default)")
    ev.add_argument("--replication", type=int, default=None,
                    help="which panel of a file holding several (a replication column; default: the first)")
    ev.add_argument("--level", type=float, default=0.9, help="interval level (default 0.9)")
    ev.add_argument("--covariates", default="price_index", metavar="NAMES",
                    help="what the interrupted time series adjusts for: price_index (default, when it varies) or "
                         "none; litres are refused (read only from a unit's first seal)")
    ev.add_argument("--json", action="store_true", help="print a JSON list, one object per method")
    ev.add_argument("--out", metavar="DIR", default=None,
                    help="also write into DIR: with a panel, estimates.json (what --json prints), event_study.png "
                         "(the effect by months since each start, with the true effect when truth.json lies beside "
                         "the panel) and, when synthetic control applies, synthetic.png, each chart's numbers as CSV; "
                         "with --check, check.json, check.csv (every replication's estimates), check.png and "
                         "check-chart.csv")
    options.overwrite(ev, "replace those files if --out already holds them")
    ev.add_argument("--svg", action="store_true", help="with --out: also write the charts as SVG")
    options.lang(ev, "charts and the printed summary")
    options.safe(ev, "refuse a panel outside DIR")
    ev.set_defaults(func=cmd_evaluate)

    w = subparsers.add_parser(
        "where-first", help="order districts (provinces) for sealing: the rollout list",
        description="Order a scenario's districts — provinces in a national scenario — so that the least tax "
                    "is lost while the teams work: highest first the extra tax a month a district brings once "
                    "sealed per team-day its sealing takes (Smith's rule), with the 90% range of that figure and "
                    "of the district's rank across replications. A scenario is run with every district sealed "
                    "from the campaign's start by its own teams; a run folder is read as it was run.")
    w.add_argument("scenario", nargs="?", default=None, metavar="SCENARIO|RUN_DIR",
                   help="a scenario file (default: the built-in Hà Nam 2017) or a run folder")
    options.replications(w, "replications (default: run.replications)")
    options.workers(w)
    options.output(w)
    options.safe(w, "paths inside the scenario (and files named here) may not leave DIR")
    options.overrides(w)
    w.add_argument("--top", type=int, default=None, metavar="K", help="print only the first K districts")
    w.add_argument("--csv", default=None, metavar="FILE", help="also write the whole list as CSV (a new file)")
    options.lang(w, "printed list")
    w.set_defaults(func=cmd_where_first)
