"""Inputs that change with the date: trends of numeric fields and dated policy changes.

A projection needs inputs that move: the case flow grows with the population, a reform sends
short sentences back to prison from a given month. A scenario states them as data (docs/time.md):

- a **trend** of a numeric field: a dated series (``{2013 = 15200, 2024 = 18000}``, linear
  between its dates or stepped at them) or a yearly growth rate from a start year;
- a **dated change**: partial scenario sections that replace the fields they name from a date.

The scenario *in force* on a model day is the file's scenario with every change dated on or
before that day applied (in date order) and every trended field at its value that day. It can
differ from the day before only on an *update day*: the day of a change or of a step of a series,
and the first day of every calendar month while a linear series or a growth is moving; the
model takes the scenario in force then and hands each mechanism its new rules. A scenario
without trends or changes has no update days and runs exactly as it always did.

Some fields act only through what the model draws or builds once at the start (the run itself,
regions, the estate, the bench of judges, municipalities' traits, the policymaker's switch):
they cannot change with the date, and a scenario that tries is told so.
"""

from __future__ import annotations

import bisect
import datetime
import math
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from rescalesim.scenario import DAYS_PER_YEAR

if TYPE_CHECKING:
    from rescalesim.scenario import Scenario, Trend

# fields fixed for the whole run: the run's frame, the estate (it has dates of its own), and
# what is drawn or built once at the start from the rules then
FIXED_SECTIONS = (
    "name",
    "description",
    "run",
    "regions",
    "facilities",
    "house_plan",
    "new_prison",
    "siting",
)
FIXED_FIELDS = (
    "sentencing.severity_enabled",  # judges' severities are drawn once
    "sentencing.severity_sd",
    "sentencing.judges_per_region",
    "community.work_education_share",  # properties of each facility, set when it is built
    "community.lived_experience_staff",
    "community.large_facility_places",
    "policy.enabled",  # the policymaker's yearly reviews are scheduled at the start
)
# the keys of a trend written in place of a field's value (with `value`, a growth's start)
TREND_KEYS = ("by_year", "between", "growth_per_year", "from_year", "until_year", "source")
MONTHS_PER_YEAR = 12  # a moving value is read on the first day of each calendar month


def date_text(year: float) -> str:
    """A fractional calendar year as a date, e.g. 2022.67 -> '2022-09-02'."""
    whole = math.floor(year)
    day = datetime.date(whole, 1, 1) + datetime.timedelta(days=round((year - whole) * 365))
    return day.isoformat()


# -- reading a scenario file ----------------------------------------------------------------


def _is_trend(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and ("by_year" in value or "growth_per_year" in value)
        and set(value) <= {*TREND_KEYS, "value"}
    )


def gather_trends(data: dict[str, Any]) -> dict[str, Any]:
    """Move trends written in place of a field's value into ``trends``.

    A growth needs its start value (``{value = 13800, growth_per_year = 0.006}``), which stays
    the field's value; a dated series puts its first value there (every day reads the series).
    """
    found: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> dict[str, Any]:
        out = {}
        for key, value in node.items():
            path = f"{prefix}{key}"
            if _is_trend(value):
                spec = dict(value)
                start = spec.pop("value", None)
                if "by_year" in spec:
                    if start is not None:
                        raise ValueError(f"{path}: a dated series (by_year) takes no 'value'")
                    series = spec["by_year"]
                    start = series[min(series, key=float)] if isinstance(series, dict) else None
                elif start is None:
                    raise ValueError(
                        f"{path}: a growth needs the value it starts from, e.g. "
                        "{value = 13800, growth_per_year = 0.006}"
                    )
                found[path] = spec
                out[key] = start
            elif isinstance(value, dict):
                out[key] = walk(value, f"{path}.")
            else:
                out[key] = value
        return out

    data = {
        key: walk(value, f"{key}.") if isinstance(value, dict) and key != "trends" else value
        for key, value in data.items()
    }
    if not found:
        return data
    trends = dict(data.get("trends") or {})
    for path, spec in found.items():
        if path in trends:
            raise ValueError(f"{path}: a trend is given twice (in place and under [trends])")
        trends[path] = spec
    return {**data, "trends": trends}


# -- the scenario in force on a day ----------------------------------------------------------


def _year_day(scenario: Scenario, year: float) -> float:
    """Model day of a date, fractional and not cut at day 0.

    A linear series is interpolated in days, and may start before the run.
    """
    return scenario.warmup_days + (year - scenario.run.start_year) * DAYS_PER_YEAR


def _day(scenario: Scenario, year: float) -> int:
    """The model day of a date as `Scenario.day_of_year` counts it, not cut at day 0."""
    return scenario.warmup_days + round((year - scenario.run.start_year) * DAYS_PER_YEAR)


def trend_value(trend: Trend, start_value: float, scenario: Scenario, day: int) -> float:
    """A trended field's value on a model day."""
    if trend.by_year is not None:
        years = sorted(trend.by_year)
        days = [_year_day(scenario, y) for y in years]
        values = [trend.by_year[y] for y in years]
        if trend.between == "step":
            at = bisect.bisect_right([_day(scenario, y) for y in years], day) - 1
            return values[max(at, 0)]
        # linear between dates, flat outside them (numpy's interp, without importing numpy
        # into commands that only read scenarios)
        if day <= days[0]:
            return values[0]
        if day >= days[-1]:
            return values[-1]
        at = bisect.bisect_right(days, day)
        share = (day - days[at - 1]) / (days[at] - days[at - 1])
        return values[at - 1] + share * (values[at] - values[at - 1])
    from_day = _year_day(scenario, trend.from_year or scenario.run.start_year)
    until_day = math.inf if trend.until_year is None else _year_day(scenario, trend.until_year)
    years = (min(max(day, from_day), until_day) - from_day) / DAYS_PER_YEAR
    return start_value * (1.0 + trend.growth_per_year) ** years


def _get(data: Any, path: list[str]) -> Any:
    for part in path:
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _set(data: Any, path: list[str], value: Any) -> None:
    node = _get(data, path[:-1])
    if isinstance(node, list):
        node[int(path[-1])] = value
    else:
        node[path[-1]] = value


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge tables; lists (regions, facilities) are replaced as a whole.

    How a file changes the one it extends, and how a dated change changes the rules before it.
    """
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def rules_on_day(scenario: Scenario, day: int) -> Scenario:
    """The scenario in force on a model day (the scenario itself if nothing changes)."""
    if not scenario.trends and not scenario.changes:
        return scenario
    data = scenario.model_dump(exclude={"trends", "changes"})
    # a growth starts from the file's value (no change may set a trended field)
    starts = {path: _get(data, path.split(".")) for path in scenario.trends}
    for change in sorted(scenario.changes, key=lambda c: c.year):
        if scenario.day_of_year(change.year) <= day:
            data = merge(data, change.sections)
    for path, trend in scenario.trends.items():
        _set(data, path.split("."), trend_value(trend, starts[path], scenario, day))
    return type(scenario).model_validate(data)


def held_at_start(scenario: Scenario) -> Scenario:
    """The rules in force on the first measured day, held for the whole run.

    A scenario without its trends and dated changes, as a stationary one (the web page's
    switch): the warm-up and the measured years run under the rules of the start.
    """
    if not scenario.trends and not scenario.changes:
        return scenario
    return rules_on_day(scenario, scenario.warmup_days)


# -- checks of a scenario's trends and changes ----------------------------------------------


def _fixed(path: str) -> bool:
    section = path.split(".", 1)[0]
    return section in FIXED_SECTIONS or any(
        path == f or path.startswith(f"{f}.") for f in FIXED_FIELDS
    )


def _leaves(node: Any, prefix: str) -> list[str]:
    if isinstance(node, dict) and node:
        return [leaf for k, v in node.items() for leaf in _leaves(v, f"{prefix}.{k}")]
    return [prefix]


def check_every_date(scenario: Scenario) -> None:
    """Trends and changes name fields that may change, and the rules are valid on every date.

    Raises ValueError("field: problem") naming the field and, for a value out of range, the
    date on which it would be in force.
    """
    if not scenario.trends and not scenario.changes:
        return
    base = scenario.model_dump(exclude={"trends", "changes"})
    for path in scenario.trends:
        keys = path.split(".")
        if _fixed(path):
            raise ValueError(f"trends.{path}: cannot change with the date ({_why_fixed(path)})")
        try:
            value = _get(base, keys)
        except (KeyError, IndexError, ValueError, TypeError):
            raise ValueError(f"trends.{path}: no such field") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"trends.{path}: not a number; a trend needs a numeric field")
    changed = set()
    for i, change in enumerate(scenario.changes):
        for section, fields in change.sections.items():
            if not isinstance(fields, dict):
                raise ValueError(
                    f"changes.{i}.{section}: expected a table of fields, e.g. [changes.{section}]"
                )
            for path in _leaves(fields, section):
                if path.split(".", 1)[0] not in base or section == "trends":
                    raise ValueError(f"changes.{i}.{section}: no such section")
                if _fixed(path):
                    raise ValueError(
                        f"changes.{i}.{path}: cannot change with the date ({_why_fixed(path)})"
                    )
                changed.add(path)
    for path in scenario.trends:
        if any(path == c or path.startswith(f"{c}.") or c.startswith(f"{path}.") for c in changed):
            raise ValueError(f"trends.{path}: also set by a dated change; give one or the other")
    for day, what in _check_days(scenario):
        try:
            rules_on_day(scenario, day)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(the scenario)"
            message = first["msg"].removeprefix("Value error, ")
            if first["type"] == "extra_forbidden":
                message = "unknown field"
            got = first.get("input")
            if got is not None and not isinstance(got, dict | list):
                message += f" (got {got!r})"
            raise ValueError(
                f"{field}: {message}, in force from {date_text(scenario.year_of_day(day))} ({what})"
            ) from None


def _why_fixed(path: str) -> str:
    section = path.split(".", 1)[0]
    if section in ("run", "name", "description"):
        return "it frames the whole run"
    if section in ("regions", "facilities"):
        return "the estate and regions are set at the start; facilities have their own dates"
    if section == "siting":
        return "municipalities and their decisions are drawn at the start"
    return "it acts through what is drawn or built once at the start"


def _check_days(scenario: Scenario) -> list[tuple[int, str]]:
    """Days on which the rules are checked: where a trend or change can reach an extreme."""
    days = [(0, "start of the warm-up"), (_last_day(scenario), "end of the run")]
    for change in scenario.changes:
        days.append((scenario.day_of_year(change.year), f"change of {date_text(change.year)}"))
    for path, trend in scenario.trends.items():
        if trend.by_year is not None:
            years = list(trend.by_year)
        else:
            years = [y for y in (trend.from_year, trend.until_year) if y is not None]
        for year in years:
            day = _day(scenario, year)
            if 0 <= day <= _last_day(scenario):
                days.append((day, f"trend of {path}"))
    return sorted(set(days))


def _last_day(scenario: Scenario) -> int:
    return scenario.warmup_days + scenario.measured_days - 1


def update_days(scenario: Scenario) -> list[int]:
    """Days after day 0 on which the scenario in force may differ from the day before."""
    last = _last_day(scenario)
    days = {scenario.day_of_year(c.year) for c in scenario.changes}
    start = scenario.year_of_day(0)
    end = scenario.year_of_day(last)
    for trend in scenario.trends.values():
        if trend.by_year is not None and trend.between == "step":
            days.update(_day(scenario, y) for y in trend.by_year)
            continue
        if trend.by_year is not None:
            first, final = min(trend.by_year), max(trend.by_year)
        else:
            first = trend.from_year or scenario.run.start_year
            final = trend.until_year if trend.until_year is not None else end
        # the first day of every calendar month while the value moves, and its last date
        first, final = max(first, start), min(final, end)
        month = math.ceil(first * MONTHS_PER_YEAR)
        while month / MONTHS_PER_YEAR <= final:
            days.add(scenario.day_of_year(month / MONTHS_PER_YEAR))
            month += 1
        days.add(_day(scenario, final))
    return sorted(d for d in days if 0 < d <= last)


class ScenarioOverTime:
    """A run's scenario in force day by day: its update days, and the rules on each (cached)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.update_days = update_days(scenario)
        self._cache: dict[int, Scenario] = {}

    @property
    def changing(self) -> bool:
        """Whether the rules change at all during the run."""
        return bool(self.update_days)

    def segment_start(self, day: int) -> int:
        """The update day (or 0) from which the rules of `day` hold."""
        at = bisect.bisect_right(self.update_days, day) - 1
        return self.update_days[at] if at >= 0 else 0

    def on_day(self, day: int) -> Scenario:
        """The scenario in force on a model day."""
        start = self.segment_start(day)
        rules = self._cache.get(start)
        if rules is None:
            rules = self._cache[start] = rules_on_day(self.scenario, start)
        return rules

    def next_update(self, day: int) -> int | None:
        """The first update day after `day`, if any."""
        at = bisect.bisect_right(self.update_days, day)
        return self.update_days[at] if at < len(self.update_days) else None
