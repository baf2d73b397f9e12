"""The documentation says what the code does."""

from conftest import ROOT

from rescalesim.metrics import HEADLINE, SUPPORTING
from rescalesim.scenario_docs import reference_markdown


def test_every_metric_is_defined_in_the_metrics_document():
    text = (ROOT / "docs" / "metrics.md").read_text()
    for metric in HEADLINE + SUPPORTING:
        assert f"| `{metric}` |" in text, metric


def test_the_field_reference_is_generated_from_the_current_schema():
    # regenerate with: rescalesim fields > docs/scenario-fields.md
    assert (ROOT / "docs" / "scenario-fields.md").read_text() == reference_markdown()


def test_the_readme_opens_with_the_two_commands_that_ci_runs():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "scripts/main" in first_block and "scripts/test" in first_block
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()
