"""Charts of a run, in one house style, for planners and for the printed report.

Each chart is one function that takes a :class:`~simulator.results.Results` and returns
a :class:`matplotlib.figure.Figure`; :data:`CHARTS` lists them by name in the order a
report shows them, and :func:`write_charts` saves them all. ``number_style="en"`` or
``"vi"`` chooses how numbers and dates are written.

Charts that cannot show anything — the campaign is disabled, nothing was sealed, there
is no before window — still return a figure, with a sentence saying why in place of the
data, so that a report never fails on an unusual run.

What lives where:

- :mod:`.style` — the house style (font, colours, sizes), :func:`house_style`, :func:`save_figure`;
- :mod:`.numbers` — numbers and dates in either number style (:func:`format_number`, ...);
- :mod:`.data` — what a chart reads of a run (the :class:`~.data.Results` protocol) and how it shapes it;
- :mod:`.figure` — the scaffolding every chart shares: title, caption, axes, median and band;
- one module per family of charts: :mod:`.campaign` (progress, team schedule), :mod:`.monthly`
  (tax, sales), :mod:`.uplift` (distribution, decomposition), :mod:`.districts`, :mod:`.cost`
  (cost against benefit, break-even).

Imports go downwards only: this module imports the chart modules, they import the four
above them, and the package as a whole imports only lower layers of the simulator
(:mod:`simulator.files`, :mod:`simulator.numbers`, :mod:`simulator.kpis`, and if ever needed
:mod:`simulator.scenario`) — never :mod:`simulator.results`, :mod:`simulator.report`,
:mod:`simulator.cli` or :mod:`simulator.analysis`, which use the charts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from matplotlib.figure import Figure

from ..numbers import NUMBER_STYLES
from .campaign import campaign_progress, team_schedule
from .cost import break_even, cost_benefit
from .data import Results
from .districts import district_breakdown
from .monthly import monthly_sales, monthly_tax
from .numbers import NumberFormatter, format_number, format_percent
from .style import STYLE, house_style, save_figure
from .uplift import DECOMPOSITION_KPIS, uplift_decomposition, uplift_distribution, uplift_parts

__all__ = [
    "CHARTS", "DECOMPOSITION_KPIS", "FORMATS", "NUMBER_STYLES", "STYLE", "NumberFormatter", "Results",
    "all_charts", "break_even", "campaign_progress", "chart", "cost_benefit", "district_breakdown",
    "format_number", "format_percent", "house_style", "monthly_sales", "monthly_tax", "save_figure",
    "team_schedule", "uplift_decomposition", "uplift_distribution", "uplift_parts", "write_charts",
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
FORMATS = ("png", "svg", "pdf")


def chart(results: Results, name: str, **kw) -> Figure:
    """One chart by name (see :data:`CHARTS`)."""
    try:
        fn = CHARTS[name]
    except KeyError:
        raise ValueError(f"chart: expected one of {', '.join(CHARTS)}, got {name!r}") from None
    return fn(results, **kw)


def all_charts(results: Results, *, number_style: str = "en", names: Iterable[str] | None = None) -> dict[str, Figure]:
    """Every chart (or those in ``names``) as ``{name: Figure}``, in report order."""
    return {name: chart(results, name, number_style=number_style) for name in (names or CHARTS)}


def write_charts(results: Results, folder: str | Path, formats: Iterable[str] = ("png",), *,
                 number_style: str = "en", dpi: int = 150) -> list[Path]:
    """Write every chart to ``<folder>/charts/<name>.<format>`` and return the paths written."""
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"formats: expected some of {', '.join(FORMATS)}, got {bad[0]!r}")
    out = Path(folder) / "charts"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in all_charts(results, number_style=number_style).items():
        for fmt in formats:
            written.append(save_figure(fig, out / f"{name}.{fmt}", dpi=dpi))
    return written
