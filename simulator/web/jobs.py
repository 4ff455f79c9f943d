"""The page's runs: a bounded queue, one run at a time, each the command line's ``fuelseal run``.

A :class:`Job` is one ``fuelseal run … --out <data>/runs/<id> --json --quiet`` in a child process of
its own session, so the page never computes anything the command line would not, stays responsive
while a run works, and can stop it: cancelling sends SIGTERM, on which the command keeps every
finished replication (``fuelseal run --resume`` finishes it). Progress is read from the run folder
itself — the replications saved so far — so there is no second channel to keep in step.

One worker thread takes queued jobs in order; at most ``max_waiting`` wait behind the running one
and a further submission is refused (:class:`Busy`) rather than queued without bound.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"


class Busy(Exception):
    """The queue is full: the page says so instead of queueing without bound."""


@dataclass
class Job:
    id: str
    folder: Path
    argv: list[str]
    """The command run, from ``fuelseal`` on (what the page shows an analyst to reproduce it)."""
    preset: str
    form: dict[str, str]
    """The form as submitted (field key → text), to show the form again as it was run."""
    overrides: dict[str, str]
    replications: int
    lang: str = "en"
    """The language the run's charts are drawn in."""
    source: str = ""
    """The scenario file it started from (its name shows in the command that reproduces it)."""
    label: str = ""
    state: str = QUEUED
    error: str = ""
    summary: dict | None = None
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    cancel_requested: bool = False
    tidy: Callable[[str], str] | None = field(default=None, repr=False)
    """Shows the command's one-line error as the planner knows the files (no server paths)."""
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def over(self) -> bool:
        return self.state in (DONE, FAILED, CANCELLED)

    def saved(self) -> int:
        """Replications saved in the run folder so far."""
        if self.state == DONE:
            return self.replications
        try:
            return min(self.replications, sum(1 for _ in (self.folder / "replications").glob("rep-*.npz")))
        except OSError:
            return 0


class Jobs:
    """The queue and its worker thread; ``python`` runs ``-m simulator`` (default: this interpreter)."""

    def __init__(self, max_waiting: int = 3, python: str | None = None):
        self.max_waiting = max_waiting
        self.python = python or sys.executable
        self._all: dict[str, Job] = {}
        self._queue: deque[Job] = deque()
        self._cv = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    # ---- what the page asks ------------------------------------------------------------------

    def get(self, job_id: str) -> Job | None:
        return self._all.get(job_id)

    def all(self) -> list[Job]:
        """Every job of this sitting, oldest first."""
        return list(self._all.values())

    def position(self, job: Job) -> int:
        """1 for the next to run, 2 behind it …; 0 when not waiting."""
        with self._cv:
            try:
                return list(self._queue).index(job) + 1
            except ValueError:
                return 0

    def submit(self, job: Job) -> Job:
        with self._cv:
            if self._stopping:
                raise Busy("the server is stopping")
            if len(self._queue) >= self.max_waiting:
                raise Busy(f"{len(self._queue)} runs are already waiting")
            self._all[job.id] = job
            job.label = job.label or str(len(self._all))  # "Run 3": the sitting's third
            self._queue.append(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="fuelseal-runs", daemon=True)
                self._thread.start()
            self._cv.notify_all()
        return job

    def resubmit(self, job: Job, argv: list[str]) -> Job:
        """Queue a cancelled ``job`` again with ``argv`` (``fuelseal run --resume``): same id, same folder."""
        with self._cv:
            if job.state != CANCELLED:
                raise ValueError(f"run {job.id} is {job.state}, not cancelled")
            if self._stopping or len(self._queue) >= self.max_waiting:
                raise Busy(f"{len(self._queue)} runs are already waiting")
            job.argv, job.state, job.error, job.cancel_requested = argv, QUEUED, "", False
            job.started = job.finished = None
            self._queue.append(job)
            self._cv.notify_all()
        return job

    def cancel(self, job: Job) -> None:
        with self._cv:
            if job.state == QUEUED:
                self._queue.remove(job)
                job.state, job.finished = CANCELLED, time.time()
                self._cv.notify_all()
                return
            if job.state != RUNNING:
                return
            job.cancel_requested = True
            proc = job.process
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def wait(self, job: Job, timeout: float | None = None) -> bool:
        """Block until ``job`` is over (or ``timeout`` seconds); whether it is."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            while not job.over:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cv.wait(left)
        return True

    def close(self) -> None:
        """Stop taking work, cancel what waits and stop what runs."""
        with self._cv:
            self._stopping = True
            waiting = list(self._queue)
        for job in waiting:
            self.cancel(job)
        for job in self._all.values():
            if job.state == RUNNING:
                self.cancel(job)
        with self._cv:
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)

    # ---- the worker --------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._stopping:
                    self._cv.wait()
                if self._stopping and not self._queue:
                    return
                job = self._queue.popleft()
                job.state, job.started = RUNNING, time.time()
            try:
                self._run(job)
            except Exception as exc:  # the queue outlives any one run: a run that cannot start fails alone
                job.state, job.error = FAILED, f"could not run: {type(exc).__name__}: {exc}"
            if job.error and job.tidy is not None:
                job.error = job.tidy(job.error)
            with self._cv:
                job.finished = time.time()
                self._cv.notify_all()

    def _run(self, job: Job) -> None:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
        try:
            proc = subprocess.Popen([self.python, "-m", "simulator", *job.argv[1:]], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
                                    start_new_session=True)
        except (OSError, ValueError) as exc:  # ValueError: a NUL in an argument
            job.state, job.error = FAILED, f"could not start the run: {exc}"
            return
        with self._cv:
            job.process = proc
            cancelled = job.cancel_requested
        if cancelled:  # cancelled between leaving the queue and starting
            os.killpg(proc.pid, signal.SIGTERM)
        out, err = proc.communicate()
        if proc.returncode == 0:
            try:
                job.summary = json.loads(out.decode("utf-8").strip().splitlines()[-1])
                job.state = DONE
            except (ValueError, IndexError):
                job.state, job.error = FAILED, "the run printed no summary"
        elif job.cancel_requested:
            job.state = CANCELLED
        else:
            lines = [x for x in err.decode("utf-8", "replace").splitlines() if x.strip()]
            job.state, job.error = FAILED, (lines[-1] if lines else f"the run stopped (exit {proc.returncode})")
