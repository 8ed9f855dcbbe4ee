"""Send-body validation: one test per rule (Meta code, HTTP status, details naming field and rule),
then the documented request bodies of every message type, then every body pywa 4.5 sends."""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pywa import WhatsApp
from pywa import types as pt
from pywa.types import templates as tpl

from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.messages.validation import SendValidator, is_status_update

VALIDATOR = SendValidator()
ENVELOPE = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234"}


def send(kind: str, obj: Any, **extra: Any) -> dict[str, Any]:
    return {**ENVELOPE, "type": kind, kind: obj, **extra}


def interactive(obj: dict[str, Any]) -> dict[str, Any]:
    return send("interactive", obj)


def template(*components: dict[str, Any]) -> dict[str, Any]:
    return send(
        "template", {"name": "order_update", "language": {"code": "en_US"}, "components": list(components)}
    )


def reject(body: dict[str, Any], **kwargs: Any) -> MetaError:
    with pytest.raises(MetaError) as caught:
        VALIDATOR.validate(body, **kwargs)
    return caught.value


def assert_error(error: MetaError, code: int, *fragments: str) -> None:
    assert error.code == code, error.details
    assert error.http_status == 400
    for fragment in fragments:
        assert fragment in (error.details or ""), error.details


def accept(body: dict[str, Any], **kwargs: Any) -> None:
    VALIDATOR.validate(body, **kwargs)


# Documented bodies (seed 002, meta-cloud-api.md §1.3, OpenAPI examples) reused by rule tests.
BUTTONS = {
    "type": "button",
    "header": {"type": "image", "image": {"id": "2762702990552401"}},
    "body": {
        "text": "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow. Use the buttons if you need to reschedule. Thank you!"
    },
    "footer": {"text": "Lucky Shrub: Your gateway to succulents!"},
    "action": {
        "buttons": [
            {"type": "reply", "reply": {"id": "change-button", "title": "Change"}},
            {"type": "reply", "reply": {"id": "cancel-button", "title": "Cancel"}},
        ]
    },
}
LIST = {
    "type": "list",
    "header": {"type": "text", "text": "HEADER_TEXT"},
    "body": {"text": "BODY_TEXT"},
    "footer": {"text": "FOOTER_TEXT"},
    "action": {
        "button": "BUTTON_TEXT",
        "sections": [
            {
                "title": "SECTION_1_TITLE",
                "rows": [
                    {
                        "id": "SECTION_1_ROW_1_ID",
                        "title": "SECTION_1_ROW_1",
                        "description": "SECTION_1_ROW_1_DESCRIPTION",
                    },
                    {
                        "id": "SECTION_1_ROW_2_ID",
                        "title": "SECTION_1_ROW_2",
                        "description": "SECTION_1_ROW_2_DESCRIPTION",
                    },
                ],
            },
            {
                "title": "SECTION_2_TITLE",
                "rows": [
                    {
                        "id": "SECTION_2_ROW_1_ID",
                        "title": "SECTION_2_ROW_1",
                        "description": "SECTION_2_ROW_1_DESCRIPTION",
                    },
                    {
                        "id": "SECTION_2_ROW_2_ID",
                        "title": "SECTION_2_ROW_2",
                        "description": "SECTION_2_ROW_2_DESCRIPTION",
                    },
                ],
            },
        ],
    },
}
CTA_URL = {
    "type": "cta_url",
    "header": {
        "type": "image",
        "image": {"link": "https://www.luckyshrub.com/assets/lucky-shrub-banner-logo-v1.png"},
    },
    "body": {"text": "Tap the button below to see available dates."},
    "action": {
        "name": "cta_url",
        "parameters": {
            "display_text": "See Dates",
            "url": "https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4",
        },
    },
    "footer": {"text": "Dates subject to change."},
}
FLOW = {
    "type": "flow",
    "header": {"type": "text", "text": "<HEADER_TEXT>"},
    "body": {"text": "<BODY_TEXT>"},
    "footer": {"text": "<FOOTER_TEXT>"},
    "action": {
        "name": "flow",
        "parameters": {
            "flow_message_version": "3",
            "flow_token": "<FLOW_TOKEN>",
            "flow_id": "<FLOW_ID>",
            "flow_cta": "Open Flow!",
            "flow_action": "navigate",
            "flow_action_payload": {
                "screen": "<SCREEN_ID>",
                "data": {"product_name": "name", "product_price": 100},
            },
        },
    },
}
ADDRESS_IN = {
    "type": "address_message",
    "body": {"text": "Thanks for your order! Tell us what address you’d like this order delivered to."},
    "action": {
        "name": "address_message",
        "parameters": {"country": "IN", "values": {"name": "CUSTOMER_NAME", "phone_number": "+91xxxxxxxxxx"}},
    },
}
ADDRESS_SG = {
    "type": "address_message",
    "body": {"text": "Thanks for your order! Tell us what address you’d like this order delivered to."},
    "action": {
        "name": "address_message",
        "parameters": {
            "country": "SG",
            "values": {"name": "CUSTOMER_NAME", "phone_number": "+65xxxxxxxxxx"},
            "saved_addresses": [
                {
                    "id": "address1",
                    "value": {
                        "name": "CUSTOMER_NAME",
                        "phone_number": "+65xxxxxxxxxx",
                        "sg_post_code": "018937",
                        "address": "9 Straits View, Marina One West Tower",
                        "unit_number": "Suite 29-00",
                        "city": "Singapore",
                    },
                }
            ],
        },
    },
}


def card(index: int, **overrides: Any) -> dict[str, Any]:
    return {
        "card_index": index,
        "type": "cta_url",
        "header": {"type": "image", "image": {"link": f"https://www.luckyshrub.com/{index}.png"}},
        "body": {"text": "Add a touch of elegance to your space with this beautiful succulent."},
        "action": {
            "name": "cta_url",
            "parameters": {"display_text": "Shop now", "url": "https://shop.luckyshrub.com/succulents"},
        },
        **overrides,
    }


CAROUSEL = {
    "type": "carousel",
    "body": {"text": "Check out our latest offers!"},
    "action": {"cards": [card(0), card(1)]},
}


def edited(base: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    copied = copy.deepcopy(base)
    change(copied)
    return copied


# ------------------------------------------------------------------------------- envelope --


def test_missing_messaging_product_is_code_100_in_graph_wording():
    error = reject({"to": "16505551234", "type": "text", "text": {"body": "hi"}})
    assert_error(error, 100, "The parameter messaging_product is required.")
    assert error.message == "(#100) The parameter messaging_product is required."


def test_messaging_product_must_be_whatsapp():
    assert_error(
        reject(send("text", {"body": "hi"}, messaging_product="sms")), 100, "messaging_product", '"whatsapp"'
    )


def test_missing_both_to_and_recipient_is_131008():
    body = send("text", {"body": "hi"})
    del body["to"]
    assert_error(reject(body), 131008, "'to'", "'recipient'")


def test_recipient_alone_is_enough_for_a_bsuid():
    body = send("text", {"body": "hi"}, recipient="US.13491208655302741918")
    del body["to"]
    accept(body)


def test_unknown_type_is_code_100_naming_type():
    assert_error(reject(send("hologram", {"x": 1})), 100, "type: must be one of", '"hologram"')


def test_omitted_type_defaults_to_text():
    body = send("text", {"body": "hi"})
    del body["type"]
    accept(body)
    assert_error(reject({**ENVELOPE}), 131008, "Parameter 'text' is required for type 'text'")


def test_object_named_by_type_is_required():
    assert_error(
        reject({**ENVELOPE, "type": "image"}), 131008, "Parameter 'image' is required for type 'image'"
    )


def test_recipient_type_is_individual_or_group():
    assert_error(
        reject(send("text", {"body": "hi"}, recipient_type="team")),
        100,
        "recipient_type",
        "individual, group",
    )


def test_context_message_id_is_required():
    assert_error(reject(send("text", {"body": "hi"}, context={})), 131008, "context.message_id: is required")


def test_context_message_id_must_be_a_string():
    error = reject(send("text", {"body": "hi"}, context={"message_id": 5}))
    assert_error(error, 131009, "context.message_id: must be a string")


def test_biz_opaque_callback_data_is_at_most_512_characters():
    error = reject(send("text", {"body": "hi"}, biz_opaque_callback_data="x" * 513))
    assert_error(error, 100, "biz_opaque_callback_data: must be at most 512 characters (got 513)")


def test_message_object_of_wrong_json_type_is_code_100():
    assert_error(reject(send("text", "hello")), 100, "text: must be an object (got string)")


# ----------------------------------------------------------------------- mark as read --


def test_status_bodies_are_told_apart_from_sends():
    assert is_status_update({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"})
    assert not is_status_update(send("text", {"body": "hi"}))
    assert SendValidator.is_status_update({"status": "read"})


def test_mark_as_read_needs_message_id():
    assert_error(
        reject({"messaging_product": "whatsapp", "status": "read"}), 131008, "message_id: is required"
    )


def test_mark_as_read_status_must_be_read():
    body = {"messaging_product": "whatsapp", "status": "delivered", "message_id": "wamid.X"}
    assert_error(reject(body), 100, "status", '"read"')


def test_typing_indicator_type_must_be_text():
    body = {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.X",
        "typing_indicator": {"type": "audio"},
    }
    assert_error(reject(body), 131009, "typing_indicator.type", '"text"')


# ----------------------------------------------------------------------------------- text --


def test_text_body_is_required():
    assert_error(reject(send("text", {"preview_url": True})), 131008, "text.body: is required")


def test_text_body_is_at_most_4096_characters():
    assert_error(
        reject(send("text", {"body": "x" * 5000})),
        131009,
        "text.body: must be at most 4096 characters (got 5000)",
    )


def test_text_preview_url_is_boolean():
    assert_error(
        reject(send("text", {"body": "hi", "preview_url": "yes"})),
        131009,
        "text.preview_url: must be a boolean",
    )


def test_unknown_key_in_text_is_rejected_in_graph_wording():
    error = reject(send("text", {"body": "hi", "previewUrl": True}))
    assert_error(error, 100)
    assert error.details == 'Unexpected key "previewUrl" on param "text".'
    assert error.message == '(#100) Unexpected key "previewUrl" on param "text".'


def test_unknown_key_in_context_is_rejected():
    error = reject(send("text", {"body": "hi"}, context={"message_id": "wamid.X", "from": "1"}))
    assert_error(error, 100, 'Unexpected key "from" on param "context".')


def test_first_violation_does_not_depend_on_key_order():
    one = {"foo": 1, "body": "x" * 5000}
    other = {"body": "x" * 5000, "foo": 1}
    assert (
        reject(send("text", one)).details
        == reject(send("text", other)).details
        == 'Unexpected key "foo" on param "text".'
    )


# ------------------------------------------------------------------------------- reaction --


def test_reaction_message_id_is_required():
    assert_error(
        reject(send("reaction", {"emoji": "\U0001f600"})), 131008, "reaction.message_id: is required"
    )


def test_reaction_empty_emoji_removes_it():
    accept(send("reaction", {"message_id": "wamid.HBgLM", "emoji": ""}))


def test_reaction_emoji_must_be_a_string():
    assert_error(
        reject(send("reaction", {"message_id": "wamid.X", "emoji": 1})),
        131009,
        "reaction.emoji: must be a string",
    )


# ---------------------------------------------------------------------------------- media --


def test_media_with_both_id_and_link_is_131009():
    error = reject(send("image", {"id": "1037543291543636", "link": "https://example.com/a.png"}))
    assert_error(error, 131009, "image:", "id and link", "exactly one")


def test_media_with_neither_id_nor_link_is_131008():
    assert_error(reject(send("video", {"caption": "hi"})), 131008, "video:", "one of id or link is required")


def test_media_link_must_be_http_or_https():
    assert_error(
        reject(send("document", {"link": "ftp://example.com/a.pdf"})),
        131009,
        "document.link: must be an http(s) URL",
    )


@pytest.mark.parametrize("kind", ["audio", "sticker"])
def test_caption_is_not_supported_on_audio_and_sticker(kind: str):
    assert_error(
        reject(send(kind, {"id": "1", "caption": "hi"})), 131009, f"caption is not supported for {kind}"
    )


def test_caption_is_at_most_1024_characters():
    error = reject(send("image", {"id": "1", "caption": "x" * 1025}))
    assert_error(error, 131009, "image.caption: must be at most 1024 characters (got 1025)")


@pytest.mark.parametrize("kind", ["image", "video", "audio", "sticker"])
def test_filename_is_only_for_documents(kind: str):
    assert_error(
        reject(send(kind, {"id": "1", "filename": "a.pdf"})), 131009, f"filename is not supported for {kind}"
    )


def test_unknown_key_in_media_is_rejected():
    assert_error(
        reject(send("image", {"id": "1", "title": "x"})), 100, 'Unexpected key "title" on param "image".'
    )


# ------------------------------------------------------------------------------- location --


def test_location_needs_latitude_and_longitude():
    assert_error(reject(send("location", {"longitude": "-122.16"})), 131008, "location.latitude: is required")


@pytest.mark.parametrize(
    ("field", "value", "bound"), [("latitude", 90.5, "-90 and 90"), ("longitude", "-180.1", "-180 and 180")]
)
def test_location_coordinates_are_in_range(field: str, value: Any, bound: str):
    body = {"latitude": "37.44", "longitude": "-122.16", field: value}
    assert_error(reject(send("location", body)), 131009, f"location.{field}: must be between {bound}")


def test_location_coordinates_are_numeric():
    error = reject(send("location", {"latitude": "north", "longitude": 1}))
    assert_error(error, 131009, 'location.latitude: must be a number (got "north")')


def test_location_name_must_be_a_string():
    error = reject(send("location", {"latitude": 1, "longitude": 1, "name": 7}))
    assert_error(error, 131009, "location.name: must be a string or null")


# ------------------------------------------------------------------------------- contacts --


def test_contacts_must_not_be_empty():
    assert_error(reject(send("contacts", [])), 131009, "contacts: must have at least 1 item (got 0)")


def test_contact_needs_a_formatted_name():
    error = reject(send("contacts", [{"name": {"first_name": "Barbara"}}]))
    assert_error(error, 131008, "contacts[0].name.formatted_name: is required")


def test_contact_phones_are_an_array_of_objects():
    error = reject(send("contacts", [{"name": {"formatted_name": "B"}, "phones": [{"phone": "1"}, "+1650"]}]))
    assert_error(error, 131009, "contacts[0].phones[1]: must be an object (got string)")


# ------------------------------------------------------------------------ interactive: common --


def test_interactive_type_must_be_known():
    assert_error(
        reject(interactive({**BUTTONS, "type": "poll"})), 131009, "interactive.type: must be one of", '"poll"'
    )


def test_interactive_action_is_required():
    body = interactive({k: v for k, v in BUTTONS.items() if k != "action"})
    assert_error(reject(body), 131008, "interactive.action: is required")


def test_interactive_body_is_required():
    body = interactive({k: v for k, v in BUTTONS.items() if k != "body"})
    assert_error(reject(body), 131008, "interactive.body: is required")


def test_product_message_needs_no_body():
    accept(
        interactive(
            {"type": "product", "action": {"catalog_id": "367025965434465", "product_retailer_id": "SKU123"}}
        )
    )


def test_header_type_must_be_text_image_video_or_document():
    body = interactive({**BUTTONS, "header": {"type": "audio", "audio": {"id": "1"}}})
    assert_error(reject(body), 131009, "interactive.header.type: must be one of text, image, video, document")


def test_header_text_is_at_most_60_characters():
    body = interactive({**BUTTONS, "header": {"type": "text", "text": "h" * 61}})
    assert_error(reject(body), 131009, "interactive.header.text: must be at most 60 characters (got 61)")


def test_header_of_a_type_needs_its_object():
    body = interactive({**BUTTONS, "header": {"type": "video"}})
    assert_error(reject(body), 131008, "interactive.header.video: is required")


def test_header_media_needs_id_or_link():
    body = interactive({**BUTTONS, "header": {"type": "image", "image": {}}})
    assert_error(reject(body), 131008, "interactive.header.image: one of id or link is required")


def test_footer_is_at_most_60_characters():
    body = interactive({**BUTTONS, "footer": {"text": "f" * 61}})
    assert_error(reject(body), 131009, "interactive.footer.text: must be at most 60 characters (got 61)")


@pytest.mark.parametrize(
    ("base", "limit"),
    [(BUTTONS, 1024), (LIST, 4096), (CTA_URL, 1024), (CAROUSEL, 1024)],
    ids=["button", "list", "cta_url", "carousel"],
)
def test_interactive_body_limit_per_type(base: dict[str, Any], limit: int):
    accept(interactive({**base, "body": {"text": "b" * limit}}))
    error = reject(interactive({**base, "body": {"text": "b" * (limit + 1)}}))
    assert_error(
        error, 131009, f"interactive.body.text: must be at most {limit} characters (got {limit + 1})"
    )


def test_location_request_body_is_at_most_1024_characters():
    body = interactive(
        {
            "type": "location_request_message",
            "body": {"text": "b" * 1025},
            "action": {"name": "send_location"},
        }
    )
    assert_error(reject(body), 131009, "interactive.body.text: must be at most 1024 characters")


def test_location_request_action_name_is_send_location():
    body = interactive(
        {"type": "location_request_message", "body": {"text": "Where?"}, "action": {"name": "location"}}
    )
    assert_error(reject(body), 131009, 'interactive.action.name: must be "send_location"')


# ------------------------------------------------------------------------ interactive: button --


def reply(i: int, title: str | None = None) -> dict[str, Any]:
    return {"type": "reply", "reply": {"id": f"id-{i}", "title": title or f"Option {i}"}}


@pytest.mark.parametrize("count", [0, 4])
def test_reply_buttons_count_is_one_to_three_in_meta_wording(count: int):
    body = interactive({**BUTTONS, "action": {"buttons": [reply(i) for i in range(count)]}})
    error = reject(body)
    assert_error(error, 131009)
    assert error.details == "Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3"


def test_reply_button_id_is_at_most_256_characters():
    body = interactive(
        {**BUTTONS, "action": {"buttons": [{"type": "reply", "reply": {"id": "i" * 257, "title": "Ok"}}]}}
    )
    assert_error(
        reject(body),
        131009,
        "interactive.action.buttons[0].reply.id: must be at most 256 characters (got 257)",
    )


def test_reply_button_title_is_at_most_20_characters():
    body = interactive({**BUTTONS, "action": {"buttons": [reply(0), reply(1, "t" * 21)]}})
    assert_error(
        reject(body),
        131009,
        "interactive.action.buttons[1].reply.title: must be at most 20 characters (got 21)",
    )


def test_reply_button_titles_are_unique():
    body = interactive({**BUTTONS, "action": {"buttons": [reply(0, "Yes"), reply(1, "No"), reply(2, "Yes")]}})
    assert_error(reject(body), 131009, "interactive.action.buttons[2].reply.title: must be unique", '"Yes"')


def test_reply_button_type_is_reply():
    body = interactive(
        {**BUTTONS, "action": {"buttons": [{"type": "url", "reply": {"id": "a", "title": "A"}}]}}
    )
    assert_error(reject(body), 131009, 'interactive.action.buttons[0].type: must be "reply"')


# -------------------------------------------------------------------------- interactive: list --


def list_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    return interactive(edited(LIST, change))


def rows(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"id": f"row-{i}", "title": f"Row {i}"} for i in range(start, start + count)]


def test_list_button_is_required():
    assert_error(
        reject(list_with(lambda m: m["action"].pop("button"))),
        131008,
        "interactive.action.button: is required",
    )


def test_list_button_is_at_most_20_characters():
    body = list_with(lambda m: m["action"].update(button="b" * 21))
    assert_error(reject(body), 131009, "interactive.action.button: must be at most 20 characters (got 21)")


def test_list_has_at_most_10_sections():
    body = list_with(
        lambda m: m["action"].update(sections=[{"title": f"S{i}", "rows": rows(1, i)} for i in range(11)])
    )
    assert_error(reject(body), 131009, "interactive.action.sections: must have at most 10 items (got 11)")


def test_list_has_at_most_10_rows_across_all_sections():
    body = list_with(
        lambda m: m["action"].update(
            sections=[{"title": "A", "rows": rows(6)}, {"title": "B", "rows": rows(5, 6)}]
        )
    )
    assert_error(
        reject(body),
        131009,
        "interactive.action.sections: must hold 1 to 10 rows in total across all sections (got 11)",
    )


def test_list_has_at_least_one_row():
    body = list_with(lambda m: m["action"].update(sections=[{"title": "A", "rows": []}]))
    assert_error(reject(body), 131009, "interactive.action.sections:", "(got 0)")


def test_list_section_title_is_required_with_several_sections():
    body = list_with(lambda m: m["action"]["sections"][1].pop("title"))
    assert_error(reject(body), 131008, "interactive.action.sections[1].title: is required")


def test_list_single_section_needs_no_title():
    accept(list_with(lambda m: m["action"].update(sections=[{"rows": rows(3)}])))


def test_list_section_title_is_at_most_24_characters():
    body = list_with(lambda m: m["action"]["sections"][0].update(title="s" * 25))
    assert_error(
        reject(body), 131009, "interactive.action.sections[0].title: must be at most 24 characters (got 25)"
    )


@pytest.mark.parametrize(("field", "limit"), [("id", 200), ("title", 24), ("description", 72)])
def test_list_row_field_limits(field: str, limit: int):
    body = list_with(lambda m: m["action"]["sections"][0]["rows"][1].update({field: "r" * (limit + 1)}))
    error = reject(body)
    assert_error(
        error, 131009, f"interactive.action.sections[0].rows[1].{field}: must be at most {limit} characters"
    )


# ----------------------------------------------------------------------- interactive: cta_url --


def test_cta_url_action_name_is_cta_url():
    body = interactive(edited(CTA_URL, lambda m: m["action"].update(name="url")))
    assert_error(reject(body), 131009, 'interactive.action.name: must be "cta_url"')


def test_cta_url_display_text_is_at_most_20_characters():
    body = interactive(edited(CTA_URL, lambda m: m["action"]["parameters"].update(display_text="d" * 21)))
    assert_error(
        reject(body), 131009, "interactive.action.parameters.display_text: must be at most 20 characters"
    )


def test_cta_url_url_must_be_http_or_https():
    body = interactive(edited(CTA_URL, lambda m: m["action"]["parameters"].update(url="javascript:alert(1)")))
    assert_error(reject(body), 131009, "interactive.action.parameters.url: must be an http(s) URL")


def test_cta_url_parameters_are_required():
    body = interactive(edited(CTA_URL, lambda m: m["action"].pop("parameters")))
    assert_error(reject(body), 131008, "interactive.action.parameters: is required")


# -------------------------------------------------------------------------- interactive: flow --


def test_flow_message_version_must_be_3():
    body = interactive(edited(FLOW, lambda m: m["action"]["parameters"].update(flow_message_version="2")))
    assert_error(reject(body), 131009, 'interactive.action.parameters.flow_message_version: must be "3"')


def test_flow_id_and_flow_name_are_exclusive():
    body = interactive(edited(FLOW, lambda m: m["action"]["parameters"].update(flow_name="signup")))
    assert_error(reject(body), 131009, "interactive.action.parameters:", "flow_id and flow_name")


def test_flow_needs_flow_id_or_flow_name():
    body = interactive(edited(FLOW, lambda m: m["action"]["parameters"].pop("flow_id")))
    assert_error(
        reject(body), 131008, "interactive.action.parameters: one of flow_id or flow_name is required"
    )


def test_flow_action_is_navigate_or_data_exchange():
    body = interactive(edited(FLOW, lambda m: m["action"]["parameters"].update(flow_action="open")))
    assert_error(
        reject(body),
        131009,
        "interactive.action.parameters.flow_action: must be one of navigate, data_exchange",
    )


def test_flow_cta_is_required():
    body = interactive(edited(FLOW, lambda m: m["action"]["parameters"].pop("flow_cta")))
    assert_error(reject(body), 131008, "interactive.action.parameters.flow_cta: is required")


# ---------------------------------------------------------------- interactive: address_message --


def address(base: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    return interactive(edited(base, lambda m: change(m["action"]["parameters"])))


def test_address_country_is_required():
    assert_error(
        reject(address(ADDRESS_IN, lambda p: p.pop("country"))),
        131008,
        "interactive.action.parameters.country: is required",
    )


def test_address_country_is_india_or_singapore():
    error = reject(address(ADDRESS_IN, lambda p: p.update(country="US")))
    assert_error(error, 131009, "interactive.action.parameters.country: must be IN or SG", '"US"')


def test_address_value_of_the_other_country_conflicts():
    error = reject(address(ADDRESS_IN, lambda p: p["values"].update(sg_post_code="018937")))
    assert_error(
        error,
        131009,
        "interactive.action.parameters.values.sg_post_code:",
        "Singapore (SG) field",
        "country IN",
    )


def test_address_value_of_no_country_is_rejected():
    error = reject(address(ADDRESS_SG, lambda p: p["values"].update(landmark="x")))
    assert_error(error, 131009, "values.landmark: landmark is not an address field of Singapore (SG)")


def test_address_saved_address_fields_belong_to_the_country():
    error = reject(
        address(ADDRESS_SG, lambda p: p["saved_addresses"][0]["value"].update(in_pin_code="400063"))
    )
    assert_error(error, 131009, "saved_addresses[0].value.in_pin_code:", "India (IN) field", "country SG")


def test_address_validation_errors_name_fields_of_the_country():
    error = reject(address(ADDRESS_SG, lambda p: p.update(validation_errors={"state": "Unknown state"})))
    assert_error(error, 131009, "validation_errors.state:", "India (IN) field", "country SG")


@pytest.mark.parametrize(("base", "field"), [(ADDRESS_IN, "in_pin_code"), (ADDRESS_SG, "sg_post_code")])
def test_address_post_codes_are_at_most_6_characters(base: dict[str, Any], field: str):
    error = reject(address(base, lambda p: p["values"].update({field: "1234567"})))
    assert_error(error, 131009, f"values.{field}: must be at most 6 characters (got 7)")


def test_address_country_must_match_the_recipient_number():
    error = reject(interactive(ADDRESS_SG), recipient_region="IN")
    assert_error(
        error,
        131009,
        "interactive.action.parameters.country",
        "phone number country (IN)",
        "address message country (SG)",
    )


def test_address_to_a_number_of_the_same_country_is_accepted():
    accept(interactive(ADDRESS_IN), recipient_region="IN")
    accept(interactive(ADDRESS_SG), recipient_region="sg")


# ---------------------------------------------------------------------- interactive: carousel --


def carousel_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    return interactive(edited(CAROUSEL, change))


@pytest.mark.parametrize(
    ("count", "rule"), [(1, "at least 2 items (got 1)"), (11, "at most 10 items (got 11)")]
)
def test_carousel_has_2_to_10_cards(count: int, rule: str):
    body = carousel_with(lambda m: m["action"].update(cards=[card(i % 10) for i in range(count)]))
    assert_error(reject(body), 131009, f"interactive.action.cards: must have {rule}")


def test_carousel_body_text_is_required():
    assert_error(reject(carousel_with(lambda m: m.pop("body"))), 131008, "interactive.body: is required")


def test_carousel_card_body_is_at_most_160_characters():
    body = carousel_with(lambda m: m["action"]["cards"][1]["body"].update(text="c" * 161))
    assert_error(
        reject(body),
        131009,
        "interactive.action.cards[1].body.text: must be at most 160 characters (got 161)",
    )


def test_carousel_card_needs_card_index():
    body = carousel_with(lambda m: m["action"]["cards"][0].pop("card_index"))
    assert_error(reject(body), 131008, "interactive.action.cards[0].card_index: is required")


def test_carousel_card_header_is_image_or_video():
    body = carousel_with(lambda m: m["action"]["cards"][0].update(header={"type": "text", "text": "Hi"}))
    assert_error(reject(body), 131009, "interactive.action.cards[0].header.type: must be one of image, video")


def test_carousel_quick_reply_title_is_at_most_20_characters():
    buttons = {"buttons": [{"type": "quick_reply", "quick_reply": {"id": "q", "title": "t" * 21}}]}
    body = carousel_with(lambda m: m["action"]["cards"][0].update(action=buttons))
    assert_error(
        reject(body),
        131009,
        "interactive.action.cards[0].action.buttons[0].quick_reply.title: must be at most 20 characters",
    )


def test_carousel_card_url_button_needs_parameters():
    body = carousel_with(lambda m: m["action"]["cards"][0].update(action={"name": "cta_url"}))
    assert_error(reject(body), 131008, "interactive.action.cards[0].action.parameters: is required")


# ------------------------------------------------------------------------------- template --


def test_template_name_is_required():
    assert_error(
        reject(send("template", {"language": {"code": "en_US"}})), 131008, "template.name: is required"
    )


def test_template_language_code_is_required():
    assert_error(
        reject(send("template", {"name": "x", "language": {}})), 131008, "template.language.code: is required"
    )


def test_template_component_type_is_known():
    error = reject(template({"type": "footer", "parameters": []}))
    assert_error(
        error, 131009, "template.components[0].type: must be one of header, body, button", '"footer"'
    )


def test_template_button_needs_sub_type_and_index():
    error = reject(
        template({"type": "button", "index": "0", "parameters": [{"type": "payload", "payload": "p"}]})
    )
    assert_error(error, 131008, "template.components[0].sub_type: is required")
    error = reject(
        template(
            {"type": "button", "sub_type": "quick_reply", "parameters": [{"type": "payload", "payload": "p"}]}
        )
    )
    assert_error(error, 131008, "template.components[0].index: is required")


def test_template_button_sub_type_is_known():
    error = reject(template({"type": "button", "sub_type": "phone", "index": 0}))
    assert_error(error, 131009, "template.components[0].sub_type: must be one of quick_reply, url, copy_code")


def test_template_button_index_is_an_integer_or_digits():
    error = reject(
        template(
            {
                "type": "button",
                "sub_type": "url",
                "index": "first",
                "parameters": [{"type": "text", "text": "x"}],
            }
        )
    )
    assert_error(error, 131009, "template.components[0].index: must be a zero-based position", '"first"')


def test_template_parameter_type_is_known():
    error = reject(template({"type": "body", "parameters": [{"type": "emoji", "emoji": "x"}]}))
    assert_error(error, 131009, "template.components[0].parameters[0].type: must be one of text, currency")


def test_template_text_parameter_needs_text_in_meta_wording():
    error = reject(template({"type": "body", "parameters": [{"type": "text"}]}))
    assert_error(error, 100)
    assert error.details == "Parameter 'text' is mandatory for component parameter type 'text'"


@pytest.mark.parametrize(
    "text", ["line\nbreak", "tab\there", "five     spaces"], ids=["newline", "tab", "5-spaces"]
)
@pytest.mark.parametrize("component", ["body", "HEADER"])
def test_template_body_and_header_text_has_no_layout_characters(text: str, component: str):
    error = reject(template({"type": component, "parameters": [{"type": "text", "text": text}]}))
    assert_error(error, 100)
    assert error.details == "Param text cannot have new-line/tab characters or more than 4 consecutive spaces"


def test_template_four_spaces_and_button_text_are_fine():
    accept(template({"type": "body", "parameters": [{"type": "text", "text": "four    spaces"}]}))
    accept(
        template(
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "text", "text": "a\tb"}],
            }
        )
    )


def test_template_currency_needs_amount_1000():
    error = reject(
        template(
            {
                "type": "body",
                "parameters": [{"type": "currency", "currency": {"fallback_value": "$1", "code": "USD"}}],
            }
        )
    )
    assert_error(error, 131008, "template.components[0].parameters[0].currency.amount_1000: is required")


def test_template_coupon_code_is_at_most_15_characters():
    param = {"type": "coupon_code", "coupon_code": "C" * 16}
    error = reject(template({"type": "button", "sub_type": "COPY_CODE", "index": 0, "parameters": [param]}))
    assert_error(
        error,
        131009,
        "template.components[0].parameters[0].coupon_code: must be at most 15 characters (got 16)",
    )


def test_template_media_parameter_needs_id_or_link():
    error = reject(template({"type": "header", "parameters": [{"type": "image", "image": {"caption": "x"}}]}))
    assert_error(error, 131008, "template.components[0].parameters[0].image: one of id or link is required")


def test_template_location_parameter_is_in_range():
    param = {"type": "location", "location": {"latitude": "137.48", "longitude": "122.14"}}
    error = reject(template({"type": "header", "parameters": [param]}))
    assert_error(
        error, 131009, "template.components[0].parameters[0].location.latitude: must be between -90 and 90"
    )


def test_template_carousel_card_components_are_checked():
    card_components = [
        {"type": "header", "parameters": [{"type": "image", "image": {"id": "1", "link": "https://x.io/a"}}]}
    ]
    error = reject(
        template({"type": "carousel", "cards": [{"card_index": 0, "components": card_components}]})
    )
    assert_error(
        error, 131009, "template.components[0].cards[0].components[0].parameters[0].image:", "exactly one"
    )


# ------------------------------------------------------------ documented bodies are accepted --

DOCUMENTED: dict[str, dict[str, Any]] = {
    "text": send("text", {"preview_url": False, "body": "MESSAGE_CONTENT"}),
    "text_preview_url": send(
        "text",
        {"preview_url": True, "body": "Message content including a URL begins with https:// or http://"},
    ),
    "text_reply": {
        "messaging_product": "whatsapp",
        "context": {"message_id": "MESSAGE_ID"},
        "to": "16505551234",
        "type": "text",
        "text": {"preview_url": False, "body": "your-text-message-content"},
    },
    "text_bsuid": {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "recipient": "US.13491208655302741918",
        "type": "text",
        "text": {"body": "hi"},
    },
    "reaction": send("reaction", {"message_id": "wamid.HBgLM...", "emoji": "\U0001f600"}),
    "image_link": send("image", {"link": "https://IMAGE_URL"}),
    "image_id": send("image", {"id": "1037543291543636", "caption": "The best succulent ever?"}),
    "audio": send("audio", {"id": "<AUDIO_OBJECT_ID>"}),
    "video": send("video", {"id": "1166846181421424", "caption": "A succulent eclipse!"}),
    "document": send(
        "document",
        {
            "link": "https://www.luckyshrub.com/invoices/FmOzfD9cKf/lucky-shrub-invoice.pdf",
            "caption": "Lucky Shrub Invoice",
            "filename": "lucky-shrub-invoice.pdf",
        },
    ),
    "sticker": send("sticker", {"link": "https://www.luckyshrub.com/stickers/hello.webp"}),
    "location": send(
        "location",
        {
            "latitude": "37.44216251868683",
            "longitude": "-122.16153582049394",
            "name": "Philz Coffee",
            "address": "101 Forest Ave, Palo Alto, CA 94301",
        },
    ),
    "contacts": send(
        "contacts",
        [
            {
                "addresses": [
                    {
                        "street": "1 Lucky Shrub Way",
                        "city": "Menlo Park",
                        "state": "CA",
                        "zip": "94025",
                        "country": "United States",
                        "country_code": "US",
                        "type": "Office",
                    }
                ],
                "birthday": "1999-01-23",
                "emails": [{"email": "bjohnson@luckyshrub.com", "type": "Work"}],
                "name": {
                    "formatted_name": "Barbara J. Johnson",
                    "first_name": "Barbara",
                    "last_name": "Johnson",
                    "middle_name": "Joana",
                    "suffix": "Esq.",
                    "prefix": "Dr.",
                },
                "org": {"company": "Lucky Shrub", "department": "Legal", "title": "Lead Counsel"},
                "phones": [
                    {"phone": "+16505559999", "type": "Landline"},
                    {"phone": "+19175559999", "type": "Mobile", "wa_id": "19175559999"},
                ],
                "urls": [{"url": "https://www.luckyshrub.com", "type": "Company"}],
            }
        ],
    ),
    "interactive_button": interactive(BUTTONS),
    "interactive_list": interactive(LIST),
    "interactive_cta_url": interactive(CTA_URL),
    "interactive_flow_by_id": interactive(FLOW),
    "interactive_flow_by_name": interactive(
        edited(
            FLOW,
            lambda m: (
                m["action"]["parameters"].pop("flow_id"),
                m["action"]["parameters"].update(flow_name="<FLOW_NAME>", mode="draft"),
            ),
        )
    ),
    "interactive_location_request": interactive(
        {
            "type": "location_request_message",
            "body": {
                "text": "Let's start with your pickup. You can either manually *enter an address* or *share your current location*."
            },
            "action": {"name": "send_location"},
        }
    ),
    "interactive_address_in": interactive(ADDRESS_IN),
    "interactive_address_sg_saved": interactive(ADDRESS_SG),
    "interactive_address_in_saved": address(
        ADDRESS_IN,
        lambda p: (
            p.pop("values"),
            p.update(
                saved_addresses=[
                    {
                        "id": "address1",
                        "value": {
                            "name": "CUSTOMER_NAME",
                            "phone_number": "+91xxxxxxxxxx",
                            "in_pin_code": "400063",
                            "floor_number": "8",
                            "building_name": "",
                            "address": "Wing A, Cello Triumph,IB Patel Rd",
                            "landmark_area": "Goregaon",
                            "city": "Mumbai",
                        },
                    }
                ]
            ),
        ),
    ),
    "interactive_address_in_validation_errors": address(
        ADDRESS_IN,
        lambda p: p.update(
            values={
                "name": "CUSTOMER_NAME",
                "phone_number": "+91xxxxxxxxxx",
                "in_pin_code": "666666",
                "address": "Some other location",
                "city": "Delhi",
            },
            validation_errors={"in_pin_code": "We could not locate this pin code."},
        ),
    ),
    "interactive_address_sg_validation_errors": address(
        ADDRESS_SG,
        lambda p: (
            p.pop("saved_addresses"),
            p.update(
                values={
                    "name": "CUSTOMER_NAME",
                    "phone_number": "+65xxxxxxxxxx",
                    "sg_post_code": "666666",
                    "address": "Some other location",
                    "city": "Singapore",
                },
                validation_errors={"sg_post_code": "We could not locate this pin code."},
            ),
        ),
    ),
    "interactive_carousel_url": interactive(CAROUSEL),
    "interactive_carousel_quick_reply": carousel_with(
        lambda m: [
            c.update(
                action={
                    "buttons": [
                        {
                            "type": "quick_reply",
                            "quick_reply": {"id": f"more-{c['card_index']}", "title": "Send more like this"},
                        }
                    ]
                }
            )
            for c in m["action"]["cards"]
        ]
    ),
    "interactive_product": interactive(
        {
            "type": "product",
            "body": {"text": "optional body text"},
            "footer": {"text": "optional footer text"},
            "action": {"catalog_id": "CATALOG_ID", "product_retailer_id": "ID_TEST_ITEM_1"},
        }
    ),
    "interactive_product_list": interactive(
        {
            "type": "product_list",
            "header": {"type": "text", "text": "header-content"},
            "body": {"text": "body-content"},
            "footer": {"text": "footer-content"},
            "action": {
                "catalog_id": "CATALOG_ID",
                "sections": [
                    {
                        "title": "section-title",
                        "product_items": [
                            {"product_retailer_id": "product-SKU-in-catalog"},
                            {"product_retailer_id": "product-SKU-2"},
                        ],
                    },
                    {"title": "section-title-2", "product_items": [{"product_retailer_id": "product-SKU-3"}]},
                ],
            },
        }
    ),
    "interactive_catalog": interactive(
        {
            "type": "catalog_message",
            "body": {"text": "Hello! Thanks for your interest."},
            "action": {
                "name": "catalog_message",
                "parameters": {"thumbnail_product_retailer_id": "2lc20305pt"},
            },
        }
    ),
    "interactive_call_permission": interactive(
        {
            "type": "call_permission_request",
            "body": {"text": "We would like to call you to help support your query."},
            "action": {"name": "call_permission_request"},
        }
    ),
    "template_text": template(
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "text-string"},
                {
                    "type": "currency",
                    "currency": {"fallback_value": "VALUE", "code": "USD", "amount_1000": 100990},
                },
                {"type": "date_time", "date_time": {"fallback_value": "DATE"}},
            ],
        }
    ),
    "template_media_and_quick_replies": template(
        {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://URL"}}]},
        {"type": "body", "parameters": [{"type": "text", "text": "TEXT_STRING"}]},
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "0",
            "parameters": [{"type": "payload", "payload": "PAYLOAD"}],
        },
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "1",
            "parameters": [{"type": "payload", "payload": "PAYLOAD"}],
        },
    ),
    "template_location_header": template(
        {
            "type": "header",
            "parameters": [
                {
                    "type": "location",
                    "location": {
                        "latitude": "37.483307",
                        "longitude": "122.148981",
                        "name": "Pablo Morales",
                        "address": "1 Hacker Way, Menlo Park, CA 94025",
                    },
                }
            ],
        },
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "Pablo"}, {"type": "text", "text": "566701"}],
        },
    ),
    "template_authentication_otp": template(
        {"type": "body", "parameters": [{"type": "text", "text": "J$FpnYnP"}]},
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "J$FpnYnP"}],
        },
    ),
    "template_mpm": template(
        {"type": "header", "parameters": [{"type": "text", "text": "Pablo"}]},
        {"type": "body", "parameters": [{"type": "text", "text": "10OFF"}]},
        {
            "type": "button",
            "sub_type": "mpm",
            "index": 0,
            "parameters": [
                {
                    "type": "action",
                    "action": {
                        "thumbnail_product_retailer_id": "2lc20305pt",
                        "sections": [
                            {
                                "title": "Popular Bundles",
                                "product_items": [
                                    {"product_retailer_id": "2lc20305pt"},
                                    {"product_retailer_id": "nseiw1x3ch"},
                                ],
                            },
                            {
                                "title": "Premium Packages",
                                "product_items": [{"product_retailer_id": "n6k6x0y7oe"}],
                            },
                        ],
                    },
                }
            ],
        },
    ),
    "template_named_parameters": template(
        {
            "type": "body",
            "parameters": [
                {"type": "text", "parameter_name": "number_of_guests", "text": "4"},
                {"type": "text", "parameter_name": "customer_name", "text": "Jess"},
            ],
        }
    ),
    "template_coupon_code": template(
        {
            "type": "button",
            "sub_type": "COPY_CODE",
            "index": 0,
            "parameters": [{"type": "coupon_code", "coupon_code": "25OFF"}],
        }
    ),
    "template_carousel": template(
        {"type": "body", "parameters": [{"type": "text", "text": "Pablo"}]},
        {
            "type": "carousel",
            "cards": [
                {
                    "card_index": 0,
                    "components": [
                        {
                            "type": "header",
                            "parameters": [{"type": "image", "image": {"id": "24230790383178626"}}],
                        },
                        {
                            "type": "button",
                            "sub_type": "quick_reply",
                            "index": "0",
                            "parameters": [{"type": "payload", "payload": "more-aloes"}],
                        },
                        {
                            "type": "button",
                            "sub_type": "url",
                            "index": "1",
                            "parameters": [{"type": "text", "text": "blue-elf"}],
                        },
                    ],
                }
            ],
        },
    ),
    "template_flow_button": template(
        {
            "type": "button",
            "sub_type": "flow",
            "index": "0",
            "parameters": [
                {
                    "type": "action",
                    "action": {"flow_token": "FLOW_TOKEN", "flow_action_data": {"product_name": "name"}},
                }
            ],
        }
    ),
    "mark_as_read": {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3",
    },
    "typing_indicator": {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3",
        "typing_indicator": {"type": "text"},
    },
}


@pytest.mark.parametrize("name", list(DOCUMENTED))
def test_documented_body_is_accepted(name: str):
    accept(DOCUMENTED[name])


# -------------------------------------------------------------- every body pywa sends passes --


def pywa_bodies(call: Callable[[WhatsApp], Any]) -> list[dict[str, Any]]:
    """Run one pywa call against an in-memory transport and return the JSON bodies it sent."""
    sent: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append(body)
        if "status" in body:
            return httpx.Response(200, json={"success": True})
        contact = {
            "input": body.get("to") or body.get("recipient"),
            "wa_id": "16505551234",
            "user_id": "US.13491208655302741918",
        }
        return httpx.Response(
            200,
            json={"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": "wamid.X"}]},
        )

    session = httpx.Client(transport=httpx.MockTransport(answer), base_url="https://graph.facebook.com/v23.0")
    call(WhatsApp(phone_id="106540352242922", token="token", session=session))
    return sent


TO = "16505551234"
ROWS = [
    pt.SectionRow(title="Express", callback_data="express", description="Next day"),
    pt.SectionRow(title="Normal", callback_data="normal"),
]
PYWA_CALLS: dict[str, Callable[[WhatsApp], Any]] = {
    "text": lambda wa: wa.send_message(TO, "Hello from pywa"),
    "text_to_bsuid_as_reply": lambda wa: wa.send_message(
        "US.13491208655302741918", "hi", reply_to_message_id="wamid.Y", tracker="order-42"
    ),
    "text_to_group": lambda wa: wa.send_message("fail", "hi group"),
    "reply_buttons": lambda wa: wa.send_message(
        TO, "Pick", header="Head", footer="Foot", buttons=[pt.Button("Yes", "y"), pt.Button("No", "n")]
    ),
    "url_button": lambda wa: wa.send_message(
        TO, "Go", buttons=pt.URLButton(title="Open", url="https://example.com")
    ),
    "voice_call_button": lambda wa: wa.send_message(
        TO, "Call", buttons=pt.VoiceCallButton(title="Call us", ttl_minutes=datetime.timedelta(days=3))
    ),
    "call_permission": lambda wa: wa.send_message(
        TO, "May we call?", buttons=pt.CallPermissionRequestButton()
    ),
    "section_list": lambda wa: wa.send_message(
        TO,
        "Shipping?",
        buttons=pt.SectionList(
            button_title="Options",
            sections=[pt.Section(title="Fast", rows=ROWS[:1]), pt.Section(title="Slow", rows=ROWS[1:])],
        ),
    ),
    "flow_button": lambda wa: wa.send_message(
        TO,
        "Sign up",
        buttons=pt.FlowButton(
            title="Open",
            flow_id="123",
            flow_action_type="navigate",
            flow_action_screen="START",
            flow_action_payload={"a": 1},
        ),
    ),
    "flow_button_by_name": lambda wa: wa.send_message(
        TO,
        "Sign up",
        buttons=pt.FlowButton(title="Open", flow_name="signup", flow_action_type="data_exchange"),
    ),
    "image_link": lambda wa: wa.send_image(TO, "https://example.com/a.jpg", caption="cap"),
    "image_with_buttons": lambda wa: wa.send_image(
        TO, "https://example.com/a.jpg", caption="cap", footer="f", buttons=[pt.Button("Yes", "y")]
    ),
    "video_id": lambda wa: wa.send_video(TO, "1234567890", caption="v"),
    "document": lambda wa: wa.send_document(TO, "https://example.com/a.pdf", filename="a.pdf", caption="doc"),
    "document_with_url_button": lambda wa: wa.send_document(
        TO,
        "https://example.com/a.pdf",
        filename="a.pdf",
        caption="doc",
        buttons=pt.URLButton(title="Site", url="https://example.com"),
    ),
    "audio": lambda wa: wa.send_audio(TO, "https://example.com/a.mp3"),
    "voice": lambda wa: wa.send_voice(TO, "https://example.com/a.ogg"),
    "sticker": lambda wa: wa.send_sticker(TO, "https://example.com/a.webp"),
    "reaction": lambda wa: wa.send_reaction(TO, "\U0001f44d", "wamid.Z"),
    "remove_reaction": lambda wa: wa.remove_reaction(TO, "wamid.Z"),
    "location": lambda wa: wa.send_location(TO, 37.48, -122.14, name="HQ", address="1 Hacker Way"),
    "location_without_name": lambda wa: wa.send_location(TO, 37.48, -122.14),
    "location_request": lambda wa: wa.request_location(TO, "Where are you?"),
    "contact_info_request": lambda wa: wa.request_contact_info(TO, "Share your number"),
    "contact": lambda wa: wa.send_contact(
        TO,
        pt.Contact(
            name=pt.Contact.Name(formatted_name="Ann Lee", first_name="Ann"),
            phones=[pt.Contact.Phone(phone="+16505559999", type="HOME")],
        ),
    ),
    "catalog": lambda wa: wa.send_catalog(TO, "Our catalog", footer="f", thumbnail_product_sku="SKU1"),
    "product": lambda wa: wa.send_product(TO, "CATALOG", "SKU1"),
    "products": lambda wa: wa.send_products(
        TO, "CATALOG", [pt.ProductsSection(title="Tech", skus=["A", "B"])], title="T", body="B"
    ),
    "carousel": lambda wa: wa.send_carousel(
        TO,
        body="Cards",
        cards=[
            pt.ImageCarouselCard(
                image="https://example.com/1.jpg", body="c1", buttons=[pt.Button("More", "m1")]
            ),
            pt.VideoCarouselCard(
                video="https://example.com/2.mp4",
                buttons=pt.URLButton(title="Shop", url="https://example.com/s"),
            ),
        ],
    ),
    "mark_as_read": lambda wa: wa.mark_message_as_read("wamid.R"),
    "typing_indicator": lambda wa: wa.indicate_typing("wamid.R"),
    "pin_in_group": lambda wa: wa.pin_message(chat_id="fail", message_id="wamid.P", expiration_days=7),
    "template_positional": lambda wa: wa.send_template(
        TO,
        name="order",
        language=tpl.TemplateLanguage.ENGLISH_US,
        params=[
            tpl.HeaderImage.params(image="https://example.com/h.jpg"),
            tpl.BodyText.params(
                "John",
                tpl.Currency(fallback_value="$1", code="USD", amount_1000=1000),
                tpl.DateTime(fallback_value="today"),
            ),
            tpl.QuickReplyButton.params(callback_data="q", index=0),
            tpl.URLButton.params(url_variable="abc", index=1),
            tpl.CopyCodeButton.params(coupon_code="25OFF", index=2),
            tpl.FlowButton.params(index=3, flow_token="ft"),
        ],
    ),
    "template_named": lambda wa: wa.send_template(
        TO,
        name="named",
        language=tpl.TemplateLanguage.ENGLISH_US,
        params=[
            tpl.HeaderLocation.params(lat=1.0, lon=2.0, name="n", address="a"),
            tpl.BodyText.params(name="John"),
            tpl.LimitedTimeOffer.params(expiration_time=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)),
        ],
    ),
}


@pytest.mark.parametrize("name", list(PYWA_CALLS))
def test_pywa_body_is_accepted(name: str):
    bodies = pywa_bodies(PYWA_CALLS[name])
    assert bodies
    for body in bodies:
        accept(body)


def test_schemas_are_valid_draft_2020_12():
    from jsonschema import Draft202012Validator

    from sandbox.providers.meta.messages import schemas

    for schema in (schemas.SEND_SCHEMA, schemas.STATUS_SCHEMA, *schemas.SEND_SCHEMA_BY_TYPE.values()):
        Draft202012Validator.check_schema(schema)
