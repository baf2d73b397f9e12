"""A reference of every scenario field (default, unit, range, source), read from the schema."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from rescalesim.dated_inputs import FIXED_FIELDS, FIXED_SECTIONS
from rescalesim.scenario import Scenario, bounds


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _rows(model: type[BaseModel], prefix: str):
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = field.annotation
        nested = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
        inner = [
            a
            for a in getattr(annotation, "__args__", ())
            if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if nested is not None and nested is not Scenario:
            yield from _rows(nested, f"{path}.")
            continue
        if inner:
            # a table of trends by field name, or a list (of facilities, regions, changes)
            keyed = get_origin(annotation) is dict
            yield from _rows(inner[0], f"{path}.<field>." if keyed else f"{path}[].")
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        yield (
            path,
            _default(field),
            extra.get("unit", ""),
            ", ".join(bounds(field)),
            field.description or "",
            extra.get("source", "")
            + ("; estimated by `rescalesim calibrate --fit`" if extra.get("calibrated") else ""),
        )


def field_paths() -> list[str]:
    """Every scenario field's path, as in docs/scenario-fields.md ('facilities[].capacity')."""
    return [row[0] for row in _rows(Scenario, "")]


def reference_markdown() -> str:
    """Markdown table of all fields, in schema order."""
    lines = [
        "# Scenario fields",
        "",
        "Generated from the schema in `src/rescalesim/scenario.py` by `rescalesim fields`;",
        "do not edit by hand. Defaults are the Belgian calibration unless a scenario says",
        "otherwise. `regions[]` and `facilities[]` are arrays of tables (`[[regions]]`).",
        "",
        "Any numeric field can change with the date (a dated series or a growth rate, given",
        "in place of its value or under `[trends]`), and any field can be changed from a date",
        "by a `[[changes]]` entry (docs/time.md), except "
        + ", ".join(f"`{name}`" for name in (*FIXED_SECTIONS, *FIXED_FIELDS))
        + ": they frame the run or act through what is drawn or built at its start.",
        "",
        "| field | default | unit | allowed | meaning | source of the default |",
        "|---|---|---|---|---|---|",
    ]
    for row in _rows(Scenario, ""):
        cells = [str(c).replace("|", "/").replace("\n", " ") for c in row]
        lines.append("| `" + cells[0] + "` | " + " | ".join(cells[1:]) + " |")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class FieldDoc:
    """What the schema says about one scenario field: for levers, tables and messages."""

    path: str
    description: str
    unit: str
    source: str
    default: Any
    minimum: float | None  # inclusive bounds; exclusive ones are reported in `bounds`
    maximum: float | None
    bounds: list[str]
    choices: list[Any] | None  # the allowed values of a Literal field (or of a list's items)
    lever: str | None = None  # "policy" or "assumption": offered on the web page
    plausible: tuple[float, float] | None = None  # the range worth exploring
    calibrated: bool = False  # national records can pin it down (rescalesim calibrate --fit)

    @property
    def kind(self) -> str:
        """How to offer the field: 'choice', 'choices' (several), 'switch' or 'number'."""
        if isinstance(self.default, bool):
            return "switch"
        if self.choices is not None:
            return "choices" if isinstance(self.default, list) else "choice"
        return "number"

    @property
    def explore_range(self) -> tuple[float, float] | None:
        """The plausible range, else the allowed one when both ends are bounded."""
        if self.plausible is not None:
            return self.plausible
        if self.minimum is not None and self.maximum is not None:
            return (self.minimum, self.maximum)
        return None


def _limit(field: Any, inclusive: str, exclusive: str) -> float | None:
    for meta in field.metadata:
        for name in (inclusive, exclusive):
            if getattr(meta, name, None) is not None:
                return getattr(meta, name)
    return None


def field_doc(path: str) -> FieldDoc:
    """Describe a dotted scenario field, e.g. ``net_widening.free_place_log_odds``.

    A key inside a table-valued field (``reoffending.custody_multipliers.detention_house``)
    is described by that field, with the key's own default.
    """
    model: type[BaseModel] = Scenario
    keys = path.split(".")
    for depth, key in enumerate(keys):
        field = model.model_fields.get(key)
        if field is None:
            raise KeyError(f"{path}: not a scenario field")
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
            continue
        rest = keys[depth + 1 :]
        default = field.get_default(call_default_factory=True)
        for part in rest:
            if not isinstance(default, dict) or part not in default:
                raise KeyError(f"{path}: not a scenario field")
            default = default[part]
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        plausible = extra.get("plausible")
        per_key = isinstance(plausible, dict)  # a table whose keys are levers, not itself one
        if per_key:
            plausible = plausible.get(rest[0]) if rest else None
        return FieldDoc(
            path=path,
            description=field.description or "",
            unit=extra.get("unit", ""),
            source=extra.get("source", ""),
            default=default,
            minimum=None if rest else _limit(field, "ge", "gt"),
            maximum=None if rest else _limit(field, "le", "lt"),
            bounds=[] if rest else bounds(field),
            choices=_choices(annotation),
            lever=None if per_key and not rest else extra.get("lever"),
            plausible=tuple(plausible) if plausible is not None else None,
            calibrated=bool(extra.get("calibrated")) and not rest,
        )
    raise KeyError(f"{path}: a section, not a field")


def _choices(annotation: Any) -> list[Any] | None:
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    if get_origin(annotation) is list:  # a list of choices, e.g. siting interventions
        (item,) = get_args(annotation)
        if get_origin(item) is Literal:
            return list(get_args(item))
    return None


def _marked(mark: str) -> list[FieldDoc]:
    """Every field whose schema entry carries `mark`, in schema order.

    A table-valued field with a plausible range per key (custody multipliers) gives one entry
    per key.
    """
    found = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{prefix}{name}.")
                continue
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            if mark not in extra:
                continue
            plausible = extra.get("plausible")
            keys = list(plausible) if isinstance(plausible, dict) else [None]
            for key in keys:
                path = f"{prefix}{name}" + (f".{key}" if key else "")
                found.append(field_doc(path))

    walk(Scenario, "")
    return found


@cache  # the schema does not change; the web page asks on every redraw
def levers() -> tuple[FieldDoc, ...]:
    """Every field marked as a lever in the schema, in schema order (one per key of a table)."""
    return tuple(_marked("lever"))


@cache
def calibrated() -> tuple[FieldDoc, ...]:
    """Every field marked `calibrated`: what `rescalesim calibrate --fit` may estimate."""
    return tuple(_marked("calibrated"))
