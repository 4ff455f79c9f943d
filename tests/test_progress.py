"""Progress bars: one rule for the command line and the Python API — ``True`` always, ``False`` never,
``None`` when someone can see them (a terminal or a Jupyter kernel) — drawn by tqdm."""

from __future__ import annotations

import io

import simulator
from simulator import progress
from simulator.execution import worker_count


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_shows_only_when_asked_or_watched(monkeypatch):
    monkeypatch.setattr(progress, "in_notebook", lambda: False)
    assert progress.watched(True, io.StringIO()) is True
    assert progress.watched(False, _Tty()) is False
    assert progress.watched(None, io.StringIO()) is False  # a file or a pipe stays clean
    assert progress.watched(None, _Tty()) is True
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    assert progress.watched(None, io.StringIO()) is True  # a notebook's stderr is no terminal, yet someone reads it


def test_the_bar_counts_the_work_and_the_status_line(monkeypatch):
    monkeypatch.setattr(progress, "in_notebook", lambda: False)
    out = _Tty()
    with progress.Progress(4, label="replications", stream=out) as bar:
        bar.update(3)
        bar.note("largest gap 1.2%")
        bar.update(1)
    text = out.getvalue()
    assert "3/4" in text and "replications" in text and "largest gap 1.2%" in text
    silent = io.StringIO()
    with progress.Progress(4, enabled=False, stream=silent) as bar:
        bar.update(4)
    assert silent.getvalue() == "" and bar.done == 4


def test_run_draws_a_bar_unless_told_not_to(small, capsys):
    sc = small()
    simulator.run(sc, 2, progress=True, workers=1)
    assert "/2 " in capsys.readouterr().err
    simulator.run(sc, 2, progress=False, workers=1)
    assert capsys.readouterr().err == ""
    simulator.run(sc, 2, workers=1)  # the default: no one is watching pytest's captured stderr
    assert capsys.readouterr().err == ""


def test_the_api_uses_every_core_by_default_as_the_command_line_does(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert worker_count(None) == 6 and worker_count(1) == 1 and worker_count(0) == 1
    import inspect

    for fn in (simulator.run, simulator.sweep, simulator.calibrate, simulator.fewest_teams, simulator.sensitivity,
               simulator.posterior):
        params = inspect.signature(fn).parameters
        assert params["workers"].default is None, fn.__name__
        assert params["progress"].default is None, fn.__name__
