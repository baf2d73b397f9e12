"""The public surface is what the README documents."""

import rescalesim


def test_the_public_names_are_exported_and_documented():
    readme = rescalesim.__file__.rsplit("/src/", 1)[0] + "/README.md"
    text = open(readme, encoding="utf-8").read()
    for name in ("load", "simulate", "headline_table", "paired_differences"):
        assert name in rescalesim.__all__
        assert f"{name}(" in text


def test_simulate_returns_tidy_tables():
    from conftest import scenario

    result = rescalesim.simulate(scenario(run={"years": 1, "warmup_years": 0}), replications=2)
    assert len(result.summary) == 2
    table = rescalesim.headline_table(result.summary).set_index("metric")
    assert list(table.index) == rescalesim.HEADLINE
    # one year of follow-up cannot show reconviction within two years: reported as missing
    assert table.loc["reconviction_2y"].isna().all()
    known = table.drop(index="reconviction_2y")
    assert (known["ci95_low"] <= known["mean"]).all()
    assert (known["mean"] <= known["ci95_high"]).all()
