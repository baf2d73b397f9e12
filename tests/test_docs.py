"""The documentation says what the code does."""

from conftest import ROOT

from rescalesim import outcomes
from rescalesim.scenario_docs import reference_markdown


def test_the_metric_tables_are_generated_from_the_registry():
    # regenerate the block with: rescalesim metrics
    text = (ROOT / "docs" / "metrics.md").read_text()
    assert outcomes.reference_markdown() in text
    for name in outcomes.HEADLINE + outcomes.SUPPORTING:
        assert f"| `{name}` |" in text, name


def test_the_field_reference_is_generated_from_the_current_schema():
    # regenerate with: rescalesim fields > docs/scenario-fields.md
    assert (ROOT / "docs" / "scenario-fields.md").read_text() == reference_markdown()


def test_the_citation_file_names_the_installed_version():
    from importlib.metadata import version

    import yaml

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == version("rescalesim")
    assert citation["title"] and citation["authors"] and citation["message"]


def test_the_readme_opens_with_the_two_commands_that_ci_runs():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "scripts/main" in first_block and "scripts/test" in first_block
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_the_validation_tables_list_every_holdout_record_of_every_country():
    # regenerate with: rescalesim validate <country> --markdown docs/validation.md
    from rescalesim.calibration import load_targets

    text = (ROOT / "docs" / "validation.md").read_text()
    for targets in sorted((ROOT / "scenarios").glob("*/targets.toml")):
        records = load_targets(targets).holdout
        if not records:
            continue
        key = targets.parent.name
        section = text.split(f"<!-- validate {key} -->", 1)[1].split(
            f"<!-- end validate {key} -->", 1
        )[0]
        for record in records:
            assert f"| {record.name} |" in section, (key, record.name)
        assert "hit" in section or "miss" in section
