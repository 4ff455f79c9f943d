"""Benchmark: fuelseal against the floor, at national scale, across network sizes, and
over many replications.

    python benchmarks/bench.py                    # full table (a few minutes on 2 cores)
    python benchmarks/bench.py --quick            # a tiny run that shows it works
    python benchmarks/bench.py --json out.json    # also write the table as JSON
    python benchmarks/bench.py --national OTHER.toml --cases national   # another national scenario
    python benchmarks/bench.py --cases commands   # whole commands against the simulation alone, and a peer
    python benchmarks/bench.py --cases serve      # the web page under load while a run works

The *floor* does only the unavoidable work of a replication: the vectorised demand draws
and sums for every dispenser-day of the horizon, and the declaration arithmetic for
both arms — no SimPy, no bookkeeping. Each model case is timed against a floor run of
the same size in the same process, and each case runs in a fresh subprocess so that its
peak resident memory is its own.

*Commands* (``--cases commands``) time what people wait for, each in its own process: ``fuelseal --help``;
``fuelseal run`` national (1 replication, 1 worker) and built-in (200 replications; 1,000 on 2 workers
without charts), with and without charts, each against the simulation alone (``simulator.run`` of the same
replications in a fresh process, without writing anything); and the *hybrid peer* — a minimal SimPy campaign
(teams visiting and sealing stations) with vectorised daily sales, written here — for the same 1,000 built-in
replications on 2 workers.

*Serve* (``--cases serve``) starts ``fuelseal serve``, starts a run of the built-in scenario from its form
and, while the run works, sends rounds of 20 concurrent requests (the page, the run's page, its status,
the script); it reports each round's slowest answer, then checks that the run's tables equal those of the
same scenario and seed from the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = Path(os.environ.get("FUELSEAL_BENCH_NATIONAL", ROOT / "scenarios" / "vietnam_national.toml"))


def scaled(factor: float):
    """The national scenario with every province's station count multiplied by ``factor``."""
    import simulator

    sc = simulator.load_scenario(NATIONAL)
    counts = {k: max(1, round(q.expected() * factor)) for k, q in sc.network.districts.items()}
    return sc.with_overrides({"network.districts": counts})


def floor(sc, seed: int = 0) -> float:
    """Seconds for the unavoidable work of one replication of ``sc`` (both arms)."""
    from simulator.model.declarations import months_of
    from simulator.model.network import build_network
    from simulator.model.sales import demand_profile, month_sales

    rng = np.random.default_rng(seed)
    net = build_network(sc, rng)
    n = net.n_dispensers
    level = net.level[net.dispenser_station]
    keep_before, keep_after, rate = np.full(n, 0.9), np.full(n, 0.99), np.full(n, 0.015)
    profile = demand_profile(sc, 0.06)
    sealed = rng.random(n) < 0.5
    t0 = time.perf_counter()
    total = 0.0
    for m in months_of(sc):
        sales = month_sales(rng, level, profile, m.d0, m.d1, daily=True)  # every dispenser-day, as run.daily_sales
        litres, value = sales.litres, sales.value
        tax_without = rate * keep_before * value
        sealed_v = np.where(sealed, value, 0.0)
        tax_with = rate * (keep_before * (value - sealed_v) + keep_after * sealed_v)
        total += litres.sum() + tax_without.sum() + tax_with.sum()
    return time.perf_counter() - t0


def case_national(factor: float) -> dict:
    """One replication at ``factor`` × the national network, with its floor."""
    from simulator.model import run_replication

    sc = scaled(factor)
    run_replication(sc, 99, 1)  # warm-up: imports, caches
    best_model, best_floor, events, dd = np.inf, np.inf, 0, 0
    for rep in range(2):
        t0 = time.perf_counter()
        out = run_replication(sc, rep, 1)
        best_model = min(best_model, time.perf_counter() - t0)
        best_floor = min(best_floor, floor(sc, rep))
        events = out.kpis["simpy_events"]
        dd = out.kpis["pumps"] * ((sc.scenario.end - sc.scenario.start).days + 1)
    return {"case": f"national ×{factor:g}", "stations": int(out.kpis["stations"]), "replications": 1,
            "wall_s": best_model, "floor_s": best_floor, "ratio_to_floor": best_model / best_floor,
            "dispenser_days": dd, "dispenser_days_per_s": dd / best_model,
            "ns_per_dispenser_day": 1e9 * best_model / dd,
            "simpy_events": events}


def case_hanam(replications: int, workers: int) -> dict:
    import simulator

    sc = simulator.load_scenario()
    t0 = time.perf_counter()
    res = simulator.run(sc, replications=replications, workers=workers)
    wall = time.perf_counter() - t0
    dd = float(res.kpis["pumps"].sum()) * ((sc.scenario.end - sc.scenario.start).days + 1)
    return {"case": f"Hà Nam, {workers} worker{'s' if workers > 1 else ''}", "stations": 150,
            "replications": replications, "wall_s": wall, "dispenser_days": dd, "dispenser_days_per_s": dd / wall,
            "simpy_events": float(res.kpis["simpy_events"].mean())}


# ---- whole commands --------------------------------------------------------------------------------
def hybrid_replication(seed: int, stations: int = 150, pumps: int = 3, teams: int = 2, days: int = 730) -> float:
    """The peer: a minimal campaign in SimPy (teams visit the stations in turn, half a day each, and seal
    them) and every dispenser-day's sales drawn with numpy month by month, tax for both arms."""
    import simpy

    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    seal = np.full(stations, np.inf)
    queue = list(rng.permutation(stations))

    def team():
        while queue:
            s = queue.pop()
            yield env.timeout(0.5 + rng.exponential(0.2))
            seal[s] = env.now

    for _ in range(teams):
        env.process(team())
    env.run(until=days)
    level = rng.gamma(4.0, 250.0, stations * pumps)
    station = np.repeat(np.arange(stations), pumps)
    total = 0.0
    for d0 in range(0, days, 30):
        d1 = min(d0 + 30, days)
        daily = rng.standard_gamma(8.0, (stations * pumps, d1 - d0)) / 8.0
        litres = level[:, None] * daily
        after = np.arange(d0, d1)[None, :] >= seal[station][:, None]
        total += (litres * (0.85 + 0.14 * after)).sum() * 15_000 * 0.015 - litres.sum() * 0.85 * 15_000 * 0.015
    return total


def simulation_alone(scenario: str | None, replications: int, workers: int) -> None:
    import simulator

    sc = simulator.load_scenario(scenario)
    simulator.run(sc, replications=replications, workers=workers, progress=False)


def peer(replications: int, workers: int) -> None:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(hybrid_replication, range(replications), chunksize=max(1, replications // (4 * workers))))


COMMANDS = {
    # name: (what, argv of fuelseal or a function here, replications)
    "help": ("fuelseal --help", ["--help"]),
    "national": ("fuelseal run national -n 1 --workers 1", ["run", "{national}", "-n", "1", "--workers", "1",
                                                              "--quiet", "--out", "{tmp}/national"]),
    "national-no-charts": ("… --no-charts", ["run", "{national}", "-n", "1", "--workers", "1", "--quiet",
                                             "--no-charts", "--out", "{tmp}/national-nc"]),
    "national-sim": ("simulation alone", ("simulation_alone", "{national}", 1, 1)),
    "hanam": ("fuelseal run (built-in, 200)", ["run", "-n", "200", "--quiet", "--out", "{tmp}/hanam"]),
    "hanam-no-charts": ("… --no-charts", ["run", "-n", "200", "--quiet", "--no-charts", "--out", "{tmp}/hanam-nc"]),
    "hanam-sim": ("simulation alone", ("simulation_alone", None, 200, os.cpu_count() or 1)),
    "hanam-1000": ("fuelseal run -n 1000 --workers 2 --json --no-charts",
                   ["run", "-n", "1000", "--workers", "2", "--json", "--quiet", "--no-charts", "--out",
                    "{tmp}/hanam-1000"]),
    "hanam-1000-sim": ("simulation alone", ("simulation_alone", None, 1000, 2)),
    "peer-1000": ("hybrid SimPy+numpy peer, 1,000 on 2 workers", ("peer", 1000, 2)),
}


def command_child(name: str, tmp: str) -> dict:
    """One command, in this (fresh) process: its wall time and this process's peak memory."""
    what, spec = COMMANDS[name]
    fill = {"national": str(NATIONAL), "tmp": tmp}
    t0 = time.perf_counter()
    if isinstance(spec, list):
        import contextlib
        import io

        from simulator.cli import main as fuelseal

        with contextlib.redirect_stdout(io.StringIO()):
            try:
                fuelseal([a.format(**fill) for a in spec])
            except SystemExit:
                pass
    else:
        fn, *args = spec
        globals()[fn](*[a.format(**fill) if isinstance(a, str) else a for a in args])
    wall = time.perf_counter() - t0
    return {"case": name, "what": what, "wall_s": wall,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def help_time(runs: int = 5) -> float:
    """``fuelseal --help`` as a user starts it: a new interpreter each time (the best of ``runs``)."""
    best = np.inf
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "simulator", "--help"], capture_output=True, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def commands(names: list[str]) -> list[dict]:
    import tempfile

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if name == "help":
                rows.append({"case": name, "what": COMMANDS[name][0], "wall_s": help_time(), "peak_rss_mib": 0.0})
            else:
                proc = subprocess.run([sys.executable, __file__, "--child", f"command:{name}:{tmp}"],
                                      capture_output=True, text=True, check=True)
                rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(f"done: {name}", file=sys.stderr)
    return rows


def commands_table(rows: list[dict]) -> str:
    by = {r["case"]: r for r in rows}
    lines = [f"{'what':52} {'wall s':>7} {'peak MiB':>9} {'ratio':>22}", "-" * 94]
    ratios = {"national": "national-sim", "national-no-charts": "national-sim", "hanam": "hanam-sim",
              "hanam-no-charts": "hanam-sim", "hanam-1000": "hanam-1000-sim", "peer-1000": "hanam-1000"}
    for r in rows:
        base = ratios.get(r["case"])
        ratio = (f"{r['wall_s'] / by[base]['wall_s']:.2f}× {'simulation' if 'sim' in base else 'fuelseal'}"
                 if base in by else "")
        lines.append(f"{r['what']:52} {r['wall_s']:>7.2f} {r['peak_rss_mib']:>9.0f} {ratio:>22}")
    return "\n".join(lines)


def child(spec: str) -> None:
    kind, *args = spec.split(":")
    if kind == "command":
        print(json.dumps(command_child(args[0], ":".join(args[1:]))))
        return
    row = case_national(float(args[0])) if kind == "national" else case_hanam(int(args[0]), int(args[1]))
    row["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(row))


def run_case(spec: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", spec], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    head = f"{'case':22} {'stations':>8} {'reps':>5} {'wall s':>8} {'disp-days/s':>12} {'ns/disp-day':>11} " \
           f"{'× floor':>8} {'peak MiB':>9} {'events':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['case']:22} {r['stations']:>8,} {r['replications']:>5} {r['wall_s']:>8.2f} "
                     f"{r['dispenser_days_per_s']:>12.3g} {r.get('ns_per_dispenser_day', float('nan')):>11.1f} "
                     f"{r.get('ratio_to_floor', float('nan')):>8.2f} {r['peak_rss_mib']:>9.0f} "
                     f"{r['simpy_events']:>8,.0f}")
    return "\n".join(lines)


def serve_load(replications: int = 200, concurrent: int = 20, rounds: int = 5) -> dict:
    """The page's answer times under ``concurrent`` simultaneous requests while a run works, and whether
    the run's tables are those of the command line."""
    import socket
    import tempfile
    import urllib.parse
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--no-browser", "--port", str(port),
                                   "--data", str(Path(tmp) / "data")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            server.stdout.readline()  # its address: listening from here
            time.sleep(0.5)
            form = urllib.parse.urlencode({"scenario": "builtin", "campaign.enabled": "true",
                                           "run.replications": str(replications)}).encode()
            req = urllib.request.Request(base + "/runs", data=form, headers={"Accept": "application/json"})
            run = json.loads(urllib.request.urlopen(req, timeout=30).read())["run"]

            def get(path: str) -> float:
                t = time.perf_counter()
                with urllib.request.urlopen(base + path, timeout=30) as r:
                    r.read()
                return time.perf_counter() - t

            def status() -> dict:
                return json.loads(urllib.request.urlopen(f"{base}/runs/{run}/status", timeout=30).read())

            while status()["state"] == "queued" or status()["saved"] < 1:
                time.sleep(0.1)
            paths = ["/", f"/runs/{run}", f"/runs/{run}/status", "/static/app.js"]
            slowest, during = [], []
            with ThreadPoolExecutor(concurrent) as pool:
                for _ in range(rounds):
                    st = status()
                    if st["state"] != "running":
                        break
                    times = list(pool.map(get, [paths[i % len(paths)] for i in range(concurrent)]))
                    slowest.append(max(times))
                    during.append(st["saved"])
            while status()["state"] in ("queued", "running"):
                time.sleep(0.2)
            final = status()
            cli = Path(tmp) / "cli"
            subprocess.run([sys.executable, "-m", "simulator", "run", "--set", f"run.replications={replications}",
                            "--out", str(cli), "--no-charts", "--quiet", "--json"], check=True, capture_output=True)
            folder = Path(tmp) / "data" / "runs" / run
            same = all(pd.read_parquet(folder / f"{t}.parquet").equals(pd.read_parquet(cli / f"{t}.parquet"))
                       for t in ("kpis", "monthly", "summary"))
        finally:
            server.terminate()
            server.communicate(timeout=30)
    return {"concurrent": concurrent, "rounds": len(slowest), "slowest_s": slowest, "saved_at_round": during,
            "state": final["state"], "tables_identical_to_command_line": same}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a tiny run that only shows the benchmark works")
    p.add_argument("--json", type=Path, default=None, help="write the rows as JSON here")
    p.add_argument("--replications", type=int, default=1000, help="replications of Hà Nam for throughput")
    p.add_argument("--national", type=Path, default=None, help="the national scenario to scale (default: "
                   "scenarios/vietnam_national.toml)")
    p.add_argument("--cases", choices=("all", "national", "hanam", "commands", "serve"), default="all",
                   help="which cases to run (all: the model cases; commands: whole commands, separately)")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.national is not None:
        os.environ["FUELSEAL_BENCH_NATIONAL"] = str(args.national.resolve())  # the children read it
    if args.child:
        child(args.child)
        return 0
    if args.cases == "serve":
        row = serve_load(replications=20 if args.quick else 200)
        print(f"{row['concurrent']} concurrent requests while a run works, {row['rounds']} rounds: slowest answer "
              f"per round {', '.join(f'{t:.3f}' for t in row['slowest_s'])} s (replications saved at each round: "
              f"{row['saved_at_round']}); run {row['state']}; tables identical to the command line's: "
              f"{row['tables_identical_to_command_line']}")
        if args.json:
            args.json.write_text(json.dumps({"machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                                             "serve": row}, indent=2))
        return 0
    if args.cases == "commands":
        rows = commands(list(COMMANDS))
        print(commands_table(rows))
        if args.json:
            args.json.write_text(json.dumps({"machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                                             "commands": rows}, indent=2))
        return 0
    if args.quick:
        specs = ["national:0.01", "hanam:4:1", "hanam:4:2"]
    else:
        specs = ["national:1", *[f"national:{f}" for f in (1 / 16, 1 / 8, 1 / 4, 1 / 2)],
                 f"hanam:{args.replications}:1", f"hanam:{args.replications}:2"]
        specs = [s for s in specs if args.cases == "all" or s.startswith(args.cases)]
    rows = []
    for spec in specs:
        rows.append(run_case(spec))
        print(f"done: {rows[-1]['case']}", file=sys.stderr)
    print(table(rows))
    h = [r for r in rows if r["case"].startswith("Hà Nam")]
    if len(h) == 2:
        print(f"\nspeed-up of 2 workers over 1: {h[0]['wall_s'] / h[1]['wall_s']:.2f}×")
    nat = sorted((r for r in rows if r["case"].startswith("national")), key=lambda r: r["stations"])
    if len(nat) > 1:
        per = [r["ns_per_dispenser_day"] for r in nat]
        print(f"time per dispenser-day from {nat[0]['stations']:,} to {nat[-1]['stations']:,} stations: "
              f"{min(per):.1f}–{max(per):.1f} ns (spread {100 * (max(per) / min(per) - 1):.0f}%)")
    if args.json:
        machine = {"python": platform.python_version(), "cpus": os.cpu_count()}
        args.json.write_text(json.dumps({"machine": machine, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
