"""Benchmark: fuelseal against the floor, at national scale, across network sizes, and
over many replications.

    python benchmarks/bench.py                    # full table (a few minutes on 2 cores)
    python benchmarks/bench.py --quick            # a tiny run that shows it works
    python benchmarks/bench.py --json out.json    # also write the table as JSON
    python benchmarks/bench.py --national OTHER.toml --cases national   # another national scenario

The *floor* does only the unavoidable work of a replication: the vectorised demand draws
and sums for every dispenser-day of the horizon, and the declaration arithmetic for
both arms — no SimPy, no bookkeeping. Each model case is timed against a floor run of
the same size in the same process, and each case runs in a fresh subprocess so that its
peak resident memory is its own.
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


def child(spec: str) -> None:
    kind, *args = spec.split(":")
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


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a tiny run that only shows the benchmark works")
    p.add_argument("--json", type=Path, default=None, help="write the rows as JSON here")
    p.add_argument("--replications", type=int, default=1000, help="replications of Hà Nam for throughput")
    p.add_argument("--national", type=Path, default=None, help="the national scenario to scale (default: "
                   "scenarios/vietnam_national.toml)")
    p.add_argument("--cases", choices=("all", "national", "hanam"), default="all", help="which cases to run")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.national is not None:
        os.environ["FUELSEAL_BENCH_NATIONAL"] = str(args.national.resolve())  # the children read it
    if args.child:
        child(args.child)
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
