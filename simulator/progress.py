"""A small progress bar with an ETA, on stderr, only when stderr is a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str = "replications", enabled: bool | None = None, stream=None):
        self.stream = stream or sys.stderr
        self.total = max(int(total), 1)
        self.label = label
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.done = 0
        self.t0 = time.perf_counter()
        self._last = 0.0

    def update(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._last < 0.1 and self.done < self.total:
            return
        self._last = now
        elapsed = now - self.t0
        frac = self.done / self.total
        eta = elapsed / frac - elapsed if frac > 0 else 0.0
        bar = "█" * int(30 * frac) + "·" * (30 - int(30 * frac))
        self.stream.write(f"\r{bar} {self.done}/{self.total} {self.label}  {elapsed:5.1f}s  ETA {eta:5.1f}s ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 80 + "\r")
            self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
