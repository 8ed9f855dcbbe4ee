"""TRACE and other methods no route serves answer 405 with ``Allow`` (sandbox/methods.py), in the shape
of the provider owning the path; so does a usual method a fixed path does not serve."""

from __future__ import annotations

import pytest

from sandbox.testing.plugin import RunningSandbox
from tests.fuzz.harness import check_error_shape

# path -> the Allow header expected
PATHS = {
    "/_sandbox/health": "GET, HEAD",
    "/_sandbox/clock": "GET, HEAD, POST",
    "/_sandbox/inbox": "GET, HEAD",
    "/v23.0/100000000000001/messages": "POST",
    "/v23.0/100000000000001": "DELETE, GET, HEAD, POST",  # a Graph node: Graph's verbs
    "/v2/sms": "GET, HEAD, POST",
    "/openapi/v1/pnp/message/push/": "POST",
    "/rest/gateway/messages": "POST",
    "/rest/wab/v1/messages": "GET, HEAD, POST",  # GET reads a message back (docs/modica.md)
}


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "LOCK"])
@pytest.mark.parametrize("path", list(PATHS))
async def test_a_method_never_served_is_405_with_allow(wa_sandbox: RunningSandbox, path: str, method: str):
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}{path}",
                                                  headers={"Authorization": "Bearer sandbox-token"}) as resp:
        text = await resp.text()
        assert resp.status == 405, text
        assert resp.headers["Allow"] == PATHS[path]
        check_error_shape(path, 405, resp.content_type, text)
        assert "Authorization" not in text and "sandbox-token" not in text  # TRACE echoes nothing back


@pytest.mark.parametrize("path", ["/_sandbox/health", "/_sandbox/clock", "/openapi/v1/pnp/message/push/",
                                  "/rest/gateway/messages"])
async def test_a_usual_method_a_path_does_not_serve_is_405_with_allow(wa_sandbox: RunningSandbox, path: str):
    async with wa_sandbox.control.session.request("PATCH", f"{wa_sandbox.url}{path}") as resp:
        assert resp.status == 405 and resp.headers["Allow"] == PATHS[path]
        check_error_shape(path, 405, resp.content_type, await resp.text())
