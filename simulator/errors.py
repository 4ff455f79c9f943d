"""The tool's own error for bad input.

Every problem with a scenario file, an override, a register CSV or a command-line
value ends in a :class:`ScenarioError`: one line naming the file, the dotted key or
the CSV row, and what was expected. The CLI prints it and exits with code 2.
"""

from __future__ import annotations


class ScenarioError(ValueError):
    """Bad input: ``str(err)`` is one line, ``file: key: what was expected``."""

    def __init__(self, message: str, *, source: str | None = None, key: str | None = None):
        self.source = source
        self.key = key
        self.detail = " ".join(str(message).split())  # always one line
        parts = [p for p in (source, key) if p]
        super().__init__(": ".join([*parts, self.detail]))
