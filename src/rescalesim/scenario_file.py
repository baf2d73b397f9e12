"""Reading scenario files: TOML, ``extends`` chains and command-line overrides.

Every failure becomes a :class:`ScenarioError` with one line naming the file, the field and what
is allowed, so that the command line can print it and exit with code 2.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from rescalesim.dated_inputs import check_every_date, gather_trends, merge
from rescalesim.errors import ScenarioError
from rescalesim.scenario import Scenario, bounds

MAX_EXTENDS_DEPTH = 20
# the scenarios shipped with the package, addressable by name ("belgium/status_quo")
SHIPPED = Path(__file__).resolve().parent / "scenarios"


def shipped_scenarios(folder: Path = SHIPPED) -> list[str]:
    """Scenario files in a folder of country folders, as paths relative to it.

    Targets and sweeps are left out: ``belgium/status_quo.toml``, ``norway/consolidated.toml``.
    """
    return sorted(
        f"{p.parent.name}/{p.name}"
        for p in Path(folder).glob("*/*.toml")
        if p.name != "targets.toml" and p.parent.name != "sweeps"
    )


def locate(path: str | Path) -> Path:
    """A file as given, or else the shipped file of that name (with or without ``.toml``)."""
    path = Path(path)
    if path.exists() or path.is_absolute():
        return path
    shipped = SHIPPED / path.with_suffix(".toml") if path.suffix != ".toml" else SHIPPED / path
    return shipped if shipped.is_file() else path


def read_toml(path: Path) -> dict[str, Any]:
    """Read any input file of rescalesim (scenario, sweep, targets) as TOML, or explain why not."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(
            f"{path}: file not found (nor a shipped scenario; `rescalesim scenarios` lists them)"
        ) from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder; expected a TOML file") from None
    except PermissionError:
        raise ScenarioError(f"{path}: cannot be read (permission denied)") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: cannot be read: not a text file (UTF-8)") from None
    except OSError as error:  # a device, a broken mount, ...
        raise ScenarioError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML: {error}") from None


def extends_root(path: Path) -> Path:
    """The file at the root of a scenario's ``extends`` chain: the scenario it changes."""
    path = Path(path)
    for _ in range(MAX_EXTENDS_DEPTH + 1):
        parent = read_toml(path).get("extends")
        if parent is None:
            return path
        path = path.parent / parent
    raise ScenarioError(f"{path}: field 'extends': chain longer than {MAX_EXTENDS_DEPTH}")


def baseline_of(path: Path) -> Path:
    """The scenario a file is compared with on the web page.

    The file its ``compare_with`` names (e.g. a plan with trends against the status quo with
    the same trends), else the root of its ``extends`` chain.
    """
    path = Path(path)
    named = read_toml(path).get("compare_with")
    if named is None:
        return extends_root(path)
    if not isinstance(named, str) or not (path.parent / named).is_file():
        raise ScenarioError(f"{path}: field 'compare_with': must name a scenario file beside it")
    return path.parent / named


def posterior_file(path: Path) -> Path | None:
    """The posterior a scenario file names (``posterior = "..."``), or one it extends names.

    The path is read relative to the file that names it; `rescalesim calibrate --fit` writes
    it. None when no file of the chain names one.
    """
    path = Path(path)
    for _ in range(MAX_EXTENDS_DEPTH + 1):
        data = read_toml(path)
        named = data.get("posterior")
        if named is not None:
            if not isinstance(named, str) or not (path.parent / named).is_file():
                raise ScenarioError(
                    f"{path}: field 'posterior': must name a posterior file beside it "
                    "(written by rescalesim calibrate --fit)"
                )
            return path.parent / named
        parent = data.get("extends")
        if parent is None:
            return None
        path = path.parent / parent
    return None


def read_raw(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file and the files it extends, merged, without validating."""
    path = Path(path)
    resolved = path.resolve()
    if resolved in _seen:
        raise ScenarioError(f"{path}: field 'extends': circular chain of files")
    if len(_seen) > MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"{path}: field 'extends': chain longer than {MAX_EXTENDS_DEPTH}")
    data = read_toml(path)
    data.pop("compare_with", None)  # which scenario the web page compares it with
    data.pop("posterior", None)  # where its fitted posterior is (posterior_file)
    parent = data.pop("extends", None)
    added = data.pop("add_facilities", None)
    removed = data.pop("remove_facilities", None)
    if parent is None:
        for field, value in (("add_facilities", added), ("remove_facilities", removed)):
            if value is not None:
                raise ScenarioError(f"{path}: field '{field}': only allowed with 'extends'")
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: field 'extends': must be a path (string) to a TOML file")
    merged = merge(read_raw(resolved.parent / parent, (*_seen, resolved)), data)
    if removed is not None:
        # the estate of the extended scenario without some facilities, e.g. houses that a
        # replay of a plan must site again
        if not isinstance(removed, list) or not all(isinstance(n, str) for n in removed):
            raise ScenarioError(f"{path}: field 'remove_facilities': must be a list of names")
        names = [f.get("name") for f in merged.get("facilities", []) if isinstance(f, dict)]
        for name in removed:
            if name not in names:
                raise ScenarioError(
                    f"{path}: field 'remove_facilities': no facility named '{name}' in the "
                    f"extended scenario; allowed: {', '.join(map(str, names))}"
                )
        merged["facilities"] = [
            f
            for f in merged.get("facilities", [])
            if not isinstance(f, dict) or f.get("name") not in removed
        ]
    if added is not None:
        if not isinstance(added, list):
            raise ScenarioError(f"{path}: field 'add_facilities': must be an array of tables")
        # the estate of the extended scenario plus new facilities, e.g. a house-building plan
        merged["facilities"] = [*merged.get("facilities", []), *added]
    return merged


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``a.b.c=value``; the value is read as TOML (numbers, booleans, lists, strings)."""
    if "=" not in text:
        raise ScenarioError(f"--set {text}: expected FIELD=VALUE, e.g. remand.share=0.3")
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ScenarioError(f"--set {text}: field name missing")
    try:
        value = tomllib.loads(f"value = {raw.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()  # a bare word such as `low` is a string
    return key.split("."), value


def apply_override(data: dict[str, Any], path: list[str], value: Any, origin: str) -> None:
    """Set a dotted field in raw scenario data; list items are addressed by index."""
    node: Any = data
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ScenarioError(
                    f"{origin}: field '{'.'.join(path[: depth + 1])}': no such list item "
                    f"(the list has {len(node)} items, indexed from 0)"
                )
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
            continue
        if last:
            node[part] = value
        else:
            node = node.setdefault(part, {})
            if not isinstance(node, dict | list):
                raise ScenarioError(
                    f"{origin}: field '{'.'.join(path[: depth + 1])}' is a value, not a table"
                )


def _field_location(loc: tuple[Any, ...]) -> str:
    # pydantic locations mix field names, list indices and validator tags; keep the path
    return ".".join(str(part) for part in loc if not str(part).startswith("function-"))


def _allowed(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """What a field accepts, read from the schema (range, choices or field names)."""
    current: Any = model
    field = None
    for part in loc:
        if isinstance(part, int) or not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            continue
        field = current.model_fields.get(str(part))
        if field is None:
            return "allowed fields here: " + ", ".join(current.model_fields)
        annotation = field.annotation
        inner = getattr(annotation, "__args__", ())
        candidates = [annotation, *inner]
        current = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    if field is None:
        return ""
    allowed = bounds(field)
    unit = (
        (field.json_schema_extra or {}).get("unit")
        if isinstance(field.json_schema_extra, dict)
        else None
    )
    parts = []
    if allowed:
        parts.append("allowed: " + " and ".join(allowed))
    if unit:
        parts.append(f"unit: {unit}")
    return "; ".join(parts)


def explain(error: ValidationError, origin: str, schema: type[BaseModel] = Scenario) -> str:
    """One line for the first problem in a validation error of `schema`."""
    first = error.errors()[0]
    loc = tuple(first["loc"])
    where = _field_location(loc) or "(top level)"
    kind = first["type"]
    if kind == "extra_forbidden":
        allowed = _allowed(schema, loc)
        return f"{origin}: field '{where}': unknown field; {allowed}"
    message = first["msg"].removeprefix("Value error, ")
    # whole-scenario checks name their field at the start of the message: "field: problem"
    head, _, rest = message.partition(": ")
    if not loc and rest and " " not in head:
        where, message = head, rest
    if (
        "input" in first
        and kind not in ("missing", "value_error")
        and not isinstance(first["input"], dict | list)
    ):
        message += f" (got {first['input']!r})"
    allowed = _allowed(schema, loc)
    return f"{origin}: field '{where}': {message}" + (f"; {allowed}" if allowed else "")


def validate_as[T: BaseModel](schema: type[T], data: dict[str, Any], origin: str) -> T:
    """Validate raw data against a schema or raise a one-line ScenarioError."""
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(explain(error, origin, schema)) from None


def _field_error(origin: str, error: ValueError) -> ScenarioError:
    # the message names its field first: "field.path: problem"
    field, _, problem = str(error).partition(": ")
    return ScenarioError(f"{origin}: field '{field}': {problem}")


def validate(data: dict[str, Any], origin: str) -> Scenario:
    """Validate raw data into a Scenario or raise a one-line ScenarioError.

    Trends written in place of a field's value move to ``trends`` first; the rules are then
    checked on every date on which a trend or a dated change can take them out of range.
    """
    try:
        data = gather_trends(data)
    except ValueError as error:
        raise _field_error(origin, error) from None
    scenario = validate_as(Scenario, data, origin)
    try:
        check_every_date(scenario)
    except ValueError as error:
        raise _field_error(origin, error) from None
    return scenario


def load(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load a scenario file (or a shipped scenario by name), apply ``--set`` overrides, validate."""
    path = locate(path)
    data = read_raw(path)
    for text in overrides:
        keys, value = parse_override(text)
        apply_override(data, keys, value, f"{path} (--set {text})")
    origin = f"{path}" + (" with --set " + " ".join(overrides) if overrides else "")
    return validate(data, origin)


def to_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML, loadable again without ``extends``."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    header = f"# Fully resolved scenario; hash {scenario.digest()}\n"
    return header + tomli_w.dumps(data)


def check_distinct_names(scenarios: Sequence[Scenario]) -> None:
    """Scenarios compared side by side need distinct names (tables are keyed by name)."""
    names = [s.name for s in scenarios]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ScenarioError(
            f"field 'name': scenarios to compare need distinct names; '{repeated[0]}' appears "
            "more than once (give each scenario its own name)"
        )
