"""The web application: one page, its routes, and the guard every request passes.

Routes (all under one data directory, :mod:`.workspace`):

=======================================  ==========================================================
``GET /``                                the page: scenario, form, this sitting's runs
``POST /upload``                         a scenario file (and station register), checked as on the
                                         command line
``POST /runs``                           run the form: 303 to the run's page, or the form again with
                                         each message next to its field (422)
``GET /runs/{id}``                       the run: progress and cancel while it works; headline, key
                                         figures, charts, comparison and downloads when done
``GET /runs/{id}/status``                progress as JSON (the page's script polls it)
``POST /runs/{id}/cancel``               stop the run (or take it out of the queue)
``POST /runs/{id}/resume``               finish a cancelled run (``fuelseal run --resume``)
``GET /runs/{id}/charts/{name}.png``     a chart, in the page's language (drawn on first request in
                                         the other one)
``GET /runs/{id}/charts/{name}.csv``     the numbers a chart draws
``GET /runs/{id}/report.html|pdf``       the run report (``fuelseal report``), in the page's language
``GET /runs/{id}/run.zip``               the run folder
``GET /runs/{id}/scenario.toml``         the scenario that was run, every default spelled out
=======================================  ==========================================================

The :class:`Guard` middleware answers before any route: a request for another host name (DNS
rebinding), without the access token when one is set, a form posted from another site, or a body over
the size limit gets a one-line 4xx. No route shows a traceback: an unexpected error is a one-line 500.
"""

from __future__ import annotations

import hmac
import html
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request, cookie_parser
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import ScenarioError
from ..files import MAX_REGISTER_BYTES, MAX_SCENARIO_BYTES
from ..i18n import LANGS, translator
from ..numbers import Numbers
from ..scenario import Scenario
from ..scenario.labels import parameter_name
from . import form as forms
from .jobs import CANCELLED, DONE, Busy, Job, Jobs
from .presets import Presets
from .workspace import OutsideData, Workspace, is_id, new_id

HERE = Path(__file__).parent
MiB = 2**20
MAX_BODY_BYTES = MAX_SCENARIO_BYTES + MAX_REGISTER_BYTES + MiB
"""The largest request body: a scenario file and a station register at their own limits, and the form."""
TOKEN_COOKIE = "fuelseal_token"
LANG_COOKIE = "fuelseal_lang"
COMPARED = ("extra_tax", "uplift", "cost", "net_benefit", "completion_days", "payback_months")
"""The key figures the comparison table puts side by side."""


# ---- the guard -------------------------------------------------------------------------------

class Guard:
    """Pure ASGI middleware: host names, the access token, cross-site posts and body size.

    ``hosts`` are the host names the page answers to (None: any); ``token``, when set, must come with
    every request — as ``?token=`` (then kept in a cookie), the cookie, or an ``X-Fuelseal-Token``
    header."""

    def __init__(self, app, *, hosts: set[str] | None, token: str | None, max_body: int):
        self.app, self.hosts, self.token, self.max_body = app, hosts, token, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if self.hosts is not None and _hostname(host) not in self.hosts:
            return await _plain(send, 400, "unknown host name: open the address fuelseal serve printed")
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        set_cookie = None
        if self.token is not None:
            given = (query.get("token") or [None])[0]
            held = cookie_parser(headers.get("cookie", "")).get(TOKEN_COOKIE)
            header = headers.get("x-fuelseal-token")
            if not any(t is not None and hmac.compare_digest(t.encode(), self.token.encode())
                       for t in (given, held, header)):
                return await _plain(send, 403, "this page needs its access token: open the address with "
                                               "?token=… that fuelseal serve printed")
            if given is not None:
                set_cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                if scope["method"] == "GET":  # keep the token out of the address bar and the history
                    rest = urlencode([(k, v) for k, vs in query.items() if k != "token" for v in vs])
                    where = scope.get("path", "/") + (f"?{rest}" if rest else "")
                    return await _plain(send, 303, "signed in", [(b"location", where.encode("latin-1")),
                                                                 (b"set-cookie", set_cookie.encode("latin-1"))])
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            if origin and origin != "null" and urlsplit(origin).netloc != host:
                return await _plain(send, 403, "a form from another site may not post to this page")
            if origin == "null" or (not origin and (
                    headers.get("sec-fetch-site") in ("cross-site", "same-site")
                    or (headers.get("referer") and urlsplit(headers["referer"]).netloc != host))):
                return await _plain(send, 403, "a form from another site may not post to this page")
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return await _plain(send, 413, f"the upload is larger than {self.max_body // MiB} MiB")
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise HTTPException(413, f"the upload is larger than {self.max_body // MiB} MiB")
            return message

        async def sending(message):
            if set_cookie and message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"set-cookie", set_cookie.encode("latin-1"))]}
            await send(message)

        return await self.app(scope, limited, sending)


def _hostname(host: str) -> str:
    if host.startswith("["):  # [::1]:8050
        return host[1:].split("]")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _plain(send, status: int, text: str, extra: list | None = None) -> None:
    body = (text + "\n").encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


# ---- the application -------------------------------------------------------------------------

class Site:
    """What the routes share: the data directory, the presets, the queue of runs, the templates."""

    def __init__(self, data: str | Path, *, scenarios: str | Path | None = None, workers: int = 1,
                 max_waiting: int = 3, max_replications: int = 2000, python: str | None = None):
        self.workspace = Workspace(data)
        self.presets = Presets(self.workspace, scenarios)
        self.jobs = Jobs(max_waiting=max_waiting, python=python)
        self.workers = max(1, int(workers))
        self.max_replications = max_replications
        self.python = python or sys.executable
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                                            trim_blocks=True, lstrip_blocks=True)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._results: dict[tuple[str, str], dict] = {}
        self._names: dict[str, tuple[str, str]] = {}
        self._scenarios: dict[tuple, Scenario] = {}

    def load(self, preset) -> Scenario:
        """``preset``'s scenario as it stands, loaded once per version of its files (a station register is read
        once, not at every page view)."""
        stamp = tuple(_stamp(p) for p in (preset.path, *preset.files()))
        key = (preset.id, stamp)
        with self._locks_lock:
            sc = self._scenarios.get(key)
        if sc is None:
            sc = preset.load()
            with self._locks_lock:
                if len(self._scenarios) > 64:
                    self._scenarios.clear()
                self._scenarios[key] = sc
        return sc

    def lock(self, name: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(name, threading.Lock())

    def preset_names(self, lang: str) -> list[tuple[str, str]]:
        out = []
        for p in self.presets.files():
            if p.id not in self._names:
                try:
                    sc = self.load(p)
                    self._names[p.id] = (sc.scenario.said("name", "en"), sc.scenario.said("name", "vi"))
                except ScenarioError as exc:  # offered with its problem, which choosing it shows in full
                    self._names[p.id] = (f"{p.path.name} ({p.tidy(str(exc))})",) * 2
            out.append((p.id, self._names[p.id][lang == "vi"]))
        return out

    def run_cli(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """``fuelseal ARGS`` in a child process (reports, charts in the other language)."""
        return subprocess.run([self.python, "-m", "simulator", *args], capture_output=True, timeout=timeout,
                              env=_child_env(), stdin=subprocess.DEVNULL)


def _stamp(path: Path) -> tuple[int, int] | None:
    """A file's version as far as the page cares: modified time and size (None: no such file)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _child_env() -> dict:
    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


def lang_of(request: Request) -> str:
    """The page's language: ``?lang=``, then the cookie, then the browser's Accept-Language, else English."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    held = request.cookies.get(LANG_COOKIE)
    if held in LANGS:
        return held
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return "en"


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") and "text/html" not in request.headers.get(
        "accept", "")


def render(site: Site, request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    lang = lang_of(request)
    _ = translator(lang)
    nf = Numbers(lang)
    page = site.templates.get_template(name).render(
        _=_, lang=lang, other="vi" if lang == "en" else "en", nf=nf, path=request.url.path,
        lang_link=lambda code: "?" + urlencode([*((k, v) for k, v in request.query_params.multi_items()
                                                  if k not in ("lang", "token")), ("lang", code)]),
        key_name=partial(parameter_name, lang=nf), **context)
    response = HTMLResponse(page, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict")
    response.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; "
                                                   "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _job(site: Site, run_id: str) -> Job:
    job = site.jobs.get(run_id) if is_id(run_id) else None
    if job is None:
        raise HTTPException(404, "no such run in this sitting")
    return job


# ---- the page --------------------------------------------------------------------------------

def _form_context(site: Site, preset_id: str, lang: str, values: dict | None = None,
                  error: ScenarioError | None = None) -> dict:
    """The form of ``preset_id`` (loading a scenario reads its register: call it in a worker thread)."""
    preset = site.presets.find(preset_id)
    sc = site.load(preset)
    groups = forms.fields(sc, lang, {"run.replications": site.max_replications})
    groups, general = forms.attach(groups, values or {}, error, lang)
    presets = site.preset_names(lang)
    names = dict(presets)
    for j in site.jobs.all():
        if j.preset not in names:
            try:
                names[j.preset] = site.presets.find(j.preset).uploaded or j.preset
            except ScenarioError:
                names[j.preset] = j.preset
    return {"preset": preset, "groups": groups, "general_error": general, "presets": presets,
            "invalid": error is not None, "own_schedules": forms.own_schedules(sc), "preset_names": names}


async def home(request: Request) -> Response:
    site: Site = request.app.state.site
    lang = lang_of(request)
    preset_id = request.query_params.get("scenario", "builtin")
    try:
        context = await run_in_threadpool(_form_context, site, preset_id, lang)
    except ScenarioError as exc:
        context = await run_in_threadpool(_form_context, site, "builtin", lang)
        context["general_error"] = str(exc)
    return render(site, request, "page.html.j2", job=None, jobs=_sitting(site), **context)


def _sitting(site: Site) -> list[Job]:
    return list(reversed(site.jobs.all()))


async def upload(request: Request) -> Response:
    site: Site = request.app.state.site
    lang = lang_of(request)
    _ = translator(lang)
    async with request.form(max_files=2, max_fields=20) as data:
        scenario, register = data.get("scenario"), data.get("register")
        if scenario is None or isinstance(scenario, str) or not scenario.filename:
            return await _bad_upload(site, request, _("choose a scenario file (.toml) to upload"))
        has_register = register is not None and not isinstance(register, str) and register.filename
        scenario_bytes = await scenario.read(MAX_SCENARIO_BYTES + 1)
        register_bytes = await register.read(MAX_REGISTER_BYTES + 1) if has_register else None
        try:
            up = await run_in_threadpool(_store_upload, site, scenario.filename, scenario_bytes,
                                         register.filename if has_register else None, register_bytes)
        except ScenarioError as exc:
            return await _bad_upload(site, request, str(exc))
    if _wants_json(request):
        return JSONResponse({"scenario": f"upload:{up.id}"}, status_code=201)
    return RedirectResponse(f"/?scenario=upload:{up.id}", status_code=303)


def _store_upload(site: Site, scenario_name: str, scenario: bytes, register_name: str | None,
                  register: bytes | None):
    """Store an upload and check it exactly as ``fuelseal validate`` would, form included; nothing is kept of
    one that fails (the message names the files as the planner named them)."""
    up = site.workspace.save_upload(scenario_name, scenario, register_name, register)
    try:
        preset = site.presets.find(f"upload:{up.id}")
        forms.fields(site.load(preset))
    except ScenarioError as exc:
        shutil.rmtree(up.folder, ignore_errors=True)
        raise ScenarioError(site.presets.find_tidy(up, str(exc))) from None
    except Exception:  # the page must not keep what it cannot show
        shutil.rmtree(up.folder, ignore_errors=True)
        raise
    return up


async def _bad_upload(site: Site, request: Request, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=400)
    context = await run_in_threadpool(_form_context, site, "builtin", lang_of(request))
    return render(site, request, "page.html.j2", status=400, job=None, jobs=_sitting(site), upload_error=message,
                  **context)


async def start_run(request: Request) -> Response:
    site: Site = request.app.state.site
    lang = lang_of(request)
    async with request.form(max_files=0, max_fields=200) as data:
        values = {k: v for k, v in data.items() if isinstance(v, str)}
    if "scenario" not in values:
        raise HTTPException(400, "the form is incomplete: it names no scenario")
    preset_id = values.pop("scenario")
    try:
        preset, pairs, sc = await run_in_threadpool(_checked_run, site, preset_id, values)
    except ScenarioError as exc:
        if _wants_json(request):
            return JSONResponse({"error": str(exc), "key": exc.key}, status_code=422)
        context = await run_in_threadpool(_form_context, site, preset_id, lang, values, exc)
        return render(site, request, "page.html.j2", status=422, job=None, jobs=_sitting(site), **context)
    run_id = new_id()
    folder = site.workspace.run_folder(run_id)
    sets = [x for k, v in {**preset.extra, **pairs}.items() for x in ("--set", f"{k}={v}")]
    argv = ["fuelseal", "run", str(preset.path), *sets, "--out", str(folder), "--safe", str(preset.base),
            "--workers", str(site.workers), "--lang", lang, "--quiet", "--json"]
    job = Job(run_id, folder, argv, preset_id, values, pairs, sc.run.replications, lang=lang,
              source=str(preset.path), tidy=preset.tidy)
    try:
        site.jobs.submit(job)
    except Busy as exc:
        raise HTTPException(429, f"{exc}; try again when one finishes") from None
    if _wants_json(request):
        return JSONResponse({"run": run_id, "url": f"/runs/{run_id}"}, status_code=202)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


def _checked_run(site: Site, preset_id: str, values: dict) -> tuple:
    """The preset, the form's changes as ``--set`` pairs, and the scenario they make, checked as the command line
    checks them; a ScenarioError (paths shown as the planner knows them) otherwise."""
    try:
        preset = site.presets.find(preset_id)
    except ScenarioError as exc:
        raise HTTPException(400, str(exc)) from None
    try:
        base = site.load(preset)
    except ScenarioError as exc:
        raise HTTPException(400, preset.tidy(str(exc))) from None
    pairs = forms.overrides(values, base)
    try:
        sc = preset.load(forms.parsed(pairs))
        if sc.run.replications > site.max_replications:
            raise ScenarioError(f"at most {site.max_replications} replications on this page; run larger studies "
                                "from the command line", key="run.replications")
    except ScenarioError as exc:
        raise ScenarioError(exc.detail, source=preset.tidy(exc.source) if exc.source else None, key=exc.key) \
            from None
    return preset, pairs, sc


def status_of(site: Site, job: Job) -> dict:
    return {"run": job.id, "state": job.state, "saved": job.saved(), "replications": job.replications,
            "position": site.jobs.position(job), "error": job.error}


async def status(request: Request) -> Response:
    site: Site = request.app.state.site
    return JSONResponse(status_of(site, _job(site, request.path_params["run_id"])))


async def cancel(request: Request) -> Response:
    site: Site = request.app.state.site
    job = _job(site, request.path_params["run_id"])
    site.jobs.cancel(job)
    if _wants_json(request):
        return JSONResponse(status_of(site, job))
    return RedirectResponse(f"/runs/{job.id}", status_code=303)


async def resume(request: Request) -> Response:
    """Finish a cancelled run in its own folder: ``fuelseal run --resume`` (the replications it had finished are
    kept and the numbers are those the whole run would have given)."""
    site: Site = request.app.state.site
    job = _job(site, request.path_params["run_id"])
    if job.state != CANCELLED:
        raise HTTPException(409, "only a cancelled run can be finished")
    # a run taken out of the queue before it started has no folder yet: it starts as first asked
    argv = job.argv if not job.folder.exists() else [
        "fuelseal", "run", "--resume", str(job.folder), "--safe", str(site.workspace.runs), "--workers",
        str(site.workers), "--quiet", "--json"]
    try:
        site.jobs.resubmit(job, argv)
    except Busy as exc:
        raise HTTPException(429, f"{exc}; try again when one finishes") from None
    if _wants_json(request):
        return JSONResponse(status_of(site, job), status_code=202)
    return RedirectResponse(f"/runs/{job.id}", status_code=303)


async def run_page(request: Request) -> Response:
    site: Site = request.app.state.site
    lang = lang_of(request)
    job = _job(site, request.path_params["run_id"])
    context = await run_in_threadpool(_form_context, site, job.preset, lang, job.form)
    result = await run_in_threadpool(_result, site, job, lang) if job.state == DONE else None
    return render(site, request, "page.html.j2", job=job, progress=status_of(site, job), result=result,
                  jobs=_sitting(site), command=_command(job), **context)


def _command(job: Job) -> str:
    """The command line that reproduces the run from the preset file (the built-in scenario needs none)."""
    args = ["fuelseal", "run"]
    if job.preset != "builtin":
        args.append(Path(job.source).name)
    for k, v in job.overrides.items():
        args += ["--set", f"{k}={v}"]
    return " ".join(a if a.replace(".", "").replace("=", "").replace("-", "").replace("_", "").isalnum()
                    else "'" + a.replace("'", "'\\''") + "'" for a in args)


def _result(site: Site, job: Job, lang: str) -> dict:
    """The done run's headline, key figures, charts and comparison in ``lang`` (kept once made)."""
    key = (job.id, lang)
    if key in site._results:
        return site._results[key]
    from ..charts import CHARTS
    from ..report.compare import change_interval, what_differs
    from ..report.loading import load_run
    from ..results.compare import compare
    from ..results.summary import headline, kpi_range, kpi_value, summary_rows

    nf = Numbers(lang)
    res = load_run(job.folder)
    s = res.summary()
    sc = res.settings
    rows = summary_rows(s, nf)
    # earlier runs of the same scenario only: a difference between two provinces is no one's paired effect
    earlier = [j for j in site.jobs.all() if j.state == DONE and j.id != job.id and j.submitted < job.submitted
               and j.preset == job.preset]
    comparison, differs = [], []
    if earlier:
        others = [load_run(j.folder) for j in earlier[-4:]]
        kpis = [k for k in COMPARED if all(k in r.kpis.columns for r in (res, *others))]
        table = compare([res, *others], labels=[job.label, *(j.label for j in earlier[-4:])], kpis=kpis)
        for k in kpis:
            cells = []
            for i in range(1, len(earlier[-4:]) + 1):
                row = table[(table["run"] == i) & (table["kpi"] == k)].iloc[0]
                # the table holds earlier − this; the page says this − earlier
                cells.append({"value": kpi_value(k, row["mean"], nf),
                              "change": change_interval(k, -row["diff_mean"], -row["diff_p95"], -row["diff_p05"],
                                                        nf),
                              "paired": bool(row["paired"])})
            this = table[(table["run"] == 0) & (table["kpi"] == k)].iloc[0]
            comparison.append({"label": nf.label(k), "this": kpi_value(k, this["mean"], nf),
                               "this_range": kpi_range(k, this["p05"], this["p95"], nf), "cells": cells})
        # what the runs were: the settings that differ, one column a run (this one first)
        differs = [(label, cells) for label, cells, key in what_differs([res, *others], lang)
                   if key not in ("run.lang",)]
    out = {"headline": headline(s, sc, lang=lang), "rows": rows, "charts": list(CHARTS),
           "compared_with": [j.label for j in earlier[-4:]], "comparison": comparison, "differs": differs,
           "name": sc.scenario.said("name", lang)}
    site._results[key] = out
    return out


# ---- files -----------------------------------------------------------------------------------

def _done(site: Site, run_id: str) -> Job:
    job = _job(site, run_id)
    if job.state != DONE:
        raise HTTPException(409, "the run has not finished")
    return job


def _send(site: Site, path: Path, media: str, filename: str | None = None) -> FileResponse:
    safe = site.workspace.file(path)
    if safe is None:
        raise HTTPException(404, "no such file")
    return FileResponse(safe, media_type=media, filename=filename,
                        content_disposition_type="attachment" if filename else "inline")


async def chart_png(request: Request) -> Response:
    site: Site = request.app.state.site
    job = _done(site, request.path_params["run_id"])
    name = _chart(request.path_params["name"])
    lang = lang_of(request)
    if lang == _run_lang(job):
        return _send(site, job.folder / "charts" / f"{name}.png", "image/png")
    out = site.workspace.cache(job.id, f"charts-{lang}")
    if not await run_in_threadpool(partial(_draw, site, job, lang, out)):
        raise HTTPException(500, "the chart could not be drawn")
    return _send(site, out / "charts" / f"{name}.png", "image/png")


def _draw(site: Site, job: Job, lang: str, out: Path) -> bool:
    """Every chart of the run in ``lang`` into ``out``, once (the first request draws them all in a child
    process; the others wait for it in their worker threads, never in the event loop)."""
    with site.lock(f"{job.id}/charts/{lang}"):
        if (out / "done").is_file() and site.workspace.file(out / "done"):
            return True
        proc = subprocess.run([site.python, "-m", "simulator.web.draw", str(job.folder), lang, str(out)],
                              capture_output=True, timeout=600, env=_child_env(), stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            return False
        (out / "done").touch()
        return True


def _run_lang(job: Job) -> str:
    return job.lang


def _chart(name: str) -> str:
    from ..charts import CHARTS

    if name not in CHARTS:
        raise HTTPException(404, "no such chart")
    return name


async def chart_csv(request: Request) -> Response:
    site: Site = request.app.state.site
    job = _done(site, request.path_params["run_id"])
    name = _chart(request.path_params["name"])
    return _send(site, job.folder / "charts" / f"{name}.csv", "text/csv; charset=utf-8", f"{name}.csv")


async def report(request: Request) -> Response:
    site: Site = request.app.state.site
    job = _done(site, request.path_params["run_id"])
    fmt = request.path_params["fmt"]
    if fmt not in ("html", "pdf"):
        raise HTTPException(404, "no such report")
    lang = lang_of(request)
    cached = site.workspace.cache(job.id) / f"report-{lang}.{fmt}"
    if not cached.is_file():
        made = await run_in_threadpool(_report, site, job, fmt, lang, cached)
        if not made:
            raise HTTPException(500, "the report could not be written")
    media = "text/html; charset=utf-8" if fmt == "html" else "application/pdf"
    return _send(site, cached, media, f"fuelseal-report-{job.id}-{lang}.{fmt}")


def _report(site: Site, job: Job, fmt: str, lang: str, cached: Path) -> bool:
    with site.lock(f"{job.id}/report"):
        if cached.is_file():
            return True
        proc = site.run_cli("report", str(job.folder), "--format", fmt, "--lang", lang)
        if proc.returncode != 0:
            return False
        part = cached.with_name(cached.name + ".part")
        part.unlink(missing_ok=True)
        shutil.copyfile(job.folder / f"report.{fmt}", part)
        part.replace(cached)  # a rename: never through a link planted at the name
        return True


async def run_zip(request: Request) -> Response:
    site: Site = request.app.state.site
    job = _done(site, request.path_params["run_id"])
    target = site.workspace.cache(job.id) / "run.zip"
    if not target.is_file():
        await run_in_threadpool(_zip, site, job, target)
    return _send(site, target, "application/zip", f"fuelseal-run-{job.id}.zip")


def _zip(site: Site, job: Job, target: Path) -> None:
    with site.lock(f"{job.id}/zip"):
        if target.is_file():
            return
        part = target.with_suffix(".part")
        part.unlink(missing_ok=True)
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(job.folder.rglob("*")):
                if p.is_file() and not p.is_symlink() and p.name != ".fuelseal.lock":
                    zf.write(p, Path(f"fuelseal-run-{job.id}") / p.relative_to(job.folder))
        part.replace(target)


async def scenario_file(request: Request) -> Response:
    site: Site = request.app.state.site
    job = _done(site, request.path_params["run_id"])
    return _send(site, job.folder / "scenario.toml", "application/toml; charset=utf-8", "scenario.toml")


# ---- errors ----------------------------------------------------------------------------------

async def http_error(request: Request, exc: HTTPException) -> Response:
    if _wants_json(request) or request.method != "GET" and "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    site: Site = request.app.state.site
    return render(site, request, "error.html.j2", status=exc.status_code, message=exc.detail,
                  code=exc.status_code)


async def outside(request: Request, exc: OutsideData) -> Response:
    print(f"fuelseal serve: {request.method} {request.url.path}: refused: {exc}", file=sys.stderr)
    return Response("no such file\n", status_code=404, media_type="text/plain; charset=utf-8")


async def server_error(request: Request, exc: Exception) -> Response:
    print(f"fuelseal serve: {request.method} {request.url.path}: {type(exc).__name__}: {exc}", file=sys.stderr)
    return Response(f"internal error: {html.escape(type(exc).__name__)}; the server's terminal says more\n",
                    status_code=500, media_type="text/plain; charset=utf-8")


# ---- assembly --------------------------------------------------------------------------------

def create_app(data: str | Path, *, scenarios: str | Path | None = None, token: str | None = None,
               hosts: set[str] | None = frozenset({"127.0.0.1", "localhost", "::1", "testserver"}),
               workers: int = 1, max_waiting: int = 3, max_replications: int = 2000,
               max_body: int = MAX_BODY_BYTES, python: str | None = None,
               on_shutdown: Callable[[], None] | None = None) -> Starlette:
    """The application over data directory ``data``. ``token``: required with every request (None: none,
    for 127.0.0.1); ``hosts``: the host names it answers to (None: any); ``workers``: processes per run;
    ``max_waiting`` runs may wait behind the running one."""
    site = Site(data, scenarios=scenarios, workers=workers, max_waiting=max_waiting,
                max_replications=max_replications, python=python)
    run = "/runs/{run_id:str}"
    routes = [
        Route("/", home),
        Route("/upload", upload, methods=["POST"]),
        Route("/runs", start_run, methods=["POST"]),
        Route(run, run_page),
        Route(run + "/status", status),
        Route(run + "/cancel", cancel, methods=["POST"]),
        Route(run + "/resume", resume, methods=["POST"]),
        Route(run + "/charts/{name:str}.png", chart_png),
        Route(run + "/charts/{name:str}.csv", chart_csv),
        Route(run + "/report.{fmt:str}", report),
        Route(run + "/run.zip", run_zip),
        Route(run + "/scenario.toml", scenario_file),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    def shutdown():
        site.jobs.close()
        if on_shutdown is not None:
            on_shutdown()

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        yield
        shutdown()

    handlers = {HTTPException: http_error, OutsideData: outside, Exception: server_error}
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    app.state.site = site
    app.add_middleware(Guard, hosts=None if hosts is None else set(hosts), token=token, max_body=max_body)
    return app


__all__ = ["Guard", "Site", "create_app"]
