"""What readers see is written for them: the report of a comparison and the five notebooks.

Fails on a raw name (a metric, a column of the results tables, a scenario field), on a number
in prose or tables with more than four significant digits (money is in EUR m or bn, people
whole, three significant figures), and on the project's working material ("seeds",
"shared/"), which is not part of the project. The appendix of a report (how to reproduce it:
hashes, seeds, the command) is for whoever reruns it, and is left out.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from rescalesim.outcomes import METRICS
from rescalesim.records import COLUMNS
from rescalesim.report import notebook_report
from rescalesim.scenario_docs import field_paths

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
# names a reader should never meet: metrics, results columns, scenario fields (with a dot)
RAW_NAMES = sorted(
    {*METRICS, *(c for c in COLUMNS if "_" in c), *(p for p in field_paths() if "." in p)},
    key=len,
    reverse=True,
)
RAW = re.compile(
    r"(?<![\w.-])(" + "|".join(map(re.escape, RAW_NAMES)) + r")(?![\w-])"
    r"|\b[a-z]+_[a-z_]+\.[a-z_]+\.[a-z_]+\b"  # a field of a table: costs.capital_per_place.prison
)
NUMBER = re.compile(r"(?<![\w.,/#])[-+]?\d[\d,]*(?:\.\d+)?(?![\w])")
WORKING_MATERIAL = re.compile(r"\bseeds\b|shared/", re.IGNORECASE)


def visible_text(page: str) -> str:
    """The words and numbers a reader sees on an HTML page, without the appendix."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r'src="data:[^"]*"', "", page)
    page = re.sub(r"<[^>]+>", " ", page)
    text = html.unescape(re.sub(r"\s+", " ", page))
    return text.split("Appendix: how to reproduce")[0]


def significant_digits(number: str) -> int:
    digits = number.replace(",", "")
    whole_part, _, fraction = digits.partition(".")
    if fraction:
        return len((whole_part + fraction).lstrip("0"))
    return len(whole_part.strip("0")) or 1


def problems(text: str) -> list[str]:
    """Every raw name, over-precise number and mention of working material, with context."""
    found = []
    for match in RAW.finditer(text):
        found.append(
            f"raw name {match.group(0)!r}: ...{text[max(0, match.start() - 40) : match.end() + 20]}..."
        )
    for match in NUMBER.finditer(text):
        if significant_digits(match.group(0)) > 4:
            found.append(
                f"number {match.group(0)}: ...{text[max(0, match.start() - 40) : match.end() + 10]}..."
            )
    for match in WORKING_MATERIAL.finditer(text):
        found.append(
            f"working material {match.group(0)!r}: ...{text[max(0, match.start() - 40) : match.end() + 20]}..."
        )
    return found


def test_the_checker_finds_each_fault():
    assert problems("prison occupancy 112%, €16.5 bn, 12,300 people in 2043; 0.25 and 1,086") == []
    assert len(problems("reconviction_2y rose")) == 1
    assert len(problems("set reoffending.custody_multipliers.detention_house lower")) == 1
    assert len(problems("cost 14,516,202,840 euros")) == 1
    assert len(problems("-67.974 people")) == 1
    assert len(problems("as the seeds say, see ../shared/data")) == 2
    page = (
        "<p>12,287 people</p><style>x{1.23456}</style><h2>Appendix: how to reproduce</h2>20240101"
    )
    assert [p.split(":")[0] for p in problems(visible_text(page))] == ["number 12,287"]


@pytest.mark.slow  # a small three-way comparison, about 40 s on 2 cores
def test_the_report_of_a_comparison_is_written_for_readers(tmp_path: Path):
    belgium = ROOT / "scenarios" / "belgium"
    out = tmp_path / "results"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rescalesim",
            "compare",
            str(belgium / "status_quo_trends.toml"),
            str(belgium / "new_prison_trends.toml"),
            str(belgium / "plan_trends.toml"),
            "--set",
            "run.population_scale=0.02",
            "--set",
            "run.years=6",
            "--replications",
            "2",
            "--out",
            str(out),
            "--quiet",
        ],
        check=True,
        capture_output=True,
    )
    text = visible_text((out / "report.html").read_text(encoding="utf-8"))
    assert text.index("The decision in brief") < text.index("Headline outcomes")
    assert problems(text) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_committed_notebook_is_written_for_readers(path: Path, tmp_path: Path):
    page = notebook_report(path, tmp_path / "notebook.html").read_text(encoding="utf-8")
    assert problems(visible_text(page)) == []
