"""The model: one replication of a province with the campaign and without it.

One module per concept, read from the bottom up: :mod:`.workcalendar` (when teams work),
:mod:`.network` (stations and dispensers in districts), :mod:`.sales` (daily demand,
drawn vectorised), :mod:`.metrology` (dispenser errors and their correction),
:mod:`.enforcement` (tampering decisions and audits), :mod:`.campaign` (teams visiting
and sealing on SimPy), :mod:`.declarations` (month-end declarations and tax, both arms)
and :mod:`.replication`, which puts them together on one SimPy environment with one
named random sub-stream per mechanism.

The model may import the foundations (errors, kpis, timeline) and :mod:`simulator.scenario`;
nothing in it knows about results, files, charts, reports or the command line.
"""

from .replication import STREAMS, ReplicationOutput, run_replication, streams

__all__ = ["STREAMS", "ReplicationOutput", "run_replication", "streams"]
