"""The control API's inputs checked against ``openapi.yaml`` as built for the providers (document.py), the
document ``/_sandbox/openapi.yaml`` serves: one description, enforced (STYLE: validators compiled once from a
spec, after stripe-mock). Every JSON body and every described query parameter of an operation is checked
before its handler runs; a violation is a 400 naming the field (``'now' must be a number, got false``).

They are compiled on first use, not at import: parsing the description and building its validators
cost ~30 ms of every start (measured on the loaded 2-CPU bench machine), and a start, its health probe
included, checks nothing. Once built the table is read-only, as it was when it was built at import.

OpenAPI 3.0 schemas are JSON Schema with a few differences, mapped here: ``$ref`` to components is
inlined and ``nullable: true`` becomes a ``null`` type. Query parameters arrive as text: a described
integer, number or boolean is converted first (a value that does not convert stays text, so the type
check refuses it), and numbers must be finite (``nan`` would slip past ``minimum``).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

from sandbox.control import document
from sandbox.core.errors import ControlError
from sandbox.providers.all import PROVIDERS

INTEGER = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class Operation:
    """One operation's compiled checks."""

    body: Draft7Validator | None  # None: the operation takes no body
    query: Mapping[str, Draft7Validator]  # maps a query parameter -> its schema's validator

    def check_query(self, query: Mapping[str, str]) -> None:
        for name, validator in self.query.items():
            if name in query:
                _raise_first(validator, _from_text(query[name], validator.schema), name)

    def check_body(self, body: dict[str, Any]) -> None:
        if self.body is not None:
            _raise_first(self.body, body, None)


def compile_spec(spec: dict[str, Any]) -> Mapping[tuple[str, str], Operation]:
    """Maps (METHOD, path template as in the router) -> the operation's checks, for a built description
    (``document.load``)."""
    operations: dict[tuple[str, str], Operation] = {}
    for route, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method == "parameters":
                continue
            params = [_resolve(spec, p) for p in [*shared, *op.get("parameters", [])]]
            query = {p["name"]: _validator(spec, p["schema"]) for p in params if p["in"] == "query" and "schema" in p}
            body_schema = (_resolve(spec, op.get("requestBody", {})).get("content", {})
                           .get("application/json", {}).get("schema"))
            body = _validator(spec, body_schema) if body_schema is not None else None
            operations[(method.upper(), route)] = Operation(body, MappingProxyType(query))
    return MappingProxyType(operations)


@functools.cache  # one table per process, built on first use: a constant computed late, never changed
def operations() -> Mapping[tuple[str, str], Operation]:
    return compile_spec(document.load(PROVIDERS))


def operation(method: str, route: str) -> Operation | None:
    return operations().get((method, route))


def __getattr__(name: str) -> Any:
    """``OPERATIONS``, the name the table had when it was built at import, still reads it."""
    if name == "OPERATIONS":
        return operations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- OpenAPI 3.0 -> JSON Schema ----------------------------------------------------------------------


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> Draft7Validator:
    return Draft7Validator(_json_schema(spec, schema))


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _json_schema(spec: dict[str, Any], node: Any) -> Any:
    if isinstance(node, list):
        return [_json_schema(spec, item) for item in node]
    if not isinstance(node, dict):
        return node
    node = _resolve(spec, node)
    out = {k: _json_schema(spec, v) for k, v in node.items() if k not in ("nullable", "example")}
    if k_props := node.get("properties"):  # property names are data, not schemas to walk as keywords
        out["properties"] = {name: _json_schema(spec, sub) for name, sub in k_props.items()}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


# --- checking -------------------------------------------------------------------------------------


def _from_text(raw: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer" and INTEGER.fullmatch(raw):
        return int(raw)
    if kind == "number":
        try:
            number = float(raw)
        except ValueError:
            return raw
        return number if math.isfinite(number) else raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _raise_first(validator: Draft7Validator, value: Any, name: str | None) -> None:
    error = best_match(validator.iter_errors(value))
    if error is not None:
        raise ControlError(_wording(error, name))


def _wording(error: ValidationError, name: str | None) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    field = f"'{name or where}'" if (name or where) else "the body"
    got = json.dumps(error.instance) if _short(error.instance) else type(error.instance).__name__
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"{field} must be {' or '.join(_a(t) for t in expected)}, got {got}"
    if error.validator == "enum":
        return f"{field} must be one of {', '.join(json.dumps(v) for v in error.validator_value)}, got {got}"
    if error.validator in ("minimum", "maximum"):
        word = "at least" if error.validator == "minimum" else "at most"
        return f"{field} must be {word} {error.validator_value:g}, got {got}"
    if error.validator == "pattern" and isinstance(error.schema, dict) and error.schema.get("description"):
        return f"{field} must be {error.schema['description']}, got {got}"
    if error.validator in ("anyOf", "oneOf") and isinstance(error.schema, dict) and error.schema.get("description"):
        return f"{field}: {error.schema['description']}"
    return f"{field}: {error.message}"


def _a(json_type: str) -> str:
    return {"integer": "an integer", "object": "an object", "array": "an array", "null": "null"}.get(json_type, f"a {json_type}")


def _short(value: Any) -> bool:
    return not isinstance(value, (dict, list)) and len(json.dumps(value)) <= 80
