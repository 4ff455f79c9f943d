"""Results: what a run produced, in memory and on disk.

:mod:`.tables` holds :class:`Results` (tidy pandas tables of every replication: KPIs,
summary, monthly, districts, visits, stations), :mod:`.summary` the headline and the
summary text a planner reads, :mod:`.storage` the run-folder format (sealed manifest,
checksums, what a run folder may hold, replacing one safely) and :mod:`.runfolder`
the replication checkpoints a run writes and resumes from.

This layer may import the model, the scenario and the foundations; charts, reports,
analysis and the command line sit above it. (``Results.plot`` hands itself to
:mod:`simulator.charts`, which never imports results: charts read any object with the
same tables.)
"""

from .tables import KPI_UNITS, TABLES, Results, summarise, versions

__all__ = ["KPI_UNITS", "TABLES", "Results", "summarise", "versions"]
