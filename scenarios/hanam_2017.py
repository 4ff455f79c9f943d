"""Scenario script: run Hà Nam 2017, print the summary and save the run folder.

A template to copy: change the scenario file, the overrides and the output folder,
then run ``python scenarios/my_province.py [REPLICATIONS]``. Scripts only assemble
parameters and call the simulator; the model itself lives in the ``simulator`` package.
"""

import sys
from pathlib import Path

import simulator
from simulator.cli import summary_text

HERE = Path(__file__).parent

scenario = simulator.load_scenario(HERE / "hanam_2017.toml")

# What-if: change any dotted key, for example three teams instead of two.
scenario = scenario.with_overrides({"campaign.teams": 3})

replications = int(sys.argv[1]) if len(sys.argv) > 1 else None  # default: run.replications
results = simulator.run(scenario, replications=replications, progress=True)

print(summary_text(results, scenario))
folder = results.save(HERE.parent / "runs" / "hanam_2017_three_teams", overwrite=True)
print(f"\nRun folder: {folder}")
