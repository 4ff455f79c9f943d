"""The tool's own error for bad input.

Every problem with a scenario file, an override, a register CSV or a command-line
value ends in a :class:`ScenarioError`: one line naming the file, the dotted key or
the CSV row, and what was expected. The CLI prints it and exits with code 2.
"""

from __future__ import annotations

# characters that end a line for str.splitlines(): shown escaped, so the message stays one line
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


def one_line(text: object) -> str:
    """``text`` with every line break shown as an escape (``\\n``), so it prints as one line."""
    return str(text).translate(_LINE_BREAKS)


class ScenarioError(ValueError):
    """Bad input: ``str(err)`` is one line, ``file: key: what was expected``."""

    def __init__(self, message: str, *, source: str | None = None, key: str | None = None):
        self.source = source
        self.key = key
        self.detail = one_line(" ".join(str(message).split()))
        parts = [one_line(p) for p in (source, key) if p]
        super().__init__(": ".join([*parts, self.detail]))
