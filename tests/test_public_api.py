"""The public surface is what the README and the notebooks use, and importing it is light."""

import json
import re
import subprocess
import sys

from conftest import ROOT

import rescalesim


def _used_names() -> set[str]:
    """Names the README and the notebooks take from the package (`rescalesim.NAME`)."""
    texts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        texts += ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    found = set()
    for text in texts:
        found.update(re.findall(r"\brescalesim\.([A-Za-z_]\w*)\b", text))
        for names in re.findall(r"from rescalesim import ([\w, ]+)", text):
            found.update(n.strip() for n in names.split(","))
    return found


# modules named as such (`from rescalesim import plots`, `rescalesim.explorer.Explorer`)
SUBMODULES = {p.stem for p in (ROOT / "src" / "rescalesim").glob("*.py")}


def test_all_is_sorted_and_is_what_the_readme_and_notebooks_use():
    assert rescalesim.__all__ == sorted(rescalesim.__all__)
    used = _used_names() - SUBMODULES
    assert used <= set(rescalesim.__all__), used - set(rescalesim.__all__)
    for name in rescalesim.__all__:
        assert getattr(rescalesim, name) is not None


def test_no_public_name_hides_a_submodule():
    import rescalesim.model

    assert rescalesim.model.RescaleModel is rescalesim.RescaleModel
    assert not SUBMODULES & set(rescalesim.__all__)


def test_importing_the_package_loads_neither_pandas_nor_mesa():
    code = "import sys, rescalesim; print(sorted({'pandas', 'mesa', 'numpy'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_simulate_returns_tidy_tables():
    from conftest import scenario

    result = rescalesim.simulate(scenario(run={"years": 1, "warmup_years": 0}), replications=2)
    assert len(result.summary) == 2
    table = rescalesim.headline_table(result.summary).set_index("metric")
    assert list(table.index) == rescalesim.HEADLINE
    # one year of follow-up cannot show reconviction within two years: reported as missing,
    # with the count of replications that gave a value (none of the two)
    reconviction = table.loc["reconviction_2y"]
    assert reconviction[["mean", "ci95_low", "ci95_high"]].isna().all()
    assert (reconviction["replications_with_value"], reconviction["replications"]) == (0, 2)
    known = table.drop(index="reconviction_2y")
    assert (known["ci95_low"] <= known["mean"]).all()
    assert (known["mean"] <= known["ci95_high"]).all()
