"""Reports of a sweep folder and of a sensitivity folder, registered as report kinds.

``fuelseal report DIR`` (and :func:`simulator.report.build_reports`) writes ``report.html`` and
``report.pdf`` into a folder written by ``fuelseal sweep --out DIR`` or ``fuelseal sensitivity --out DIR``,
from the folder alone (:func:`~simulator.analysis.folders.read_sweep`,
:func:`~simulator.analysis.folders.read_sensitivity`), in English or Vietnamese (``lang``; default: the
language the folder's charts were drawn in). The report layer sits below the analysis layer and never
imports it, so the two kinds are registered here (:func:`simulator.report.register_kind`), which
``simulator.analysis`` — and so ``import simulator`` and the command line — imports.

* **Sweep** (:func:`sweep_document`): what was swept, over which values, with how many replications and
  which seed; the money-first answer (the setting with the largest net gain, its lead over the next best
  taken replication by replication; the fewest teams that meet the plan's deadline when one is recorded);
  the sweep chart; a table with one row per setting — extra tax, cost, net gain and days to the last
  seal, each with its 90% interval and the paired change from the reference setting with its 90%
  interval; a note on common random numbers; the scenario's parameters as run.
* **Sensitivity** (:func:`sensitivity_document`): the method (one at a time or Sobol), the KPIs, samples,
  replications and seed, each parameter's range by its plain name, the chart and a table of each KPI
  (sorted as the chart), and how to read them.

Words go through the ``reports2`` catalogue (``simulator/locale/vi/reports2.po``); numbers through
:class:`simulator.numbers.Numbers` and :func:`simulator.results.summary.kpi_value` / ``kpi_range``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from babel.lists import format_list

from ..charts.analysis import (
    ABOVE,
    DONE,
    SWEEP_KPIS,
    TEAMS,
    parameter_label,
    parameter_value,
    sensitivity_data,
    sweep_data,
    swept_columns,
)
from ..errors import ScenarioError
from ..files import check_regular
from ..i18n import check_lang
from ..kpis import KPIS
from ..numbers import Numbers
from ..report import compose
from ..report.compare import alt_text, change_magnitude, change_range, change_value
from ..report.document import Document, Figure, Paragraph, Row, Section, Table
from ..report.kinds import register_kind
from ..report.parameters import appendix
from ..results.summary import kpi_range, kpi_value, true_minus
from .folders import SweepResult, read_sensitivity, read_sweep

MONEY_FIRST = SWEEP_KPIS
"""The figures of the sweep table, money first: extra tax, cost, net gain, days to the last seal."""


PRINT = "print"  # the report's charts are drawn for A4: placed at their own width, no text under 8 pt


def _png(fig) -> bytes:
    from ..charts import house_style

    buf = io.BytesIO()
    with house_style(size=PRINT):
        fig.savefig(buf, format="png", dpi=compose.PNG_DPI, metadata={"Software": "fuelseal"})
    return buf.getvalue()


def _figure(fig, ident: str, contents: bool = True) -> Figure:
    """A chart that carries its own title and caption, as a document figure (listed in the contents unless
    ``contents`` is False: its section's title names it)."""
    return Figure(png=_png(fig), title=fig.get_suptitle().strip() if contents else "", id=ident, show_title=False,
                  alt=alt_text(fig), width_mm=float(fig.get_figwidth()) * 25.4)


def _version() -> str:
    from .. import __version__

    return __version__


# ---- sweep -------------------------------------------------------------------------------------
def _scenario_toml(folder: Path) -> dict:
    path = folder / "scenario.toml"
    try:
        check_regular(path, what="scenario file")
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (ScenarioError, OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def _with_net(per_rep: pd.DataFrame | None) -> pd.DataFrame | None:
    """A sweep from before the ``net_benefit`` KPI: net gain = extra tax − cost, replication by replication."""
    if per_rep is None or "net_benefit" in per_rep or not {"extra_tax", "cost"} <= set(per_rep.columns):
        return per_rep
    return per_rep.assign(net_benefit=per_rep["extra_tax"] - per_rep["cost"])


def _setting(names: list[str], values: dict[str, Any], lang: str, *, named: bool = True) -> str:
    """A point of the sweep in words: "Verification teams: 3" (``named``) or "3"; several joined by "; "."""
    if not named:
        return "; ".join(parameter_value(n, values[n], lang) for n in names)
    return "; ".join(f"{parameter_label(n, lang)}: {parameter_value(n, values[n], lang)}" for n in names)


def _quoted(text: str) -> str:
    return f"“{text}”"


def _distinct(values) -> list[Any]:
    seen, out = set(), []
    for v in values:
        key = repr(v)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def fewest_text(result: SweepResult, lang: str = "en", data: pd.DataFrame | None = None) -> str:
    """The fewest teams that meet the recorded deadline, as one sentence ("" without a deadline); ``data``:
    the sweep's chart numbers when already at hand."""
    if result.deadline is None or result.per_rep is None or DONE not in result.per_rep:
        return ""
    nf = Numbers(lang)
    _ = nf.gettext
    data = result.chart_data(lang) if data is None else data
    marked = data.loc[data["fewest"] & (data["kpi"] == DONE), TEAMS]
    share = nf.plain(100 * result.probability, 3) + "%"
    if marked.empty:
        return _("No number of teams in this sweep seals every dispenser before {date} in at least {share} of the "
                 "replications.").format(date=nf.day(result.deadline), share=share)
    return _("Fewest teams that seal every dispenser before {date} in at least {share} of the replications: "
             "{teams}.").format(date=nf.day(result.deadline), share=share,
                                teams=", ".join(str(int(t)) for t in marked))


def _answer(points: pd.DataFrame, names: list[str], data: pd.DataFrame, per_rep: pd.DataFrame | None,
            lang: str) -> str:
    """The money-first answer: the setting with the largest net gain, what it brings and costs, and its lead
    over the next best setting, replication by replication."""
    nf = Numbers(lang)
    _ = nf.gettext
    net = data[data["kpi"] == "net_benefit"].set_index("point")
    if net.empty or not np.isfinite(net["mean"].to_numpy(float)).any():
        return ""
    order = net["mean"].astype(float).sort_values(ascending=False, kind="stable")
    best = int(order.index[0])

    def value(kpi: str, point: int) -> str:
        row = data[(data["kpi"] == kpi) & (data["point"] == point)]
        return kpi_value(kpi, float(row["mean"].iloc[0]), nf) if len(row) else "n/a"

    out = [_("The largest net gain is with the setting {setting}: {net} (90%: {range}), {extra} of extra tax for a "
             "campaign costing {cost}.").format(
        setting=_quoted(_setting(names, points.loc[best], lang)), net=value("net_benefit", best),
        range=kpi_range("net_benefit", float(net.at[best, "p05"]), float(net.at[best, "p95"]), nf),
        extra=value("extra_tax", best), cost=value("cost", best))]
    if len(order) > 1 and per_rep is not None and "net_benefit" in per_rep:
        second = int(order.index[1])
        wide = per_rep.pivot_table(index="replication", columns="point", values="net_benefit", aggfunc="first",
                                   dropna=False)
        d = (wide[best] - wide[second]).to_numpy(float)
        d = d[np.isfinite(d)]
        if d.size:
            lo, hi = np.quantile(d, [0.05, 0.95])
            out.append(_("Its lead over the next best setting, {setting}, is {lead} (paired on common random "
                         "numbers, 90%: {range}).").format(
                setting=_quoted(_setting(names, points.loc[second], lang)),
                lead=change_magnitude("net_benefit", float(d.mean()), nf),
                range=change_range("net_benefit", float(lo), float(hi), nf)))
            if lo <= 0:
                out.append(_("The two are not clearly different: in some replications the next best setting "
                             "gains more."))
    return " ".join(out)


def _sweep_table(data: pd.DataFrame, points: pd.DataFrame, names: list[str], kpis: list[str], paired: bool,
                 lang: str) -> Table:
    nf = Numbers(lang)
    _ = nf.gettext
    first = "; ".join(parameter_label(n, lang) for n in names)
    header = [first, _("Mean"), _("90% interval")]
    if paired:
        header += [_("Change from the reference setting"), _("90% interval of the change")]
    rows: list[Row] = []
    for k in kpis:
        d = data[data["kpi"] == k].sort_values("point")
        if d.empty:
            continue
        rows.append(Row((nf.label(k),), group=True))
        for _i, r in d.iterrows():
            cells = [_setting(names, points.loc[int(r["point"])], lang, named=False),
                     kpi_value(k, r["mean"], nf), kpi_range(k, r["p05"], r["p95"], nf)]
            if paired:
                if int(r["point"]) == int(r["reference_point"]):
                    cells += [_("reference"), ""]
                else:
                    cells += [change_value(k, r["diff_mean"], nf), change_range(k, r["diff_p05"], r["diff_p95"], nf)]
            rows.append(Row(tuple(cells), strong=k in ("net_benefit",)))
    widths = ((1.9 if len(names) == 1 else 3.0, 2.3, 2.8, 2.4, 2.8) if paired else
              (1.9 if len(names) == 1 else 3.0, 3.0, 3.6))
    return Table(header=tuple(header), rows=rows, numeric=tuple(range(1, len(header))), widths=widths)


def _swept_in_appendix(groups: list[tuple[str, list[tuple[str, str, str]]]], names: list[str], points: pd.DataFrame,
                       lang: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The appendix with each swept key's value replaced by the values swept ("swept: 1, 2 and 3")."""
    _ = Numbers(lang).gettext
    swept = {x: _("swept: {values}").format(values=format_list(
        [parameter_value(x, v, lang) for v in _distinct(points[x])], locale=lang)) for x in names}
    return [(title, [(label, swept.get(key, value), key) for label, value, key in rows]) for title, rows in groups]


def sweep_document(folder: str | Path, lang: str | None = None) -> Document:
    """The report of a finished sweep folder, in ``lang`` (default: the language its chart was drawn in)."""
    folder = Path(folder)
    if (folder / "sweep.json").is_file() and not (folder / "sweep.csv").exists():
        raise ScenarioError(f"the sweep is not finished (no sweep.csv); finish it with: fuelseal sweep --resume "
                            f"{folder}", source=str(folder))
    sw = read_sweep(folder)
    lang = check_lang(lang or sw.lang)
    nf = Numbers(lang)
    _ = nf.gettext
    per_rep = _with_net(sw.per_rep)
    result = dataclasses.replace(sw, per_rep=per_rep)
    names = swept_columns(sw.table)
    points = sw.table.drop_duplicates("point").set_index("point")[names]
    present = set(sw.table["kpi"]) | (set(per_rep.columns) & set(KPIS) if per_rep is not None else set())
    kpis = [k for k in MONEY_FIRST if k in present] or list(dict.fromkeys(sw.table["kpi"]))[:4]
    data = sweep_data(sw.table, per_rep, kpis=kpis, probability=sw.probability, lang=lang)
    data_done = result.chart_data(lang) if sw.deadline is not None else data
    raw = _scenario_toml(folder)
    spec = sw.spec
    n, seed = spec.get("replications"), spec.get("seed")
    labels = [parameter_label(x, lang) for x in names]
    swept = "; ".join(_("{parameter}: {values}").format(
        parameter=parameter_label(x, lang),
        values=format_list([parameter_value(x, v, lang) for v in _distinct(points[x])], locale=lang))
        for x in names)
    what = _("Settings compared — {swept}. Replications at each setting: {n}, on the same simulated stations, "
             "sales and work times (seed {seed}).").format(swept=swept, n=nf.number(n) if n else "n/a", seed=seed)
    lead = " ".join(t for t in (_answer(points, names, data, per_rep, lang), fewest_text(result, lang, data_done)) if t)
    paired = per_rep is not None and "reference_point" in data and data["reference_point"].notna().any()
    ref_rows = data[data["point"] == data["reference_point"]] if paired else data.iloc[:0]
    reference = ""
    if len(ref_rows):
        x = names[0]  # the reference is the first value of the first name, within each line of the others
        reference = _setting([x], points.loc[int(ref_rows["point"].iloc[0])], lang)
        if len(names) > 1:
            reference = _("{reference}, within each combination of the other settings").format(reference=reference)
    if paired:
        note = _("Mean across the replications of each setting and the interval holding 90% of them. The change "
                 "from the reference setting ({reference}) is taken replication by replication, on the same "
                 "simulated stations, sales and work times; its interval holds 90% of those changes. The same "
                 "numbers are in sweep.csv and sweep-chart.csv.").format(reference=reference)
    else:
        note = _("Mean across the replications of each setting and the interval holding 90% of them. The tables of "
                 "each replication (points/) are missing or were altered, so the change from the reference "
                 "setting cannot be shown.")
    sections = [
        Section("chart", _("Chart"), [_figure(result.figure(lang, size=PRINT), "chart-sweep")], new_page=True),
        Section("settings", _("Results by setting"), [
            _sweep_table(data, points, names, kpis, paired, lang), Paragraph(note, "note")]),
        Section("method", _("How to read a sweep"), [Paragraph(p) for p in (
            _("Every setting is simulated with the same seed, so replication by replication the settings see the "
              "same stations, sales, behaviour and work times (common random numbers). The change from the "
              "reference setting, taken replication by replication, is therefore what the setting itself does, "
              "not noise between two different draws: where its 90% interval leaves out zero, the setting "
              "clearly changes the figure, even when the settings' own intervals overlap."),
            _("Net gain is the extra tax in the evaluation window minus the campaign's cost. Days to the last seal "
              "count from the campaign's start."),
        )])]
    if raw:
        groups = _swept_in_appendix(appendix(raw, lang), names, points, lang)
        if groups:
            sections.append(Section("parameters", _("Appendix: scenario parameters"), [Paragraph(
                _("The scenario as run at every setting (scenario.toml in the sweep folder), except the values "
                  "swept: {names}. The dotted key names each value in the scenario file.").format(
                    names=format_list(labels, locale=lang)), "note")]))
            for i, (title, group) in enumerate(groups):
                sections.append(Section(f"parameters-{i + 1}", title, [Table(
                    header=(_("Parameter"), _("Value"), _("Key")), rows=[Row(r) for r in group], small=(2,),
                    widths=(3.8, 3.5, 3.7))], level=1))
    info = raw.get("scenario", {}) if raw else {}
    own = info.get(lang) if lang != "en" and isinstance(info.get(lang), dict) else {}
    scenario = str(own.get("name") or info.get("name") or "")  # its [scenario.vi] name in Vietnamese
    title = _("Comparing settings: {parameter}").format(parameter=" × ".join(labels))
    return Document(
        title=title, lang=lang, subtitle=scenario,
        meta=_("Sweep folder {folder}; settings: {points}; replications at each: {n}; seed {seed}").format(
            folder=folder.name, points=nf.number(len(points)), n=nf.number(n) if n else "n/a", seed=seed),
        lead=" ".join(t for t in (what, lead) if t),
        sections=sections,
        colophon=_("Built by fuelseal {version} from the sweep folder {folder} on {date}. Rebuild it with: fuelseal "
                   "report {folder}").format(version=_version(), folder=folder.name, date=nf.day(dt.date.today())),
        footer=f"{title} · {folder.name}")


# ---- sensitivity -------------------------------------------------------------------------------
def _pct(x: float, nf: Numbers) -> str:
    return true_minus(nf.pct(x, 0)) if math.isfinite(x) else "n/a"


def _span(lo: float, hi: float, nf: Numbers) -> str:
    """The interval of a Sobol index in percent of the variance: "30–60%", "−5% to 1%"."""
    a, b = _pct(lo, nf), _pct(hi, nf)
    if a == b:
        return a
    return nf.gettext("{low} to {high}").format(low=a, high=b) if lo < 0 else f"{a.rstrip('%')}–{b}"


def _index(x: float, lo: float, hi: float, nf: Numbers) -> str:
    """A Sobol index and its interval, in percent of the variance: "45% (30–60%)", "−2% (−5% to 1%)"."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or _pct(lo, nf) == _pct(hi, nf):
        return _pct(x, nf)
    return f"{_pct(x, nf)} ({_span(lo, hi, nf)})"


def _in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter in lower case ("Verification teams" → "verification teams")."""
    return label[:1].lower() + label[1:]


def _oat_lead(d: pd.DataFrame, kpi: str, nf: Numbers, lang: str) -> str:
    _ = nf.gettext
    base = kpi_value(kpi, float(d["base"].iloc[0]), nf)
    top = d.iloc[0]
    if not float(top["swing"]) > 0:
        return _("No parameter moves {kpi} within its range ({base} throughout).").format(kpi=nf.label(kpi),
                                                                                           base=base)
    return _("{kpi} is {base} with the scenario's values and moves most with {parameter}: {low} at {value_low} and "
             "{high} at {value_high}.").format(
        kpi=nf.label(kpi), base=base, parameter=_in_sentence(str(top["label"])),
        low=kpi_value(kpi, float(top["low"]), nf), high=kpi_value(kpi, float(top["high"]), nf),
        value_low=parameter_value(top["parameter"], top["value_low"], lang),
        value_high=parameter_value(top["parameter"], top["value_high"], lang))


def _sobol_lead(d: pd.DataFrame, kpi: str, nf: Numbers, level: str) -> str:
    _ = nf.gettext
    top = d.iloc[0]
    if not float(top["ST"]) > 0:
        return _("No parameter moves {kpi} within its range.").format(kpi=nf.label(kpi))
    return _("{parameter} takes part in the largest share of the variance of {kpi}: {total} (total index, "
             "{level} interval {range}), {first} on its own.").format(
        parameter=top["label"], kpi=_in_sentence(nf.label(kpi)), total=_pct(float(top["ST"]), nf), level=level,
        range=_span(float(top["ST_low"]), float(top["ST_high"]), nf), first=_pct(float(top["S1"]), nf))


def _oat_table(d: pd.DataFrame, kpi: str, nf: Numbers) -> Table:
    _ = nf.gettext
    rows = [Row((r["label"], r["range"], kpi_value(kpi, float(r["low"]), nf), kpi_value(kpi, float(r["high"]), nf),
                 change_magnitude(kpi, float(r["swing"]), nf))) for _i, r in d.iterrows()]
    return Table(header=(_("Parameter"), _("Range"), _("At the low end"), _("At the high end"), _("Swing")),
                 rows=rows, numeric=(2, 3, 4), widths=(3.6, 2.6, 2.1, 2.1, 1.8))


def _sobol_table(d: pd.DataFrame, nf: Numbers, level: str) -> Table:
    _ = nf.gettext
    rows = [Row((r["label"] + (" *" if r["first_above_total"] else ""), r["range"],
                 _index(float(r["S1"]), float(r["S1_low"]), float(r["S1_high"]), nf),
                 _index(float(r["ST"]), float(r["ST_low"]), float(r["ST_high"]), nf))) for _i, r in d.iterrows()]
    return Table(header=(_("Parameter"), _("Range"), _("First-order index ({level} interval)").format(level=level),
                         _("Total index ({level} interval)").format(level=level)),
                 rows=rows, numeric=(2, 3), widths=(3.8, 2.6, 2.6, 2.6))


def _sensitivity_chart(se, kpi: str, lang: str, conf: float):
    """The study's chart of ``kpi`` (:func:`simulator.charts.analysis.sensitivity_figure`) under a title short
    enough for its width in either language (the section above it names the KPI too)."""
    from ..charts.analysis import sensitivity_figure

    nf = Numbers(lang)
    _ = nf.gettext
    words = _in_sentence(nf.label(kpi))
    title = (_("Where the uncertainty of {kpi} comes from") if se.method == "sobol" else
             _("Effect of each parameter on {kpi}")).format(kpi=words)
    return sensitivity_figure(se.table, kpi, lang=lang, method=se.method, conf_level=conf, title=title, size=PRINT)


def sensitivity_document(folder: str | Path, lang: str | None = None) -> Document:
    """The report of a sensitivity folder, in ``lang`` (default: the language its charts were drawn in)."""
    folder = Path(folder)
    se = read_sensitivity(folder)
    lang = check_lang(lang or se.lang)
    nf = Numbers(lang)
    _ = nf.gettext
    meta, method, kpis = se.meta, se.method, se.kpis
    conf = float(meta.get("conf_level", 0.95))
    level = nf.plain(100 * conf, 3) + "%"
    first = se.table.drop_duplicates("parameter")
    params = list(first["parameter"])
    n, seed, samples = meta.get("replications"), meta.get("seed"), meta.get("samples")
    reps = nf.number(n) if isinstance(n, int) else "n/a"
    seed_text = str(seed) if seed is not None else "n/a"
    if method == "sobol":
        points = samples * (len(params) + 2) if isinstance(samples, int) else None
        how = _("Sobol indices (variance-based): {samples} base samples, so the model ran at {points} points; "
                "replications at each point: {n}, all from the same seed ({seed}).").format(
            samples=nf.number(samples) if isinstance(samples, int) else "n/a",
            points=nf.number(points) if points else "n/a", n=reps, seed=seed_text)
    else:
        how = _("One parameter at a time: each parameter at the low and the high end of its range while every other "
                "keeps the scenario's value; points: {points}; replications at each point: {n}, all from the same "
                "seed ({seed}).").format(points=nf.number(1 + 2 * len(params)), n=reps, seed=seed_text)
    ranges = Table(header=(_("Parameter"), _("Range"), _("Scenario's value"), _("Key")), rows=[
        Row((parameter_label(r["parameter"], lang), f"{parameter_value(r['parameter'], r['value_low'], lang)} – "
             f"{parameter_value(r['parameter'], r['value_high'], lang)}",
             parameter_value(r["parameter"], r["base_value"], lang) if pd.notna(r["base_value"]) else "—",
             r["parameter"])) for _i, r in first.iterrows()], small=(3,), widths=(3.8, 2.8, 2.0, 3.4))
    sections = [Section("ranges", _("What was varied"), [Paragraph(how), ranges])]
    leads = []
    for k in kpis:
        d = sensitivity_data(se.table, k, lang=lang, conf_level=conf)
        # the table first: the PDF keeps a heading with the table under it (a chart may need the next page)
        chart = _figure(_sensitivity_chart(se, k, lang, conf), f"chart-{k.replace('_', '-')}", contents=False)
        blocks: list[Any] = []
        if method == "sobol":
            blocks.append(_sobol_table(d, nf, level))
            if d["first_above_total"].any():
                blocks.append(Paragraph(_("* A first-order index above the total one: that can only be estimation "
                                          "error (more samples narrow it)."), "note"))
            if (d[["S1", "ST"]].to_numpy(float) > 1 + ABOVE).any():
                blocks.append(Paragraph(_("An index above 100% can only be estimation error: the samples are too "
                                          "few for these indices to be read as shares (more samples narrow "
                                          "them)."), "note"))
            leads.append(_sobol_lead(d, k, nf, level))
        else:
            blocks.append(_oat_table(d, k, nf))
            leads.append(_oat_lead(d, k, nf, lang))
        sections.append(Section(f"kpi-{k.replace('_', '-')}", nf.label(k), [*blocks, chart]))
    if method == "sobol":
        reading = [
            _("The first-order index is the share of the variance of the result that a parameter explains on its "
              "own; the total index is the share it takes part in, its interactions with the others included, so "
              "it is never below the first-order one — a first-order index above its total can only be estimation "
              "error, and more samples narrow it. Where the total index is well above the first-order one, the "
              "parameter acts through interactions. An index below zero is estimation error around zero."),
            _("The intervals are {level} bootstrap confidence intervals of the indices. The indices apportion the "
              "variance over the ranges listed above: other ranges give other indices.").format(level=level),
        ]
    else:
        reading = [_("Each row moves one parameter from the low to the high end of its range while every other "
                     "keeps the scenario's value, widest swing first. The swing is how far the result moves across "
                     "the range: a short one means the parameter hardly matters within that range. Every point runs "
                     "on the same simulated stations and sales (common random numbers), so the differences are the "
                     "parameter's effect, not noise. One parameter at a time shows no interactions between them, "
                     "and the ranges are the analyst's choice: a wider range gives a wider swing.")]
    sections.append(Section("reading", _("How to read it"), [Paragraph(p) for p in reading]))
    scenario = str(meta.get("scenario") or "")
    kpi_words = format_list([nf.label(k) if i == 0 else _in_sentence(nf.label(k)) for i, k in enumerate(kpis)],
                            locale=lang)
    title = _("Sensitivity analysis: {kpis}").format(kpis=kpi_words)
    method_words = _("Sobol indices") if method == "sobol" else _("one parameter at a time")
    return Document(
        title=title, lang=lang, subtitle=scenario,
        meta=_("Sensitivity folder {folder}; method: {method}; parameters varied: {n}").format(
            folder=folder.name, method=method_words, n=nf.number(len(params))),
        lead=" ".join(t for t in leads if t),
        sections=sections,
        colophon=_("Built by fuelseal {version} from the sensitivity folder {folder} on {date}. Rebuild it with: "
                   "fuelseal report {folder}").format(version=_version(), folder=folder.name,
                                                       date=nf.day(dt.date.today())),
        footer=f"{title} · {folder.name}")


# ---- registration ------------------------------------------------------------------------------
def _is_sweep(folder: Path) -> bool:
    return (folder / "sweep.json").is_file()


def _is_sensitivity(folder: Path) -> bool:
    return (folder / "sensitivity.csv").is_file()


register_kind("sweep", _is_sweep, sweep_document, what="a sweep folder (sweep.json)", lock=True)
register_kind("sensitivity", _is_sensitivity, sensitivity_document, what="a sensitivity folder (sensitivity.csv)")

__all__ = ["sensitivity_document", "sweep_document"]
