"""Charts of a run, in one house style, for planners and for the printed report.

Each chart is one function that takes a :class:`~simulator.results.Results` and returns
a :class:`matplotlib.figure.Figure`; :data:`CHARTS` lists them by name in the order a
report shows them, and :func:`write_charts` saves them all. ``lang="en"`` or ``"vi"``
chooses the language of every word, number and date (``number_style=`` is its older
name; without either, the run's ``run.lang``). ``size="print"`` draws a chart for an A4 page:
:data:`PRINT_WIDTH_IN` (6.7 in) wide with no text under 8 pt when placed at that width (a
report puts it on the page at its own size); ``size="screen"`` (the default) is 10 in wide.

Each chart draws from one table, computed by its ``<name>_data`` function (:data:`CHART_DATA`,
:func:`chart_data`): the medians, bands, bars and markers it shows, with English snake_case
columns that name their unit. :func:`write_charts` writes that table beside the picture as
``charts/<name>.csv``, so the numbers and the picture cannot disagree.

Charts that cannot show anything — the campaign is disabled, nothing was sealed, there
is no before window — still return a figure, with a sentence saying why in place of the
data, so that a report never fails on an unusual run.

What lives where:

- :mod:`.style` — the house style (font, colours, sizes), :func:`house_style`, :func:`save_figure`;
- :mod:`.names` — plain names of the keys a scenario uses (fuels: :func:`fuel_name`);
- :mod:`.numbers` — numbers, units and date ticks in either language (:func:`format_number`, ...);
- :mod:`.data` — what a chart reads of a run (the :class:`~.data.Results` protocol) and how it shapes it;
- :mod:`.figure` — the scaffolding every chart shares: title, caption, axes, median and band;
- one module per family of charts: :mod:`.campaign` (progress, team schedule), :mod:`.monthly`
  (tax, sales), :mod:`.uplift` (distribution, decomposition), :mod:`.districts`, :mod:`.cost`
  (cost against benefit, break-even);
- :mod:`.instruments` — not a chart of one run but of an instruments comparison (``fuelseal compare
  --instruments``): :func:`instruments_chart` draws each option's uplift, extra tax, costs, extra tax per
  VND and payback, :func:`instruments_chart_data` the numbers it draws;
- :mod:`.evaluation` — did it work? (``fuelseal evaluate --out``): :func:`event_study_chart` (each
  estimator's effect by months since the start, with intervals and the truth when known),
  :func:`synthetic_chart` (tax observed against its synthetic control) and :func:`check_chart` (which
  estimator to trust: coverage, bias, RMSE and reach on simulated panels), each with its ``*_data``.

Imports go downwards only: this module imports the chart modules, they import the four
above them, and the package as a whole imports only lower layers of the simulator
(:mod:`simulator.files`, :mod:`simulator.numbers`, :mod:`simulator.kpis`, and if ever needed
:mod:`simulator.scenario`) — never :mod:`simulator.results`, :mod:`simulator.report`,
:mod:`simulator.cli` or :mod:`simulator.analysis`, which use the charts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ..files import write_atomic
from ..numbers import NUMBER_STYLES
from .campaign import campaign_progress, campaign_progress_data, team_schedule, team_schedule_data
from .cost import break_even, cost_benefit, cost_benefit_data
from .data import Results
from .districts import district_breakdown, district_breakdown_data
from .evaluation import (
    check_chart,
    check_data,
    event_study_chart,
    event_study_data,
    synthetic_chart,
    synthetic_data,
)
from .figure import resolve_lang
from .instruments import instruments_chart, instruments_chart_data
from .monthly import monthly_sales, monthly_sales_data, monthly_tax, monthly_tax_data
from .names import FUELS, fuel_name
from .numbers import NumberFormatter, format_number, format_percent
from .style import MIN_PRINT_PT, PRINT_WIDTH_IN, SIZES, STYLE, check_size, house_style, save_figure
from .uplift import (
    DECOMPOSITION_KPIS,
    uplift_decomposition,
    uplift_decomposition_data,
    uplift_distribution,
    uplift_distribution_data,
    uplift_parts,
)

__all__ = [
    "CHARTS", "CHART_DATA", "DECOMPOSITION_KPIS", "FORMATS", "FUELS", "MIN_PRINT_PT", "NUMBER_STYLES",
    "PRINT_WIDTH_IN", "SIZES", "STYLE", "NumberFormatter", "Results", "all_charts", "break_even",
    "campaign_progress", "campaign_progress_data", "chart", "chart_data", "check_chart", "check_data",
    "cost_benefit", "cost_benefit_data", "district_breakdown", "district_breakdown_data", "event_study_chart",
    "event_study_data", "format_number", "format_percent", "fuel_name", "house_style", "instruments_chart",
    "instruments_chart_data", "monthly_sales", "monthly_sales_data", "monthly_tax", "monthly_tax_data",
    "resolve_lang", "save_figure", "synthetic_chart", "synthetic_data", "team_schedule", "team_schedule_data",
    "uplift_decomposition", "uplift_decomposition_data", "uplift_distribution", "uplift_distribution_data",
    "uplift_parts", "write_charts",
]


CHARTS: dict[str, Callable[..., Figure]] = {
    "campaign_progress": campaign_progress,
    "team_schedule": team_schedule,
    "monthly_tax": monthly_tax,
    "monthly_sales": monthly_sales,
    "uplift_distribution": uplift_distribution,
    "uplift_decomposition": uplift_decomposition,
    "district_breakdown": district_breakdown,
    "cost_benefit": cost_benefit,
}
"""Chart name → function, in the order a report shows them."""
CHART_DATA: dict[str, Callable[..., pd.DataFrame]] = {
    "campaign_progress": campaign_progress_data,
    "team_schedule": team_schedule_data,
    "monthly_tax": monthly_tax_data,
    "monthly_sales": monthly_sales_data,
    "uplift_distribution": uplift_distribution_data,
    "uplift_decomposition": uplift_decomposition_data,
    "district_breakdown": district_breakdown_data,
    "cost_benefit": cost_benefit_data,
}
"""Chart name → the function computing the table the chart draws (and ``write_charts`` saves as CSV)."""
FORMATS = ("png", "svg", "pdf")


def _known(name: str) -> str:
    if name not in CHARTS:
        raise ValueError(f"chart: expected one of {', '.join(CHARTS)}, got {name!r}")
    return name


def chart(results: Results, name: str, **kw) -> Figure:
    """One chart by name (see :data:`CHARTS`); ``kw`` goes to the chart (``lang="vi"``, ``size="print"``, ...)."""
    return CHARTS[_known(name)](results, **kw)


def chart_data(results: Results, name: str, **kw) -> pd.DataFrame:
    """The table chart ``name`` draws: exactly its plotted medians, bands, bars and markers, with English
    snake_case columns naming their unit (``month``, ``extra_tax_vnd_p50``, ``share_sealed_pct_p05``)."""
    return CHART_DATA[_known(name)](results, **kw)


def all_charts(results: Results, *, lang: str | None = None, number_style: str | None = None,
               names: Iterable[str] | None = None, size: str = "screen") -> dict[str, Figure]:
    """Every chart (or those in ``names``) as ``{name: Figure}``, in report order, in ``lang``, at ``size``
    (``"screen"``: 10 in wide; ``"print"``: :data:`PRINT_WIDTH_IN` wide, text ≥ 8 pt at that width)."""
    lang = resolve_lang(results, lang, number_style)
    check_size(size)
    return {name: chart(results, name, lang=lang, size=size) for name in (names or CHARTS)}


def write_charts(results: Results, folder: str | Path, formats: Iterable[str] = ("png",), *,
                 lang: str | None = None, number_style: str | None = None, dpi: int = 150,
                 data: bool = True, names: Iterable[str] | None = None, size: str = "screen",
                 workers: int = 1) -> list[Path]:
    """Write every chart (or those in ``names``) to ``<folder>/charts/<name>.<format>``, and (``data``) the
    table it draws to ``<folder>/charts/<name>.csv`` (UTF-8); return the paths written. ``size`` as
    :func:`all_charts`. ``workers`` > 1 draws the charts on that many processes, one chart a task (drawing
    is most of a small run's wait); the files are the same byte for byte."""
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"formats: expected some of {', '.join(FORMATS)}, got {bad[0]!r}")
    lang = resolve_lang(results, lang, number_style)
    check_size(size)
    names = [_known(n) for n in (names or CHARTS)]
    out = Path(folder) / "charts"
    out.mkdir(parents=True, exist_ok=True)
    from ..execution import map_tasks

    done = dict(map_tasks(_write_one, [(name,) for name in names], workers=workers,
                          shared=(results, out, formats, lang, dpi, data, size)))
    return [p for i in range(len(names)) for p in done[i]]


def _write_one(shared: tuple, name: str) -> list[Path]:
    """One chart's files (a task of :func:`write_charts`)."""
    results, out, formats, lang, dpi, data, size = shared
    written = []
    fig = chart(results, name, lang=lang, size=size) if formats else None
    for fmt in formats:
        written.append(save_figure(fig, out / f"{name}.{fmt}", dpi=dpi))
    if data:
        table = chart_data(results, name)
        written.append(write_atomic(out / f"{name}.csv",
                                    lambda fh, t=table: fh.write(t.to_csv(index=False).encode("utf-8"))))
    return written
