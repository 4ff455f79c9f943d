"""Progress bars for long work — replications, sweep points, calibration — in a terminal and in Jupyter.

One library draws them (tqdm): a text bar with a rate and an ETA on stderr in a terminal, a widget
bar in JupyterLab when ``ipywidgets`` is installed (``pip install -e '.[notebooks]'``), a text bar
in a notebook otherwise. Whether a bar shows is one rule for the command line and the Python API:

* ``True`` — always;
* ``False`` — never (``--quiet``, ``--json``, ``progress=False``);
* ``None`` — when someone is watching: stderr is a terminal, or the code runs in a Jupyter kernel.
  Output redirected to a file or a pipe stays clean.
"""

from __future__ import annotations

import sys
from typing import Any


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook, VS Code, nbclient)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except AttributeError:
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def watched(enabled: bool | None, stream=None) -> bool:
    """Whether to draw a bar: ``enabled`` itself, or (None) whether anyone can see it."""
    if enabled is not None:
        return bool(enabled)
    stream = stream or sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty or in_notebook()


def _bar_class():
    if in_notebook():
        try:
            import ipywidgets  # noqa: F401  (tqdm.notebook needs it; without it the text bar is better)
            from tqdm.notebook import tqdm as bar
            return bar
        except ImportError:
            pass
    from tqdm.std import tqdm as bar
    return bar


class Progress:
    """A bar over ``total`` units of work (None: an open count, as for calibration's evaluations).

    ``update(n)`` adds finished units; ``note(text)`` shows a short status after the bar; ``close()``
    removes a terminal bar (a notebook's finished bar stays, as a record of the time taken).
    """

    def __init__(self, total: int | None, label: str = "replications", enabled: bool | None = None, stream=None):
        self.stream = stream or sys.stderr
        self.total = None if total is None else max(int(total), 1)
        self.label = label
        self.enabled = watched(enabled, self.stream)
        self.done = 0
        self._bar: Any = None
        if self.enabled:
            cls = _bar_class()
            kwargs = {"file": self.stream, "leave": False} if cls.__module__ == "tqdm.std" else {}
            self._bar = cls(total=self.total, unit=f" {label}" if label else "it", desc=None,
                            dynamic_ncols=True, mininterval=0.1, **kwargs)

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None and n:
            self._bar.update(n)

    def note(self, text: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
