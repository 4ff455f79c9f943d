"""The command line, ``fuelseal``: the top floor, which may import every layer below it.

``main`` builds one parser (:func:`main.build_parser`): the planner's commands ``run``,
``validate``, ``verify`` and ``report`` live in :mod:`.main`; the analyst's commands
``sweep``, ``calibrate`` and ``sensitivity`` in :mod:`.analysis`, registered on the same
parser. Every handler takes the parsed arguments and returns an exit code; bad input is
one line on stderr and exit code 2. Nothing below this package imports it.
"""

from .main import build_parser, cmd_run, cmd_validate, cmd_verify, headline, main, summary_text

__all__ = ["build_parser", "cmd_run", "cmd_validate", "cmd_verify", "headline", "main", "summary_text"]
