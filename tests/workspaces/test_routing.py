"""Workspaces by path prefix and by credentials: where each request lands, and the bad-input answers."""

from __future__ import annotations

import pytest

from sandbox.keys import WORKSPACES
from sandbox.testing import ControlAPIError
from tests.workspaces.conftest import (
    MAAC_PUSH,
    MODICA_SEND,
    PHONE_ID,
    SMS,
    TEXT,
    by_credentials,
    by_prefix,
    default,
)

PROVIDERS = ("meta", "smsglobal", "maac", "modica")


async def send_each(caller):
    """One send per provider; the statuses."""
    return {
        "meta": (await caller.graph("POST", f"/{PHONE_ID}/messages", json=TEXT)).status,
        "smsglobal": (await caller.smsglobal("POST", "/v2/sms", json=SMS)).status,
        "maac": (await caller.maac("POST", "/openapi/v1/pnp/message/push/", json=MAAC_PUSH)).status,
        "modica": (await caller.modica("POST", "/rest/gateway/messages", json=MODICA_SEND)).status,
    }


SENT = {"meta": 200, "smsglobal": 200, "maac": 200, "modica": 201}


async def journal(control):
    return {m["provider"] for m in await control.messages()}


async def test_create_answers_base_urls_control_url_and_credentials_per_provider(wa_sandbox):
    ws = await wa_sandbox.control.create_workspace(name="ci-1")
    assert ws["name"] == "ci-1"
    assert ws["control_url"] == f"{wa_sandbox.url}/w/ci-1/_sandbox"
    assert ws["base_urls"]["meta"] == f"{wa_sandbox.url}/w/ci-1/v23.0"
    assert ws["base_urls"]["smsglobal"] == f"{wa_sandbox.url}/w/ci-1/v2"
    assert ws["base_urls"]["maac"] == f"{wa_sandbox.url}/w/ci-1"
    assert ws["base_urls"]["modica"] == f"{wa_sandbox.url}/w/ci-1/rest/gateway"
    creds = ws["credentials"]
    assert set(creds) == set(PROVIDERS)
    assert {"access_token", "app_secret", "verify_token"} <= set(creds["meta"])
    assert creds["meta"]["access_token"] != "sandbox-token"
    assert {"key", "secret"} <= set(creds["smsglobal"]) and creds["smsglobal"]["key"] != "sandbox-key"
    assert {"token", "share_secret"} <= set(creds["maac"])
    assert {"user", "password"} <= set(creds["modica"]) and creds["modica"]["user"] != "sandbox"


async def test_credentials_are_minted_from_name_and_seed(wa_sandbox):
    control = wa_sandbox.control
    first = (await control.create_workspace(name="a", seed=7))["credentials"]
    await control.delete_workspace("a")
    again = (await control.create_workspace(name="a", seed=7))["credentials"]
    other_seed = (await control.create_workspace(name="b", seed=7))["credentials"]
    assert first == again
    assert first["meta"]["access_token"] != other_seed["meta"]["access_token"]


async def test_a_name_is_generated_when_none_is_given(wa_sandbox):
    one = await wa_sandbox.control.create_workspace()
    two = await wa_sandbox.control.create_workspace()
    assert one["name"] != two["name"] and one["name"].startswith("ws-")


@pytest.mark.parametrize("name", ["a/b", "x" * 64, "", "ü", "a b", "../etc", 7])
async def test_a_name_with_path_characters_or_too_long_is_400(wa_sandbox, name):
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.create_workspace(name=name)
    assert caught.value.status == 400 and ("'name' must be 1 to 63" in str(caught.value)
                                           or "'name' must be a string, got 7" in str(caught.value))


async def test_a_taken_name_is_409(wa_sandbox):
    await wa_sandbox.control.create_workspace(name="twice")
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.create_workspace(name="twice")
    assert caught.value.status == 409


async def test_each_provider_by_prefix_lands_in_the_workspace_only(wa_sandbox):
    ws = await wa_sandbox.control.create_workspace(name="p")
    assert await send_each(by_prefix(wa_sandbox, ws)) == SENT
    assert await journal(wa_sandbox.control.for_workspace("p")) >= set(PROVIDERS)
    assert await journal(wa_sandbox.control) == set()


async def test_each_provider_by_credentials_alone_lands_in_the_workspace_only(wa_sandbox):
    ws = await wa_sandbox.control.create_workspace(name="c")
    assert await send_each(by_credentials(wa_sandbox, ws)) == SENT
    assert await journal(wa_sandbox.control.for_workspace("c")) >= set(PROVIDERS)
    assert await journal(wa_sandbox.control) == set()


async def test_the_default_credentials_still_reach_the_default_workspace_when_workspaces_exist(wa_sandbox):
    await wa_sandbox.control.create_workspace(name="other")
    assert await send_each(default(wa_sandbox)) == SENT
    assert await journal(wa_sandbox.control) >= set(PROVIDERS)
    assert await journal(wa_sandbox.control.for_workspace("other")) == set()


async def test_default_credentials_under_a_workspace_prefix_are_refused_by_the_provider(wa_sandbox):
    ws = await wa_sandbox.control.create_workspace(name="strict")
    caller = by_prefix(wa_sandbox, ws)
    caller.credentials = default(wa_sandbox).credentials
    statuses = await send_each(caller)
    assert statuses == {"meta": 401, "smsglobal": 401, "maac": 403, "modica": 401}  # MAAC: 403 (docs/maac.md)


async def test_a_deleted_workspaces_credentials_get_each_providers_authentication_error(wa_sandbox):
    ws = await wa_sandbox.control.create_workspace(name="gone")
    await wa_sandbox.control.delete_workspace("gone")
    caller = by_credentials(wa_sandbox, ws)
    meta = await caller.graph("POST", f"/{PHONE_ID}/messages", json=TEXT)
    assert meta.status == 401 and meta.body["error"]["code"] == 190
    sms = await caller.smsglobal("POST", "/v2/sms", json=SMS)
    assert sms.status == 401 and "unknown API key" in sms.body["error"]
    maac = await caller.maac("POST", "/openapi/v1/pnp/message/push/", json=MAAC_PUSH)
    assert maac.status == 403
    modica = await caller.modica("POST", "/rest/gateway/messages", json=MODICA_SEND)
    assert modica.status == 401 and "Incorrect application name or password" in str(modica.body)
    assert await journal(wa_sandbox.control) == set()


async def test_unknown_workspace_in_a_path_answers_in_each_providers_404_shape(wa_sandbox):
    caller = by_prefix(wa_sandbox, {"name": "nope", "credentials": default(wa_sandbox).credentials})
    meta = await caller.graph("POST", f"/{PHONE_ID}/messages", json=TEXT)
    assert meta.status == 404 and meta.body["error"]["code"] == 803 and "no workspace 'nope'" in meta.body["error"]["message"]
    assert meta.body["error"]["type"] == "GraphMethodException" and "fbtrace_id" in meta.body["error"]
    sms = await caller.smsglobal("POST", "/v2/sms", json=SMS)
    assert sms.status == 404 and set(sms.body) == {"code", "message"}
    maac = await caller.maac("POST", "/openapi/v1/pnp/message/push/", json=MAAC_PUSH)
    assert maac.status == 404 and set(maac.body) == {"detail"}
    modica = await caller.modica("POST", "/rest/gateway/messages", json=MODICA_SEND)
    assert modica.status == 404 and modica.body["error"] == "404" and "no workspace 'nope'" in modica.body["error-desc"]
    assert "no workspace 'nope'" in sms.body["message"] and "no workspace 'nope'" in maac.body["detail"]
    for reply in (sms, maac, modica):
        assert "no workspace 'nope'" in reply.headers["X-Sandbox-Workspace-Error"]
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.for_workspace("nope").messages()
    assert caught.value.status == 404 and "no workspace 'nope'" in str(caught.value)


async def test_an_unrouted_path_in_a_workspace_answers_in_the_providers_shape_of_the_inner_path(wa_sandbox):
    ws = await wa_sandbox.control.create_workspace(name="u")
    caller = by_prefix(wa_sandbox, ws)
    sms = await caller.smsglobal("GET", "/v2/nothing-here")
    assert sms.status == 404 and "/v2/nothing-here" in sms.body["message"]
    control = await caller.maac("GET", "/_sandbox/nothing-here")
    assert control.status == 404 and control.body["error"]["status"] == 404


async def test_get_list_and_delete(wa_sandbox):
    control = wa_sandbox.control
    await control.create_workspace(name="one")
    await control.create_workspace(name="two")
    assert [w["name"] for w in await control.workspaces()] == ["one", "two"]
    assert (await control.get_workspace("one"))["name"] == "one"
    await control.delete_workspace("one")
    assert [w["name"] for w in await control.workspaces()] == ["two"]
    for call in (control.get_workspace("one"), control.delete_workspace("one")):
        with pytest.raises(ControlAPIError) as caught:
            await call
        assert caught.value.status == 404


@pytest.mark.wa_sandbox(max_workspaces=2)
async def test_creating_past_the_cap_is_429_with_a_clear_message(wa_sandbox):
    await wa_sandbox.control.create_workspace(name="a")
    await wa_sandbox.control.create_workspace(name="b")
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.create_workspace(name="c")
    assert caught.value.status == 429 and "SANDBOX_MAX_WORKSPACES=2" in str(caught.value)
    await wa_sandbox.control.delete_workspace("a")
    assert (await wa_sandbox.control.create_workspace(name="c"))["name"] == "c"


async def test_an_invalid_inline_scenario_is_400_naming_the_line(wa_sandbox):
    text = "version: 1\nname: broken\nrules:\n  - name: r\n    match: {to: '+1555'}\n    timeline: [{after: soon, status: sent}]\n"
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.create_workspace(name="bad", scenario_yaml=text)
    assert caught.value.status == 400 and "<scenario_yaml>:6" in str(caught.value)
    assert await wa_sandbox.control.workspaces() == []


async def test_a_bundled_scenario_by_name_and_an_inline_one(wa_sandbox):
    india = await wa_sandbox.control.create_workspace(name="in", scenario="india-shop")
    assert india["scenario"] == "india-shop"
    assert india["credentials"]["meta"]["phone_number_id"] == "100000000000091"  # the file's business
    inline = await wa_sandbox.control.create_workspace(name="inl", scenario_yaml="version: 1\nname: tiny\n")
    assert inline["scenario"] == "tiny"
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.create_workspace(name="x", scenario="no-such-scenario")
    assert caught.value.status == 404


@pytest.mark.parametrize("field, value", [("clock", "sometimes"), ("ttl", -1), ("ttl", "long"), ("seed", [1]),
                                          ("webhooks", {"whatsapp": "http://127.0.0.1:1/"}),
                                          ("webhooks", {"meta": "ftp://127.0.0.1/"}), ("scenario", "../default"),
                                          ("scenario", "default\x00"), ("webhooks", {"maac": ["x"]}),
                                          ("webhooks", {"smsglobal": {"notify": "http://127.0.0.1/"}})])
async def test_bad_fields_are_400(wa_sandbox, field, value):
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.create_workspace(**{field: value})
    assert caught.value.status == 400 and f"'{field}" in str(caught.value)


TWO_BUSINESSES = """version: 1
name: two
meta:
  businesses:
    - {phone_number_id: "100000000000001", waba_id: "200000000000001", display_phone_number: "+1 555-010-0001"}
    - {phone_number_id: "100000000000002", waba_id: "200000000000002", display_phone_number: "+1 555-010-0002"}
"""


async def test_each_business_gets_its_own_token_which_sees_only_its_number(wa_sandbox):
    ws = await wa_sandbox.control.create_workspace(name="two", scenario_yaml=TWO_BUSINESSES)
    first, second = ws["credentials"]["meta"]["businesses"]
    assert first["access_token"] != second["access_token"]
    caller = by_credentials(wa_sandbox, ws)
    caller.credentials = {"meta": {"access_token": second["access_token"]}}
    assert (await caller.graph("POST", "/100000000000002/messages", json=TEXT)).status == 200
    assert (await caller.graph("POST", "/100000000000001/messages", json=TEXT)).status == 400


async def test_every_route_resolves_under_the_workspace_prefix_to_the_same_handler_and_match_info():
    import re

    from aiohttp.test_utils import make_mocked_request

    from sandbox.app import create_app
    from sandbox.settings import Settings

    app = create_app(Settings(seed="copies"))
    checked = 0
    for route in app.router.routes():
        if route.resource is None or route.method == "*":
            continue
        path = re.sub(r"\{[^}]*\}", "100000000000001", route.resource.canonical)
        plain = await app.router.resolve(make_mocked_request(route.method, path, app=app))
        prefixed = await app.router.resolve(make_mocked_request(route.method, f"/w/ci-1{path}", app=app))
        if plain.http_exception is None:
            assert prefixed.route.handler is plain.route.handler, path
            assert dict(prefixed) == {**plain, "_workspace": "ci-1"}, path
        else:  # the sample value fits no route (a constrained segment): the same error
            assert prefixed.http_exception.status == plain.http_exception.status, path
        checked += 1
    assert checked > 100
    missing = await app.router.resolve(make_mocked_request("GET", "/w/ci-1/v2/no-such-thing", app=app))
    assert missing.http_exception is not None and missing.http_exception.status == 404


async def test_an_unexpected_error_after_the_body_was_read_answers_in_the_inner_paths_shape(wa_sandbox):
    await wa_sandbox.control.create_workspace(name="boom")

    def explode(provider=None):
        raise RuntimeError("a bug")

    wa_sandbox.app[WORKSPACES].live["boom"].runtime.reset = explode
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.for_workspace("boom").reset()  # its body {} is read before the bug
    assert caught.value.status == 500 and "POST /_sandbox/reset" in str(caught.value)


async def test_paging_links_and_media_urls_carry_the_workspace_prefix(wa_sandbox):
    ws = await wa_sandbox.control.create_workspace(name="links")
    caller = by_prefix(wa_sandbox, ws)
    listing = await caller.graph("GET", "/200000000000001/message_templates", params={"limit": "1"})
    assert listing.body["paging"]["next"].startswith(f"{wa_sandbox.url}/w/links/v23.0/200000000000001/message_templates?")
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, filename="a.png", content_type="image/png")
    form.add_field("messaging_product", "whatsapp")
    media_id = (await caller.graph("POST", f"/{PHONE_ID}/media", data=form)).body["id"]
    for routed in (caller, by_credentials(wa_sandbox, ws)):  # however the request reached the workspace
        url = (await routed.graph("GET", f"/{media_id}")).body["url"]
        assert url.startswith(f"{wa_sandbox.url}/w/links/whatsapp_business/attachments/?mid={media_id}")
    token = ws["credentials"]["meta"]["access_token"]
    async with wa_sandbox.control.session.get(url, headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200 and (await resp.read()).startswith(b"\x89PNG")


@pytest.mark.parametrize("path, counted", [("/w/ci-1/_sandbox/wait/messages", False), ("/w/ci-1/_sandbox", False),
                                           ("/w/ci-1/v23.0/1/messages", True), ("/w/ci-1", True),
                                           ("/_sandbox/messages", False), ("/v2/sms", True)])
def test_a_workspaces_control_calls_never_count_against_the_concurrency_cap(path, counted):
    from aiohttp.test_utils import make_mocked_request

    from sandbox.limits import counts_against_cap

    assert counts_against_cap(make_mocked_request("GET", path)) is counted
