"""Monte Carlo: many replications from one seed, sequentially or on a process pool.

Replication *i* draws only from ``SeedSequence(seed, spawn_key=(i, …))``, so its numbers
do not depend on how many replications run, on how they are split between workers, or
on the order in which they finish: the same scenario and seed give the same tables on
any machine and any number of workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import closing

from .execution import map_tasks, worker_count
from .model.replication import ReplicationOutput, run_replication
from .progress import Progress
from .results.tables import Results
from .scenario import Scenario, check_run_size


def _chunk(scenario: Scenario, reps: list[int], seed: int, keep: str) -> list[ReplicationOutput]:
    return [run_replication(scenario, r, seed, keep == "all" or (keep == "first" and r == 0)) for r in reps]


def _chunks(reps: list[int], workers: int) -> list[list[int]]:
    size = max(1, min(25, len(reps) // (4 * workers) or 1))
    return [reps[i:i + size] for i in range(0, len(reps), size)]


def iter_replications(scenario: Scenario, reps: Iterable[int], seed: int, workers: int = 1,
                      executor: str = "process", scheduler: str | None = None) -> Iterable[list[ReplicationOutput]]:
    """Yield finished replications in batches, in completion order.

    ``executor="process"`` uses a local process pool of ``workers`` processes (none when
    ``workers`` is 1); ``executor="dask"`` sends batches to the Dask scheduler at
    ``scheduler`` (``tcp://host:8786``), or to a ``LocalCluster`` of ``workers``
    processes started for the run when no address is given. Closing the generator early
    (or an exception in it) stops every worker.
    """
    reps = list(reps)
    keep = scenario.run.visit_log
    chunks = [[r] for r in reps] if workers <= 1 and executor == "process" else \
        _chunks(reps, max(workers, 2) if executor == "dask" else workers)
    for _, batch in map_tasks(_chunk, [(c, seed, keep) for c in chunks], workers=workers, executor=executor,
                              scheduler=scheduler, shared=scenario):
        yield batch


def run(scenario: Scenario, replications: int | None = None, seed: int | None = None, *,
        workers: int | None = None, progress: bool | Callable[[int], None] | None = None,
        executor: str = "process", scheduler: str | None = None) -> Results:
    """Run ``replications`` replications (default: ``run.replications``) from ``seed``
    (default: ``run.seed``) and return their :class:`~simulator.results.Results`.

    ``workers`` processes share the work (None, the default: all cores, as on the command
    line), locally or on Dask (``executor="dask"``, ``scheduler`` address); the numbers
    depend on neither. ``progress`` draws a bar (None, the default: when someone can see
    it — a terminal or a notebook; ``False``: never; a function: called with each batch's size).
    """
    n = scenario.run.replications if replications is None else int(replications)
    s = scenario.run.seed if seed is None else int(seed)
    if n < 1:
        raise ValueError("replications: expected at least 1")
    check_run_size(scenario, n, source="replications")
    w = worker_count(workers)
    t0 = time.perf_counter()
    outputs: list[ReplicationOutput] = []
    bar = Progress(n, enabled=progress) if not callable(progress) else None
    with closing(iter_replications(scenario, range(n), s, min(w, n), executor, scheduler)) as batches:
        for batch in batches:
            outputs.extend(batch)
            if callable(progress):
                progress(len(batch))
            elif bar is not None:
                bar.update(len(batch))
    if bar is not None:
        bar.close()
    outputs.sort(key=lambda o: o.replication)
    wall = time.perf_counter() - t0
    return Results.from_outputs(scenario, s, outputs,
                                timings={"simulate_seconds": wall, "workers": w, "executor": executor})
