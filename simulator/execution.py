"""Where work runs: a local process pool or a Dask cluster, and how it stops.

Runs, sweeps, calibrations and sensitivity studies hand their independent pieces of
work to one of two executors: a local pool of worker processes, or a Dask cluster
(a ``LocalCluster`` started for the job, or a scheduler at a given address). Both stop
cleanly: when the job is interrupted — Ctrl-C, or SIGTERM/SIGHUP, which a job scheduler
or ``timeout`` sends and which :func:`signals_interrupt` turns into the same
``KeyboardInterrupt`` — queued work is cancelled and running workers are terminated,
so no process outlives the command.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from .errors import ScenarioError

EXECUTORS = ("process", "dask")
MAX_WORKERS = 64  # local worker processes; each holds a copy of the model (~150 MB)
SCHEDULER_TIMEOUT = 10  # seconds to reach a Dask scheduler before giving up
_NOTHING = object()  # map_tasks: no value shared by every task


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, treated like Ctrl-C: finished work is kept and the command stops."""


def _raise_terminated(signum, frame):
    # once is enough: further signals must not interrupt the clean-up they asked for
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    raise Terminated(signal.Signals(signum).name)


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` (a ``KeyboardInterrupt``)
    in the main thread, so the same clean-up runs as for Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, _raise_terminated) for s in (signal.SIGTERM, signal.SIGHUP)}
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: quiet_signals_in_finalizers(unraisable, hook)
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        sys.unraisablehook = hook


def quiet_signals_in_finalizers(unraisable, report: Callable = sys.__unraisablehook__) -> None:
    """``sys.unraisablehook`` within :func:`signals_interrupt`: a Ctrl-C (or SIGTERM, SIGHUP) that lands while
    Python finalises an object — a SimPy process of an earlier replication, collected mid-run — is swallowed
    there and printed as "Exception ignored in …" with a traceback; :func:`raised_and_noted` raises it again at
    the next safe point, so the user sees one clean line, not a traceback. Anything else goes to ``report``
    (the hook in place before)."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt) or (
            isinstance(unraisable.exc_type, type) and issubclass(unraisable.exc_type, KeyboardInterrupt)):
        return
    report(unraisable)


class DeferredSignals:
    """Ctrl-C, SIGTERM and SIGHUP noted, not raised, while the main thread waits on a pool.

    Raising from a signal handler can strike while the main thread holds one of the pool's
    internal locks (inside ``as_completed``), and the pool then hangs at exit. Here a
    signal only sets :attr:`caught`; :meth:`check`, called between waits, raises it as
    ``KeyboardInterrupt`` or :class:`Terminated` at a point where no lock is held."""

    def __init__(self) -> None:
        self.caught: int | None = None

    def _note(self, signum, frame) -> None:
        if self.caught is None:
            self.caught = signum

    def check(self) -> None:
        if self.caught is not None:
            if self.caught == signal.SIGINT:
                raise KeyboardInterrupt
            raise Terminated(signal.Signals(self.caught).name)


@contextmanager
def raised_and_noted() -> Iterator[DeferredSignals]:
    """Within the block, Ctrl-C, SIGTERM and SIGHUP raise at once (as they would anyway) **and** are noted,
    so that :meth:`DeferredSignals.check` raises them again at the next safe point if the first raise
    was swallowed — Python ignores an exception raised inside a finaliser (``__del__``, a weakref
    callback), and a Ctrl-C that lands there would otherwise let the work run on to the end."""
    noted = DeferredSignals()
    if threading.current_thread() is not threading.main_thread():
        yield noted
        return

    def handler(signum, frame):
        noted._note(signum, frame)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        _raise_terminated(signum, frame)

    sigs = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    old = {s: signal.signal(s, handler) for s in sigs}
    try:
        yield noted
    except KeyboardInterrupt:  # further SIGTERM/SIGHUP must not break the clean-up they asked for
        for s in sigs:
            signal.signal(s, old[s] if s == signal.SIGINT else signal.SIG_IGN)
        raise
    finally:
        if signal.getsignal(signal.SIGINT) is handler:  # left normally, or by any other exception
            for s, h in old.items():
                signal.signal(s, h)


@contextmanager
def deferred_signals() -> Iterator[DeferredSignals]:
    """Within the block, signals are noted (see :class:`DeferredSignals`); on leaving it by an
    exception further SIGTERM/SIGHUP stay ignored, so they cannot break the clean-up."""
    noted = DeferredSignals()
    if threading.current_thread() is not threading.main_thread():
        yield noted
        return
    sigs = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    old = {s: signal.signal(s, noted._note) for s in sigs}
    try:
        yield noted
    except BaseException:
        for s in sigs:
            signal.signal(s, old[s] if s == signal.SIGINT else signal.SIG_IGN)
        raise
    for s, handler in old.items():
        signal.signal(s, handler)
    noted.check()  # a signal that came during the last wait is not lost


def as_done(futures, noted: DeferredSignals, poll: float = 0.2):
    """Yield ``futures`` as they finish (like ``as_completed``), checking for signals between waits."""
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=poll, return_when=FIRST_COMPLETED)
        noted.check()
        yield from done


def worker_count(workers: int | None) -> int:
    """How many local worker processes ``workers`` means: None is every core (as on the command line),
    at most :data:`MAX_WORKERS`."""
    return min((os.cpu_count() or 1) if workers is None else max(1, int(workers)), MAX_WORKERS)


def check_workers(workers: int | None, source: str = "--workers") -> None:
    """Refuse a worker count below 1 or above :data:`MAX_WORKERS`."""
    if workers is None:
        return
    if isinstance(workers, bool) or not 1 <= workers <= MAX_WORKERS:
        raise ScenarioError(f"expected a whole number from 1 to {MAX_WORKERS}, got {workers}", source=source)


def _worker_init() -> None:
    # the parent decides when workers stop: they ignore the terminal's Ctrl-C (the parent
    # gets it too) and die at once on SIGTERM, which is how the parent stops them
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


@contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A local pool of ``workers`` processes. Leaving the block normally waits for the pool;
    leaving it by an exception (Ctrl-C, SIGTERM, an error) cancels what is queued and
    terminates the workers, so none is left running."""
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
    try:
        yield pool
    except BaseException:
        procs = list((getattr(pool, "_processes", None) or {}).values())
        manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets it
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
        # let the pool's manager thread see its dead workers and finish now: left running, it
        # races the interpreter's exit hook on a closed pipe (a "Bad file descriptor" traceback)
        if manager is not None:
            manager.join(timeout=10)
        raise
    pool.shutdown(wait=True)


def require(executor: str) -> None:
    """Refuse, before anything is written, an executor whose optional packages are missing."""
    if executor not in EXECUTORS:
        raise ScenarioError(f"expected one of {', '.join(EXECUTORS)}, got {executor!r}", source="--executor")
    if executor == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise ScenarioError("needs dask.distributed, which is not installed: pip install 'fuelseal[dask]'",
                                source="--executor dask") from None


@contextmanager
def dask_client(workers: int, scheduler: str | None, timeout: float | None = None):
    """A Dask client: to the scheduler at ``scheduler`` (reached within ``timeout`` seconds,
    default :data:`SCHEDULER_TIMEOUT`), or to a LocalCluster of ``workers`` single-threaded
    processes started here (and closed on exit, however the block ends)."""
    require("dask")
    from dask.distributed import Client, LocalCluster

    timeout = SCHEDULER_TIMEOUT if timeout is None else timeout
    cluster = None
    if scheduler is None:
        # silence_logs: the workers' own warnings (e.g. tasks cancelled on Ctrl-C) would break the
        # promise of one line on stderr; errors still show
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
    try:
        client = Client(cluster if cluster is not None else scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        if cluster is not None:
            cluster.close()
        raise ScenarioError(f"cannot reach the Dask scheduler within {timeout:g} s ({exc.__class__.__name__})",
                            source=str(scheduler)) from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def map_tasks(fn: Callable, tasks: Sequence[tuple], *, workers: int = 1, executor: str = "process",
              scheduler: str | None = None, shared: Any = _NOTHING) -> Iterator[tuple[int, Any]]:
    """Run ``fn(*task)`` — or ``fn(shared, *task)`` — for every task and yield ``(index, result)``
    as each finishes (completion order; the index says which task it was).

    The one way runs, sweeps, calibrations and sensitivity studies spread work:
    ``workers`` ≤ 1 or a single task runs here, in order; ``executor="process"`` a local
    :func:`process_pool` (signals checked between waits); ``executor="dask"`` a Dask
    cluster (:func:`dask_client`; ``shared`` is sent to every worker once). Closing the
    generator early, or an exception, cancels what is queued and stops every worker.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor: expected one of {', '.join(EXECUTORS)}, got {executor!r}")
    lead = () if shared is _NOTHING else (shared,)
    if executor == "dask" and tasks:
        from dask.distributed import wait as dask_wait

        # signals are noted and raised between waits, never inside distributed's own event-loop calls
        # (a Ctrl-C or SIGTERM raised there leaves a traceback from its callbacks on stderr)
        with deferred_signals() as noted, dask_client(workers, scheduler) as client:
            if lead:
                lead = (client.scatter(shared, broadcast=True),)
            futures = [client.submit(fn, *lead, *t, pure=False) for t in tasks]
            index = {f.key: i for i, f in enumerate(futures)}
            pending = list(futures)
            try:
                noted.check()
                while pending:
                    try:
                        done, left = dask_wait(pending, timeout=0.2, return_when="FIRST_COMPLETED")
                    except TimeoutError:
                        noted.check()
                        continue
                    for fut in done:
                        yield index[fut.key], fut.result()
                    pending = list(left)
                    noted.check()
            except BaseException:
                client.cancel(futures)
                raise
        return
    if workers <= 1 or len(tasks) <= 1:
        with raised_and_noted() as noted:
            for i, t in enumerate(tasks):
                yield i, fn(*lead, *t)
                noted.check()  # a Ctrl-C that struck inside a finaliser (and was ignored there) is not lost
        return
    with deferred_signals() as noted, process_pool(min(workers, len(tasks))) as pool:
        futures = {pool.submit(fn, *lead, *t): i for i, t in enumerate(tasks)}
        for fut in as_done(list(futures), noted):
            yield futures[fut], fut.result()
            noted.check()
