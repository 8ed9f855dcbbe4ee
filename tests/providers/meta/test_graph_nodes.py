"""``GET|POST|DELETE /{id}``: Graph addresses every object by a bare id, and the sandbox answers by what the
id names (a phone number, a WABA, a media, a template or a Flow) among the objects the token can use.

One table of what each method answers on each kind of node, with the token of its business and with
another business's token; an id the token cannot use, or that does not support the method, is Graph's
100/33 "Unsupported <method> request" (GraphMethodException)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import AUTH, PHONE_ID, WABA_ID
from tests.providers.meta.test_media import PNG, upload

OTHER = {"Authorization": "Bearer other-token"}
OTHER_PHONE, OTHER_WABA = "100000000000003", "200000000000003"
# The default scenario plus a business of another token (businesses merge by phone_number_id).
WITH_ANOTHER_BUSINESS = f"""
version: 1
extends: default
meta:
  businesses:
    - {{phone_number_id: "{OTHER_PHONE}", waba_id: "{OTHER_WABA}", display_phone_number: "+1 555-010-0003",
       access_token: other-token}}
"""


async def call(wa_sandbox: Any, method: str, path: str, headers: dict[str, str] = AUTH, **kw: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}{path}", headers=headers, **kw) as resp:
        return resp.status, await resp.json(content_type=None)


@pytest.fixture
async def nodes(wa_sandbox: Any) -> dict[str, str]:
    """One id of each kind, all of the default business (token ``sandbox-token``)."""
    await wa_sandbox.control.load_scenario(yaml=WITH_ANOTHER_BUSINESS)
    _, media = await upload(wa_sandbox, PNG, "image/png")
    _, templates = await call(wa_sandbox, "GET", f"/v23.0/{WABA_ID}/message_templates?name=hello_world")
    _, flow = await call(wa_sandbox, "POST", f"/v23.0/{WABA_ID}/flows", json={"name": "survey", "categories": ["SURVEY"]})
    return {"phone": PHONE_ID, "waba": WABA_ID, "media": media["id"], "template": templates["data"][0]["id"],
            "flow": flow["id"]}


def assert_unsupported(status: int, body: Any, method: str, node: str) -> None:
    error = body["error"]
    assert status == 400 and (error["code"], error["error_subcode"], error["type"]) == (100, 33, "GraphMethodException")
    assert error["message"].startswith(f"Unsupported {method.lower()} request. Object with ID '{node}' does not exist")


# What the token of the node's own business gets; None: Graph's 100/33.
OWN_GET = {
    "phone": lambda body, ids: body["id"] == ids["phone"] and "display_phone_number" in body,
    "waba": lambda body, ids: body["id"] == ids["waba"] and "message_template_namespace" in body,
    "media": lambda body, ids: body["id"] == ids["media"] and body["mime_type"] == "image/png",
    "template": lambda body, ids: body["id"] == ids["template"] and body["name"] == "hello_world",
    "flow": lambda body, ids: body["id"] == ids["flow"] and body["name"] == "survey",
}


@pytest.mark.parametrize("kind", sorted(OWN_GET))
async def test_get_answers_the_node_its_id_names(wa_sandbox, nodes, kind):
    status, body = await call(wa_sandbox, "GET", f"/v23.0/{nodes[kind]}")
    assert status == 200 and OWN_GET[kind](body, nodes), body


@pytest.mark.parametrize("kind", sorted(OWN_GET))
async def test_get_with_another_business_token_is_unsupported(wa_sandbox, nodes, kind):
    status, body = await call(wa_sandbox, "GET", f"/v23.0/{nodes[kind]}", headers=OTHER)
    assert_unsupported(status, body, "GET", nodes[kind])


async def test_get_of_a_media_names_its_uploading_number_or_is_unsupported(wa_sandbox, nodes):
    status, _ = await call(wa_sandbox, "GET", f"/v23.0/{nodes['media']}?phone_number_id={PHONE_ID}")
    assert status == 200
    status, body = await call(wa_sandbox, "GET", f"/v23.0/{nodes['media']}?phone_number_id={OTHER_PHONE}")
    assert_unsupported(status, body, "GET", nodes["media"])


# POST: what reaches the node's own handler shows in its answer (each refuses the body, changing nothing).
OWN_POST = {
    "phone": ({}, "The sandbox updates a phone number's webhook_configuration and new_display_name"),
    "template": ({"category": "MARKETING"}, "The category of an approved template cannot be changed."),
    "flow": ({}, "Nothing to update: give name, categories, endpoint_uri or application_id."),
}


@pytest.mark.parametrize("kind", sorted(OWN_POST))
async def test_post_reaches_the_handler_of_the_node_its_id_names(wa_sandbox, nodes, kind):
    payload, message = OWN_POST[kind]
    status, body = await call(wa_sandbox, "POST", f"/v23.0/{nodes[kind]}", json=payload)
    assert status == 400 and body["error"]["code"] == 100 and message in body["error"]["error_data"]["details"], body


@pytest.mark.parametrize("kind", ["waba", "media"])
async def test_post_to_a_node_without_updates_is_unsupported(wa_sandbox, nodes, kind):
    status, body = await call(wa_sandbox, "POST", f"/v23.0/{nodes[kind]}", json={"name": "x"})
    assert_unsupported(status, body, "POST", nodes[kind])


@pytest.mark.parametrize("kind", sorted(OWN_POST))
async def test_post_with_another_business_token_is_unsupported(wa_sandbox, nodes, kind):
    payload, _ = OWN_POST[kind]
    status, body = await call(wa_sandbox, "POST", f"/v23.0/{nodes[kind]}", headers=OTHER, json=payload)
    assert_unsupported(status, body, "POST", nodes[kind])


@pytest.mark.parametrize("kind", ["media", "flow"])
async def test_delete_removes_the_node_its_id_names(wa_sandbox, nodes, kind):
    status, body = await call(wa_sandbox, "DELETE", f"/v23.0/{nodes[kind]}")
    assert status == 200 and body == {"success": True}
    status, body = await call(wa_sandbox, "GET", f"/v23.0/{nodes[kind]}")
    assert_unsupported(status, body, "GET", nodes[kind])


@pytest.mark.parametrize("kind", ["phone", "waba", "template"])
async def test_delete_of_a_node_that_cannot_be_deleted_is_unsupported(wa_sandbox, nodes, kind):
    status, body = await call(wa_sandbox, "DELETE", f"/v23.0/{nodes[kind]}")
    assert_unsupported(status, body, "DELETE", nodes[kind])
    assert (await call(wa_sandbox, "GET", f"/v23.0/{nodes[kind]}"))[0] == 200


@pytest.mark.parametrize("kind", ["media", "flow"])
async def test_delete_with_another_business_token_is_unsupported_and_keeps_the_node(wa_sandbox, nodes, kind):
    status, body = await call(wa_sandbox, "DELETE", f"/v23.0/{nodes[kind]}", headers=OTHER)
    assert_unsupported(status, body, "DELETE", nodes[kind])
    assert (await call(wa_sandbox, "GET", f"/v23.0/{nodes[kind]}"))[0] == 200


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
@pytest.mark.parametrize("path", ["/v23.0/987654321", "/987654321", "/987654321/"])
async def test_an_unknown_id_is_unsupported_on_every_path_form(wa_sandbox, method, path):
    status, body = await call(wa_sandbox, method, path, json={"name": "x"} if method == "POST" else None)
    assert_unsupported(status, body, method, "987654321")


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_an_unknown_token_is_refused_before_the_id_is_looked_at(wa_sandbox, method):
    status, body = await call(wa_sandbox, method, f"/v23.0/{PHONE_ID}", headers={"Authorization": "Bearer nobody"})
    assert status == 401 and body["error"]["code"] == 190


async def test_the_other_business_reads_its_own_number_and_waba(wa_sandbox, nodes):
    """The node answers follow the token, not the default business."""
    for node in (OTHER_PHONE, OTHER_WABA):
        status, body = await call(wa_sandbox, "GET", f"/{node}", headers=OTHER)
        assert status == 200 and body["id"] == node


@pytest.mark.parametrize("kind", sorted(OWN_GET))
async def test_head_is_answered_as_get_and_changes_nothing(wa_sandbox, nodes, kind):
    """aiohttp serves HEAD on every GET route; the node's GET answers it (a HEAD once reached a Flow's
    metadata update, so ``?name=`` renamed it)."""
    url = f"{wa_sandbox.url}/v23.0/{nodes[kind]}?name=renamed"
    async with wa_sandbox.control.session.head(url, headers=AUTH) as resp:
        assert resp.status == 200
    status, body = await call(wa_sandbox, "GET", f"/v23.0/{nodes[kind]}")
    assert status == 200 and OWN_GET[kind](body, nodes), body
