"""JSON Schemas (draft 2020-12) for ``POST /{version}/{phone_number_id}/messages``.

Sources: ../shared/reference/meta-cloud-api.md §1 (shapes, §1.4 limits), Meta's OpenAPI
(meta-openapi-v23.yaml: ActionObject, SectionObject, HeaderObject, TextParameter, ...), seed 002
("Address Messages"), and the bodies pywa 4.5 really sends (every one of them must pass).

Keyword order inside a schema is the order violations are reported in (jsonschema walks a schema's
keywords, ``properties`` and ``required`` in dict order): unknown keys first, then missing ones,
then values. Only the FIRST violation becomes the Meta error.

Custom keywords, implemented in validation.py:

- ``x-meta``: ``{keyword: {"code", "details"[, "message"]}}`` — the exact Meta error for a violation
  of ``keyword`` raised by this very subschema (e.g. Meta's real button-count message).
- ``x-rule``: wording of the rule for ``pattern``/``enum``/``const`` violations of this subschema.
- ``x-exactly-one-of``: ``[a, b]`` — exactly one of the keys: neither → 131008, both → 131009.
- ``x-unique-by``: ``"reply.title"`` — the value at that dotted key is unique across array items.
- ``x-total-items``: ``{"key", "min", "max"}`` — items counted across every element's ``key`` array
  (list rows are limited per message, not per section).
- ``x-number-range``: ``[min, max]`` — a number or a numeric string within bounds (Meta's own docs
  send coordinates as strings, clients send floats).
- ``x-address-fields``: ``{country: fields}`` — every field name used in ``values``,
  ``saved_addresses[].value`` and ``validation_errors`` belongs to the chosen country.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

# Message types accepted on send (meta-cloud-api.md §1.2). "pin" is not in Meta's 1:1 list: pywa
# sends it to pin/unpin group messages (groups-messaging docs), so the sandbox accepts it.
MESSAGE_TYPES = (
    "text", "image", "audio", "video", "document", "sticker", "location", "contacts",
    "interactive", "template", "reaction", "pin",
)  # fmt: skip

# OpenAPI InteractiveObject enum plus the types Meta's guides add; "request_contact_info" is sent
# by pywa's request_contact_info() (BSUID docs: requesting phone numbers from users).
INTERACTIVE_TYPES = (
    "button", "list", "cta_url", "flow", "location_request_message", "address_message", "carousel",
    "product", "product_list", "catalog_message", "call_permission_request", "voice_call",
    "request_contact_info",
)  # fmt: skip

# Seed 002 "Address Messages" field table: which fields each supported country accepts.
ADDRESS_FIELDS: dict[str, tuple[str, ...]] = {
    "IN": (
        "name", "phone_number", "in_pin_code", "house_number", "floor_number", "tower_number",
        "building_name", "address", "landmark_area", "city", "state",
    ),
    "SG": ("name", "phone_number", "sg_post_code", "address", "unit_number", "city"),
}  # fmt: skip
COUNTRY_NAMES = {"IN": "India", "SG": "Singapore"}

# Template component types and button sub_types. pywa sends some upper-case ("HEADER", "BODY",
# "COPY_CODE", "QUICK_REPLY", "URL"), Meta's docs lower-case: both are matched case-insensitively.
COMPONENT_TYPES = ("header", "body", "button", "carousel", "limited_time_offer", "tap_target_configuration")
BUTTON_SUB_TYPES = ("quick_reply", "url", "copy_code", "flow", "catalog", "mpm", "voice_call", "otp")
PARAMETER_TYPES = (
    "text", "currency", "date_time", "image", "video", "document", "gif", "location", "payload",
    "coupon_code", "action", "product", "limited_time_offer", "tap_target_configuration",
)  # fmt: skip
MEDIA_PARAMETER_TYPES = ("image", "video", "document", "gif")

# Envelope keys of send and mark-as-read bodies: a bad value here is a top-level shape error
# (code 100, not 131009).
ENVELOPE_KEYS = (
    "messaging_product", "recipient_type", "to", "recipient", "type", "context", "biz_opaque_callback_data",
    "status", "message_id",
)  # fmt: skip

BUTTON_COUNT_DETAILS = "Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3"
# Recorded as a code-100 reply from Meta (meta-cloud-api.md §2.3); the code is UNCONFIRMED (§10).
TEMPLATE_TEXT_DETAILS = "Param text cannot have new-line/tab characters or more than 4 consecutive spaces"


def _meta(code: int, details: str, *keywords: str, message: str | None = None) -> Schema:
    """``x-meta`` entry: the fixed Meta error for violations of ``keywords`` in this subschema."""
    error: dict[str, Any] = {"code": code, "details": details}
    if message is not None:
        error["message"] = message
    return {"x-meta": {keyword: error for keyword in keywords}}


def _ci_enum(values: tuple[str, ...]) -> Schema:
    """A string matching one of ``values`` in any letter case."""
    return {
        "type": "string",
        "pattern": "^(?i:" + "|".join(values) + ")$",
        "x-rule": "must be one of " + ", ".join(values) + " (any letter case)",
    }


def _when(key: str, value: str, then: Schema) -> Schema:
    """``then`` applies when ``key`` is present and equals ``value``."""
    return {"if": {"required": [key], "properties": {key: {"const": value}}}, "then": then}


def _when_ci(key: str, values: tuple[str, ...], then: Schema) -> Schema:
    """``then`` applies when ``key`` matches one of ``values`` in any letter case."""
    pattern = "^(?i:" + "|".join(values) + ")$"
    return {
        "if": {"required": [key], "properties": {key: {"type": "string", "pattern": pattern}}},
        "then": then,
    }


def _text(max_length: int, min_length: int = 1) -> Schema:
    return {"type": "string", "minLength": min_length, "maxLength": max_length}


STRING: Schema = {"type": "string"}
NULLABLE_STRING: Schema = {"type": ["string", "null"]}  # pywa sends None for unset nested fields
ID: Schema = {"type": "string", "minLength": 1}
HTTP_URL: Schema = {"type": "string", "pattern": r"^(?i:https?)://\S+$", "x-rule": "must be an http(s) URL"}
LATITUDE: Schema = {"type": ["number", "string"], "x-number-range": [-90, 90]}
LONGITUDE: Schema = {"type": ["number", "string"], "x-number-range": [-180, 180]}
OBJECT_LIST: Schema = {"type": "array", "items": {"type": "object"}}

# ---------------------------------------------------------------- envelope and simple objects --

CONTEXT: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["message_id"],
    "properties": {"message_id": ID},
}

ENVELOPE: Schema = {
    "properties": {
        "messaging_product": {"const": "whatsapp"},
        "recipient_type": {"enum": ["individual", "group"]},
        "to": {
            "type": ["string", "integer"],
            "minLength": 1,
        },  # some clients send the number as a JSON integer
        "recipient": ID,
        "type": {"enum": list(MESSAGE_TYPES)},
        "context": CONTEXT,
        "biz_opaque_callback_data": {"type": "string", "maxLength": 512},
    }
}

# Graph's own wording when messaging_product is absent: code 100, not 131008.
MESSAGING_PRODUCT_REQUIRED: Schema = {
    "required": ["messaging_product"],
    **_meta(
        100,
        "The parameter messaging_product is required.",
        "required",
        message="(#100) The parameter messaging_product is required.",
    ),
}

TO_OR_RECIPIENT: Schema = {
    "anyOf": [{"required": ["to"]}, {"required": ["recipient"]}],
    **_meta(131008, "Parameter 'to' is required (or 'recipient' for a business-scoped user ID)", "anyOf"),
}

TEXT: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["body"],
    "properties": {"body": _text(4096), "preview_url": {"type": "boolean"}},
}

# Empty emoji removes a reaction (pywa's unreact sends "").
REACTION: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["message_id"],
    "properties": {"message_id": ID, "emoji": STRING},
}

LOCATION: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["latitude", "longitude"],
    "properties": {
        "latitude": LATITUDE,
        "longitude": LONGITUDE,
        "name": NULLABLE_STRING,
        "address": NULLABLE_STRING,
    },
}

CONTACT: Schema = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "object", "required": ["formatted_name"], "properties": {"formatted_name": ID}},
        "phones": OBJECT_LIST,
        "emails": OBJECT_LIST,
        "urls": OBJECT_LIST,
        "addresses": OBJECT_LIST,
        "org": {"type": ["object", "null"]},
        "birthday": NULLABLE_STRING,
    },
}
CONTACTS: Schema = {"type": "array", "minItems": 1, "items": CONTACT}

# pywa: pin/unpin a message in a group chat; expiration 1-30 days.
PIN: Schema = {
    "type": "object",
    "required": ["type", "message_id"],
    "properties": {
        "type": {"enum": ["pin", "unpin"]},
        "message_id": ID,
        "expiration_days": {"type": "integer", "minimum": 1, "maximum": 30},
    },
}

# ---------------------------------------------------------------------------------- media --


def _not_supported(field: str, kind: str) -> Schema:
    return {"not": {}, **_meta(131009, f"{field} is not supported for {kind}", "not")}


def _media(kind: str) -> Schema:
    """A top-level media object: every key is known, so unknown ones are rejected (code 100).

    Caption only on image/video/document, filename only on document (meta-cloud-api.md §1.3);
    ``voice`` (send as a voice note) is what pywa's send_voice adds to audio. Graph takes a null caption or
    filename as absent: heyoo sends them so when unset, and its own tests against the live API pass.
    """
    properties: Schema = {"id": ID, "link": HTTP_URL}
    captioned = kind in ("image", "video", "document")
    caption = {**_text(1024, 0), "type": ["string", "null"]}
    properties["caption"] = caption if captioned else _not_supported("caption", kind)
    properties["filename"] = NULLABLE_STRING if kind == "document" else _not_supported("filename", kind)
    if kind == "audio":
        properties["voice"] = {"type": "boolean"}
    return {
        "type": "object",
        "additionalProperties": False,
        "x-exactly-one-of": ["id", "link"],
        "properties": properties,
    }


# Media inside an interactive header or a template parameter: lenient about extra keys (pywa adds
# "filename" to document headers).
MEDIA_REF: Schema = {
    "type": "object",
    "x-exactly-one-of": ["id", "link"],
    "properties": {"id": ID, "link": HTTP_URL},
}

# ------------------------------------------------------------------------------ interactive --

HEADER: Schema = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"enum": ["text", "image", "video", "document"]},
        "text": _text(60),
        "sub_text": _text(60, 0),
        "image": MEDIA_REF,
        "video": MEDIA_REF,
        "document": MEDIA_REF,
    },
    "allOf": [_when("type", kind, {"required": [kind]}) for kind in ("text", "image", "video", "document")],
}
FOOTER: Schema = {"type": "object", "required": ["text"], "properties": {"text": _text(60)}}


def _body(max_length: int | None = None) -> Schema:
    text: Schema = _text(max_length) if max_length else {"type": "string", "minLength": 1}
    return {"type": "object", "required": ["text"], "properties": {"text": text}}


def _named_action(name: str, parameters: Schema | None = None) -> Schema:
    """An action identified by ``name`` (cta_url, flow, send_location, ...)."""
    properties: Schema = {"name": {"const": name}}
    required = ["name"]
    if parameters is not None:
        properties["parameters"] = parameters
        required.append("parameters")
    return {"type": "object", "required": required, "properties": properties}


def _interactive(
    body: Schema | None, action: Schema, *, body_required: bool = True, **extra: Schema
) -> Schema:
    """The ``then`` part for one interactive type: its body limit, its action, extra properties."""
    properties: Schema = {"action": action, **extra}
    if body is not None:
        properties["body"] = body
    schema: Schema = {"properties": properties}
    if body_required:
        schema = {"required": ["body"], **schema}
    return schema


REPLY_BUTTON: Schema = {
    "type": "object",
    "required": ["type", "reply"],
    "properties": {
        "type": {"const": "reply"},
        "reply": {
            "type": "object",
            "required": ["id", "title"],
            "properties": {"id": _text(256), "title": _text(20)},
        },
    },
}
BUTTON_ACTION: Schema = {
    "type": "object",
    "required": ["buttons"],
    "properties": {
        "buttons": {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            **_meta(131009, BUTTON_COUNT_DETAILS, "minItems", "maxItems"),
            "items": REPLY_BUTTON,
            "x-unique-by": "reply.title",
        }
    },
}

LIST_ROW: Schema = {
    "type": "object",
    "required": ["id", "title"],
    "properties": {"id": _text(200), "title": _text(24), "description": _text(72, 0)},
}


def _sections(items: Schema, *, key: str, max_total: int) -> Schema:
    """1-10 sections; a title is required once there are two or more (OpenAPI SectionObject)."""
    return {
        "type": "array",
        "minItems": 1,
        "maxItems": 10,
        "items": items,
        "if": {"minItems": 2},
        "then": {"items": {"required": ["title"]}},
        "x-total-items": {"key": key, "min": 1, "max": max_total},
    }


# Meta's list guide: at most 10 rows across ALL sections (the OpenAPI says 10 per section).
LIST_ACTION: Schema = {
    "type": "object",
    "required": ["button", "sections"],
    "properties": {
        "button": _text(20),
        "sections": _sections(
            {
                "type": "object",
                "required": ["rows"],
                "properties": {"title": _text(24), "rows": {"type": "array", "items": LIST_ROW}},
            },
            key="rows",
            max_total=10,
        ),
    },
}

CTA_URL_PARAMETERS: Schema = {
    "type": "object",
    "required": ["display_text", "url"],
    "properties": {"display_text": _text(20), "url": HTTP_URL},
}

# OpenAPI ActionObject (flow): version "3", flow_id xor flow_name. pywa sends flow_token null when
# unset and flow_id as an int when given one.
FLOW_PARAMETERS: Schema = {
    "type": "object",
    "required": ["flow_message_version", "flow_cta"],
    "x-exactly-one-of": ["flow_id", "flow_name"],
    "properties": {
        "flow_message_version": {"const": "3"},
        "flow_id": {"type": ["string", "integer"]},
        "flow_name": ID,
        "flow_cta": _text(30),
        "flow_token": NULLABLE_STRING,
        "flow_action": {"enum": ["navigate", "data_exchange"]},
        "mode": {"enum": ["draft", "published"]},
        "flow_action_payload": {"type": "object"},
    },
}

ADDRESS_VALUE: Schema = {
    "type": "object",
    "properties": {"in_pin_code": _text(6, 0), "sg_post_code": _text(6, 0)},
}
ADDRESS_PARAMETERS: Schema = {
    "type": "object",
    "required": ["country"],
    "properties": {
        "country": {
            "enum": list(ADDRESS_FIELDS),
            "x-rule": "must be IN or SG: address messages are supported only in India and Singapore",
        },
        "values": ADDRESS_VALUE,
        "saved_addresses": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "value"],
                "properties": {"id": ID, "value": ADDRESS_VALUE},
            },
        },
        "validation_errors": {"type": "object", "patternProperties": {"": STRING}},
    },
    "x-address-fields": {country: list(fields) for country, fields in ADDRESS_FIELDS.items()},
}

QUICK_REPLY: Schema = {
    "type": "object",
    "required": ["type", "quick_reply"],
    "properties": {
        "type": {"const": "quick_reply"},
        "quick_reply": {
            "type": "object",
            "required": ["id", "title"],
            "properties": {"id": _text(20), "title": _text(20)},
        },
    },
}
# A card shows either one URL button or quick-reply buttons (carousel guide).
CARD_ACTION: Schema = {
    "type": "object",
    "if": {"required": ["buttons"]},
    "then": {"properties": {"buttons": {"type": "array", "minItems": 1, "items": QUICK_REPLY}}},
    "else": _named_action("cta_url", CTA_URL_PARAMETERS),
}
CARD_HEADER: Schema = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"enum": ["image", "video"]}, "image": MEDIA_REF, "video": MEDIA_REF},
    "allOf": [_when("type", kind, {"required": [kind]}) for kind in ("image", "video")],
}
CAROUSEL_CARD: Schema = {
    "type": "object",
    "required": ["card_index", "header", "action"],
    "properties": {
        "card_index": {"type": "integer", "minimum": 0, "maximum": 9},
        "header": CARD_HEADER,
        "body": _body(160),
        "action": CARD_ACTION,
    },
}
CAROUSEL_ACTION: Schema = {
    "type": "object",
    "required": ["cards"],
    "properties": {"cards": {"type": "array", "minItems": 2, "maxItems": 10, "items": CAROUSEL_CARD}},
}

PRODUCT_SECTION: Schema = {
    "type": "object",
    "required": ["product_items"],
    "properties": {
        "title": _text(24),
        "product_items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["product_retailer_id"],
                "properties": {"product_retailer_id": ID},
            },
        },
    },
}

# One ``then`` per interactive type. Body limits: meta-cloud-api.md §1.4 (list 4096, others 1024).
INTERACTIVE_BY_TYPE: dict[str, Schema] = {
    "button": _interactive(_body(1024), BUTTON_ACTION),
    "list": _interactive(_body(4096), LIST_ACTION),
    "cta_url": _interactive(_body(1024), _named_action("cta_url", CTA_URL_PARAMETERS)),
    "flow": _interactive(_body(1024), _named_action("flow", FLOW_PARAMETERS)),
    "location_request_message": _interactive(_body(1024), _named_action("send_location")),
    "address_message": _interactive(_body(1024), _named_action("address_message", ADDRESS_PARAMETERS)),
    "carousel": _interactive(_body(1024), CAROUSEL_ACTION),
    # OpenAPI BodyObject: optional for 'product' only.
    "product": _interactive(
        _body(1024),
        {
            "type": "object",
            "required": ["catalog_id", "product_retailer_id"],
            "properties": {"catalog_id": ID, "product_retailer_id": ID},
        },
        body_required=False,
    ),
    # OpenAPI HeaderObject: required for 'product_list'; SectionObject: <= 30 products.
    "product_list": {
        "required": ["header"],
        **_interactive(
            _body(1024),
            {
                "type": "object",
                "required": ["catalog_id", "sections"],
                "properties": {
                    "catalog_id": ID,
                    "sections": _sections(PRODUCT_SECTION, key="product_items", max_total=30),
                },
            },
        ),
    },
    "catalog_message": _interactive(
        _body(1024),
        {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"const": "catalog_message"}, "parameters": {"type": "object"}},
        },
    ),
    "call_permission_request": _interactive(_body(1024), _named_action("call_permission_request")),
    "voice_call": _interactive(
        _body(1024),
        {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"const": "voice_call"}, "parameters": {"type": "object"}},
        },
    ),
    "request_contact_info": _interactive(_body(1024), _named_action("request_contact_info")),
}

INTERACTIVE: Schema = {
    "type": "object",
    "required": ["type", "action"],
    "properties": {
        "type": {"enum": list(INTERACTIVE_TYPES)},
        "header": HEADER,
        "body": _body(),
        "footer": FOOTER,
        "action": {"type": "object"},
    },
    "allOf": [_when("type", kind, then) for kind, then in INTERACTIVE_BY_TYPE.items()],
}

# -------------------------------------------------------------------------------- template --


def _parameter_value(kind: str) -> Schema:
    values: dict[str, Schema] = {
        "text": {"type": "string", "maxLength": 32768},  # OpenAPI TextParameter
        "currency": {
            "type": "object",
            "required": ["fallback_value", "code", "amount_1000"],
            "properties": {"fallback_value": STRING, "code": ID, "amount_1000": {"type": "integer"}},
        },
        "date_time": {
            "type": "object",
            "required": ["fallback_value"],
            "properties": {"fallback_value": STRING},
        },
        "location": {
            "type": "object",
            "required": ["latitude", "longitude"],
            "properties": {
                "latitude": LATITUDE,
                "longitude": LONGITUDE,
                "name": NULLABLE_STRING,
                "address": NULLABLE_STRING,
            },
        },
        "payload": STRING,
        "coupon_code": _text(15),  # marketing coupon code: at most 15 characters
        "action": {"type": "object"},
        "product": {"type": "object"},
        "limited_time_offer": {"type": "object"},
        "tap_target_configuration": {"type": ["array", "object"]},
    }
    return MEDIA_REF if kind in MEDIA_PARAMETER_TYPES else values[kind]


def _parameter_branch(kind: str) -> Schema:
    # Meta's recorded wording for a missing value is code 100 (e.g. "Parameter 'text' is mandatory
    # for component parameter type 'text'", github shridarpatil/frappe_whatsapp#43).
    details = f"Parameter '{kind}' is mandatory for component parameter type '{kind}'"
    then = {
        "required": [kind],
        **_meta(100, details, "required"),
        "properties": {kind: _parameter_value(kind)},
    }
    return _when("type", kind, then)


PARAMETER: Schema = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"enum": list(PARAMETER_TYPES)}, "parameter_name": ID},
    "allOf": [_parameter_branch(kind) for kind in PARAMETER_TYPES],
}

# Header and body text parameters only: URL-button suffixes and payloads may contain anything.
NO_LAYOUT_TEXT: Schema = _when(
    "type",
    "text",
    {"properties": {"text": {"not": {"pattern": "[\n\t]| {5}"}, **_meta(100, TEMPLATE_TEXT_DETAILS, "not")}}},
)

# Meta's examples use "0" and 0 alike (meta-cloud-api.md §1.3).
POSITION: Schema = {
    "type": ["integer", "string"],
    "minimum": 0,
    "pattern": "^[0-9]+$",
    "x-rule": "must be a zero-based position: an integer or a string of digits",
}


def _component(*, in_card: bool) -> Schema:
    """A template component; carousel cards hold components themselves, but not carousels."""
    branches = [
        _when_ci(
            "type",
            ("button",),
            {
                "required": ["sub_type", "index"],
                "properties": {"sub_type": _ci_enum(BUTTON_SUB_TYPES), "index": POSITION},
            },
        ),
        _when_ci("type", ("header", "body"), {"properties": {"parameters": {"items": NO_LAYOUT_TEXT}}}),
    ]
    if not in_card:
        card = {
            "type": "object",
            "required": ["card_index", "components"],
            "properties": {
                "card_index": POSITION,
                "components": {"type": "array", "items": _component(in_card=True)},
            },
        }
        branches.append(
            _when_ci(
                "type",
                ("carousel",),
                {
                    "required": ["cards"],
                    "properties": {"cards": {"type": "array", "minItems": 1, "maxItems": 10, "items": card}},
                },
            )
        )
    return {
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": _ci_enum(COMPONENT_TYPES),
            "parameters": {"type": "array", "items": PARAMETER},
        },
        "allOf": branches,
    }


TEMPLATE: Schema = {
    "type": "object",
    "required": ["name", "language"],
    "properties": {
        "name": _text(512),
        "language": {"type": "object", "required": ["code"], "properties": {"code": ID, "policy": STRING}},
        "components": {"type": "array", "items": _component(in_card=False)},
    },
}

# ----------------------------------------------------------------------------- whole bodies --

MESSAGE_OBJECTS: dict[str, Schema] = {
    "text": TEXT,
    **{kind: _media(kind) for kind in ("image", "audio", "video", "document", "sticker")},
    "location": LOCATION,
    "contacts": CONTACTS,
    "interactive": INTERACTIVE,
    "template": TEMPLATE,
    "reaction": REACTION,
    "pin": PIN,
}


def _typed_object(kind: str, schema: Schema) -> Schema:
    """The object named by ``type`` must be present. A body without ``type`` is taken as text:
    Meta's own OpenAPI example "Send Text Message with Preview URL" omits it (UNCONFIRMED default),
    which is why the text rule does not require ``type`` in its ``if``."""
    condition: Schema = {"properties": {"type": {"const": kind}}}
    if kind != "text":
        condition["required"] = ["type"]
    then = {
        "required": [kind],
        **_meta(131008, f"Parameter '{kind}' is required for type '{kind}'", "required"),
        "properties": {kind: schema},
    }
    return {"if": condition, "then": then}


SEND_SCHEMA: Schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "allOf": [
        MESSAGING_PRODUCT_REQUIRED,
        ENVELOPE,
        TO_OR_RECIPIENT,
        *(_typed_object(kind, schema) for kind, schema in MESSAGE_OBJECTS.items()),
    ],
}

# The same schema specialised to one message type (the validator picks it by the body's `type`).
SEND_SCHEMA_BY_TYPE: dict[str, Schema] = {
    kind: {
        "$schema": SEND_SCHEMA["$schema"],
        "type": "object",
        "allOf": [MESSAGING_PRODUCT_REQUIRED, ENVELOPE, TO_OR_RECIPIENT, _typed_object(kind, schema)],
    }
    for kind, schema in MESSAGE_OBJECTS.items()
}

# Mark as read, optionally with a typing indicator (meta-cloud-api.md §1.3, META-READ/META-TYPING).
STATUS_SCHEMA: Schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "allOf": [
        MESSAGING_PRODUCT_REQUIRED,
        {
            "properties": {
                "messaging_product": {"const": "whatsapp"},
                "status": {"const": "read"},
                "message_id": ID,
                "typing_indicator": {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"const": "text"}},
                },
            }
        },
        {"required": ["message_id"]},
    ],
}
