"""rescalesim: agent-based simulation of justice-system rescaling on Mesa.

The public surface: load a scenario, simulate it, compare scenarios, sweep and summarise.
Names are imported on first use (PEP 562), so that ``import rescalesim`` and the command
line's ``--help`` stay quick: pandas, Mesa and the model load only when something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it
_EXPORTS = {
    "Comparison": "rescalesim.simulation",
    "HEADLINE": "rescalesim.outcomes",
    "METRICS": "rescalesim.outcomes",
    "RescaleModel": "rescalesim.model",
    "Scenario": "rescalesim.scenario",
    "ScenarioError": "rescalesim.errors",
    "SimulationResult": "rescalesim.simulation",
    "UserError": "rescalesim.errors",
    "compare": "rescalesim.simulation",
    "evaluate": "rescalesim.workbench",
    "field_doc": "rescalesim.scenario_docs",
    "get_executor": "rescalesim.executors",
    "headline_table": "rescalesim.simulation",
    "interval": "rescalesim.simulation",
    "load": "rescalesim.scenario_file",
    "load_sweep": "rescalesim.sweep",
    "paired_differences": "rescalesim.simulation",
    "planned_places": "rescalesim.estate",
    "run_replication": "rescalesim.simulation",
    "run_sweep": "rescalesim.sweep",
    "simulate": "rescalesim.simulation",
    "to_toml": "rescalesim.scenario_file",
}

__all__ = [
    "Comparison",
    "HEADLINE",
    "METRICS",
    "RescaleModel",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "UserError",
    "__version__",
    "compare",
    "evaluate",
    "field_doc",
    "get_executor",
    "headline_table",
    "interval",
    "load",
    "load_sweep",
    "paired_differences",
    "planned_places",
    "run_replication",
    "run_sweep",
    "simulate",
    "to_toml",
]

if TYPE_CHECKING:
    from rescalesim.errors import ScenarioError, UserError
    from rescalesim.executors import get_executor
    from rescalesim.model import RescaleModel
    from rescalesim.outcomes import HEADLINE, METRICS
    from rescalesim.scenario import Scenario
    from rescalesim.scenario_docs import field_doc
    from rescalesim.scenario_file import load, to_toml
    from rescalesim.simulation import (
        Comparison,
        SimulationResult,
        compare,
        headline_table,
        interval,
        paired_differences,
        run_replication,
        simulate,
    )
    from rescalesim.sweep import load_sweep, run_sweep
    from rescalesim.workbench import evaluate


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        value = version("rescalesim")
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'rescalesim' has no attribute {name!r}")
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
