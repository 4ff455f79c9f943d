"""``fuelseal serve``: one local web page for planners who do not code.

Pick a scenario (a preset or an uploaded file and station register), change what a planner decides
or doubts in a form generated from the scenario schema, run it, read the money headline, the key
figures and the charts, compare the run with earlier ones from the same sitting, and take away the
reports, the run folder and the scenario file that was run.

The page computes nothing itself. Every run is the command line's own ``fuelseal run`` in a child
process (so the page stays responsive and a run can be cancelled), writing an ordinary run folder
under one data directory; reports are ``fuelseal report``. The layers:

- :mod:`.workspace` — the data directory: run folders, uploads, caches; no request names a path.
- :mod:`.form` — the planner's fields, generated from the key reference; form → ``--set`` overrides.
- :mod:`.jobs` — the bounded queue of runs, one at a time, each a ``fuelseal run`` process.
- :mod:`.app` — the Starlette application: routes, templates, the access guard.
- :mod:`.serve` — the ``fuelseal serve`` command: address, token, browser.

Starlette, Jinja2 templates, uvicorn and python-multipart are the ``web`` extra
(``pip install 'fuelseal[web]'``).
"""
