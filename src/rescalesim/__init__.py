"""rescalesim: agent-based simulation of justice-system rescaling on Mesa.

The public surface: load a scenario, simulate it, summarise replications.
"""

from importlib.metadata import version as _version

from rescalesim.metrics import HEADLINE
from rescalesim.model import RescaleModel
from rescalesim.scenario import Scenario
from rescalesim.scenario_file import ScenarioError, load, to_toml
from rescalesim.simulation import (
    SimulationResult,
    headline_table,
    paired_differences,
    run_replication,
    simulate,
)

__version__ = _version("rescalesim")

__all__ = [
    "HEADLINE",
    "RescaleModel",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "__version__",
    "headline_table",
    "load",
    "paired_differences",
    "run_replication",
    "simulate",
    "to_toml",
]
