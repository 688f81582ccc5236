"""Loading versioned YAML data files into typed models, with errors that name entry and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pipeline.errors import ConfigError

ModelT = TypeVar("ModelT", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", path=str(path)) from exc


def describe_location(data: Any, loc: tuple[Any, ...]) -> str:
    """`sources[3] (id=libya_herald) field 'urls.0'` from a pydantic error location."""
    parts: list[str] = []
    node = data
    for position, item in enumerate(loc):
        if isinstance(item, int) and isinstance(node, list) and item < len(node):
            node = node[item]
            parts.append(f"[{item}]{_entry_name(node)}")
            if isinstance(node, dict):
                rest = ".".join(str(x) for x in loc[position + 1 :])
                return ("".join(parts) + (f" field '{rest}'" if rest else "")).lstrip()
            continue
        if isinstance(node, dict) and item in node:
            node = node[item]
        parts.append(f".{item}" if parts else str(item))
    return "".join(parts)


def _entry_name(node: Any) -> str:
    if not isinstance(node, dict):
        return ""
    for field in ("id", "key", "name"):
        if node.get(field):
            return f" ({field}={node[field]})"
    return ""


def parse_model(model: type[ModelT], data: Any, path: Path) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{describe_location(data, tuple(err['loc']))}: {err['msg']}" for err in exc.errors()[:10]
        ]
        more = f" (+{exc.error_count() - 10} more)" if exc.error_count() > 10 else ""
        raise ConfigError("invalid entries:\n  " + "\n  ".join(problems) + more, path=str(path)) from exc


def load_model(model: type[ModelT], path: Path) -> ModelT:
    return parse_model(model, read_yaml(path), path)
