"""JSON Schema of scenario files (draft 2020-12). Served by the control API; documented in the README.

Here only the provider-neutral part (version, personas, rules, default); each provider's section
(``meta:``, ``smsglobal:``...) comes from its spec (``ProviderSpec.section_schema``) through
``scenario_schema``, as do the fields a provider adds to a rule (Meta's ``webhook_batch``). Without them
(``CORE_SCHEMA``) a provider section or rule field, or any other key there, is accepted unchecked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_AFTER = {"type": "number", "minimum": 0, "description": "seconds after the send (virtual clock)"}
_ERROR = {
    "oneOf": [
        {"type": "string", "description": "a neutral reason, e.g. undeliverable, not_whatsapp_user"},
        {
            "type": "object",
            "properties": {
                "code": {"type": "integer"},
                "reason": {"type": "string"},
                "details": {"type": "string"},
            },
            "additionalProperties": False,
        },
    ]
}
_STEP = {
    "type": "object",
    "required": ["after", "status"],
    "properties": {
        "after": _AFTER,
        "status": {"enum": ["sent", "delivered", "read", "played", "failed"]},
        "error": _ERROR,
    },
    "additionalProperties": False,
}
_ACTION = {
    "type": "object",
    "required": ["after"],
    "properties": {
        "after": _AFTER,
        "reply": {"type": "string"},
        "tap": {"type": ["string", "integer"], "description": "first | last | <index> | <button id>"},
        "pick": {"type": ["string", "integer"], "description": "first | last | <index> | <row id>"},
        "submit_address": {"type": ["boolean", "object"]},
        "submit_flow": {"type": ["boolean", "object"], "description": "true | the Flow's response fields"},
        "location": {"type": "object"},
        "react": {"type": "string"},
        "media": {"type": "object"},
    },
    "minProperties": 2,
    "maxProperties": 2,
    "additionalProperties": False,
}
_OUTCOME_PROPS: dict[str, Any] = {
    "reject": {
        "type": "object",
        "properties": {"code": {"type": ["integer", "string"]}, "details": {"type": "string"}},
        "required": ["code"],
        "additionalProperties": False,
    },
    "timeline": {"type": "array", "items": _STEP},
    "user": {"type": "array", "items": _ACTION},
    "window": {"enum": ["tracked", "open", "closed"]},
    "capabilities": {
        "type": "object",
        "properties": {"address_message": {"type": "boolean"}},
        "additionalProperties": {"type": "boolean"},
    },
}
_STRINGS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}

CORE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "wa-sandbox scenario",
    "type": "object",
    "required": ["version"],
    "properties": {
        "version": {"const": 1},
        "extends": {
            "type": "string", "minLength": 1,
            "description": "another scenario this one builds on: a bundled name (default) or a file path",
        },
        "name": {"type": "string"},
        "description": {"type": "string"},
        "seed": {"type": ["integer", "string"]},
        "personas": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["number"],
                "properties": {
                    "number": {"type": "string", "pattern": "^\\+?[0-9]{7,15}$"},
                    "name": {"type": "string"},
                    "user_id": {"type": "string", "pattern": "^[A-Z]{2}\\.[0-9A-Z.]+$"},
                    "username": {"type": "string"},
                    "language": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
        "rules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "match"],
                "properties": {
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "magic": {"type": "boolean", "description": "list this rule in the magic-number table"},
                    "match": {
                        "type": "object",
                        "properties": {
                            "provider": _STRINGS,
                            "channel": _STRINGS,
                            "to": _STRINGS,
                            "type": _STRINGS,
                            "interactive_type": _STRINGS,
                            "template": _STRINGS,
                            "contains": {"type": "string"},
                        },
                        "additionalProperties": False,
                    },
                    **_OUTCOME_PROPS,
                    "one_of": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["weight"],
                            "properties": {"weight": {"type": "number", "exclusiveMinimum": 0}, **_OUTCOME_PROPS},
                            "additionalProperties": False,
                        },
                    },
                },
                # fields providers add (ProviderSpec.rule_schema) pass unchecked here; the whole schema is strict
                "additionalProperties": True,
            },
        },
        "default": {"type": "object", "properties": _OUTCOME_PROPS, "additionalProperties": False},
    },
    "additionalProperties": True,  # provider sections, unchecked without them; the whole schema is strict
}


def scenario_schema(sections: Mapping[str, dict[str, Any]], rule_fields: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The whole scenario schema: the core's, plus each provider's section schema under its name and the
    fields providers add to a rule. Any other top-level or rule key is refused: a misspelled section
    (``rulez:``) would otherwise be ignored silently."""
    properties = {**CORE_SCHEMA["properties"], **sections}
    rules = properties["rules"]
    items = {**rules["items"], "properties": {**rules["items"]["properties"], **(rule_fields or {})},
             "additionalProperties": False}
    properties["rules"] = {**rules, "items": items}
    return {**CORE_SCHEMA, "properties": properties, "additionalProperties": False}
