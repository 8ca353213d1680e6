"""How messages name the type a value has and the type a field wants, in one vocabulary.

YAML users think in mappings and lists, not objects and arrays; a missing value is "empty".
"""

from __future__ import annotations

from typing import Any

#: JSON Schema's type names as a message says them ("must be a mapping")
_WANTED = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "null": "empty",
}


def wanted(json_type: str) -> str:
    """The type a field wants, from its JSON Schema name: ``"object"`` is "a mapping"."""
    return _WANTED.get(json_type, json_type)


def of_value(value: Any) -> str:
    """The type a value has, as a message says it after "not": "a string", "an integer", "empty"."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
