"""JSON Schema of the scenario file's `meta:` section (draft 2020-12), added to the scenario schema by the
provider spec; documented in the README and docs/meta-media-templates.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# meta.templates / template_review / limits / validate_templates: docs/meta-media-templates.md
_META_TEMPLATE = {
    "type": "object",
    "required": ["name", "language", "category", "components"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9_]{1,512}$"},
        "language": {"type": "string"},
        "category": {"enum": ["MARKETING", "UTILITY", "AUTHENTICATION", "marketing", "utility", "authentication"]},
        "parameter_format": {"enum": ["POSITIONAL", "NAMED", "positional", "named"]},
        "status": {"type": "string"},
        "rejected_reason": {"type": "string"},
        "pacing": {"enum": ["accepted", "held"], "description": "MARKETING only: the send's message_status"},
        "waba_id": {"type": "string", "pattern": "^[0-9]+$"},
        "message_send_ttl_seconds": {"type": "integer"},
        "components": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["type"]}},
    },
    "additionalProperties": False,
}
_REVIEW_PROPS: dict[str, Any] = {
    "delay": {"type": "number", "minimum": 0, "description": "seconds after create/edit (virtual clock)"},
    "outcome": {"enum": ["APPROVED", "REJECTED", "PAUSED", "DISABLED", "PENDING"]},
    "reason": {"type": "string", "description": "rejection reason, e.g. INVALID_FORMAT"},
}
_REVIEW = {"type": "object", "properties": _REVIEW_PROPS, "additionalProperties": False}
_NAME_REVIEW_PROPS: dict[str, Any] = {
    "delay": {"type": "number", "minimum": 0, "description": "seconds after the request (virtual clock)"},
    "outcome": {"enum": ["APPROVED", "REJECTED", "DEFERRED"], "description": "the webhook's decision"},
    "reason": {"enum": ["NAME_EMPLOYEE_ISSUE", "NAME_ENDCLIENT_NOTRELATED", "NAME_FORMAT_UNACCEPTABLE",
                        "NAME_INDIVIDUAL_ISSUE", "NAME_NOT_CONSISTENT", "UNKNOWN"], "description": "rejection_reason"},
}
# Batched webhooks (README "Batched webhooks"; core/batching.py): Meta batches up to 1,000 updates per POST
_WEBHOOK_BATCH: dict[str, Any] = {
    "type": "object",
    "description": "coalesce webhook updates of one number and target: at most max_size per POST, "
                   "sent window_ms (virtual clock) after the first; max_size 1 = off",
    "properties": {
        "max_size": {"type": "integer", "minimum": 1, "maximum": 1000},
        "window_ms": {"type": "number", "minimum": 0, "maximum": 60000},
    },
    "additionalProperties": False,
}
_META_PLATFORM: dict[str, Any] = {
    "webhook_batch": _WEBHOOK_BATCH,
    "templates": {"type": "array", "items": _META_TEMPLATE},
    "validate_templates": {"type": "boolean", "description": "false: template sends are not checked"},
    "webhook_version": {
        "type": "string", "pattern": "^v[0-9]+\\.[0-9]+$",
        "description": "the app's webhook version (App Dashboard); from v24.0 statuses carry no conversation",
    },
    "template_review": {
        "type": "object",
        "properties": {**_REVIEW_PROPS, "overrides": {"type": "object", "additionalProperties": _REVIEW}},
        "additionalProperties": False,
    },
    "display_name_review": {  # POST /{phone_number_id} new_display_name: docs/meta-business-management.md
        "type": "object",
        "properties": {**_NAME_REVIEW_PROPS, "overrides": {
            "type": "object", "description": "requested name -> its review",
            "additionalProperties": {"type": "object", "properties": _NAME_REVIEW_PROPS, "additionalProperties": False}}},
        "additionalProperties": False,
    },
    "limits": {
        "type": "object",
        "description": "phone_number_id or '*' -> limits",
        "additionalProperties": {
            "type": "object",
            "properties": {
                "throughput": {"type": "number", "minimum": 0, "description": "messages/second; 0 = off"},
                "pair_every": {"type": "number", "minimum": 0, "description": "seconds per message to one user"},
                "pair_burst": {"type": "number", "minimum": 0, "description": "burst to one user; 0 = off"},
                "allowed_recipients": {"type": "array", "maxItems": 5, "items": {"type": "string"}},
            },
            "additionalProperties": False,
        },
    },
    "flow_health": {  # Meta's Flow health monitoring: docs/meta-business-management.md "Flows"
        "type": "object",
        "description": "flow id or name -> the status Meta's monitoring gives a published Flow",
        "additionalProperties": {"enum": ["BLOCKED", "THROTTLED", "blocked", "throttled"]},
    },
}

SECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "businesses": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["phone_number_id", "waba_id", "display_phone_number"],
                "properties": {
                    "phone_number_id": {"type": "string", "pattern": "^[0-9]+$"},
                    "waba_id": {"type": "string", "pattern": "^[0-9]+$"},
                    "display_phone_number": {"type": "string"},
                    "verified_name": {"type": "string"},
                    "access_token": {"type": "string", "minLength": 1},
                    "app_secret": {"type": "string", "minLength": 1},
                    "verify_token": {"type": "string"},
                    "webhook_url": {"type": ["string", "null"]},
                    "quality_rating": {"enum": ["GREEN", "YELLOW", "RED", "UNKNOWN"]},
                },
                "additionalProperties": False,
            },
        },
        **_META_PLATFORM,
    },
    "additionalProperties": True,
}
# Fields Meta adds to a scenario rule (ProviderSpec.rule_schema)
RULE_FIELDS: dict[str, Any] = {
    "webhook_batch": {**_WEBHOOK_BATCH, "description": "Meta: batch the status webhooks of the sends this rule "
                      "matches (overrides meta.webhook_batch)"},
}
# The lists of the section that ``extends:`` merges item by item (ProviderSpec.merge_keys): maps a path in
# the section -> the key an item is known by; an item of the extending file replaces the base's with its key.
MERGE_KEYS: dict[tuple[str, ...], Callable[[dict[str, Any]], Any]] = {
    ("businesses",): lambda b: str(b.get("phone_number_id")),
    ("templates",): lambda t: (t.get("name"), t.get("language"), t.get("waba_id")),
}
