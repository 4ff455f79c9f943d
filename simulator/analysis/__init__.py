"""The analyst's toolkit: sweeps, calibration and sensitivity analysis.

* :func:`sweep` — a grid of settings run with common random numbers, summarised per KPI;
  :func:`fewest_teams` and :func:`earliest_break_even` answer planners directly.
* :func:`calibrate` — parameter values whose simulated mean matches an observed figure
  (e.g. Hà Nam's 16.5%) or an observed monthly tax series, with an interval.
* :func:`posterior` — every parameter value consistent with observed figures (rejection ABC),
  written into the scenario as draws that later runs carry into their intervals.
* :func:`one_at_a_time` and :func:`sobol_indices` (or :func:`sensitivity`) — which
  uncertain inputs move a KPI most.
* :func:`simulate_panels`, :func:`read_panel` and :func:`evaluate` — did it work? A province × month tax
  panel (simulated, with its truth, or observed) and the standard estimators of a campaign's effect on it
  (difference-in-differences, synthetic control, interrupted time series); ``evaluate.check`` — which of
  them to trust, on simulated panels whose answer is known.
* :func:`read_sweep` and :func:`read_sensitivity` — a sweep or sensitivity folder read back into
  the tables its charts are drawn from (:mod:`.folders`), to redraw or report them without re-running;
  :func:`sweep_document` and :func:`sensitivity_document` — their reports (:mod:`.report`, which
  registers the two report kinds, so ``fuelseal report DIR`` takes such a folder).

All of them change a scenario through dotted names (``"campaign.teams"``,
``"behaviour.undeclared_share.mean"``), as ``Scenario.with_overrides`` does, and run
every point from the same seed. scipy, SALib and matplotlib load only when a function
needs them, so registering the commands costs ``fuelseal run`` nothing.

What it may import: everything below it (scenario, model, runner, results, charts, KPIs,
execution, files). Nothing in the package imports ``analysis`` except ``simulator/__init__``
(the public API) and the command line (``cli/analysis.py``).
"""

# The functions sweep, calibrate and sensitivity share their names with their modules;
# importing them here, once, makes the package attribute the function for good.
from .calibrate import Calibration, TargetUnreachable, calibrate, calibrated_toml, read_observed
from .evaluate import Check, Estimate, evaluate
from .folders import SensitivityResult, SweepResult, read_sensitivity, read_sweep
from .panel import SimulatedPanel, read_panel, simulate_panels
from .posterior import Posterior, posterior, posterior_toml
from .report import sensitivity_document, sweep_document
from .sensitivity import (
    default_ranges,
    one_at_a_time,
    plot_sensitivity,
    plot_sobol,
    plot_tornado,
    sensitivity,
    sobol_indices,
)
from .sweep import (
    BreakEvenAnswer,
    TeamsAnswer,
    earliest_break_even,
    fewest_teams,
    per_replication,
    plot_sweep,
    sweep,
    sweep_runs,
)

__all__ = [
    "BreakEvenAnswer",
    "Calibration",
    "Check",
    "Estimate",
    "Posterior",
    "SensitivityResult",
    "SimulatedPanel",
    "SweepResult",
    "TargetUnreachable",
    "TeamsAnswer",
    "calibrate",
    "calibrated_toml",
    "default_ranges",
    "earliest_break_even",
    "evaluate",
    "fewest_teams",
    "one_at_a_time",
    "per_replication",
    "plot_sensitivity",
    "plot_sobol",
    "plot_sweep",
    "plot_tornado",
    "posterior",
    "posterior_toml",
    "read_observed",
    "read_panel",
    "read_sensitivity",
    "read_sweep",
    "sensitivity",
    "sensitivity_document",
    "simulate_panels",
    "sobol_indices",
    "sweep",
    "sweep_document",
    "sweep_runs",
]
