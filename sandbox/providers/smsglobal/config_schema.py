"""JSON Schema of the scenario file's `smsglobal:` section (draft 2020-12), added to the scenario schema by the
provider spec; documented in the README and docs/smsglobal.md."""

from __future__ import annotations

from typing import Any

SECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "SMSGlobal MXT REST v2: accounts (MAC key/secret, balance, callbacks), auth options, WhatsApp opt-ins, opt-outs (docs/smsglobal.md)",
    "properties": {
        "accounts": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["key", "secret"],
                "properties": {
                    "key": {"type": "string", "minLength": 1},
                    "secret": {"type": "string", "minLength": 1},
                    "balance": {"type": "number"},
                    "currency": {"type": "string"},
                    "price_per_part": {"type": "number", "minimum": 0},
                    "origin": {"type": "string"},
                    "number": {"type": "string", "pattern": "^\\+?[0-9]{3,15}$"},
                    "timezone": {"type": "string"},
                    "notifyUrl": {"type": ["string", "null"], "pattern": "^https?://"},
                    "incomingUrl": {"type": ["string", "null"], "pattern": "^https?://"},
                    "callback_format": {"enum": ["form", "json", "xml"]},
                },
                "additionalProperties": False,
            },
        },
        "auth": {
            "type": "object",
            "properties": {
                "window_seconds": {"type": "number", "exclusiveMinimum": 0},
                "check_nonce": {"type": "boolean"},
                "check_timestamp": {"type": "boolean"},
                "strict": {"type": "boolean"},
                "failure_status": {"enum": [401, 403]},
            },
            "additionalProperties": False,
        },
        "whatsapp": {
            "type": "object",
            "properties": {
                "opt_in": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["number"],
                        "properties": {
                            "number": {"type": "string", "pattern": "^\\+?[0-9]{3,15}$"},
                            "name": {"type": "string"},
                            "capable": {"type": "boolean"},
                            "blacklist": {"type": "boolean"},
                        },
                        "additionalProperties": False,
                    },
                },
                "capable_by_default": {"type": "boolean"},
                "require_opt_in": {"type": "boolean"},
                "fetch_media": {"type": "boolean"},
                "media_timeout": {"type": "number", "exclusiveMinimum": 0},
            },
            "additionalProperties": False,
        },
        "opt_outs": {"type": "array", "items": {"type": "string", "pattern": "^\\+?[0-9]{3,15}$"}},
    },
    "additionalProperties": False,
}
