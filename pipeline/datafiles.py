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
    consumed = 0
    for item in loc:
        consumed += 1
        if isinstance(item, int) and isinstance(node, list) and item < len(node):
            node = node[item]
            label = f"[{item}]"
            if isinstance(node, dict):
                name = node.get("id") or node.get("key") or node.get("name")
                if name:
                    label += f" ({'id' if 'id' in node else 'key' if 'key' in node else 'name'}={name})"
            parts.append(label)
            if isinstance(node, dict):
                rest = ".".join(str(x) for x in loc[consumed:])
                if rest:
                    parts.append(f" field '{rest}'")
                return "".join(parts).lstrip()
        elif isinstance(node, dict) and item in node:
            node = node[item]
            parts.append(f".{item}" if parts else str(item))
        else:
            parts.append(f".{item}" if parts else str(item))
    return "".join(parts)


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
