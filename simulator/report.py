"""A report a provincial office can hand on: one HTML file or one PDF, built from a run folder.

The report says what was simulated (the scenario and its key assumptions), what came out
(the headline answer and the key figures with their 90% intervals, in plain words), shows
the charts of :mod:`simulator.charts` and lists every parameter of the scenario as run.
It is built from the run folder alone — the tables, ``summary``, ``manifest.json`` — so it
can be rebuilt at any time without running the model again.

``report.html`` is self-contained: the charts are PNG images inside the file (base64
``data:`` URIs), the style sheet is inline, and nothing is fetched from the network (no
fonts, scripts or links), so it can be mailed or opened offline. ``report.pdf`` is A4 and
drawn with matplotlib alone (``PdfPages``), with no external tools.

``fuelseal report RUN_DIR [--format html|pdf|both]`` is the command-line entry point (see
:func:`add_subcommand`).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import io
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from . import storage
from .errors import ScenarioError
from .files import MAX_MANIFEST_BYTES, FolderLock, read_json, write_atomic
from .formatting import KPI_DISPLAY, number, pct, ratio, vnd
from .quantities import Fixed, Quantity
from .results import Results
from .scenario import Scenario

FORMATS = ("html", "pdf")
NUMBER_STYLES = ("en", "vi")  # as simulator.charts.NUMBER_STYLES, without importing matplotlib for `--help`
PNG_DPI = 150  # sharp on screen and when printed half an A4 page wide
A4 = (8.27, 11.69)  # inches, portrait


# ---- what the report says ------------------------------------------------------------

@dataclass
class Content:
    """Everything a report shows, once, so HTML and PDF say the same thing."""

    title: str
    description: str
    run_line: str
    headline: str
    findings: list[str]
    figures: list[tuple[str, str, str]]  # label, mean, 90% interval — as in ``fuelseal run``'s table
    assumptions: list[tuple[str, str]]
    parameters: list[tuple[str, str]]
    parameters_note: str = ""
    charts: dict[str, bytes] = field(default_factory=dict)  # name → PNG
    chart_text: dict[str, str] = field(default_factory=dict)  # name → title and caption, for alt text
    footer: str = ""


def load_run(run_dir: str | os.PathLike, *, trust: bool = False) -> Results:
    """Read a complete run folder, or fail with one line saying what is wrong with it.

    Every file the manifest vouches for must match its SHA-256, so a report never
    states a figure that was edited after the run; ``trust=True`` reports such a
    folder anyway (and folders written by fuelseal 0.1, which have no checksums)."""
    folder = Path(run_dir)
    if folder.is_symlink() or not folder.is_dir():
        raise ScenarioError("not a run folder (no such folder)", source=str(folder))
    if trust:
        manifest = read_json(folder / "manifest.json", MAX_MANIFEST_BYTES, "run manifest")
        problem = storage._shape_problem(manifest)
        if problem:
            raise ScenarioError(f"manifest.json is damaged ({problem})", source=str(folder))
    else:
        manifest = storage.read_manifest(folder)
    if manifest.get("status") == "incomplete":
        raise ScenarioError(f"the run is not finished; finish it with: fuelseal run --resume {folder}",
                            source=str(folder))
    if not trust:
        problems = storage.check_files(folder, manifest, skip=("report.",), missing_ok=True)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise ScenarioError(f"{problems[0]}{more}; the report would not show what was run — check it with "
                                f"fuelseal verify, or add --trust to report it anyway", source=str(folder))
    missing = [f for f in ("manifest.json", "kpis.parquet", "monthly.parquet", "districts.parquet",
                           "visits.parquet") if not (folder / f).is_file()]
    if missing:
        raise ScenarioError(f"not a complete run folder (missing {', '.join(missing)}; write one with "
                            "fuelseal run --out)", source=str(folder))
    try:
        res = Results.load(folder, verify_manifest=not trust)
    except ScenarioError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ScenarioError(f"cannot read the run folder ({exc.__class__.__name__}: {exc})", source=str(folder)) \
            from None
    if not isinstance(res.manifest.get("resolved_scenario"), dict) or not len(res.kpis):
        raise ScenarioError("manifest.json has no resolved scenario or the run has no replications",
                            source=str(folder))
    return res


def _summary(res: Results, folder: Path) -> pd.DataFrame:
    """The summary table as written in the run folder, so the report repeats ``summary.csv`` exactly."""
    path = folder / "summary.parquet"
    if path.is_file():
        try:
            return pd.read_parquet(path).set_index("kpi")
        except (OSError, ValueError, KeyError):
            pass
    return res.summary()


def _scenario_view(res: Results) -> Any:
    """What :func:`simulator.summary.headline` needs of a scenario: the typed one (see
    :func:`settings_of`), else the campaign settings read from the manifest."""
    sc = settings_of(res)
    if sc is not None:
        return sc
    c = res.manifest["resolved_scenario"].get("campaign", {})
    return SimpleNamespace(campaign=SimpleNamespace(enabled=bool(c.get("enabled", True)), teams=int(c.get("teams", 1))))


def _get(raw: dict, dotted: str, default: Any = None) -> Any:
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def _interval(s: pd.DataFrame, key: str, fmt) -> str:
    """``mean (90%: p05–p95)`` with the same formatter as the summary table."""
    if key not in s.index:
        return "n/a"
    r = s.loc[key]
    if int(r.get("n", 2)) <= 1 or r["p05"] == r["p95"]:
        return fmt(r["mean"])
    return f"{fmt(r['mean'])} (90%: {fmt(r['p05'])}–{fmt(r['p95'])})"


def _headline(s: pd.DataFrame, res: Results) -> str:
    from .summary import headline  # the same sentence ``fuelseal run`` prints

    try:
        return headline(s, _scenario_view(res))
    except (KeyError, AttributeError, TypeError, ValueError):
        # a run folder from another version may lack a KPI the sentence uses: say less, never fail
        return f"Tax uplift against no campaign: {_interval(s, 'uplift', pct)}."


def _findings(s: pd.DataFrame, res: Results) -> list[str]:
    from . import charts

    enabled = bool(res.setting("campaign.enabled", True))
    n = res.replications
    out = []
    months = res.setting("run.evaluation_months", 12)
    w0 = pd.Timestamp(res.setting("campaign.start")).replace(day=1)
    spent = "cost" in s.index and s.loc["cost", "mean"] > 0
    if enabled and not spent:
        out.append("The teams do no work within the horizon (the campaign starts too late or has no working "
                   "days): no cost, no dispenser sealed and no extra tax.")
    elif enabled:
        out.append(f"Extra tax over the {months}-month evaluation window from {w0:%B %Y}: "
                   f"{_interval(s, 'extra_tax', vnd)}, for a campaign costing {_interval(s, 'cost', vnd)}; "
                   f"each VND spent brings {_interval(s, 'benefit_cost_ratio', ratio)} of extra tax.")
        month = charts.break_even(res)
        if month is not None:
            out.append(f"Counted month by month from the start of the campaign, the extra tax has paid for the "
                       f"campaign by the end of {month:%B %Y} (median across replications).")
        else:
            out.append("Counted month by month, the extra tax does not pay for the campaign within the horizon.")
        if "team_days" in s.index and "visits" in s.index:
            out.append(f"The teams work {_interval(s, 'team_days', number)} team-days for "
                       f"{_interval(s, 'visits', number)} station visits; "
                       f"{_interval(s, 'share_sealed', pct)} of dispensers are sealed by the end of the horizon.")
    ba = res.kpis["uplift_before_after"].to_numpy(float) if "uplift_before_after" in res.kpis else np.zeros(0)
    if np.isfinite(ba).any():
        parts = charts.uplift_parts(res.kpis)
        ok = np.isfinite(ba) & np.all([np.isfinite(p.to_numpy(float)) for p in parts.values()], axis=0)
        words = [f"{pct(float(p.to_numpy(float)[ok].mean()))} from "
                 f"{'the ' if label.startswith('Campaign') else ''}{label[0].lower() + label[1:]}"
                 for label, p in parts.items()]
        words = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]
        out.append(f"Against the same months before, tax rises by {_interval(s, 'uplift_before_after', pct)}: "
                   f"on average {words}. A before/after comparison counts demand growth and price changes too; "
                   f"only the uplift against no campaign is due to the campaign.")
    ref = res.manifest.get("reference_uplift")
    if ref is not None and "uplift_before_after" in s.index:
        source = res.setting("scenario.reference_source", "") or ""
        lo, hi = s.loc["uplift_before_after", "p05"], s.loc["uplift_before_after", "p95"]
        published = f"The published before/after figure, {pct(ref)}{' (' + source + ')' if source else ''},"
        if n > 1 and math.isfinite(lo) and math.isfinite(hi):
            out.append(f"{published} lies {'inside' if lo <= ref <= hi else 'outside'} the simulated 90% interval.")
        else:
            out.append(f"{published} compares with a simulated {pct(s.loc['uplift_before_after', 'mean'])}.")
    out.append(f"Figures are means across {n} replication{'s' if n != 1 else ''} (seed {res.seed})"
               + ("; ranges hold 90% of replications (5th to 95th percentile)." if n > 1 else "."))
    return out


def _figures(s: pd.DataFrame) -> list[tuple[str, str, str]]:
    rows = []
    for key, (label, fmt) in KPI_DISPLAY.items():
        if key in s.index:
            r = s.loc[key]
            rows.append((label, fmt(r["mean"]), f"{fmt(r['p05'])} – {fmt(r['p95'])}"))
    return rows


def _quantity(v: Any, fmt=None) -> str:
    """A scenario value in words: a number, or a distribution by its mean and spread."""
    fmt = fmt or (lambda x: f"{x:,.6g}")
    if isinstance(v, Quantity):
        v = v.model_dump()
    if isinstance(v, bool) or v is None:
        return str(v).lower()
    if isinstance(v, (int, float)):
        return fmt(v)
    if isinstance(v, dict) and "dist" in v:
        d = v["dist"]
        if "mean" in v:
            spread = f", sd {fmt(v['sd'])}" if "sd" in v else ""
            return f"mean {fmt(v['mean'])} ({d}{spread})"
        if {"low", "high"} <= set(v):
            mode = f", most often {fmt(v['mode'])}" if "mode" in v else ""
            return f"{fmt(v['low'])} to {fmt(v['high'])}{mode} ({d})"
        if "value" in v:
            return fmt(v["value"])
    return _flat_value(v)


def _clock(hours: Any) -> str:
    """7.5 → "07:30"."""
    try:
        minutes = round(float(hours) * 60)
    except (TypeError, ValueError):
        return str(hours)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _assumptions(sc: Scenario) -> list[tuple[str, str]]:
    """The assumptions a reader needs, stated from the resolved, typed scenario — the values the
    model used, defaults included — never from the raw file (which may leave keys out)."""
    c, n, d, m, e, k = sc.campaign, sc.network, sc.demand, sc.metrology, sc.enforcement, sc.costs
    rows: list[tuple[str, str]] = [("Horizon", f"{sc.scenario.start} to {sc.scenario.end}; evaluation window "
                                               f"{sc.run.evaluation_months} months from the campaign month")]
    if n.districts is not None:
        fixed = [q.value for q in n.districts.values() if isinstance(q, Fixed)]
        total = f", {number(sum(fixed))} stations" if len(fixed) == len(n.districts) else ""
        rows.append(("Network", f"{len(n.districts)} districts{total}; dispensers per station: "
                                f"{_quantity(n.pumps_per_station)}"))
    else:
        count = f" ({number(len(sc.register.ids))} stations)" if sc.register is not None else ""
        rows.append(("Network", f"station register {n.register_file}{count}"))
    if c.enabled:
        dorder = list(c.district_order)
        rows.append(("Campaign", f"starts {c.start} with {c.teams} team{'s' if c.teams != 1 else ''}; visiting order "
                                 f"{c.order}" + (f" ({' → '.join(dorder)})" if c.order == "route" and dorder else "")))
        rows.append(("Working time", f"{_quantity(c.work_hours_per_day)} hours a day from {_clock(c.day_start_hour)}, "
                                     f"{', '.join(c.working_weekdays)}; {len(c.holidays)} holidays"))
        rows.append(("Verifying one dispenser", f"{_quantity(c.minutes_per_pump)} minutes; travel "
                                                f"{_quantity(c.travel_hours)} hours per station"))
    else:
        rows.append(("Campaign", "disabled (no dispenser is sealed)"))
    rows.append(("Undeclared share before sealing", _quantity(sc.behaviour.undeclared_share, lambda x: pct(x, 1))))
    rows.append(("Undeclared share after sealing", _quantity(sc.behaviour.residual_share, lambda x: pct(x, 2))))
    rows.append(("Tax", f"{pct(sc.tax.rate, 2)} of declared sales value"
                        + (f" + {number(sc.tax.per_litre)} VND per declared litre" if sc.tax.per_litre else "")))
    prices = f"{number(d.price_per_litre)} VND/L" + (
        "; then " + ", ".join(f"{number(p.price)} from {p.date}" for p in d.price_path) if d.price_path else "")
    rows.append(("Retail price", prices))
    rows.append(("Sales per dispenser-day", f"{_quantity(d.litres_per_pump_day)} litres"))
    rows.append(("Demand growth", f"{_quantity(d.annual_growth, lambda x: pct(x, 1))} a year"))
    rows.append(("Dispenser accuracy", f"maximum permissible error ±{pct(m.mpe, 1)}; "
                                       f"{pct(m.short_delivery_share, 1)} of dispensers deliberately short-deliver by "
                                       f"{_quantity(m.short_delivery_error, lambda x: pct(x, 1))}"))
    rows.append(("Enforcement", f"{_quantity(e.audits_per_year)} audits per station a year, detection probability "
                                f"{pct(e.detection_probability, 0)}, fine {vnd(e.fine)}"))
    if c.enabled:
        rows.append(("Campaign costs", f"{vnd(k.per_team_day)} per team-day, {vnd(k.per_seal)} per seal, "
                                       f"{vnd(k.per_visit)} per visit, {vnd(k.fixed)} fixed"))
    return rows


def settings_of(res: Results) -> Scenario | None:
    """The typed scenario a run used (see ``Results.settings``)."""
    return res.settings


def _flat_value(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, dict):
        if "dist" in v:
            return f"{v['dist']}(" + ", ".join(f"{k}={_flat_value(x)}" for k, x in v.items() if k != "dist") + ")"
        return ", ".join(f"{k}={_flat_value(x)}" for k, x in v.items())
    if isinstance(v, list):
        return "; ".join(_flat_value(x) for x in v) if any(isinstance(x, dict) for x in v) else \
            ", ".join(_flat_value(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def flatten(raw: dict, prefix: str = "") -> list[tuple[str, str]]:
    """A scenario as dotted keys → values (``campaign.teams`` → ``2``); distributions stay on one line."""
    rows = []
    for k, v in raw.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and "dist" not in v and v and all(not isinstance(x, dict) for x in v.values()) \
                and prefix:
            rows.extend((f"{key}.{kk}", _flat_value(vv)) for kk, vv in v.items())
        elif isinstance(v, dict) and "dist" not in v:
            rows.extend(flatten(v, key + "."))
        else:
            rows.append((key, _flat_value(v)))
    return rows


def _parameters_note(res: Results) -> str:
    note = "The scenario as run, after any overrides; keys not listed take the tool's defaults."
    raw = res.manifest["resolved_scenario"]
    scen_n, scen_seed = _get(raw, "run.replications"), _get(raw, "run.seed")
    if (scen_n is not None and scen_n != res.replications) or (scen_seed is not None and scen_seed != res.seed):
        # the command line may override both; say which numbers this run used
        note += f" This run used {res.replications} replications and seed {res.seed}."
    return note


def _localise(text: str, style: str) -> str:
    """Swap thousands and decimal separators inside numbers for ``number_style="vi"`` (1,234.5 → 1.234,5)."""
    if style != "vi":
        return text
    return re.sub(r"\d[\d,]*\.\d+|\d{1,3}(?:,\d{3})+",
                  lambda m: m.group(0).replace(",", "\0").replace(".", ",").replace("\0", "."), text)


def content(res: Results, folder: Path, *, number_style: str = "en", with_charts: bool = True) -> Content:
    """Everything the report shows, from a loaded run."""
    from . import charts

    s = _summary(res, folder)
    m = res.manifest
    raw = m["resolved_scenario"]
    sc = settings_of(res)
    loc = lambda t: _localise(t, number_style)  # noqa: E731
    created = m.get("created", "")
    version = (m.get("versions") or {}).get("fuelseal", "")
    run_line = (f"{res.replications} replication{'s' if res.replications != 1 else ''}, seed {res.seed}; "
                f"run {created}; fuelseal {version}; scenario SHA-256 {str(m.get('scenario_sha256', ''))[:12]}…")
    pngs, text = {}, {}
    if with_charts:
        for name, fig in charts.all_charts(res, number_style=number_style).items():
            buf = io.BytesIO()
            with charts.house_style():
                fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": "fuelseal"})
            pngs[name] = buf.getvalue()
            text[name] = " ".join([fig.get_suptitle(), *(t.get_text() for t in fig.texts)]).strip()
    return Content(
        title=str(m.get("scenario") or _get(raw, "scenario.name", "fuelseal run")),
        description=str(res.setting("scenario.description", "") or ""),
        run_line=run_line,
        headline=loc(_headline(s, res)),
        findings=[loc(f) for f in _findings(s, res)],
        figures=[(a, loc(b), loc(c)) for a, b, c in _figures(s)],
        assumptions=[(a, loc(b)) for a, b in (_assumptions(sc) if sc is not None else [])],
        parameters=flatten(raw),
        parameters_note=_parameters_note(res),
        charts=pngs,
        chart_text=text,
        footer=(f"Built by fuelseal {version} from the run folder {folder.name} on "
                f"{dt.date.today():%Y-%m-%d}. Rebuild it with: fuelseal report {folder.name}"),
    )


# ---- HTML ------------------------------------------------------------------------------

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #d9d9d9; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 16px/1.5 "DejaVu Sans", "Segoe UI", "Noto Sans", Arial, sans-serif; }
main { max-width: 64rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2.25rem 0 .75rem; padding-bottom: .25rem; border-bottom: 2px solid var(--accent); }
.desc { margin: 0 0 .5rem; }
.meta, .note, footer { color: var(--muted); font-size: .875rem; }
.lead { font-size: 1.125rem; font-weight: 600; background: #f2f7fb; border-left: 4px solid var(--accent);
        padding: .75rem 1rem; margin: 0 0 1rem; }
ul.findings li { margin: .35rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .9375rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid var(--rule); }
th { background: #f5f5f5; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.params td:first-child { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .85rem;
                              white-space: nowrap; }
figure { margin: 1.5rem 0; break-inside: avoid; page-break-inside: avoid; }
figure img { width: 100%; height: auto; border: 1px solid var(--rule); }
footer { margin-top: 3rem; border-top: 1px solid var(--rule); padding-top: .75rem; }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; } }
"""


def _indent_attr(label: str) -> str:
    """Labels indented with spaces in the summary table ("  of which …") keep their indent."""
    spaces = len(label) - len(label.lstrip(" "))
    return f' style="padding-left: {0.6 + 0.6 * spaces:.1f}rem"' if spaces else ""


def render_html(c: Content) -> str:
    """The report as one self-contained HTML page."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="fuelseal">',
        f"<title>{e(c.title)} — fuelseal report</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{e(c.title)}</h1>",
        f'<p class="desc">{e(c.description)}</p>' if c.description else "",
        f'<p class="meta">{e(c.run_line)}</p>',
        "</header>",
        '<section id="summary">',
        "<h2>In short</h2>",
        f'<p class="lead">{e(c.headline)}</p>',
        '<ul class="findings">' + "".join(f"<li>{e(f)}</li>" for f in c.findings) + "</ul>",
        "</section>",
        '<section id="figures">',
        "<h2>Key figures</h2>",
        "<table><thead><tr><th>Figure</th><th>Mean</th><th>90% interval</th></tr></thead><tbody>",
        *(f'<tr><td{_indent_attr(a)}>{e(a.strip())}</td><td class="num">{e(b)}</td><td class="num">{e(cc)}</td></tr>'
          for a, b, cc in c.figures),
        "</tbody></table>",
        '<p class="note">Mean across replications; the 90% interval runs from the 5th to the 95th percentile. '
        "The same figures are in <code>summary.csv</code> in the run folder.</p>",
        "</section>",
        '<section id="assumptions">',
        "<h2>Key assumptions</h2>",
        "<table><tbody>",
        *(f"<tr><th scope=\"row\">{e(a)}</th><td>{e(b)}</td></tr>" for a, b in c.assumptions),
        "</tbody></table>",
        "</section>",
    ]
    if c.charts:
        parts += ['<section id="charts">', "<h2>Charts</h2>"]
        for name, png in c.charts.items():
            data = base64.b64encode(png).decode("ascii")
            parts.append(f'<figure id="chart-{e(name)}"><img alt="{e(c.chart_text.get(name, name))}" '
                         f'src="data:image/png;base64,{data}"></figure>')
        parts.append("</section>")
    parts += [
        '<section id="parameters">',
        "<h2>Scenario parameters</h2>",
        f'<p class="note">{e(c.parameters_note)}</p>',
        '<table class="params"><thead><tr><th>Key</th><th>Value</th></tr></thead><tbody>',
        *(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in c.parameters),
        "</tbody></table>",
        "</section>",
        f"<footer>{e(c.footer)}</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


# ---- PDF -------------------------------------------------------------------------------

class _Pages:
    """A small top-to-bottom text layout on A4 pages, drawn with matplotlib and written by PdfPages."""

    margin = 0.75  # inches
    font = 9.5  # points

    def __init__(self, pdf, footer: str):
        self.pdf, self.footer, self.fig, self.y, self.page = pdf, footer, None, 0.0, 0
        self._init_measure()

    @property
    def width(self) -> float:
        return A4[0] - 2 * self.margin

    def _init_measure(self) -> None:
        from matplotlib.backends.backend_agg import RendererAgg

        self._renderer = RendererAgg(10, 10, 72)  # 72 dpi: widths come out in points
        self._widths: dict[tuple[str, float, str], float] = {}

    def _width(self, text: str, size: float, weight: str) -> float:
        """Width in inches of ``text`` in the house font; words are measured once and cached."""
        key = (text, size, weight)
        if key not in self._widths:
            from matplotlib.font_manager import FontProperties

            from . import charts

            fp = FontProperties(family=charts.STYLE["font.family"], size=size, weight=weight)
            self._widths[key] = self._renderer.get_text_width_height_descent(text, fp, ismath=False)[0] / 72
        return self._widths[key]

    def _wrap(self, text: str, size: float, width_in: float, weight: str = "normal") -> list[str]:
        """Greedy word wrap measured with the real font, so bold and narrow text both fill the line
        (word widths summed: kerning across a space is negligible at this size)."""
        space = self._width("a a", size, weight) - 2 * self._width("a", size, weight)
        lines: list[str] = []
        for para in str(text).split("\n"):
            line, used = "", 0.0
            for word in para.split():
                w = self._width(word, size, weight)
                if line and used + space + w > width_in:
                    lines.append(line)
                    line, used = word, w
                else:
                    line, used = (f"{line} {word}", used + space + w) if line else (word, w)
            lines.append(line)
        return lines or [""]

    def _new_page(self) -> None:
        self.flush()
        from matplotlib.figure import Figure

        from . import charts

        with charts.house_style():
            self.fig = Figure(figsize=A4)
        self.page += 1
        self.fig.text(self.margin / A4[0], 0.4 / A4[1], self.footer, fontsize=7.5, color="#666666")
        self.fig.text(1 - self.margin / A4[0], 0.4 / A4[1], str(self.page), fontsize=7.5, color="#666666",
                      ha="right")
        self.y = self.margin

    def _room(self, inches: float) -> None:
        if self.fig is None or self.y + inches > A4[1] - self.margin - 0.2:
            self._new_page()

    def _text(self, x: float, text: str, size: float, **kw) -> None:
        self.fig.text((self.margin + x) / A4[0], 1 - self.y / A4[1], text, fontsize=size, va="top", **kw)

    def heading(self, text: str, size: float = 13) -> None:
        self._room(size / 72 * 4)
        self.y += size / 72 * 0.6
        self._text(0, text, size, fontweight="bold", color="#0b3d62")
        self.y += size / 72 * 1.7

    def paragraph(self, text: str, size: float | None = None, indent: float = 0.0, bullet: bool = False,
                  **kw) -> None:
        size = size or self.font
        lines = self._wrap(text, size, self.width - indent - (0.18 if bullet else 0), kw.get("fontweight", "normal"))
        step = size / 72 * 1.4
        for i, line in enumerate(lines):
            self._room(step)
            if bullet and i == 0:
                self._text(indent, "•", size)
            self._text(indent + (0.18 if bullet else 0), line, size, **kw)
            self.y += step
        self.y += step * 0.35

    def table(self, rows: list[tuple[str, ...]], widths: list[float], header: tuple[str, ...] | None = None,
              right: Iterable[int] = (), size: float = 8.5) -> None:
        right = set(right)
        step = size / 72 * 1.35
        total = sum(widths)
        cols = [w / total * self.width for w in widths]
        for r, row in enumerate(([header] if header else []) + rows):
            weight = "bold" if header is not None and r == 0 else "normal"
            cells = [self._wrap(str(v), size, w - 0.12, weight) for v, w in zip(row, cols, strict=True)]
            height = max(len(c) for c in cells) * step + 0.06
            self._room(height)
            x = 0.0
            bold = header is not None and r == 0
            for i, (lines, w, v) in enumerate(zip(cells, cols, row, strict=True)):
                indent = 0.09 * (len(str(v)) - len(str(v).lstrip(" ")))  # "  of which …" rows stay indented
                if i in right:
                    self._text(x + w - 0.05, "\n".join(lines), size, ha="right", linespacing=1.35,
                               fontweight="bold" if bold else "normal")
                else:
                    self._text(x + indent, "\n".join(lines), size, linespacing=1.35,
                               fontweight="bold" if bold else "normal")
                x += w
            self.y += height
            self.fig.add_artist(_rule(self.fig, self.margin, self.y - 0.03, self.width))

    def image(self, rgb: np.ndarray) -> None:
        """A chart (an RGB array), full text width, or narrower and centred if it is taller than a page."""
        aspect = rgb.shape[0] / rgb.shape[1]
        tallest = A4[1] - 2 * self.margin - 0.4
        w = min(self.width, tallest / aspect)
        h = w * aspect
        self._room(h + 0.1)
        left = self.margin + (self.width - w) / 2
        ax = self.fig.add_axes((left / A4[0], 1 - (self.y + h) / A4[1], w / A4[0], h / A4[1]))
        # "none": a vector backend embeds the picture as it is, at its own resolution, instead of resampling it
        ax.imshow(rgb, interpolation="none")
        ax.set_axis_off()
        self.y += h + 0.25

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None


def _rule(fig, x: float, y: float, width: float):
    from matplotlib.lines import Line2D

    return Line2D([x / A4[0], (x + width) / A4[0]], [1 - y / A4[1]] * 2, transform=fig.transFigure,
                  color="#DDDDDD", lw=0.6)


def render_pdf(c: Content, path: Path) -> None:
    """The report as an A4 PDF: summary, figures and assumptions, then the charts two per page, then parameters."""
    import matplotlib.image as mpimg
    from matplotlib.backends.backend_pdf import PdfPages

    from . import charts

    meta = {"Title": f"{c.title} — fuelseal report", "Author": "fuelseal", "Creator": "fuelseal",
            "CreationDate": None}
    with charts.house_style(), PdfPages(path, metadata=meta) as pdf:
        p = _Pages(pdf, c.footer)
        p._new_page()
        p.paragraph(c.title, size=17, fontweight="bold")
        if c.description:
            p.paragraph(c.description, size=10)
        p.paragraph(c.run_line, size=8, color="#555555")
        p.heading("In short")
        p.paragraph(c.headline, size=11, fontweight="bold")
        for f in c.findings:
            p.paragraph(f, bullet=True)
        p.heading("Key figures")
        p.table(c.figures, [3.4, 2.4, 4.5], header=("Figure", "Mean", "90% interval"), right=(1, 2))
        p.paragraph("Mean across replications; the 90% interval runs from the 5th to the 95th percentile "
                    "(the same figures as summary.csv in the run folder).", size=8, color="#555555")
        p.heading("Key assumptions")
        p.table(c.assumptions, [2.6, 7.4])
        if c.charts:
            p.heading("Charts")
            for png in c.charts.values():
                # RGB without the (opaque) alpha channel: PDF would store it as a second image
                p.image(mpimg.imread(io.BytesIO(png), format="png")[:, :, :3])
        p._new_page()
        p.heading("Scenario parameters")
        p.paragraph(c.parameters_note, size=8, color="#555555")
        p.table(c.parameters, [4.2, 5.8], header=("Key", "Value"), size=7.5)
        p.flush()


# ---- building --------------------------------------------------------------------------

def build_reports(run_dir: str | os.PathLike, formats: Iterable[str] = FORMATS, *,
                  number_style: str = "en", trust: bool = False) -> list[Path]:
    """Write ``report.html`` and/or ``report.pdf`` into the run folder; the charts are drawn once for both."""
    formats = tuple(dict.fromkeys(formats))
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ScenarioError(f"expected html, pdf or both, got {bad[0]!r}", key="--format")
    if number_style not in NUMBER_STYLES:
        raise ScenarioError(f"expected one of {', '.join(NUMBER_STYLES)}, got {number_style!r}",
                            key="number_style")
    folder = Path(run_dir)
    if folder.is_symlink() or not folder.is_dir():
        raise ScenarioError("not a run folder (no such folder)", source=str(folder))
    if not trust:  # before the lock, whose file must not appear in a folder that is not a run's
        storage.read_manifest(folder)
    elif not (folder / "manifest.json").is_file():
        raise ScenarioError("not a run folder (no manifest.json)", source=str(folder))
    with FolderLock(folder).acquire(exclusive=True, command="fuelseal report"):
        res = load_run(folder, trust=trust)
        c = content(res, folder, number_style=number_style)
        written = _write_reports(c, folder, formats)
        if not storage.is_legacy(res.manifest) and not storage.check_files(folder, res.manifest, skip=("report.",)):
            try:  # vouch for the new reports too, but never re-seal a manifest that failed its checks
                manifest = storage.read_manifest(folder)
                files = {**manifest.get("files", {}), **storage.checksums(folder, [p.name for p in written])}
                storage.write_manifest(folder, {**manifest, "files": files})
            except ScenarioError:
                pass
    return written


def _write_reports(c: Content, folder: Path, formats: tuple[str, ...]) -> list[Path]:
    written = []
    for fmt in formats:
        if fmt == "html":
            text = render_html(c)
            written.append(write_atomic(folder / "report.html", text.encode("utf-8")))
        else:
            written.append(write_atomic(folder / "report.pdf", lambda fh: render_pdf(c, fh)))
    return written


def build_report(run_dir: str | os.PathLike, fmt: str = "html", *, number_style: str = "en",
                 trust: bool = False) -> Path:
    """Write ``report.html`` (``fmt="html"``) or ``report.pdf`` (``fmt="pdf"``) into the run folder."""
    return build_reports(run_dir, (fmt,), number_style=number_style, trust=trust)[0]


# ---- command line ----------------------------------------------------------------------

def cmd_report(args: argparse.Namespace) -> int:
    formats = FORMATS if args.format == "both" else (args.format,)
    if args.safe is not None:
        root, here = Path(args.safe).resolve(), Path(args.run_dir).resolve()
        if root != here and root not in here.parents:
            raise ScenarioError(f"the run folder lies outside the allowed folder {root} (--safe)", source=args.run_dir)
    for path in build_reports(args.run_dir, formats, number_style=args.number_style, trust=args.trust):
        print(path)
    return 0


def add_subcommand(subparsers) -> argparse.ArgumentParser:
    """Register ``fuelseal report RUN_DIR [--format html|pdf|both] [--number-style en|vi]``."""
    p = subparsers.add_parser("report", help="build report.html and report.pdf from a run folder",
                              description="Build a self-contained report (HTML and/or PDF) from a run folder, "
                                          "without running the model again.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by fuelseal run")
    p.add_argument("--format", choices=("html", "pdf", "both"), default="both",
                   help="which report to write (default: both)")
    p.add_argument("--number-style", choices=NUMBER_STYLES, default="en",
                   help="numbers as 1,234.5 (en, default) or 1.234,5 (vi)")
    p.add_argument("--trust", action="store_true",
                   help="report a folder even if its files do not match the checksums in its manifest")
    p.add_argument("--safe", metavar="DIR", default=None, help="refuse a run folder outside DIR")
    p.set_defaults(func=cmd_report)
    return p

