"""Media links under SANDBOX_MEDIA_FETCH_LINKS (docs/security.md): a refused link is never requested and
fails the message as an unreachable link does (131053 and its webhook), in words that do not say what the
address was. Every server here is on 127.0.0.1; refusals are shown with loopback addresses and policies."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from sandbox.core.media_fetch import REFUSED
from tests.conftest import send

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REFUSAL = f"Downloading media from weblink failed: {REFUSED}"


@pytest.fixture
async def media_host(aiohttp_server: Any) -> Any:
    """/a.png, and /to?url=... which redirects there; every request it gets is counted in ``hits``."""
    hits: list[str] = []

    async def png(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(body=PNG, content_type="image/png")

    async def redirect(request: web.Request) -> web.Response:
        hits.append(request.path)
        raise web.HTTPFound(request.query["url"])

    app = web.Application()
    app.router.add_get("/a.png", png)
    app.router.add_get("/to", redirect)
    server = await aiohttp_server(app, host="127.0.0.1")
    server.hits = hits
    return server


async def send_link(wa_sandbox: Any, url: str) -> dict[str, Any]:
    _, sent = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": "15550200001", "type": "image", "image": {"link": url}})
    await wa_sandbox.control.advance(2)
    return await wa_sandbox.control.message(sent["messages"][0]["id"])


async def test_the_default_on_a_loopback_bind_fetches_a_loopback_link(wa_sandbox, media_host):
    message = await send_link(wa_sandbox, str(media_host.make_url("/a.png")))
    assert message["status"] == "delivered" and media_host.hits == ["/a.png"]


@pytest.mark.wa_sandbox(media_fetch_links="public")
async def test_public_refuses_a_loopback_link_without_requesting_it(wa_sandbox, media_host, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    message = await send_link(wa_sandbox, str(media_host.make_url("/a.png")))
    error = message["history"][-1]["errors"][0]
    assert message["status"] == "failed" and error["code"] == 131053
    assert error["error_data"]["details"] == REFUSAL and "127.0.0.1" not in REFUSAL
    assert media_host.hits == []
    [post] = await webhook_receiver.wait_posts(1)
    status = post.json["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert status["status"] == "failed" and status["errors"][0]["code"] == 131053


@pytest.mark.wa_sandbox(media_fetch_links="public")
async def test_a_name_is_judged_by_what_it_resolves_to(wa_sandbox, media_host):
    message = await send_link(wa_sandbox, f"http://localhost:{media_host.port}/a.png")
    assert message["status"] == "failed" and media_host.hits == []


@pytest.mark.wa_sandbox(media_fetch_links="loopback")
async def test_a_resolved_name_is_fetched_from_the_address_it_was_checked_at(wa_sandbox, media_host):
    message = await send_link(wa_sandbox, f"http://localhost:{media_host.port}/a.png")
    assert message["status"] == "delivered" and media_host.hits == ["/a.png"]


@pytest.mark.wa_sandbox(media_fetch_links="127.0.0.1/32")
async def test_each_redirect_hop_is_checked_against_the_policy(wa_sandbox, media_host):
    # 127.0.0.2 is loopback too, but not in the named network: the hop is refused before it is requested.
    hop = f"http://127.0.0.2:{media_host.port}/a.png"
    message = await send_link(wa_sandbox, str(media_host.make_url("/to").with_query(url=hop)))
    assert message["status"] == "failed"
    assert message["history"][-1]["errors"][0]["error_data"]["details"] == REFUSAL
    assert media_host.hits == ["/to"]


@pytest.mark.wa_sandbox(media_fetch_links="127.0.0.1/32")
async def test_a_redirect_to_an_allowed_host_is_followed(wa_sandbox, media_host):
    url = str(media_host.make_url("/to").with_query(url=str(media_host.make_url("/a.png"))))
    message = await send_link(wa_sandbox, url)
    assert message["status"] == "delivered" and media_host.hits == ["/to", "/a.png"]


@pytest.mark.wa_sandbox(media_fetch_links="off")
async def test_off_keeps_the_link_and_fetches_nothing(wa_sandbox, media_host):
    message = await send_link(wa_sandbox, str(media_host.make_url("/a.png")))
    assert message["status"] == "delivered" and media_host.hits == []


@pytest.mark.wa_sandbox(media_fetch_links="public")
async def test_smsglobal_links_follow_the_same_policy(wa_sandbox, media_host):
    from sandbox.providers.smsglobal.whatsapp import check_media

    why = await check_media(wa_sandbox.runtime.dispatcher.session, "image", str(media_host.make_url("/a.png")), 5.0,
                            wa_sandbox.runtime.settings.link_policy)
    assert why == f"media link could not be fetched: {REFUSED}" and media_host.hits == []
