"""``fuelseal serve`` through Starlette's test client: every route, the form's checks, the queue, the
downloads, and the guard that keeps the page local and its files inside one data directory.

A run started from the page is the command line's own ``fuelseal run`` in a child process, so the
central test compares tables: the page's run and the command line's, same scenario and seed, must be
identical. Runs here are the built-in Hà Nam scenario with a handful of replications.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("starlette")
pytest.importorskip("multipart")
from starlette.testclient import TestClient  # noqa: E402

from simulator.cli import main  # noqa: E402
from simulator.errors import ScenarioError  # noqa: E402
from simulator.scenario import builtin_path, dumps_toml, load_scenario  # noqa: E402
from simulator.web.app import create_app  # noqa: E402
from simulator.web.jobs import Busy, Job, Jobs  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
LOCAL = {"Origin": "http://testserver"}


def _client(data: Path, **kw) -> TestClient:
    return TestClient(create_app(data, scenarios=SCENARIOS, **kw), follow_redirects=False)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with _client(tmp_path_factory.mktemp("serve")) as c:
        yield c


@pytest.fixture(autouse=True)
def _english(request):
    """Each test starts with no language cookie (the module's client is shared)."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").cookies.clear()


def start(client: TestClient, expect: int = 303, lang: str = "en", **fields) -> str:
    """Post the form (the built-in scenario, 4 replications, the campaign on) with ``fields`` changed, from the
    page in ``lang`` (whatever language cookie an earlier test left: the run's charts are drawn in it); the new
    run's id."""
    form = {"scenario": "builtin", "campaign.enabled": "true", "run.replications": "4", **fields}
    r = client.post(f"/runs?lang={lang}", data=form, headers=LOCAL)
    assert r.status_code == expect, r.text[:500]
    return r.headers["location"].rsplit("/", 1)[1] if expect == 303 else ""


def finish(client: TestClient, run_id: str, timeout: float = 240) -> Job:
    site = client.app.state.site
    job = site.jobs.get(run_id)
    assert site.jobs.wait(job, timeout), f"run {run_id} still {job.state}"
    return job


@pytest.fixture(scope="module")
def two_runs(client):
    """Two done runs of the sitting: 2 teams, then 3 teams (same seed: paired)."""
    first = start(client)
    second = start(client, **{"campaign.teams": "3"})
    return finish(client, first), finish(client, second)


# ---- the page and its form ------------------------------------------------------------------

def test_the_page_offers_the_presets_and_a_form_made_from_the_key_reference(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "Hà Nam 2017" in r.text and 'value="file:vietnam_rollout_2016_2017"' in r.text
    assert 'value="file:hanam_2017"' not in r.text  # a copy of the built-in scenario is not offered twice
    assert re.search(r'name="campaign.teams" value="2"', r.text)  # the scenario's own value
    assert "Verification teams" in r.text and "≥ 1, ≤ 10000" in r.text  # label and range from the reference
    assert "≥ 1, ≤ 2000" in r.text  # replications: the page's own cap, not the schema's million
    assert 'name="costs.per_audit"' in r.text  # every cost the campaign's total counts is in the form
    assert 'id="own-schedules"' not in r.text
    rollout = client.get("/?scenario=file:vietnam_rollout_2016_2017").text  # each province its own teams
    assert 'id="own-schedules"' in rollout and 'name="campaign.teams"' not in rollout
    assert "e-invoices by handheld POS" in r.text  # each instrument the scenario names, in words
    assert 'name="behaviour.undeclared_share.mean" value="0.0559"' in r.text  # a distribution: its mean
    rollout = client.get("/?scenario=file:vietnam_rollout_2016_2017")
    assert rollout.status_code == 200 and 'value="file:vietnam_rollout_2016_2017" selected' in rollout.text


def test_a_range_reads_as_the_value_is_typed():
    """Ranges are written as the form takes numbers (a decimal point, no thousands separators) in either
    language, so that a hint never shows a number the field would refuse."""
    from simulator.numbers import Numbers
    from simulator.web.form import allowed_words

    assert allowed_words("≥ 1, ≤ 10000", Numbers("vi")) == "≥ 1, ≤ 10000"
    assert allowed_words("≥ 0, ≤ 1e+15", Numbers("en")) == "≥ 0"  # a guard against typos, not a range
    assert allowed_words("≥ 1, ≤ 1e+06", Numbers("en"), cap=2000) == "≥ 1, ≤ 2000"
    assert allowed_words("> 0, ≤ 0.5", Numbers("vi")) == "> 0, ≤ 0.5"
    assert allowed_words("", Numbers("en")) == ""


def test_the_language_comes_from_the_toggle_then_the_cookie_then_the_browser(tmp_path):
    with _client(tmp_path) as c:
        assert "Số đoàn kiểm định" in c.get("/", headers={"Accept-Language": "vi-VN,vi;q=0.9"}).text
        assert "Verification teams" in c.get("/", headers={"Accept-Language": "fr"}).text
        r = c.get("/?lang=vi")
        assert "Số đoàn kiểm định" in r.text and r.cookies.get("fuelseal_lang") == "vi"
        assert "Số đoàn kiểm định" in c.get("/").text  # the cookie remembers it
        assert "Verification teams" in c.get("/?lang=en").text


@pytest.mark.parametrize("key, text", [("campaign.teams", "0"), ("campaign.teams", "three"),
                                       ("campaign.start", "2017-02-30"), ("behaviour.undeclared_share.mean", "1.5")])
def test_an_invalid_value_is_shown_next_to_its_field_with_the_command_lines_message(client, key, text):
    with pytest.raises(ScenarioError) as cli:
        load_scenario(None, {key: __import__("simulator").scenario.parse_value(text)})
    r = client.post("/runs", data={"scenario": "builtin", "campaign.enabled": "true", key: text}, headers=LOCAL)
    assert r.status_code == 422 and 'id="not-started"' in r.text
    field_id = "f-" + key.replace(".", "-")
    error = re.search(rf'id="{field_id}-error">([^<]*)<', r.text)
    assert error, f"no message beside {key}"
    assert __import__("html").unescape(error.group(1)) == cli.value.detail
    assert f'value="{text}"' in r.text  # the form keeps what was typed
    assert all(j.form.get(key) != text for j in client.app.state.site.jobs.all())  # nothing was queued


@pytest.mark.parametrize("key, text, vietnamese", [
    ("campaign.teams", "0", "phải từ 1 trở lên (đã nhập 0)"),
    ("campaign.start", "2017-02-30", "cần một ngày có thật, viết theo dạng YYYY-MM-DD (đã nhập '2017-02-30')"),
    ("costs.per_seal", "3.000.000", "không có dấu phân cách hàng nghìn (đã nhập '3.000.000')"),
    ("behaviour.undeclared_share.mean", "1.5", "cần một tỷ lệ trong khoảng từ 0 đến 1")])
def test_the_commonest_messages_about_a_value_read_in_vietnamese(client, key, text, vietnamese):
    """The loader speaks English; the page says its commonest messages about a value in the planner's language
    (anything else as the command line prints it)."""
    r = client.post("/runs?lang=vi", data={"scenario": "builtin", "campaign.enabled": "true", key: text},
                    headers=LOCAL)
    error = re.search(rf'id="f-{key.replace(".", "-")}-error">([^<]*)<', r.text).group(1)
    assert r.status_code == 422 and vietnamese in __import__("html").unescape(error)


def test_a_run_larger_than_the_page_allows_is_refused_beside_its_field(tmp_path):
    with _client(tmp_path, max_replications=50) as c:
        r = c.post("/runs", data={"scenario": "builtin", "campaign.enabled": "true", "run.replications": "51"},
                   headers=LOCAL)
        assert r.status_code == 422 and "at most 50 replications" in r.text
        assert 'id="f-run-replications-error"' in r.text


# ---- a run: the same tables as the command line ---------------------------------------------

def test_a_run_from_the_page_gives_the_command_lines_tables_bit_for_bit(client, two_runs, tmp_path):
    _, job = two_runs
    assert job.state == "done", job.error
    out = tmp_path / "cli"
    assert main(["run", "--set", "campaign.teams=3", "--set", "run.replications=4", "--out", str(out),
                 "--no-charts", "--quiet", "--json"]) == 0
    for table in ("kpis", "monthly", "summary", "districts", "visits"):
        pd.testing.assert_frame_equal(pd.read_parquet(job.folder / f"{table}.parquet"),
                                      pd.read_parquet(out / f"{table}.parquet"))
    # the downloaded scenario file runs again to the same numbers: it is the run folder's resolved scenario
    assert (job.folder / "scenario.toml").read_bytes() == (out / "scenario.toml").read_bytes()


def test_the_status_follows_a_run_and_the_result_page_shows_headline_figures_and_charts(client, two_runs):
    first, second = two_runs
    s = client.get(f"/runs/{second.id}/status").json()
    assert s == {"run": second.id, "state": "done", "saved": 4, "replications": 4, "position": 0, "error": ""}
    page = client.get(f"/runs/{second.id}").text
    headline = re.search(r'id="headline">([^<]*)<', page).group(1)
    assert "with 3 teams" in headline and "with 3 teams" not in client.get(f"/runs/{first.id}").text
    assert 'id="figures"' in page and "Extra tax in the window" in page
    assert f"/runs/{second.id}/charts/campaign_progress.png" in page
    assert "fuelseal run --set campaign.teams=3 --set run.replications=4" in page  # how to reproduce it
    vi = client.get(f"/runs/{second.id}?lang=vi").text
    assert "3 đoàn" in re.search(r'id="headline">([^<]*)<', vi).group(1)


def test_the_comparison_pairs_this_run_with_the_earlier_ones(client, two_runs):
    first, second = two_runs
    page = client.get(f"/runs/{second.id}").text
    assert 'id="comparison"' in page and f"This run minus run {first.label}" in page
    assert 'id="comparison"' not in client.get(f"/runs/{first.id}").text  # nothing earlier to compare with
    from simulator.report.loading import load_run
    from simulator.results.compare import difference

    d = difference(load_run(first.folder), load_run(second.folder), "completion_days")
    assert d["paired"] and d["diff_mean"] < 0  # a third team finishes sooner, replication by replication
    settings = page.split('id="differs"')[1].split("</table>")[0]  # what the two runs were
    assert re.search(r"Verification teams</th><td>3</td><td>2</td>", settings), settings
    table = page.split('id="comparison"')[1]
    row = re.search(r"Start to last seal</th>(.*?)</tr>", table, re.S).group(1)
    assert "−" in row and "*" not in row  # a fall, paired (no asterisk)


def test_every_download_of_a_finished_run(client, two_runs):
    _, job = two_runs
    png = client.get(f"/runs/{job.id}/charts/monthly_tax.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    png = client.get(f"/runs/{job.id}/charts/monthly_tax.png?lang=en")  # as drawn by the run
    assert png.content == (job.folder / "charts" / "monthly_tax.png").read_bytes()
    other = client.get(f"/runs/{job.id}/charts/monthly_tax.png?lang=vi")  # drawn on request, once
    assert other.status_code == 200 and other.content[:4] == b"\x89PNG" and other.content != png.content
    csv = client.get(f"/runs/{job.id}/charts/monthly_tax.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    assert csv.text.splitlines()[0].startswith("month")
    pdf = client.get(f"/runs/{job.id}/report.pdf?lang=vi")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    from pypdf import PdfReader

    assert "kẹp chì" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    report = client.get(f"/runs/{job.id}/report.html?lang=en")
    assert report.status_code == 200 and "<html" in report.text and 'lang="en"' in report.text
    z = zipfile.ZipFile(io.BytesIO(client.get(f"/runs/{job.id}/run.zip").content))
    names = set(z.namelist())
    assert f"fuelseal-run-{job.id}/manifest.json" in names and f"fuelseal-run-{job.id}/kpis.parquet" in names
    assert not any(n.endswith(".fuelseal.lock") for n in names)
    toml = client.get(f"/runs/{job.id}/scenario.toml")
    assert toml.status_code == 200 and "teams = 3" in toml.text


def test_downloads_of_a_run_not_finished_or_unknown_are_4xx(client):
    assert client.get("/runs/0123456789ab/report.pdf").status_code == 404
    assert client.get("/runs/nothex/status").status_code == 404
    assert client.get("/runs/0123456789ab").status_code == 404


# ---- the queue -------------------------------------------------------------------------------

def test_a_second_run_waits_its_turn_and_either_can_be_cancelled(tmp_path):
    with _client(tmp_path, max_waiting=1) as c:
        long = start(c, **{"run.replications": "400"})
        waiting = start(c)
        s = c.get(f"/runs/{waiting}/status").json()
        assert s["state"] == "queued" and s["position"] == 1
        assert "Waiting its turn: 1 ahead" in c.get(f"/runs/{waiting}").text
        r = c.post("/runs", data={"scenario": "builtin", "campaign.enabled": "true"}, headers=LOCAL)
        assert r.status_code == 429 and "already waiting" in r.text  # bounded: not queued without end
        assert c.post(f"/runs/{waiting}/cancel", headers=LOCAL).status_code == 303
        assert c.get(f"/runs/{waiting}/status").json()["state"] == "cancelled"
        site = c.app.state.site
        job = site.jobs.get(long)
        while job.state == "queued" or job.saved() < 1:  # cancel once it has saved something
            assert not job.over, job.error
            site.jobs.wait(job, 0.2)
        c.post(f"/runs/{long}/cancel", headers=LOCAL)
        assert site.jobs.wait(job, 60) and job.state == "cancelled"
        saved = job.saved()
        assert 1 <= saved < 400  # the finished replications are kept: fuelseal run --resume finishes them
        assert "Cancelled" in c.get(f"/runs/{long}").text and 'id="resume-button"' in c.get(f"/runs/{long}").text
        assert c.get(f"/runs/{long}/report.pdf").status_code == 409
        assert c.post(f"/runs/{waiting}/resume", headers=LOCAL).status_code == 303  # never started: queued as asked
        assert c.get(f"/runs/{waiting}/status").json()["state"] in ("queued", "running")
        site.jobs.cancel(site.jobs.get(waiting))
        assert site.jobs.wait(site.jobs.get(waiting), 60)
        r = c.post(f"/runs/{long}/resume", headers=LOCAL)  # finish it in its own folder
        assert r.status_code == 303
        assert site.jobs.wait(job, 300) and job.state == "done", job.error
        assert c.get(f"/runs/{long}/status").json()["saved"] == 400 and 'id="headline"' in c.get(f"/runs/{long}").text
        assert c.post(f"/runs/{long}/resume", headers=LOCAL).status_code == 409  # only a cancelled run


def test_a_run_that_cannot_even_start_fails_alone_and_the_queue_goes_on(tmp_path):
    jobs = Jobs(max_waiting=3)
    broken = jobs.submit(Job("2" * 12, tmp_path / "z", ["fuelseal", "run", "--set", "a\x00b=1"], "builtin", {}, {},
                             1))
    after = jobs.submit(Job("3" * 12, tmp_path / "w", ["fuelseal", "run", str(tmp_path / "missing.toml")],
                            "builtin", {}, {}, 1, tidy=lambda m: m.replace(str(tmp_path), "<here>")))
    assert jobs.wait(broken, 60) and broken.state == "failed" and "could not start" in broken.error
    assert jobs.wait(after, 120) and after.state == "failed" and "<here>/missing.toml" in after.error
    jobs.close()


def test_the_queue_refuses_beyond_its_bound_and_reports_a_failed_run(tmp_path):
    jobs = Jobs(max_waiting=0)
    with pytest.raises(Busy):
        jobs.submit(Job("0" * 12, tmp_path / "x", ["fuelseal", "run"], "builtin", {}, {}, 1))
    jobs = Jobs(max_waiting=2)
    job = jobs.submit(Job("1" * 12, tmp_path / "y", ["fuelseal", "run", str(tmp_path / "missing.toml"), "--json"],
                          "builtin", {}, {}, 1))
    assert jobs.wait(job, 120) and job.state == "failed"
    assert "missing.toml" in job.error and "Traceback" not in job.error  # the command's own one line
    jobs.close()


# ---- uploads ---------------------------------------------------------------------------------

def _register_scenario() -> bytes:
    from conftest import BASE

    raw = {**BASE, "network": {"register": "stations.csv"}}
    return dumps_toml(raw).encode("utf-8")


REGISTER_CSV = "id,district,operator,pumps,litres_per_day\n" + "".join(
    f"S{i},{'AB'[i % 2]},,{1 + i % 3},{800 + 100 * i}\n" for i in range(8))


def test_an_uploaded_scenario_and_register_become_a_preset(tmp_path):
    with _client(tmp_path / "data") as c:
        files = {"scenario": ("my province.toml", _register_scenario(), "application/toml"),
                 "register": ("Stations (2024).csv", REGISTER_CSV.encode(), "text/csv")}
        r = c.post("/upload", files=files, headers=LOCAL)
        assert r.status_code == 303, r.text[:300]
        preset = r.headers["location"].split("scenario=")[1]
        page = c.get(f"/?scenario={preset}").text
        assert "Uploaded: my province.toml" in page
        run_id = start(c, scenario=preset, **{"run.replications": "2", "campaign.teams": "2"})
        job = finish(c, run_id)
        assert job.state == "done", job.error
        kpis = pd.read_parquet(job.folder / "kpis.parquet")
        assert kpis["stations"].iloc[0] == 8  # the register's stations
        # what the planner hands an analyst: the run folder's zip; its scenario.toml runs again to the same numbers
        zipfile.ZipFile(io.BytesIO(c.get(f"/runs/{run_id}/run.zip").content)).extractall(tmp_path / "zip")
        here = tmp_path / "zip" / f"fuelseal-run-{run_id}"
        assert main(["run", str(here / "scenario.toml"), "--out", str(tmp_path / "again"), "--no-charts",
                     "--quiet", "--json"]) == 0
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "again" / "kpis.parquet"), kpis)
        # a run of another scenario in the same sitting is listed by its scenario, and not subtracted from it
        other = finish(c, start(c, **{"run.replications": "2"}))
        page = c.get(f"/runs/{other.id}?lang=en").text
        assert 'id="comparison"' not in page and "· my province.toml" in page and "· Hà Nam 2017" in page


@pytest.mark.parametrize("name, content, message", [
    ("bad.toml", b"[scenario\nname = 1", "not valid TOML"),
    ("province.txt", b"x = 1", "expected a scenario file ending in .toml"),
    ("empty.toml", b"", "the scenario file is empty"),
    ("nodistricts.toml", b'[scenario]\nname = "x"\n', "scenario.start"),
    ("dotted.toml", builtin_path().read_bytes() + b'\n[instruments."a.b"]\nkind = "receipt_printer"\n'
     b"start = 2017-01-03\n", "is not a usable name"),
    ("nul.toml", builtin_path().read_bytes() + b'\n[instruments."a\\u0000b"]\nkind = "receipt_printer"\n'
     b"start = 2017-01-03\n", "is not a usable name"),
])
def test_an_invalid_upload_gets_the_loaders_one_line(tmp_path, name, content, message):
    with _client(tmp_path) as c:
        r = c.post("/upload", files={"scenario": (name, content, "application/toml")}, headers=LOCAL)
        assert r.status_code == 400 and message in r.text and "Traceback" not in r.text
        assert list((tmp_path / "uploads").iterdir()) == []  # nothing half-kept


def test_a_station_register_saved_from_excel_is_taken_too(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for line in REGISTER_CSV.splitlines():
        book.active.append([int(c) if c.isdigit() else (c or None) for c in line.split(",")])
    buf = io.BytesIO()
    book.save(buf)
    with _client(tmp_path / "data") as c:
        files = {"scenario": ("mine.toml", _register_scenario(), "application/toml"),
                 "register": ("Trạm xăng.XLSX", buf.getvalue(), "application/octet-stream")}
        r = c.post("/upload", files=files, headers=LOCAL)
        assert r.status_code == 303, r.text[-400:]
        upload_id = r.headers["location"].split("upload:")[1]
        assert (tmp_path / "data" / "uploads" / upload_id / "register.xlsx").is_file()


def test_a_register_with_a_formula_for_a_name_is_refused_and_the_message_shows_no_server_path(tmp_path):
    with _client(tmp_path / "data") as c:
        bad = REGISTER_CSV.replace("S3,B,", '"=HYPERLINK(""http://evil"")",B,')
        files = {"scenario": ("mine.toml", _register_scenario(), "application/toml"),
                 "register": ("stations.csv", bad.encode(), "text/csv")}
        r = c.post("/upload", files=files, headers=LOCAL)
        assert r.status_code == 400 and "spreadsheet formula" in r.text and "row 5" in r.text
        assert str(tmp_path) not in r.text and "register.csv" in r.text


def test_the_uploads_a_data_directory_keeps_are_bounded(tmp_path, monkeypatch):
    from simulator.web import workspace

    monkeypatch.setattr(workspace, "MAX_UPLOADS", 1)
    with _client(tmp_path) as c:
        upload = {"scenario": ("a.toml", builtin_path().read_bytes(), "application/toml")}
        assert c.post("/upload", files=upload, headers=LOCAL).status_code == 303
        r = c.post("/upload", files=upload, headers=LOCAL)
        assert r.status_code == 400 and "already keeps 1 uploads" in r.text


def test_uploads_over_the_limits_are_refused(tmp_path):
    with _client(tmp_path) as c:  # the scenario loader's own limit, 4 MiB
        big = b"# " + b"x" * (4 * 2**20) + b"\n"
        r = c.post("/upload", files={"scenario": ("big.toml", big, "application/toml")}, headers=LOCAL)
        assert r.status_code == 400 and "larger than 4 MiB" in r.text
    with _client(tmp_path / "small", max_body=2**20) as c:  # the whole request, before it is read
        r = c.post("/upload", files={"scenario": ("a.toml", b"x" * (2 * 2**20), "application/toml")}, headers=LOCAL)
        assert r.status_code == 413 and "larger than 1 MiB" in r.text


@pytest.mark.parametrize("name", ["../../outside.toml", "..\\..\\outside.toml", "/etc/cron.d/x.toml",
                                  "a\x00b.toml", "<script>alert(1)</script>.toml"])
def test_a_hostile_file_name_writes_nothing_outside_the_data_directory(tmp_path, name):
    data = tmp_path / "data"
    with _client(data) as c:
        r = c.post("/upload", files={"scenario": (name, builtin_path().read_bytes(), "application/toml")},
                   headers=LOCAL)
        assert r.status_code in (303, 400)
        if r.status_code == 303:
            page = c.get("/?" + r.headers["location"].split("?")[1]).text
            assert "<script>alert" not in page  # shown escaped, last path part only
    outside = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if data not in (p, *p.parents))
    assert outside == []
    for p in data.rglob("*"):
        assert p.name in {"runs", "uploads", "cache", "scenario.toml", "name.txt"} or re.fullmatch("[0-9a-f]{12}",
                                                                                                       p.name)


def test_a_scenario_may_not_reach_outside_its_upload_folder(tmp_path):
    (tmp_path / "secret.csv").write_text(REGISTER_CSV, encoding="utf-8")
    from conftest import BASE

    raw = {**BASE, "network": {"register": "../../../secret.csv"}}
    with _client(tmp_path / "data") as c:
        r = c.post("/upload", files={"scenario": ("x.toml", dumps_toml(raw).encode(), "application/toml")},
                   headers=LOCAL)
        assert r.status_code == 400 and "leaves the allowed folder" in r.text
        assert str(tmp_path) not in r.text  # the server's own folders are not shown


# ---- the guard -------------------------------------------------------------------------------

def test_another_host_name_is_refused_against_dns_rebinding(client):
    r = client.get("/", headers={"Host": "attacker.example"})
    assert r.status_code == 400 and "unknown host name" in r.text


def test_a_form_posted_from_another_site_is_refused(client):
    r = client.post("/runs", data={"scenario": "builtin"}, headers={"Origin": "http://attacker.example"})
    assert r.status_code == 403 and "another site" in r.text


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Referer": "http://attacker.example/x"},
                                     {"Origin": "null"}])
def test_a_cross_site_post_without_an_origin_is_refused_too(client, headers):
    r = client.post("/runs", data={"scenario": "builtin"}, headers=headers)
    assert r.status_code == 403 and "another site" in r.text


def test_the_token_cookie_is_read_whatever_other_cookies_the_host_holds(tmp_path):
    with TestClient(create_app(tmp_path, token="tok", hosts=None), follow_redirects=False) as c:
        for other in ('x=a b', 'x={"a":1}', 'x=a\\b'):
            r = c.get("/", headers={"Cookie": f"{other}; fuelseal_token=tok"})
            assert r.status_code == 200, other


def test_the_language_links_keep_the_page_and_stay_on_this_site(client):
    page = client.get("/?scenario=file:vietnam_national").text
    assert 'href="?scenario=file%3Avietnam_national&amp;lang=vi"' in page
    assert 'href="//' not in client.get("//evil.example/x").text


def test_a_symbolic_link_planted_in_the_cache_is_not_written_through(client, two_runs, tmp_path):
    _, job = two_runs
    site = client.app.state.site
    cache = site.workspace.root / "cache" / job.id
    if cache.exists():
        import shutil

        shutil.rmtree(cache)
    outside = tmp_path / "outside"
    outside.mkdir()
    cache.symlink_to(outside, target_is_directory=True)
    try:
        assert client.get(f"/runs/{job.id}/run.zip").status_code == 404
        assert client.get(f"/runs/{job.id}/report.html?lang=en").status_code == 404
        assert list(outside.iterdir()) == []
    finally:
        cache.unlink()


def test_with_a_token_every_request_must_carry_it(tmp_path):
    with TestClient(create_app(tmp_path, token="s3cret-token", hosts=None), follow_redirects=False) as c:
        assert c.get("/").status_code == 403
        assert c.get("/static/app.js").status_code == 403
        assert c.get("/?token=wrong").status_code == 403
        r = c.get("/?scenario=builtin&token=s3cret-token")
        assert r.status_code == 303 and "HttpOnly" in r.headers["set-cookie"]
        assert r.headers["location"] == "/?scenario=builtin"  # the token leaves the address bar
        assert c.get("/").status_code == 200  # the cookie now carries it
        c.cookies.clear()
        assert c.get("/", headers={"X-Fuelseal-Token": "s3cret-token"}).status_code == 200


def test_no_request_reads_outside_the_data_directory(client, two_runs):
    _, job = two_runs
    for path in (f"/runs/{job.id}/charts/..%2F..%2Fmanifest.png", f"/runs/{job.id}/charts/nochart.png",
                 f"/runs/{job.id}/report.txt", "/runs/..%2F..%2Fetc/status", "/static/..%2F..%2Fapp.py",
                 f"/runs/{job.id}/charts/team_schedule.csv/../../manifest.json"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Traceback" not in r.text
    # a symbolic link planted in a run folder is not followed
    csv = job.folder / "charts" / "district_breakdown.csv"
    csv.unlink()
    os.symlink("/etc/hostname", csv)
    assert client.get(f"/runs/{job.id}/charts/district_breakdown.csv").status_code == 404


@pytest.mark.parametrize("body, ctype", [(b"\xff\xfe garbage", "application/x-www-form-urlencoded"),
                                         (b"--x\r\nnot multipart", "multipart/form-data; boundary=x"),
                                         (b"{}", "application/json")])
def test_a_malformed_request_gets_a_4xx_never_a_traceback(client, body, ctype):
    for path in ("/runs", "/upload"):
        r = client.post(path, content=body, headers={**LOCAL, "Content-Type": ctype})
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:200])
        assert "Traceback" not in r.text


# ---- the command -----------------------------------------------------------------------------

def test_serve_refuses_a_busy_port_in_one_line(capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["serve", "--no-browser", "--port", str(port), "--data", "/nonexistent/never"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"cannot listen on 127.0.0.1:{port}" in err
    assert not Path("/nonexistent/never").exists()


def test_serve_without_the_web_extra_says_how_to_install_it(monkeypatch, capsys):
    import builtins

    real = builtins.__import__

    def no_starlette(name, *a, **k):
        if name.split(".")[0] == "starlette":
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_starlette)
    assert main(["serve", "--no-browser"]) == 2
    assert "pip install 'fuelseal[web]'" in capsys.readouterr().err
