"""Where work runs: a Ctrl-C is never lost, even when it lands where Python ignores exceptions."""

from __future__ import annotations

import os
import signal

import pytest

from simulator.execution import map_tasks


class _PressesCtrlC:
    def __del__(self):  # Python ignores (and only prints) an exception raised in a finaliser
        os.kill(os.getpid(), signal.SIGINT)


def _work(i: int) -> int:
    if i == 1:
        _PressesCtrlC()  # freed at once: the KeyboardInterrupt is raised inside __del__ and swallowed there
    return i


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_swallowed_by_a_finaliser_still_stops_the_work():
    """Serially, task 1's Ctrl-C is raised inside a finaliser (ignored by Python); the noted signal
    stops the work at the next safe point: task 1's result is delivered, task 2 never runs, and the
    handlers are back as they were."""
    before = signal.getsignal(signal.SIGINT)
    seen = []
    with pytest.raises(KeyboardInterrupt):
        for i, result in map_tasks(_work, [(0,), (1,), (2,)], workers=1):
            seen.append((i, result))
    assert seen == [(0, 0), (1, 1)]
    assert signal.getsignal(signal.SIGINT) is before


def test_closing_the_work_early_restores_every_handler():
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    gen = map_tasks(_work, [(0,), (2,)], workers=1)
    next(gen)
    gen.close()
    assert {s: signal.getsignal(s) for s in before} == before


def test_a_signal_that_lands_in_a_finaliser_prints_no_traceback(monkeypatch):
    """Within a command (signals_interrupt), a Ctrl-C raised while Python finalises a half-run generator — a
    SimPy process collected mid-run — is not reported as "Exception ignored … Traceback" (it is raised again at
    the next safe point); any other error in a finaliser still goes to the hook that was in place before."""
    import gc
    import sys

    from simulator.execution import signals_interrupt

    def process(error):
        try:
            yield
        finally:
            raise error

    reported = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: reported.append(unraisable.exc_type))
    with signals_interrupt():
        for error in (KeyboardInterrupt(), ValueError("a real bug")):
            g = process(error)
            next(g)
            del g
            gc.collect()
    assert reported == [ValueError]
