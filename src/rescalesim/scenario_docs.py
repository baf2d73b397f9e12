"""A reference of every scenario field (default, unit, range, source), read from the schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

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
            yield from _rows(inner[0], f"{path}[].")
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        yield (
            path,
            _default(field),
            extra.get("unit", ""),
            ", ".join(bounds(field)),
            field.description or "",
            extra.get("source", ""),
        )


def reference_markdown() -> str:
    """Markdown table of all fields, in schema order."""
    lines = [
        "# Scenario fields",
        "",
        "Generated from the schema in `src/rescalesim/scenario.py` by `rescalesim fields`;",
        "do not edit by hand. Defaults are the Belgian calibration unless a scenario says",
        "otherwise. `regions[]` and `facilities[]` are arrays of tables (`[[regions]]`).",
        "",
        "| field | default | unit | allowed | meaning | source of the default |",
        "|---|---|---|---|---|---|",
    ]
    for row in _rows(Scenario, ""):
        cells = [str(c).replace("|", "/").replace("\n", " ") for c in row]
        lines.append("| `" + cells[0] + "` | " + " | ".join(cells[1:]) + " |")
    return "\n".join(lines) + "\n"
