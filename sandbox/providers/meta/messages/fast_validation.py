"""The accept-fast path of send validation: most sends are valid, so they are decided by the schemas
compiled to Python (fastjsonschema), about 20x cheaper than walking them with jsonschema
(2-3 µs instead of 45-55 µs for a text or template body). A body the compiled check does not accept
goes to validation.py's jsonschema validator, which finds and words the first violation; that
validator stays the authority on every rejection.

Soundness is the only rule here: the compiled check may reject a valid body (it then costs one
slow pass), never accept an invalid one. So the custom keywords (schemas.py) are translated:
- ``x-exactly-one-of`` has an exact standard equivalent (``oneOf`` of ``required``);
- the others (numeric strings in range, unique titles, totals across sections, address fields) have
  none, so a subschema carrying one becomes ``false``: a body that reaches it takes the slow path.
  That is sound only where failing makes the whole check stricter, so translating refuses a custom
  keyword under ``not``, ``if`` or ``oneOf`` (a test builds every schema).
- ``x-meta`` and ``x-rule`` only word errors; dropped.
The schemas use draft-7 keywords only, so they are compiled as draft 7 (fastjsonschema has no 2020-12).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import fastjsonschema

from sandbox.providers.meta.messages import schemas

Schema = dict[str, Any]
STATUS = None  # the kind of mark-as-read / typing-indicator bodies (no message type can be None)

_DRAFT7 = "http://json-schema.org/draft-07/schema#"
_WORDING_ONLY = frozenset({"x-meta", "x-rule", "description"})
_NEGATED = frozenset({"not", "if", "oneOf"})  # a `false` inside these could loosen the check
_SCHEMA_MAPS = frozenset({"properties", "patternProperties"})
_LEAVES = frozenset({"enum", "const", "required", "type", "pattern"})


class UnsoundSchema(ValueError):
    """A custom keyword sits where deferring it to the slow path could accept an invalid body."""


def standard_schema(schema: Any, *, negated: bool = False) -> Any:
    """``schema`` with the custom keywords translated (see the module doc); pure."""
    if isinstance(schema, list):
        return [standard_schema(item, negated=negated) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: Schema = {}
    exactly_one: list[Schema] = []
    for key, value in schema.items():
        if key in _WORDING_ONLY:
            continue
        if key == "$schema":
            out[key] = _DRAFT7
        elif key == "x-exactly-one-of":
            exactly_one.append({"oneOf": [{"required": [name]} for name in value]})
        elif key.startswith("x-"):
            if negated:
                raise UnsoundSchema(f"{key} under not/if/oneOf cannot be deferred soundly")
            return False
        elif key in _SCHEMA_MAPS:
            out[key] = {name: standard_schema(sub, negated=negated) for name, sub in value.items()}
        elif key in _LEAVES:
            out[key] = value
        else:
            out[key] = standard_schema(value, negated=negated or key in _NEGATED)
    if exactly_one:
        out["allOf"] = [*out.get("allOf", []), *exactly_one]
    return out


def _schema_for(kind: str | None) -> Schema:
    return schemas.STATUS_SCHEMA if kind is STATUS else schemas.SEND_SCHEMA_BY_TYPE[kind]


@functools.cache
def compiled(kind: str | None) -> Callable[[Any], Any]:
    """The compiled check for one message type (or ``STATUS``). Compiling costs ~15 ms a type, so it
    happens on first use and is shared by every app in the process: the result is a pure function
    of immutable schema data."""
    return fastjsonschema.compile(standard_schema(_schema_for(kind)))


def accepts(kind: str | None, body: Any) -> bool:
    """True when the body is certainly valid for ``kind`` (a message type, or ``STATUS``); False means
    "ask the slow validator"."""
    if kind is not STATUS and kind not in schemas.SEND_SCHEMA_BY_TYPE:
        return False
    try:
        compiled(kind)(body)
    except fastjsonschema.JsonSchemaException:
        return False
    return True
