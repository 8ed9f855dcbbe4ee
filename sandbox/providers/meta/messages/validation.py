"""Request validation for ``POST /{version}/{phone_number_id}/messages``.

The rules are data (schemas.py); this module compiles them once, adds the few custom keywords the
schemas use, and turns the FIRST violation into a ``MetaError``. "First" is stable: jsonschema
reports in schema order, and schemas.py orders keywords on purpose.

Error codes (../shared/reference/meta-cloud-api.md §2.2):
- 131008 a required parameter is missing;
- 131009 a nested value breaks a limit, a type or an enum;
- 100 the top-level shape is wrong (envelope values, the message object's JSON type), an unknown
  key sits in an object whose keys Meta documents completely ("Unexpected key ... on param ...",
  Graph's recorded wording), or ``messaging_product`` is missing (Graph answers "(#100) The
  parameter messaging_product is required.", so the sandbox does too rather than 131008).

Checking a template against the registered ones is another module's job.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators

from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.messages import fast_validation, schemas

PathItem = str | int


class _Violation(ValidationError):
    """A violation raised by a custom keyword; it knows its Meta code and says its own rule."""

    def __init__(self, code: int, rule: str, path: Sequence[PathItem] = ()) -> None:
        super().__init__(rule, path=path)
        self.meta_code = code


# ------------------------------------------------------------------------- custom keywords --


def _exactly_one_of(validator: Any, keys: list[str], instance: Any, schema: dict) -> Iterator[_Violation]:
    if not isinstance(instance, dict):
        return
    present = [key for key in keys if key in instance]
    if not present:
        yield _Violation(131008, f"one of {' or '.join(keys)} is required")
    elif len(present) > 1:
        yield _Violation(131009, f"{' and '.join(keys)} cannot be used together; give exactly one")


def _unique_by(validator: Any, dotted: str, instance: Any, schema: dict) -> Iterator[_Violation]:
    if not isinstance(instance, list):
        return
    keys = dotted.split(".")
    seen: set[str] = set()
    for index, item in enumerate(instance):
        value = _dig(item, keys)
        if not isinstance(value, str):
            continue
        if value in seen:
            yield _Violation(131009, f"must be unique; {json.dumps(value)} is used twice", [index, *keys])
            return
        seen.add(value)


def _total_items(validator: Any, spec: dict, instance: Any, schema: dict) -> Iterator[_Violation]:
    if not isinstance(instance, list):
        return
    key = spec["key"]
    total = sum(len(s[key]) for s in instance if isinstance(s, dict) and isinstance(s.get(key), list))
    if not spec["min"] <= total <= spec["max"]:
        yield _Violation(
            131009,
            f"must hold {spec['min']} to {spec['max']} {key} in total across all sections (got {total})",
        )


def _number_range(validator: Any, bounds: list[float], instance: Any, schema: dict) -> Iterator[_Violation]:
    if isinstance(instance, bool) or not isinstance(instance, int | float | str):
        return  # the "type" keyword reports it
    try:
        value = float(instance)
    except ValueError:
        yield _Violation(131009, f"must be a number (got {json.dumps(instance)})")
        return
    low, high = bounds
    if not (math.isfinite(value) and low <= value <= high):
        yield _Violation(131009, f"must be between {low} and {high} (got {json.dumps(instance)})")


def _address_fields(validator: Any, table: dict, instance: Any, schema: dict) -> Iterator[_Violation]:
    """Seed 002: "Address messages will not allow simultaneous passing of conflicting fields"."""
    if not isinstance(instance, dict) or instance.get("country") not in table:
        return
    country = instance["country"]
    for path, field in _address_field_names(instance):
        if field not in table[country]:
            yield _Violation(131009, _address_conflict(field, country, table), path)
            return


def _address_field_names(parameters: dict) -> Iterator[tuple[list[PathItem], str]]:
    for group in ("values", "validation_errors"):
        if isinstance(parameters.get(group), dict):
            for field in parameters[group]:
                yield [group, field], field
    saved = parameters.get("saved_addresses")
    for index, address in enumerate(saved if isinstance(saved, list) else []):
        value = address.get("value") if isinstance(address, dict) else None
        for field in value if isinstance(value, dict) else {}:
            yield ["saved_addresses", index, "value", field], field


def _address_conflict(field: str, country: str, table: dict) -> str:
    owners = [c for c, fields in table.items() if field in fields]
    if owners:
        owner = owners[0]
        return (
            f"{field} is a {schemas.COUNTRY_NAMES[owner]} ({owner}) field and conflicts with "
            f"country {country}"
        )
    return f"{field} is not an address field of {schemas.COUNTRY_NAMES[country]} ({country})"


def _dig(item: Any, keys: list[str]) -> Any:
    for key in keys:
        if not isinstance(item, dict):
            return None
        item = item.get(key)
    return item


_Validator = validators.extend(
    Draft202012Validator,
    {
        "x-exactly-one-of": _exactly_one_of,
        "x-unique-by": _unique_by,
        "x-total-items": _total_items,
        "x-number-range": _number_range,
        "x-address-fields": _address_fields,
    },
)

# --------------------------------------------------------------------- violation -> MetaError --


def _dotted(path: Sequence[PathItem]) -> str:
    """``["interactive", "action", "buttons", 0, "reply"]`` -> ``interactive.action.buttons[0].reply``."""
    text = ""
    for item in path:
        text += f"[{item}]" if isinstance(item, int) else (f".{item}" if text else item)
    return text


def _graph_param(path: Sequence[PathItem]) -> str:
    """Graph's own spelling of a nested param in messages: ``template['language']``."""
    head, *rest = path
    return str(head) + "".join(f"[{item}]" if isinstance(item, int) else f"['{item}']" for item in rest)


def _details(path: Sequence[PathItem], rule: str) -> str:
    return f"{_dotted(path)}: {rule}" if path else rule


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


_JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "integer" if isinstance(value, int) else "number"
    return next((name for name, kind in _JSON_TYPES.items() if isinstance(value, kind)), "unknown")


def _type_rule(e: ValidationError) -> str:
    expected = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
    return f"must be {' or '.join(map(_with_article, expected))} (got {_json_type(e.instance)})"


def _with_article(json_type: str) -> str:
    if json_type == "null":
        return "null"
    return f"{'an' if json_type[0] in 'aeiou' else 'a'} {json_type}"


def _count(e: ValidationError, bound: str, unit: str) -> str:
    """``must be at most 4096 characters (got 5000)`` / ``must have at least 1 item (got 0)``."""
    verb = "be" if unit == "characters" else "have"
    noun = unit if e.validator_value != 1 else unit[:-1]
    return f"must {verb} {bound} {e.validator_value} {noun} (got {len(e.instance)})"


_RULES: dict[str, Callable[[ValidationError], str]] = {
    "type": _type_rule,
    "enum": lambda e: f"must be one of {', '.join(map(str, e.validator_value))} (got {_show(e.instance)})",
    "const": lambda e: f"must be {_show(e.validator_value)} (got {_show(e.instance)})",
    "maxLength": lambda e: _count(e, "at most", "characters"),
    "minLength": lambda e: (
        "must not be empty" if e.validator_value == 1 else _count(e, "at least", "characters")
    ),
    "maxItems": lambda e: _count(e, "at most", "items"),
    "minItems": lambda e: _count(e, "at least", "items"),
    "minimum": lambda e: f"must be at least {e.validator_value} (got {_show(e.instance)})",
    "maximum": lambda e: f"must be at most {e.validator_value} (got {_show(e.instance)})",
    "pattern": lambda e: f"must match {e.validator_value} (got {_show(e.instance)})",
    "not": lambda e: "is not allowed here",
}


def _rule(error: ValidationError) -> str:
    custom = error.schema.get("x-rule") if isinstance(error.schema, dict) else None
    if custom and error.validator in ("pattern", "enum", "const"):
        return f"{custom} (got {_show(error.instance)})"
    render = _RULES.get(str(error.validator))
    return render(error) if render else error.message


def _value_code(error: ValidationError, path: Sequence[PathItem]) -> int:
    """Top-level shape (an envelope value, or the message object's JSON type) is 100; deeper, 131009."""
    if not path:
        return 100
    if len(path) == 1 and (path[0] in schemas.ENVELOPE_KEYS or error.validator == "type"):
        return 100
    return 131009


def _fixed(error: ValidationError) -> MetaError | None:
    """The exact error a schema pins with ``x-meta`` for this keyword, if any."""
    table = error.schema.get("x-meta", {}) if isinstance(error.schema, dict) else {}
    entry = table.get(error.validator)
    if entry is None:
        return None
    return MetaError(entry["code"], entry["details"], message=entry.get("message"))


def _unexpected_key(error: ValidationError, path: Sequence[PathItem]) -> MetaError:
    known = error.schema.get("properties", {})
    key = next(k for k in error.instance if k not in known)
    details = f'Unexpected key "{key}" on param "{_graph_param(path)}".'
    return MetaError(100, details, message=f"(#100) {details}")


def to_meta_error(error: ValidationError) -> MetaError:
    """One schema violation -> the Meta error a client would get for it."""
    path = list(error.absolute_path)
    if isinstance(error, _Violation):
        return MetaError(error.meta_code, _details(path, error.message))
    fixed = _fixed(error)
    if fixed is not None:
        return fixed
    if error.validator == "additionalProperties":
        return _unexpected_key(error, path)
    if error.validator == "required":
        missing = next(key for key in error.validator_value if key not in error.instance)
        return MetaError(131008, _details([*path, missing], "is required"))
    return MetaError(_value_code(error, path), _details(path, _rule(error)))


# ----------------------------------------------------------------------------- the validator --


def is_status_update(body: Any) -> bool:
    """Mark-as-read (and typing indicator) share the send endpoint; ``status`` tells them apart."""
    return isinstance(body, dict) and "status" in body


class SendValidator:
    """Validates send and mark-as-read bodies; raises ``MetaError`` on the first violation."""

    is_status_update = staticmethod(is_status_update)

    def __init__(self) -> None:
        # The schemas are checked against the meta-schema by a unit test, not here: that check costs
        # about 0.3 s, paid on every start and by every test's sandbox.
        self._send = _Validator(schemas.SEND_SCHEMA)
        self._status = _Validator(schemas.STATUS_SCHEMA)
        # One validator per message type: SEND_SCHEMA's other `if type == X` branches never apply to a
        # body of another type, so this gives the same first error while evaluating one branch, not 12.
        self._by_type = {kind: _Validator(schema) for kind, schema in schemas.SEND_SCHEMA_BY_TYPE.items()}

    def validate(self, body: dict, *, recipient_region: str | None = None) -> None:
        """``recipient_region``: ISO country of the recipient's phone number when known (e.g. "IN")."""
        if not isinstance(body, dict):
            raise MetaError(100, "The request body must be a JSON object")
        if not self.accepts_fast(body):
            error = self.first_violation(body)
            if error is not None:
                raise error
        if not is_status_update(body):
            _check_address_recipient(body, recipient_region)

    @staticmethod
    def accepts_fast(body: dict) -> bool:
        """The compiled check (fast_validation.py): True when the body is certainly valid."""
        if is_status_update(body):
            return fast_validation.accepts(fast_validation.STATUS, body)
        kind = body.get("type", "text")
        return isinstance(kind, str) and fast_validation.accepts(kind, body)  # a JSON null `type` is not STATUS

    def first_violation(self, body: dict) -> MetaError | None:
        """The slow path, authority on every rejection: the first violation as Meta words it."""
        if is_status_update(body):
            validator = self._status
        else:
            kind = body.get("type", "text")
            validator = self._by_type.get(kind, self._send) if isinstance(kind, str) else self._send
        error = next(iter(validator.iter_errors(body)), None)
        return None if error is None else to_meta_error(error)


def _check_address_recipient(body: dict, recipient_region: str | None) -> None:
    """Seed 002: an address message cannot go to a number of another country (e.g. an SG address
    message to a +91 number). Runs after the schema, so the shape is known to be sound."""
    interactive = body.get("interactive")
    if recipient_region is None or body.get("type") != "interactive" or not isinstance(interactive, dict):
        return
    if interactive.get("type") != "address_message":
        return
    country = interactive["action"]["parameters"]["country"]
    if recipient_region.upper() != country:
        raise MetaError(
            131009,
            "interactive.action.parameters.country: the recipient's phone number country "
            f"({recipient_region.upper()}) does not match the address message country ({country})",
        )
