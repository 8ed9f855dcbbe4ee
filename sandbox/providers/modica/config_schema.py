"""JSON Schema of the scenario file's `modica:` section (draft 2020-12), added to the scenario schema by the
provider spec; documented in the README and docs/modica.md."""

from __future__ import annotations

from typing import Any

SECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Modica gateway applications (Basic auth) and their MO/DLR callback URLs",
    "properties": {
        "applications": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "password": {"type": "string", "minLength": 1},
                    "short_code": {"type": "string", "minLength": 1},
                    "whatsapp_number": {"type": "string", "pattern": "^\\+[0-9]{7,15}$"},
                    "mo_url": {"type": ["string", "null"]},
                    "dlr_url": {"type": ["string", "null"]},
                    "wab_destination_field": {"enum": ["both", "Destination", "destination"]},
                },
                "additionalProperties": False,
            },
        },
        "rate_limit": {
            "type": "object",
            "properties": {
                "per_second": {"type": "number", "exclusiveMinimum": 0},
                "burst": {"type": "number", "minimum": 1},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}
