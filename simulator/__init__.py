"""fuelseal: what a campaign of verifying fuel dispensers and sealing their totaliser
meters costs, how long it takes, and how much tax it brings compared with doing nothing.

Typical use::

    import simulator
    sc = simulator.load_scenario()                 # built-in Hà Nam 2017 scenario
    res = simulator.run(sc.with_overrides({"campaign.teams": 3}), replications=100)
    res.summary()
"""

from .errors import ScenarioError
from .results import Results
from .runner import run
from .scenario import Scenario, load_scenario, scenario_from_dict

__all__ = ["Results", "Scenario", "ScenarioError", "load_scenario", "run", "scenario_from_dict", "__version__"]
__version__ = "0.1.0"
