"""``fuelseal serve``: start the page, print its address, open the browser.

Bound to 127.0.0.1 by default, where only this machine can reach it. ``--host`` elsewhere (another
address, ``0.0.0.0``) makes the page reachable from the network, so it then requires an access token,
printed in the address as Jupyter does; the host names it answers to are then any, and the token is
what keeps others out.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
import threading
import webbrowser
from pathlib import Path

from ..errors import ScenarioError

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _require() -> None:
    missing = []
    for module in ("starlette", "uvicorn", "multipart"):
        try:
            __import__(module)
        except ImportError:
            missing.append("python-multipart" if module == "multipart" else module)
    if missing:
        raise ScenarioError(f"needs {', '.join(missing)}, not installed: pip install 'fuelseal[web]'",
                            source="fuelseal serve")


def add_subcommand(sub) -> None:
    s = sub.add_parser("serve", help="a web page for planners: choose, change, run, read and download",
                       description="Start a local web page: pick a scenario or upload one, change teams, "
                                   "dates, instruments and costs in a form, run, read the headline and the "
                                   "charts, compare runs, and download the reports and the run folder.")
    s.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; any other needs the "
                        "access token printed at start)")
    s.add_argument("--scenarios", metavar="DIR", default=None,
                   help="offer every .toml in DIR as a preset (default: ./scenarios when it exists)")
    s.add_argument("--data", metavar="DIR", default="fuelseal-data",
                   help="folder for run folders, uploads and downloads (default: ./fuelseal-data)")
    s.add_argument("--workers", type=int, default=None,
                   help="worker processes per run (default: all cores but one, so the page stays quick)")
    s.add_argument("--max-replications", type=int, default=2000, help="largest run the page accepts (2000)")
    s.add_argument("--no-browser", action="store_true", help="do not open a browser")
    s.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    _require()
    import uvicorn

    from .app import create_app

    if not 0 < args.port < 65536:
        raise ScenarioError(f"expected a port from 1 to 65535, got {args.port}", source="--port")
    if args.workers is not None and args.workers < 1:
        raise ScenarioError(f"expected at least 1, got {args.workers}", source="--workers")
    local = args.host in LOOPBACK
    token = None if local else secrets.token_urlsafe(24)
    scenarios = args.scenarios if args.scenarios is not None else ("scenarios" if Path("scenarios").is_dir() else None)
    if scenarios is not None and not Path(scenarios).is_dir():
        raise ScenarioError("expected a folder of scenario files", source=str(scenarios))
    try:
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        raise ScenarioError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); choose another "
                            "--port", source="fuelseal serve") from None
    workers = args.workers or max(1, (os.cpu_count() or 2) - 1)
    app = create_app(args.data, scenarios=scenarios, token=token, hosts=LOOPBACK if local else None,
                     workers=workers, max_replications=args.max_replications)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{args.port}/" + (f"?token={token}" if token else "")
    print(f"fuelseal serve: {url}")
    print(f"  run folders in {Path(args.data).resolve() / 'runs'}; stop with Ctrl-C")
    if token:
        print("  reachable from the network: every request needs the token in this address")
    sys.stdout.flush()
    if not args.no_browser:
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
