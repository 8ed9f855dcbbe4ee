"""Message templates: listing and paging (pywa), create -> review webhook (pywa), edit, delete, and every
check a template send goes through."""

from __future__ import annotations

from typing import Any

import pytest
from pywa.errors import WhatsAppError
from pywa_async.types import Pagination
from pywa_async.types import templates as t

from tests.conftest import AUTH, WABA_ID, send


def template_send(name: str, language: str = "en_US", components: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    tpl: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components is not None:
        tpl["components"] = components
    return {"messaging_product": "whatsapp", "to": "15550200001", "type": "template", "template": tpl}


def body(*values: str, named: list[str] | None = None) -> dict[str, Any]:
    params = [{"type": "text", "text": v} for v in values]
    for param, name in zip(params, named or [], strict=False):
        param["parameter_name"] = name
    return {"type": "body", "parameters": params}


def assert_error(status: int, reply: dict[str, Any], code: int, details: str | None = None) -> dict[str, Any]:
    error = reply["error"]
    assert error["code"] == code, reply
    if details is not None:
        assert error["error_data"]["details"] == details
    return error


async def graph(wa_sandbox: Any, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}/v23.0{path}", headers=AUTH, **kwargs) as resp:
        return resp.status, await resp.json()


# --- listing ----------------------------------------------------------------------------------------


async def test_pywa_pages_through_every_seeded_template(wa, wa_sandbox):
    first = page = await wa.get_templates(pagination=Pagination(limit=4))
    names = [tpl.name for tpl in page]
    while page.has_next:
        page = await page.next()
        names += [tpl.name for tpl in page]
    seeded = wa_sandbox.runtime.meta_platform.templates.of(WABA_ID)
    assert names == [tpl.name for tpl in seeded] and first.total_count == len(seeded)
    assert {"hello_world", "verification_code", "image_template_1", "confirmacion_pedido"} <= set(names)


async def test_list_filters_by_status_and_language(wa):
    paused = await wa.get_templates(statuses=[t.TemplateStatus.PAUSED])
    spanish = await wa.get_templates(languages=[t.TemplateLanguage.SPANISH])
    assert [tpl.name for tpl in paused] == ["paused_promo"]
    assert [tpl.name for tpl in spanish] == ["confirmacion_pedido"]


async def test_list_items_carry_metas_required_keys(wa_sandbox):
    status, reply = await graph(wa_sandbox, "GET", f"/{WABA_ID}/message_templates", params={"limit": "2", "summary": "total_count"})
    assert status == 200 and reply["paging"]["next"].startswith(wa_sandbox.url)
    assert set(reply["summary"]) == {"total_count"}
    for item in reply["data"]:
        assert {"id", "name", "language", "status", "category", "parameter_format", "components"} <= set(item)


# --- create, review, edit, delete --------------------------------------------------------------------


def new_template(name: str = "order_ready") -> t.Template:
    return t.Template(
        name=name,
        category=t.TemplateCategory.UTILITY,
        language=t.TemplateLanguage.ENGLISH_US,
        parameter_format=t.ParamFormat.POSITIONAL,
        components=[t.BodyText("Hi {{1}}, your order is ready for pickup today.", "Ana")],
    )


async def pywa_updates(wa, receiver, count: int) -> list[Any]:
    """Feed the webhook POSTs the receiver got to pywa; answer what its handlers were given."""
    seen: list[Any] = []
    wa.add_handlers(__import__("pywa_async").handlers.TemplateStatusUpdateHandler(lambda _, update: seen.append(update)))
    for post in await receiver.wait_posts(count):
        await wa.webhook_update_handler(post.body)
    return seen


async def test_created_template_is_pending_then_approved_by_webhook_pywa_parses(wa, wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    created = await wa.create_template(new_template())
    assert created.status == t.TemplateStatus.PENDING
    await wa_sandbox.control.advance(5)
    [update] = await pywa_updates(wa, webhook_receiver, 1)
    assert update.new_status == t.TemplateStatus.APPROVED and update.template_id == created.id
    assert update.template_name == "order_ready" and update.reason == t.TemplateRejectionReason.NONE
    assert (await wa.get_template(created.id)).status == t.TemplateStatus.APPROVED


async def test_scenario_override_rejects_a_template_with_its_reason(wa, wa_sandbox, webhook_receiver):
    wa_sandbox.runtime.meta_platform.review["overrides"] = {"order_ready": {"outcome": "REJECTED", "reason": "PROMOTIONAL", "delay": 30}}
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wa.create_template(new_template())
    await wa_sandbox.control.advance(29)
    assert webhook_receiver.posts == []
    await wa_sandbox.control.advance(1)
    [update] = await pywa_updates(wa, webhook_receiver, 1)
    assert update.new_status == t.TemplateStatus.REJECTED and update.reason == t.TemplateRejectionReason.PROMOTIONAL


async def test_body_ending_with_a_variable_is_rejected_as_invalid_format(wa_sandbox):
    spec = {"name": "bad_one", "language": "en_US", "category": "UTILITY", "components": [{"type": "BODY", "text": "Your code is {{1}}"}]}
    _, created = await graph(wa_sandbox, "POST", f"/{WABA_ID}/message_templates", json=spec)
    await wa_sandbox.control.advance(5)
    _, item = await graph(wa_sandbox, "GET", f"/{created['id']}")
    assert item["status"] == "REJECTED" and item["rejected_reason"] == "INVALID_FORMAT"


async def test_duplicate_name_and_language_is_100_with_subcode(wa_sandbox):
    spec = {"name": "hello_world", "language": "en_US", "category": "UTILITY", "components": [{"type": "BODY", "text": "Hi there, welcome."}]}
    status, reply = await graph(wa_sandbox, "POST", f"/{WABA_ID}/message_templates", json=spec)
    error = assert_error(status, reply, 100)
    assert status == 400 and error["error_subcode"] == 2388023 and "already exists" in error["error_data"]["details"]


@pytest.mark.parametrize(
    ("component", "subcode"),
    [
        ({"type": "BODY", "text": "x" * 1025}, 2388040),
        ({"type": "BODY", "text": "Hi {{2}} and {{1}} there"}, 2388072),
        ({"type": "HEADER", "format": "AUDIO"}, 2388047),
    ],
)
async def test_bad_components_are_refused_with_metas_subcodes(wa_sandbox, component, subcode):
    components = [component] if component["type"] == "BODY" else [component, {"type": "BODY", "text": "Hello there."}]
    spec = {"name": "new_one", "language": "en_US", "category": "UTILITY", "components": components}
    status, reply = await graph(wa_sandbox, "POST", f"/{WABA_ID}/message_templates", json=spec)
    assert status == 400 and assert_error(status, reply, 100)["error_subcode"] == subcode


async def test_pywa_edit_sends_the_template_back_to_review(wa, wa_sandbox):
    template = wa_sandbox.runtime.meta_platform.templates.get(WABA_ID, "hello_world", "en_US")
    updated = await wa.update_template(template.id, new_components=[t.BodyText("Hello again, friend of ours.")])
    assert updated.success and template.status == "PENDING"
    await wa_sandbox.control.advance(5)
    assert template.status == "APPROVED" and template.components[0]["text"] == "Hello again, friend of ours."


async def test_a_send_after_an_edit_is_rendered_from_the_new_components(wa, wa_sandbox):
    _, first = await send(wa_sandbox, template_send("hello_world"))  # renders (and indexes) the old components
    template = wa_sandbox.runtime.meta_platform.templates.get(WABA_ID, "hello_world", "en_US")
    await wa.update_template(template.id, new_components=[t.BodyText("Hello again, friend of ours.")])
    await wa_sandbox.control.advance(5)
    _, second = await send(wa_sandbox, template_send("hello_world"))
    rendered = [(await wa_sandbox.control.message(r["messages"][0]["id"]))["meta"]["rendered"] for r in (first, second)]
    assert rendered[0].startswith("Hello World\n") and rendered[1] == "Hello again, friend of ours."


async def test_pywa_delete_by_name_removes_every_language(wa, wa_sandbox):
    assert await wa.delete_template("seasonal_promotion")
    assert wa_sandbox.runtime.meta_platform.templates.get(WABA_ID, "seasonal_promotion", "en_US") is None


# --- send validation ---------------------------------------------------------------------------------


async def test_pywa_sends_seeded_hello_world_and_journal_keeps_rendered_text(wa, wa_sandbox):
    sent = await wa.send_template(to="15550200001", name="hello_world", language=t.TemplateLanguage.ENGLISH_US)
    message = await wa_sandbox.control.message(sent.id)
    assert message["meta"]["rendered"].startswith("Hello World\nWelcome and congratulations!!")


async def test_rendered_text_substitutes_parameters(wa_sandbox):
    _, sent = await send(wa_sandbox, template_send("order_update", components=[
        {"type": "header", "parameters": [{"type": "text", "text": "#7"}]},
        body("Ana", "#7", "Friday"),
        {"type": "button", "sub_type": "url", "index": 0, "parameters": [{"type": "text", "text": "7"}]},
    ]))
    message = await wa_sandbox.control.message(sent["messages"][0]["id"])
    assert message["meta"]["rendered"] == (
        "Order #7 update\nHi Ana, your order #7 has shipped and will arrive on Friday.\nReply STOP to opt out\n[Track order]"
    )


async def test_unknown_template_name_is_132001_404(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("no_such_template"))
    assert status == 404
    assert_error(status, reply, 132001, "template name (no_such_template) does not exist in en_US")


async def test_132001_says_when_the_active_scenario_declares_no_templates(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml="version: 1\nname: from-scratch\n")
    status, reply = await send(wa_sandbox, template_send("hello_world"))
    error = assert_error(status, reply, 132001)
    assert status == 404 and error["message"] == "(#132001) Template name does not exist in the translation"
    assert error["error_data"] == {
        "messaging_product": "whatsapp",
        "details": "template name (hello_world) does not exist in en_US; the active scenario declares no templates"
                   " (meta.templates): declare them, create them with POST /{waba_id}/message_templates, or start"
                   " the scenario with `extends: default`",
    }


async def test_a_scenario_extending_default_sends_its_templates(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml="version: 1\nname: mine\nextends: default\n")
    status, reply = await send(wa_sandbox, template_send("hello_world"))
    assert status == 200, reply


async def test_known_name_in_another_language_is_132001(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("hello_world", "fr"))
    assert status == 404 and assert_error(status, reply, 132001)["message"] == "(#132001) Template name does not exist in the translation"


async def test_paused_template_is_132015(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("paused_promo"))
    assert status == 400 and assert_error(status, reply, 132015)["message"] == "(#132015) Template is paused"


async def test_disabled_template_is_132016(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("disabled_promo"))
    assert status == 400 and assert_error(status, reply, 132016)["message"] == "(#132016) Template is disabled"


async def test_body_parameter_count_is_132000_with_metas_details(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("confirmacion_pedido", "es", [body("Lucía")]))
    assert_error(status, reply, 132000, "body: number of localizable_params (1) does not match the expected number of params (2)")


async def test_missing_components_count_as_zero_params(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("confirmacion_pedido", "es"))
    assert_error(status, reply, 132000, "body: number of localizable_params (0) does not match the expected number of params (2)")


async def test_header_text_parameter_count_is_132000(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("text_template_1", "en", [body("x")]))
    assert_error(status, reply, 132000, "header: number of localizable_params (0) does not match the expected number of params (1)")


async def test_missing_media_header_is_132012_format_mismatch(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("image_template_1", "en", [body("body param")]))
    assert_error(status, reply, 132012, "header: Format mismatch, expected IMAGE, received UNKNOWN")


async def test_wrong_media_kind_in_header_is_132012(wa_sandbox):
    header = {"type": "header", "parameters": [{"type": "video", "video": {"link": "https://example.com/a.mp4"}}]}
    status, reply = await send(wa_sandbox, template_send("image_template_1", "en", [header, body("p")]))
    assert_error(status, reply, 132012, "header: Format mismatch, expected IMAGE, received VIDEO")


async def test_location_header_template_accepts_a_location(wa_sandbox):
    header = {"type": "header", "parameters": [{"type": "location", "location": {"latitude": "25.0", "longitude": "121.0", "name": "Taipei City Government", "address": "No.1, City Hall Rd."}}]}
    status, _ = await send(wa_sandbox, template_send("location_template_1", "en", [header, body("body param")]))
    assert status == 200


async def test_positional_params_to_a_named_template_are_132012(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("reservation_confirmation", components=[body("Ana", "4", "May 5")]))
    assert_error(status, reply, 132012)


async def test_named_params_to_a_positional_template_are_132012(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("confirmacion_pedido", "es", [body("Lucía", "#1", named=["name", "order"])]))
    assert_error(status, reply, 132012)


async def test_named_template_with_wrong_names_is_132000(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("reservation_confirmation", components=[body("Ana", "4", "May 5", named=["first_name", "guests", "date"])]))
    assert "number_of_guests" in assert_error(status, reply, 132000)["error_data"]["details"]


async def test_named_template_renders_by_name(wa_sandbox):
    components = [body("4", "Ana", "May 5", named=["number_of_guests", "first_name", "date"])]
    _, sent = await send(wa_sandbox, template_send("reservation_confirmation", components=components))
    message = await wa_sandbox.control.message(sent["messages"][0]["id"])
    assert message["meta"]["rendered"].startswith("Hi Ana, your table for 4 on May 5 is confirmed.")


async def test_hydrated_body_over_1024_characters_is_132005(wa_sandbox):
    status, reply = await send(wa_sandbox, template_send("confirmacion_pedido", "es", [body("x" * 1000, "#1")]))
    assert "at most 1024" in assert_error(status, reply, 132005)["error_data"]["details"]


async def test_dynamic_url_button_without_its_parameter_is_132000(wa_sandbox):
    components = [{"type": "header", "parameters": [{"type": "text", "text": "#7"}]}, body("Ana", "#7", "Friday")]
    status, reply = await send(wa_sandbox, template_send("order_update", components=components))
    assert_error(status, reply, 132000, "button: number of localizable_params (0) does not match the expected number of params (1)")


async def test_authentication_template_sends_code_in_body_and_button(wa_sandbox):
    components = [body("482913"), {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "482913"}]}]
    _, sent = await send(wa_sandbox, template_send("verification_code", components=components))
    message = await wa_sandbox.control.message(sent["messages"][0]["id"])
    assert message["meta"]["rendered"].startswith("*482913* is your verification code. For your security, do not share this code.")


async def test_pywa_raises_its_error_for_an_unknown_template(wa):
    with pytest.raises(WhatsAppError) as info:
        await wa.send_template(to="15550200001", name="nope", language=t.TemplateLanguage.ENGLISH_US)
    assert info.value.code == 132001 and info.value.status_code == 404


async def test_template_checks_can_be_switched_off_by_the_scenario(wa_sandbox):
    wa_sandbox.runtime.meta_platform.validate_templates = False
    status, _ = await send(wa_sandbox, template_send("no_such_template"))
    assert status == 200
