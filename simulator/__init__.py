"""fuelseal: what a campaign of verifying fuel dispensers and sealing their totaliser
meters costs, how long it takes, and how much tax it brings compared with doing nothing.

Typical use::

    import simulator
    sc = simulator.load_scenario()                 # built-in Hà Nam 2017 scenario
    res = simulator.run(sc.with_overrides({"campaign.teams": 3}), replications=100)
    res.summary()

The package reads from the bottom up, each layer importing only those below it:
foundations (errors, kpis, timeline, numbers, files, execution) → ``scenario/`` →
``charts/`` (which read any object with a run's tables) and ``model/`` → ``results/``
and ``runner`` → ``report/`` and ``analysis/`` → the command line (``cli/``).
This module is the public API: it re-exports the names users' scripts rely on and
defines nothing else (see "How the code is laid out" in the README).
"""

from importlib import import_module

# what each public name is, and where it lives: imported on first use (PEP 562), so that the command line —
# `fuelseal --help`, `fuelseal validate` — does not load pandas, matplotlib and scipy before it needs them
_WHERE = {
    "TargetUnreachable": "analysis", "calibrate": "analysis", "earliest_break_even": "analysis",
    "fewest_teams": "analysis", "one_at_a_time": "analysis", "posterior": "analysis", "sensitivity": "analysis",
    "sobol_indices": "analysis", "sweep": "analysis",
    "ScenarioError": "errors", "Results": "results.tables", "run": "runner",
    "Scenario": "scenario", "load_scenario": "scenario", "scenario_from_dict": "scenario",
}


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value  # once found, an ordinary attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_WHERE})


__all__ = [
    "Results", "Scenario", "ScenarioError", "TargetUnreachable", "calibrate", "earliest_break_even", "fewest_teams",
    "load_scenario", "one_at_a_time", "posterior", "run", "scenario_from_dict", "sensitivity", "sobol_indices", "sweep",
    "__version__",
]
__version__ = "0.2.0.dev0"  # run folders: format fuelseal-run/2 (sealed manifests)
