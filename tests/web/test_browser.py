"""A planner's sitting at ``fuelseal serve``, driven in a real browser (issue 19).

The other web tests speak HTTP to the application directly; this one starts ``fuelseal serve`` as a
planner would (a child process on a free port, its runs in a temporary data folder) and drives Debian's
headless Chromium through Playwright's sync API, so the page's own script, its redirects, cookies and
downloads are exercised exactly as in a browser:

1. open the page in English and choose the built-in Hà Nam 2017 scenario;
2. run it with 10 replications and the default 2 teams, and wait until the page's script has polled the
   run to its end and reloaded the page with the headline;
3. change the prefilled form to 3 teams and run again: the headline changes, says "with 3 teams", and
   the run's page compares it with the first run;
4. switch to Vietnamese: the same run's headline is now in Vietnamese, and its charts, drawn in
   Vietnamese on first request, all arrive;
5. download the PDF report: a PDF whose text is Vietnamese (diacritics and all).

Screenshots of the second run in both languages land in the test's temporary folder and, when
``FUELSEAL_SCREENSHOTS`` names a folder, there too as ``serve-en.png`` and ``serve-vi.png`` (the docs'
pictures: ``FUELSEAL_SCREENSHOTS=docs/img pytest tests/web/test_browser.py``).

Nothing is downloaded: the test uses the Chromium at ``/usr/bin/chromium`` (``.ci/run`` installs
Debian's package) and skips where there is none, or where the ``playwright`` package is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("no Chromium installed (apt-get install chromium) for the browser test", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
RUN_TIMEOUT_MS = 180_000
"""How long a 10-replication run may take on a busy machine (alone it takes a few seconds)."""
REPLICATIONS = "10"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _said(text: str) -> str:
    """Text as compared: Unicode NFC (PDF text may compose diacritics differently), whitespace as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


# ---- fixtures: the server, the browser, a page -----------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="module")
def server(folder):
    """``fuelseal serve`` on a free port: yields its address; stopped (SIGTERM, then wait) afterwards.

    It starts in the temporary folder, so it offers only the built-in scenario whatever folder the tests
    run from; its output goes to files, read for the address line and shown when it fails."""
    out_path, err_path = folder / "serve.out", folder / "serve.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--no-browser",
                                 "--port", str(_free_port()), "--data", str(folder / "data")],
                                cwd=folder, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    try:
        deadline = time.monotonic() + 60
        while True:
            first = out_path.read_text(encoding="utf-8").partition("\n")
            if first[1]:
                found = re.fullmatch(r"fuelseal serve: (http://127\.0\.0\.1:\d+/)", first[0].strip())
                assert found, f"unexpected first line: {first[0]!r}"
                break
            assert proc.poll() is None, f"fuelseal serve stopped: {err_path.read_text(encoding='utf-8')}"
            assert time.monotonic() < deadline, "fuelseal serve printed no address within 60 s"
            time.sleep(0.05)
        yield found[1]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def page(browser):
    """One tab, 1400×1000 (the screenshots' size), English unless the page is told otherwise.

    ``page.problems`` collects what the page's console and script report as errors (a blocked script or
    style, say, when the Content-Security-Policy refuses it) and every answer of 400 or more."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US", accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    problems: list[str] = []
    # the browser asks for /favicon.ico of its own accord; the page not having one is no error of the page's
    tab.on("console", lambda m: problems.append(f"console: {m.text} ({m.location.get('url')})")
           if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
    tab.on("pageerror", lambda e: problems.append(f"script: {e}"))
    tab.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    tab.problems = problems
    try:
        yield tab
    finally:
        context.close()


def _shoot(page, folder: Path, name: str) -> Path:
    """A screenshot of what the window shows, once every picture has arrived; copied to
    $FUELSEAL_SCREENSHOTS when set."""
    page.wait_for_load_state("networkidle")
    shot = folder / name
    page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes().startswith(b"\x89PNG")
    wanted = os.environ.get("FUELSEAL_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(wanted) / name)
    return shot


def _run(page) -> str:
    """Press Run and wait for the result: the POST redirects to the run's page (/runs/<id>), whose script
    polls the run's status and reloads the page when it is done; returns the run's address."""
    before = page.url
    page.click("#run-button")
    page.wait_for_url(lambda url: re.search(r"/runs/[^/?]+$", url) is not None and url != before)
    address = page.url
    page.locator("#headline").wait_for(state="visible", timeout=RUN_TIMEOUT_MS)
    assert page.locator("#run-error").count() == 0
    return address


def _charts_arrive(page) -> None:
    """Scroll to every chart (they load lazily, so this asks for them nearly at once, as a planner skimming
    down the page does) and wait until each picture has arrived and decoded. In a language other than the
    run's, the first request draws them all in a child process while the others wait for it: a server that
    waited in its event loop would hang here (it once did)."""
    charts = page.locator("figure.chart img")
    assert charts.count() > 0
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('figure.chart img')]"
                           ".every(img => img.complete && img.naturalWidth > 0)", timeout=RUN_TIMEOUT_MS)


# ---- the sitting -----------------------------------------------------------------------------

@pytest.mark.slow
def test_a_planners_sitting(server, page, folder):
    from playwright.sync_api import expect

    # 1. the page in English; choose Hà Nam 2017 (already the default) explicitly
    page.goto(server + "?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.select_option("#scenario-choice", "builtin")
    assert "Hà Nam" in page.locator("#scenario-choice option:checked").inner_text()
    page.click("form.choose button[type=submit]")
    page.wait_for_url(re.compile(r"\?scenario=builtin"))
    expect(page.locator("#f-campaign-teams")).to_have_value("2")

    # 2. a small run with the default 2 teams
    page.fill("#f-run-replications", REPLICATIONS)
    first_url = _run(page)
    first = page.locator("#headline").inner_text()
    assert "with 2 teams" in first, first
    expect(page.locator("#figures")).to_be_visible()

    # 3. the run's page shows the form as it was run: change the teams and run again
    expect(page.locator("#f-run-replications")).to_have_value(REPLICATIONS)
    page.fill("#f-campaign-teams", "3")
    second_url = _run(page)
    assert second_url != first_url
    second = page.locator("#headline").inner_text()
    assert second != first
    assert "with 3 teams" in second, second
    expect(page.locator("#comparison")).to_be_visible()
    assert page.locator("#comparison thead th").count() >= 4  # this run, run 1 and their difference
    _shoot(page, folder, "serve-en.png")
    _charts_arrive(page)

    # 4. the same run in Vietnamese (the link also sets the language cookie)
    page.click("#lang-vi")
    page.wait_for_url(re.compile(r"\?lang=vi$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    vietnamese = _said(page.locator("#headline").inner_text())
    assert "3 đoàn kiểm định" in vietnamese, vietnamese
    assert "tiền thuế" in vietnamese and "teams" not in vietnamese, vietnamese
    expect(page.locator("#comparison")).to_be_visible()
    _charts_arrive(page)  # at once, while the first of them is still being drawn
    page.evaluate("window.scrollTo(0, 0)")
    _shoot(page, folder, "serve-vi.png")

    # 5. the PDF report, in the page's language (written on first request: give it time)
    with page.expect_download(timeout=RUN_TIMEOUT_MS) as event:
        page.click("#download-pdf")
    download = event.value
    assert download.failure() is None, download.failure()
    pdf = folder / download.suggested_filename
    download.save_as(pdf)
    assert pdf.name.endswith("-vi.pdf"), pdf.name
    assert pdf.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    text = _said(" ".join(p.extract_text() for p in reader.pages[:2]))
    assert "kiểm định" in text and "tiền thuế" in text, text[:500]
    assert "3 đoàn" in text, text[:1000]

    assert page.problems == []
