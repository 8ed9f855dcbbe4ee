"""JSON Schema of scenario files (draft 2020-12). Served by the control API; documented in the README."""

from __future__ import annotations

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
_STRINGS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}

SCENARIO_SCHEMA: dict[str, Any] = {
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
        "meta": {
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
        },
        "modica": {
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
        },
        "maac": {
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
        },
        "smsglobal": {
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
        },
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
                    "webhook_batch": {**_WEBHOOK_BATCH, "description": "Meta: batch the status webhooks of the "
                                      "sends this rule matches (overrides meta.webhook_batch)"},
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
                "additionalProperties": False,
            },
        },
        "default": {"type": "object", "properties": _OUTCOME_PROPS, "additionalProperties": False},
    },
    "additionalProperties": False,  # a misspelled section (rulez:) would otherwise be ignored silently
}
