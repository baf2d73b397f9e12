"""rescalesim: agent-based simulation of justice-system rescaling on Mesa.

The public surface: load a scenario, simulate it, summarise replications.
"""

from importlib.metadata import version as _version

from rescalesim.metrics import HEADLINE
from rescalesim.model import RescaleModel
from rescalesim.scenario import Scenario
from rescalesim.scenario_file import ScenarioError, load, to_toml
from rescalesim.simulation import (
    Comparison,
    SimulationResult,
    compare,
    headline_table,
    paired_differences,
    run_replication,
    simulate,
)
from rescalesim.sweep import load_sweep, sweep
from rescalesim.workbench import model

__version__ = _version("rescalesim")

__all__ = [
    "HEADLINE",
    "Comparison",
    "RescaleModel",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "__version__",
    "headline_table",
    "compare",
    "load",
    "load_sweep",
    "model",
    "paired_differences",
    "run_replication",
    "simulate",
    "sweep",
    "to_toml",
]
