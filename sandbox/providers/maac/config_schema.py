"""JSON Schema of the scenario file's `maac:` section (draft 2020-12), added to the scenario schema by the
provider spec; documented in the README and docs/maac.md."""

from __future__ import annotations

from typing import Any

SECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Crescendo Lab MAAC SMS+ account: tokens, pnp settings, webhook, WhatsApp templates",
    "properties": {
        "tokens": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        "pnp_settings": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1},
                    "name": {"type": "string"},
                    "status": {"type": "string"},
                    "line_push_enabled": {"type": "boolean"},
                    "pnp_enabled": {"type": "boolean"},
                    "whatsapp_enabled": {"type": "boolean"},
                    "fallback_enabled": {"type": "boolean"},
                    "fallback_period": {"type": "number", "minimum": 0, "description": "minutes"},
                    "parameters": {"type": "array", "items": {"type": "string"}},
                    "sms_parameters": {"type": "array", "items": {"type": "string"}},
                    "sms_text": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
        "webhook": {
            "type": "object",
            "properties": {"url": {"type": ["string", "null"]}, "share_secret": {"type": "string", "minLength": 1}},
            "additionalProperties": False,
        },
        "whatsapp_templates": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "language": {"type": "string"},
                    "header": {"enum": ["text", "image", "video", "document", "location", None]},
                    "body_parameters": {"type": "integer", "minimum": 0},
                },
                "additionalProperties": False,
            },
        },
        "report_whatsapp_as": {
            "enum": ["pnp", "whatsapp"],
            "description": "pnp (default): only the published fields and statuses (the WhatsApp leg as "
                           "pnp_*); whatsapp: opt-in, UNCONFIRMED whatsapp_* fields and statuses",
        },
        "waba_id": {"type": "string", "pattern": "^[0-9]+$"},
        "rate_limits": {
            "type": "object",
            "properties": {
                "push": {"type": "number", "exclusiveMinimum": 0},
                "multicast": {"type": "number", "exclusiveMinimum": 0},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}
