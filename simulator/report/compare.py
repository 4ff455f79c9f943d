"""Several runs side by side, in one report: what option B changes against option A.

``fuelseal compare RUN_A RUN_B [RUN …] [--labels A,B,…] [--out DIR] [--lang vi|en] [--format html|pdf|both]``
(or ``fuelseal report RUN_A RUN_B --compare``) reads each run folder as the run report does
(:func:`simulator.report.loading.load_run`: complete, its files matching the manifest's checksums), puts
the runs' key figures in columns — money first, as the run report — and beside them the difference from
the first run with its 90% interval, as :func:`simulator.results.compare.compare` computes it: paired
replication by replication when the runs share their seed (common random numbers), else unpaired. It
lists what the runs' scenarios differ in ("What differs": every key of the resolved scenarios that is
not the same in all of them), overlays the runs on two charts (cumulative extra tax against cost, and the
share of dispensers sealed day by day) and says how to read it all.

The comparison folder (``--out``, default ``runs/compare-<time>``) holds ``compare.csv`` (the
:func:`~simulator.results.compare.compare` table), ``compare.json`` (which runs, their labels and the
language, so ``fuelseal report DIR`` rebuilds the report) and the report itself. fuelseal writes into a
folder only if it is new, empty or a comparison folder it wrote (nothing else in it), and never changes
the run folders it reads.

:func:`change_value` and :func:`change_range` write a difference as a reader reads it (a sign always, shares
in percentage points); the sweep report uses them too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from babel.lists import format_list

from ..commandline import add_arguments, add_compare_subcommand  # noqa: F401  (simulator.report.compare's, as before)
from ..errors import ScenarioError
from ..files import LOCK_NAME, FolderLock, read_json, remove_stale_tmp, write_atomic
from ..i18n import LANGS
from ..kpis import KPIS
from ..numbers import Numbers
from ..results import compare as comparing
from ..results import storage
from ..results.summary import in_groups, kpi_interval, kpi_range, kpi_value, shown
from ..results.tables import Results
from . import compose
from .document import Document, Figure, Paragraph, Row, Section, Table
from .kinds import FORMATS, check_options, register_kind, write_report
from .loading import load_run
from .parameters import format_value, label_of

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

COMPARE_JSON = "compare.json"
COMPARE_CSV = "compare.csv"
COMPARE_FORMAT = "fuelseal-compare/1"
COMPARE_FILES = {COMPARE_JSON, COMPARE_CSV, "report.html", "report.pdf", LOCK_NAME}
"""Everything a comparison folder holds: fuelseal writes only into a folder holding nothing else."""
SHARE_KINDS = ("share", "share_fine")


# ---- differences as a reader reads them -------------------------------------------------------
_SPLIT = re.compile(r"^([\d.,\u00a0\u202f]+)(.*)$")


def _is_share(name: str) -> bool:
    return name in KPIS and KPIS[name].kind in SHARE_KINDS


def change_magnitude(name: str, x: float, nf: Numbers) -> str:
    """``|x|`` as KPI ``name`` reads (money, days, counts as the summary writes them; every digit of an amount
    under a million kept), a share in percentage points ("1.4 pp")."""
    if _is_share(name):
        _ = nf.gettext
        digits = 2 if KPIS[name].kind == "share_fine" else 1
        return _("{value} pp").format(value=nf.number(100 * abs(x), digits))
    return kpi_value(name, abs(x), nf, trim=False)


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) and math.isfinite(x)


def change_value(name: str, x: float, nf: Numbers) -> str:
    """A difference in KPI ``name`` with its sign: "+1.2 billion VND", "−4 days", "+1.4 pp" (percentage points
    for a share); no sign when it reads as nothing ("0 VND")."""
    if not _finite(x):
        return "n/a"
    text, zero = change_magnitude(name, float(x), nf), change_magnitude(name, 0.0, nf)
    if text == zero:
        return zero
    return ("+" if x > 0 else "−") + text


def _split(text: str) -> tuple[str, str]:
    """"+30.2 million VND" → ("30.2", " million VND"): the number without its sign, and its unit."""
    m = _SPLIT.match(text.lstrip("+−"))
    return (m.group(1), m.group(2)) if m else (text.lstrip("+−"), "")


def _same_scale(name: str, low: float, high: float, nf: Numbers) -> tuple[str, str, str] | None:
    """Both ends of a range of money in the unit and with the decimals of the larger one ("37.0", "40.6",
    " million VND"), all-zero decimals dropped from both; None for other kinds or below a million."""
    if name not in KPIS or KPIS[name].kind != "money":
        return None
    top = max(abs(low), abs(high))
    div = 1e9 if top >= 1e9 else 1e6 if top >= 1e6 else None
    if div is None:
        return None
    unit = _split(nf.vnd(top))[1]
    digits = max(0, 2 - math.floor(math.log10(top / div)))
    a, b = nf.number(abs(low) / div, digits), nf.number(abs(high) / div, digits)
    if digits and a.endswith("0" * digits) and b.endswith("0" * digits):
        a, b = nf.number(abs(low) / div, 0), nf.number(abs(high) / div, 0)
    return a, b, unit


def change_range(name: str, low: float, high: float, nf: Numbers) -> str:
    """The interval of a difference, the unit said once: "+37.0–40.6 million VND" when both ends are above
    zero, else "−16 to −15 days", "−1 to +2 months"; both ends whole when their units differ ("−200 million
    VND to +1.2 billion VND"); one value when both ends read the same."""
    if not (_finite(low) and _finite(high)):
        return "n/a"
    a, b = change_value(name, low, nf), change_value(name, high, nf)
    if a == b:
        return a
    _ = nf.gettext
    same_sign = (a.startswith("+") and b.startswith("+")) or (a.startswith("−") and b.startswith("−"))
    (na, unit_a), (nb, unit_b) = _split(a), _split(b)
    scaled = _same_scale(name, low, high, nf) if same_sign else None
    if scaled is not None:
        na, nb, unit_a = scaled
        unit_b = unit_a
    if unit_a != unit_b:
        return _("{low} to {high}").format(low=a, high=b)
    if same_sign and a.startswith("+"):
        return f"+{na}–{nb}{unit_b}"
    sign_a, sign_b = (t[0] if t[0] in "+−" else "" for t in (a, b))  # "−1 to 0 months", "−16 to −15 days"
    return _("{low} to {high}").format(low=f"{sign_a}{na}", high=f"{sign_b}{nb}{unit_b}")


def change_interval(name: str, mean: float, low: float, high: float, nf: Numbers) -> str:
    """"+1.2 billion VND (90%: +1.0–1.4 billion VND)": a difference and its 90% interval (the value alone when
    the interval reads as one value or is missing)."""
    value, span = change_value(name, mean, nf), change_range(name, low, high, nf)
    if span in ("n/a", value):
        return value
    return nf.gettext("{value} (90%: {range})").format(value=value, range=span)


# ---- reading the runs ----------------------------------------------------------------------------
def load_runs(run_dirs: Sequence[str | os.PathLike], *, trust: bool = False) -> list[Results]:
    """Each run folder read as the run report reads it (:func:`load_run`), under a shared lock so that no run
    is replaced while it is read; nothing is written into them."""
    runs = []
    for d in run_dirs:
        folder = Path(d)
        if folder.is_symlink() or not folder.is_dir():
            raise ScenarioError("not a run folder (no such folder)", source=str(folder))
        if not trust:
            storage.read_manifest(folder)  # before the lock: its file must not appear in a folder not a run's
        elif not (folder / "manifest.json").is_file():
            raise ScenarioError("not a run folder (no manifest.json)", source=str(folder))
        with FolderLock(folder).acquire(exclusive=False, command="fuelseal compare"):
            runs.append(load_run(folder, trust=trust))
    return runs


def default_labels(run_dirs: Sequence[str | os.PathLike]) -> list[str]:
    """The runs' folder names (made unique by :func:`simulator.results.compare.compare`)."""
    return [Path(d).resolve().name for d in run_dirs]


def parse_labels(text: str | None, n: int) -> list[str] | None:
    """``--labels "A,B"`` → ``["A", "B"]``; one label per run, none empty."""
    if text is None:
        return None
    labels = [x.strip() for x in text.split(",")]
    if len(labels) != n or not all(labels):
        raise ScenarioError(f"expected {n} labels separated by commas, one per run folder, got {text!r}",
                            source="--labels")
    return labels


def compared_kpis(runs: Sequence[Results]) -> list[tuple[str, list[str]]]:
    """The key figures the comparison shows, money first, in the run report's groups (English titles): those
    a run's summary shows (:func:`simulator.results.summary.shown`) that every run has."""
    summaries = [r.summary() for r in runs]
    wanted = set().union(*(shown(s) for s in summaries))
    return in_groups([k for k in KPIS if k in wanted and all(k in r.kpis.columns for r in runs)])


# ---- what differs --------------------------------------------------------------------------------
def _leaves(node: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A resolved scenario as (dotted key, value): down to the keys the parameter labels know, distributions,
    lists and price paths whole."""
    if isinstance(node, dict) and "dist" not in node and not (prefix and label_of(prefix) is not None):
        out = []
        for k, v in node.items():
            out.extend(_leaves(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return [(prefix, node)]


def _same(values: list[Any]) -> bool:
    texts = {json.dumps(v, sort_keys=True, default=str) for v in values}
    return len(texts) == 1


def what_differs(runs: Sequence[Results], lang: str = "en") -> list[tuple[str, list[str], str]]:
    """Every key of the runs' resolved scenarios whose value is not the same in all of them, as (plain label,
    one value per run as the reader reads it, dotted key), in the scenarios' order; then the seed and the
    replications as run, when they differ. A key a run does not have reads "—"."""
    nf = Numbers(lang)
    _ = nf.gettext
    trees = [dict(_leaves(r.manifest.get("resolved_scenario") or {})) for r in runs]
    keys = list(dict.fromkeys(k for t in trees for k in t))
    rows = []
    for key in keys:
        values = [t.get(key) for t in trees]
        if _same(values):
            continue
        known = label_of(key)
        if known is None:
            label, cells = key, ["—" if v is None else format_value("text", v, nf) if not isinstance(v, (dict, list))
                                 else json.dumps(v, ensure_ascii=False, default=str) for v in values]
        else:
            text, kind, name = known
            label = _(text).format(name=name)
            cells = [format_value(kind, v, nf) for v in values]
        rows.append((label, cells, key))
    for key, label, values in (("run.seed", _("Seed (as run)"), [r.seed for r in runs]),
                               ("run.replications", _("Replications (as run)"), [r.replications for r in runs])):
        if not _same(values) and not any(k == key for _l, _c, k in rows):
            rows.append((label, [nf.plain(v, 20) if key == "run.replications" else str(v) for v in values], key))
    return rows


# ---- charts --------------------------------------------------------------------------------------
def _frame(fig: MplFigure, title: str, caption: str, lang: str) -> MplFigure:
    """Title above, a caption below starting "Read:" (as every run chart), measured in DejaVu Sans."""
    from matplotlib.font_manager import FontProperties

    from ..charts.figure import _wrap as wrap_measured

    _ = Numbers(lang).gettext
    from ..charts.style import font as sized

    fig.suptitle(title, x=0.012, ha="left", fontsize=sized(14), fontweight="bold", wrap=True)
    width_in, height_in = fig.get_size_inches()
    pt = sized(10)
    font = FontProperties(family="DejaVu Sans", size=pt, style="italic")
    lines = wrap_measured(_("Read:") + " " + caption, 0.97 * width_in * 72, font)
    fig.text(0.012, 0.012, "\n".join(lines), ha="left", va="bottom", fontproperties=font, color="#444444")
    bottom = (len(lines) * pt * 1.3 + pt) / 72 / height_in
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    return fig


def _money_scale(values: np.ndarray, nf: Numbers) -> tuple[float, str]:
    _ = nf.gettext
    a = np.asarray(values, dtype=float)
    top = float(np.nanmax(np.abs(a))) if a.size and np.isfinite(a).any() else 0.0
    if top >= 1e9:
        return 1e9, _("billion VND")
    if top >= 1e6:
        return 1e6, _("million VND")
    return 1.0, _("VND")


def _no_data(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=12, color="#333333",
            bbox=dict(boxstyle="round,pad=0.6", facecolor="#F7F7F7", edgecolor="#CCCCCC"))
    ax.set_xticks([])
    ax.set_yticks([])


def money_chart(runs: Sequence[Results], labels: Sequence[str], lang: str = "en", size: str = "screen") -> MplFigure:
    """Each run's cumulative extra tax (solid) and campaign cost (dashed) by month from its campaign month —
    the means of :func:`simulator.charts.cost_benefit_data` — one colour per run, on one chart."""
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.lines import Line2D

    from ..charts import cost_benefit_data, house_style
    from ..charts.numbers import DateTickFormatter, NumberFormatter, month_interval
    from ..charts.style import CATEGORICAL, TRUE, WIDE, check_size

    nf = Numbers(lang)
    _ = nf.gettext
    tables = [cost_benefit_data(r) for r in runs]
    values = np.concatenate([t[["cumulative_cost_vnd_mean", "cumulative_extra_tax_vnd_mean"]].to_numpy(float).ravel()
                             for t in tables] + [np.zeros(1)])
    div, unit = _money_scale(values, nf)
    with house_style(size=size):
        fig = MplFigure(figsize=check_size(size).figsize(WIDE), layout="constrained")
        ax = fig.subplots()
        handles, months = [], []
        for i, (t, label) in enumerate(zip(tables, labels, strict=True)):
            colour = CATEGORICAL[i % len(CATEGORICAL)]
            if not len(t):
                handles.append(Line2D([], [], color=colour, lw=2.5, label=_("{run} (no campaign)").format(run=label)))
                continue
            m = pd.DatetimeIndex(t["month"])
            months.extend(m)
            x = mdates.date2num((m + pd.Timedelta(days=14)).to_pydatetime())
            ax.plot(x, t["cumulative_extra_tax_vnd_mean"].to_numpy(float) / div, color=colour, lw=2.2, marker="o",
                    ms=4)
            ax.plot(x, t["cumulative_cost_vnd_mean"].to_numpy(float) / div, color=colour, lw=1.8, ls="--",
                    marker="s", ms=3.5)
            handles.append(Line2D([], [], color=colour, lw=2.5, label=label))
        handles += [Line2D([], [], color=TRUE, lw=2.2, marker="o", ms=4, label=_("extra tax, cumulative")),
                    Line2D([], [], color=TRUE, lw=1.8, ls="--", marker="s", ms=3.5,
                           label=_("campaign cost, cumulative"))]
        title = _("Extra tax and campaign cost, cumulative: the runs side by side")
        if not months:
            _no_data(ax, _("No run has a campaign: no cost and no extra tax"))
        else:
            lo, hi = min(months), max(months)
            n_months = 12 * (hi.year - lo.year) + hi.month - lo.month + 1
            ax.xaxis.set_major_locator(mdates.MonthLocator(interval=month_interval(n_months), bymonthday=1))
            ax.xaxis.set_major_formatter(DateTickFormatter(lang, "month"))
            ax.set_xlabel(_("Month"))
            ax.yaxis.set_major_formatter(NumberFormatter(lang, 1.0))  # the data are already divided
            ax.set_ylabel(_("Cumulative amount ({unit})").format(unit=unit))
            ax.axhline(0, color="#999999", lw=0.8, zorder=1)
            ax.legend(handles=handles, loc="upper left", ncols=2 if len(handles) > 4 else 1)
        cap = _("each run has its colour; the solid line is its extra tax (with − without the campaign), the "
                "dashed line its campaign cost, both added up month by month from the run's campaign month (means "
                "across its replications). Where a run's solid line is above its dashed line, that run has paid "
                "for itself.")
        return _frame(fig, title, cap, lang)


def progress_chart(runs: Sequence[Results], labels: Sequence[str], lang: str = "en",
                   size: str = "screen") -> MplFigure:
    """Each run's share of dispensers sealed by the end of each day (median across its replications, and the
    band holding 90% of them) — :func:`simulator.charts.campaign_progress_data` — one colour per run."""
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.lines import Line2D

    from ..charts import campaign_progress_data, house_style
    from ..charts.numbers import DateTickFormatter, NumberFormatter
    from ..charts.style import BAND, CATEGORICAL, WIDE, check_size

    nf = Numbers(lang)
    _ = nf.gettext
    tables = [campaign_progress_data(r) for r in runs]
    with house_style(size=size):
        fig = MplFigure(figsize=check_size(size).figsize(WIDE), layout="constrained")
        ax = fig.subplots()
        handles, drawn = [], False
        for i, (t, label, run) in enumerate(zip(tables, labels, runs, strict=True)):
            colour = CATEGORICAL[i % len(CATEGORICAL)]
            if not len(t):
                handles.append(Line2D([], [], color=colour, lw=2.5, label=_("{run} (no campaign)").format(run=label)))
                continue
            x = mdates.date2num(pd.DatetimeIndex(t["date"]).to_pydatetime())
            if run.replications > 1:
                ax.fill_between(x, t["share_sealed_pct_p05"].to_numpy(float), t["share_sealed_pct_p95"].to_numpy(float),
                                step="post", color=colour, alpha=BAND, linewidth=0)
            ax.step(x, t["share_sealed_pct_p50"].to_numpy(float), where="post", color=colour, lw=2.2)
            handles.append(Line2D([], [], color=colour, lw=2.5, label=label))
            drawn = True
        title = _("Dispensers sealed, day by day: the runs side by side")
        if not drawn:
            _no_data(ax, _("No run has a campaign: no dispenser is sealed"))
        else:
            loc = mdates.AutoDateLocator(minticks=4, maxticks=9)
            ax.xaxis.set_major_locator(loc)
            ax.xaxis.set_major_formatter(DateTickFormatter(lang, "day"))
            ax.set_xlabel(_("Date"))
            ax.set_ylim(0, 104)
            ax.yaxis.set_major_formatter(NumberFormatter(lang, 1.0, "%"))
            ax.set_ylabel(_("Dispensers sealed (%)"))
            ax.legend(handles=handles, loc="lower right")
        cap = _("each run has its colour; the line is the median share of dispensers sealed by the end of each day, "
                "the band holds 90% of the run's replications. Flat stretches are weekends and holidays.")
        return _frame(fig, title, cap, lang)


def alt_text(fig: MplFigure) -> str:
    """What a chart says, for screen readers: its title and its other texts (the caption), each once, on one line."""
    return " ".join(" ".join(dict.fromkeys([fig.get_suptitle(), *(t.get_text() for t in fig.texts)])).split())


def _png(fig: MplFigure, size: str = "screen") -> bytes:
    from ..charts import house_style

    buf = io.BytesIO()
    with house_style(size=size):
        fig.savefig(buf, format="png", dpi=compose.PNG_DPI, metadata={"Software": "fuelseal"})
    return buf.getvalue()


# ---- the document --------------------------------------------------------------------------------
def _pairing(a: Results, b: Results, label: str, first: str, nf: Numbers) -> str:
    _ = nf.gettext
    if comparing.paired(a, b):
        common = np.intersect1d(a.kpis["replication"], b.kpis["replication"]).size
        return _("{run} − {first}: paired on common random numbers (seed {seed}; replications in common: {n}), "
                 "so the difference is taken replication by replication.").format(run=label, first=first, seed=a.seed,
                                                                              n=nf.number(common))
    return _("{run} − {first}: unpaired: different seeds ({seed_a} and {seed_b}); the difference is that of the "
             "means, its interval a normal approximation from the two runs' spreads.").format(
        run=label, first=first, seed_a=a.seed, seed_b=b.seed)


def _cell(table: pd.DataFrame, run: int, kpi: str) -> pd.Series:
    return table[(table["run"] == run) & (table["kpi"] == kpi)].iloc[0]


def _days_sentence(r: pd.Series, run: str, first: str, nf: Numbers) -> str:
    """How much sooner or later ``run`` seals its last dispenser than ``first``, with the 90% interval."""
    _ = nf.gettext
    d, lo, hi = (float(r[c]) for c in ("diff_mean", "diff_p05", "diff_p95"))
    if not _finite(d):
        return ""
    days = kpi_value("completion_days", abs(d), nf)
    if days == kpi_value("completion_days", 0.0, nf):
        return _("{run} seals its last dispenser on the same day of the campaign as {first}.").format(
            run=run, first=first)
    same_side = _finite(lo) and _finite(hi) and (lo * d > 0 and hi * d > 0)
    span = kpi_range("completion_days", *sorted((abs(lo), abs(hi))), nf) if same_side else \
        change_range("completion_days", lo, hi, nf)
    if span in (days, "n/a"):
        text = _("{run} seals its last dispenser {days} sooner than {first}.") if d < 0 else \
            _("{run} seals its last dispenser {days} later than {first}.")
    else:
        text = _("{run} seals its last dispenser {days} sooner than {first} (90%: {range}).") if d < 0 else \
            _("{run} seals its last dispenser {days} later than {first} (90%: {range}).")
    return text.format(run=run, first=first, days=days, range=span)


def _lead(runs: Sequence[Results], labels: list[str], table: pd.DataFrame, nf: Numbers) -> str:
    """Money first: each run's net gain, then what each run changes against the first."""
    _ = nf.gettext
    have = set(table["kpi"])
    parts = []
    if "net_benefit" in have:
        values = [_("{run}: {value}").format(run=label, value=kpi_interval(r.summary(), "net_benefit", nf))
                  for label, r in zip(labels, runs, strict=True)]
        parts.append(_("Net gain, extra tax minus campaign cost — {values}.").format(values="; ".join(values)))
    for i in range(1, len(runs)):
        words = {}
        for k in ("net_benefit", "extra_tax", "cost"):
            if k in have:
                r = _cell(table, i, k)
                words[k] = change_interval(k, r["diff_mean"], r["diff_p05"], r["diff_p95"], nf)
        if {"extra_tax", "cost"} <= set(words):
            text = _("Against {first}, {run} changes the net gain by {net}: the extra tax by {extra} and the campaign "
                     "cost by {cost}.") if "net_benefit" in words else \
                _("Against {first}, {run} changes the extra tax by {extra} and the campaign cost by {cost}.")
            parts.append(text.format(first=labels[0], run=labels[i], net=words.get("net_benefit", ""),
                                     extra=words["extra_tax"], cost=words["cost"]))
        if "completion_days" in have:
            parts.append(_days_sentence(_cell(table, i, "completion_days"), labels[i], labels[0], nf))
    if len(runs) > 1 and all(comparing.paired(runs[0], r) for r in runs[1:]):
        parts.append(_("The differences are paired on common random numbers: they are what the runs' settings do, "
                       "not chance."))
    return " ".join(p for p in parts if p)


def _scenario_name(res: Results, lang: str) -> str:
    """A run's scenario name in ``lang`` (its ``[scenario.vi]`` name in Vietnamese, when it has one)."""
    info = getattr(res.settings, "scenario", None) if res.settings is not None else None
    said = getattr(info, "said", None)
    if callable(said):
        return str(said("name", lang))
    return str(res.manifest.get("scenario") or "")


def comparison_document(runs: Sequence[Results], folders: Sequence[str | os.PathLike],
                        labels: Sequence[str] | None = None, *, lang: str | None = None,
                        number_style: str | None = None, out: str | os.PathLike | None = None,
                        table: pd.DataFrame | None = None, with_charts: bool = True) -> Document:
    """The comparison report of ``runs`` (read from ``folders``) as a document, in ``lang`` (``number_style`` is
    its older name; default: the first run's ``run.lang``). ``labels`` name the runs (default: their folder
    names); ``table`` is their :func:`~simulator.results.compare.compare` table (computed when not given);
    ``out`` the comparison folder, named in the colophon."""
    runs, folders = list(runs), [Path(f) for f in folders]
    if len(runs) < 2:
        raise ScenarioError("expected at least two run folders to compare", source="compare")
    lang = compose.report_lang(runs[0], lang, number_style)
    nf = Numbers(lang)
    _ = nf.gettext
    groups = compared_kpis(runs)
    if table is None:
        table = comparing.compare(runs, list(labels or default_labels(folders)), [k for _t, ks in groups for k in ks])
    labels = list(table.drop_duplicates("run").sort_values("run")["label"])
    first = labels[0]
    summaries = [r.summary() for r in runs]
    # the key figures side by side, and the difference of each run from the first
    header = (_("Figure"), *labels, *(_("{run} − {first}").format(run=label, first=first) for label in labels[1:]))
    rows: list[Row] = []
    for title, keys in groups:
        rows.append(Row((_(title),), group=True))
        for k in keys:
            cells = [kpi_interval(s, k, nf) for s in summaries]
            for i in range(1, len(runs)):
                r = _cell(table, i, k)
                cells.append(change_interval(k, r["diff_mean"], r["diff_p05"], r["diff_p95"], nf))
            label = nf.label(k)
            rows.append(Row((label.strip(), *cells), indent=(len(label) - len(label.lstrip(" "))) // 2,
                            strong=k in compose.MONEY))
    n_cols = len(header)
    notes = [_("Each run: its mean across its replications and, in brackets, the interval holding 90% of them. "
               "Differences in shares are in percentage points (pp).")]
    notes += [_pairing(runs[0], runs[i], labels[i], first, nf) for i in range(1, len(runs))]
    key_table = Table(header=header, rows=rows, numeric=tuple(range(1, n_cols)), keep=True,
                      widths=(3.2, *([2.6] * (n_cols - 1))), caption=" ".join(notes))
    # which runs, and what their scenarios differ in
    run_rows = [Row((label, _scenario_name(r, lang), nf.number(r.replications), str(r.seed),
                     str(folder))) for label, r, folder in zip(labels, runs, folders, strict=True)]
    runs_table = Table(header=(_("Run"), _("Scenario"), _("Replications"), _("Seed"), _("Folder")), rows=run_rows,
                       numeric=(2, 3), small=(4,), widths=(2.0, 2.8, 2.0, 2.4, 2.8))
    differs = what_differs(runs, lang)
    if differs:
        differ_blocks = [Paragraph(_("Every setting of the runs' scenarios that is not the same in all of them; "
                                     "everything else is the same. The comparison cannot tell which of these "
                                     "differences causes a change in the figures: compare runs that differ in "
                                     "the settings you study only.")),
                         Table(header=(_("Scenario setting"), *labels, _("Key")),
                               rows=[Row((label, *cells, key)) for label, cells, key in differs],
                               small=(len(labels) + 1,), widths=(3.4, *([2.8] * len(labels)), 2.8))]
    else:
        differ_blocks = [Paragraph(_("The runs' scenarios are the same in every setting, seed and number of "
                                     "replications included."))]
    sections = [
        Section("key-figures", _("Key figures side by side"), [key_table]),
        Section("runs", _("Runs compared"), [runs_table]),
        Section("what-differs", _("What differs"), differ_blocks),
    ]
    if with_charts:
        figs = {"money": money_chart(runs, labels, lang, size="print"),
                "progress": progress_chart(runs, labels, lang, size="print")}
        sections.append(Section("charts", _("Charts"), new_page=True, blocks=[
            Figure(png=_png(fig, "print"), title=fig.get_suptitle().strip(), id=f"chart-{name}", show_title=False,
                   alt=alt_text(fig), width_mm=float(fig.get_figwidth()) * 25.4)
            for name, fig in figs.items()]))
    sections.append(Section("method", _("How to read the comparison"), [Paragraph(p) for p in (
        _("Each run is read from its folder and checked against the checksums of its manifest. Its figures are "
          "means across its replications; a 90% interval runs from the 5th to the 95th percentile of them."),
        _("When two runs share their seed, replication by replication they drew the same stations, sales, "
          "behaviour and prices (common random numbers), so the difference is taken replication by replication: "
          "its 90% interval is that of the paired differences, far narrower than the runs' own intervals, which "
          "mostly hold what both runs share. Runs with different seeds are compared unpaired: the difference of "
          "their means, with an interval from the two runs' spreads (a normal approximation)."),
        _("The numbers of this table are in compare.csv in the comparison folder (one row per run and figure)."),
    )]))
    version = (runs[0].manifest.get("versions") or {}).get("fuelseal", "")
    title = _("Comparing runs: {runs}").format(runs=format_list(labels, locale=lang))
    names = list(dict.fromkeys(_scenario_name(r, lang) for r in runs))
    rebuild = f"fuelseal report {out}" if out is not None else "fuelseal compare " + " ".join(str(f) for f in folders)
    return Document(
        title=title, lang=lang,
        subtitle=" · ".join(n for n in names if n),
        meta=_("Runs compared: {n}; built on {date}").format(n=nf.number(len(runs)), date=nf.day(dt.date.today())),
        lead=_lead(runs, labels, table, nf),
        sections=sections,
        colophon=_("Built by fuelseal {version} from the run folders {folders} on {date}. Rebuild it with: "
                   "{command}").format(version=version, folders=", ".join(f.name for f in folders),
                                       date=nf.day(dt.date.today()), command=rebuild),
        footer=_("Comparison: {runs}").format(runs=", ".join(labels)))


# ---- the comparison folder -----------------------------------------------------------------------
def folder_problem(out: Path) -> str | None:
    """Why ``out`` is not a comparison folder fuelseal may write into again (None if it is one)."""
    record = out / COMPARE_JSON
    if not record.is_file() or record.is_symlink():
        return "exists and is not empty, and is not a comparison folder (no compare.json)"
    for entry in out.iterdir():
        tmp = entry.name.startswith(".") and entry.name.endswith(".tmp")
        if entry.is_symlink() or (entry.name not in COMPARE_FILES and not tmp):
            return f"holds {entry.name!r}, which fuelseal did not write"
    return None


def _check_out(out: Path) -> None:
    if out.is_symlink():
        raise ScenarioError("is a symbolic link; give the folder it points to", source=str(out))
    if out.exists() and not out.is_dir():
        raise ScenarioError("is a file, not a folder; fuelseal never replaces files (choose another --out)",
                            source=str(out))
    others = [e for e in out.iterdir() if e.name != LOCK_NAME or e.is_symlink()] if out.is_dir() else []
    if others:  # (the lock file alone: the folder this comparison just made)
        problem = folder_problem(out)
        if problem:
            raise ScenarioError(f"{problem}; fuelseal writes a comparison only into a new or empty folder or one "
                                "it wrote (choose another --out)", source=str(out))


def build_comparison(run_dirs: Sequence[str | os.PathLike], out: str | os.PathLike | None = None, *,
                     labels: Sequence[str] | None = None, lang: str | None = None, number_style: str | None = None,
                     formats: Iterable[str] = FORMATS, trust: bool = False) -> list[Path]:
    """Compare the runs in ``run_dirs`` (the first is the one the others are compared with) and write
    ``compare.csv``, ``compare.json`` and ``report.html`` / ``report.pdf`` into ``out`` (default
    ``runs/compare-<time>``); return the paths written. ``labels`` name the runs (default: their folder
    names); ``lang`` is "en" or "vi" (``number_style`` its older name; default: the first run's ``run.lang``)."""
    formats = check_options(formats, lang, number_style)
    folders = [Path(d) for d in run_dirs]
    if len(folders) < 2:
        raise ScenarioError("expected at least two run folders to compare", source="compare")
    if labels is not None and len(labels) != len(folders):
        raise ScenarioError(f"expected {len(folders)} labels, one per run folder, got {len(labels)}",
                            source="--labels")
    out = Path(out) if out is not None else Path("runs") / f"compare-{dt.datetime.now():%Y%m%d-%H%M%S}"
    for folder in folders:  # a run folder holds only what its run wrote: never a comparison inside it
        run, here = folder.resolve(), out.resolve()
        if here == run or run in here.parents:
            raise ScenarioError(f"lies inside the run folder {folder}; write the comparison elsewhere (--out)",
                                source=str(out))
    _check_out(out)
    runs = load_runs(folders, trust=trust)
    lang = compose.report_lang(runs[0], lang, number_style)
    groups = compared_kpis(runs)
    table = comparing.compare(runs, list(labels or default_labels(folders)), [k for _t, ks in groups for k in ks])
    doc = comparison_document(runs, folders, lang=lang, out=out, table=table)
    out.mkdir(parents=True, exist_ok=True)
    with FolderLock(out).acquire(exclusive=True, command="fuelseal compare"):
        _check_out(out)  # again, under the lock
        remove_stale_tmp(out)
        record = {"format": COMPARE_FORMAT, "runs": [str(f.resolve()) for f in folders],
                  "labels": list(table.drop_duplicates("run").sort_values("run")["label"]), "lang": lang,
                  "trust": bool(trust), "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        written = [write_atomic(out / COMPARE_CSV, table.to_csv(index=False).encode("utf-8")),
                   write_atomic(out / COMPARE_JSON, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))]
        written += write_report(doc, out, formats)
        for fmt in FORMATS:  # a report of the other format, from an earlier comparison, would not match
            if fmt not in formats:
                (out / f"report.{fmt}").unlink(missing_ok=True)
    return written


def read_record(folder: str | os.PathLike) -> dict:
    """A comparison folder's ``compare.json``, checked; a damaged one is one line."""
    folder = Path(folder)
    problem = folder_problem(folder) if folder.is_dir() else "not a comparison folder"
    if problem:
        raise ScenarioError(problem, source=str(folder))
    record = read_json(folder / COMPARE_JSON, what="comparison record")
    runs, labels = record.get("runs"), record.get("labels")
    if (not isinstance(runs, list) or len(runs) < 2 or not all(isinstance(r, str) for r in runs)
            or not isinstance(labels, list) or len(labels) != len(runs) or not all(isinstance(x, str) for x in labels)):
        raise ScenarioError("compare.json is damaged (runs and labels)", source=str(folder / COMPARE_JSON))
    return record


def _comparison_folder_document(folder: Path, lang: str | None = None) -> Document:
    """``fuelseal report COMPARE_DIR``: the comparison rebuilt from the run folders ``compare.json`` names."""
    record = read_record(folder)
    folders = [Path(r) for r in record["runs"]]
    runs = load_runs(folders, trust=bool(record.get("trust", False)))
    chosen = lang or (record.get("lang") if record.get("lang") in LANGS else None)
    return comparison_document(runs, folders, record["labels"], lang=chosen, out=folder)


def _is_comparison(folder: Path) -> bool:
    return (folder / COMPARE_JSON).is_file()


register_kind("compare", _is_comparison, _comparison_folder_document, what="a comparison folder (compare.json)",
              lock=True)


# ---- command line --------------------------------------------------------------------------------
def cmd_compare(args: argparse.Namespace) -> int:
    folders = list(args.run_dirs)
    if args.safe is not None:
        root = Path(args.safe).resolve()
        for path in [*folders, *([args.out] if args.out else [])]:
            here = Path(path).resolve()
            if root != here and root not in here.parents:
                raise ScenarioError(f"lies outside the allowed folder {root} (--safe)", source=str(path))
    formats = FORMATS if args.format in (None, "both") else (args.format,)
    labels = parse_labels(args.labels, len(folders))
    for path in build_comparison(folders, args.out, labels=labels, lang=args.lang, formats=formats,
                                 trust=args.trust):
        print(path)
    return 0


__all__ = ["COMPARE_FILES", "add_compare_subcommand", "build_comparison", "change_interval", "change_magnitude",
           "change_range", "change_value", "cmd_compare", "comparison_document", "compared_kpis", "load_runs",
           "money_chart", "progress_chart", "what_differs"]
