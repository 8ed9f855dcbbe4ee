"""The provider error boundary: domain errors, oversize bodies, malformed parts and bugs all answer
in the provider's shape."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from sandbox.core.boundary import ErrorShape, error_boundary
from sandbox.keys import RUNTIME
from sandbox.runtime import build_runtime
from sandbox.settings import Settings


class Oops(Exception):
    def __init__(self, status: int, text: str) -> None:
        self.status, self.text = status, text


SHAPE: ErrorShape[Oops] = ErrorShape(
    domain=Oops,
    render=lambda request, exc: web.json_response({"oops": exc.text}, status=exc.status),
    too_large=lambda limit: Oops(413, f"over {limit}"),
    unparsable=lambda why: Oops(400, f"unparsable: {why}"),
    unexpected=lambda: Oops(500, "bug"),
)


def raising(exc: BaseException):  # type: ignore[no-untyped-def]
    @error_boundary(SHAPE)
    async def handler(request: web.Request) -> web.StreamResponse:
        raise exc

    return handler


@pytest.mark.parametrize(
    ("exc", "status", "text"),
    [
        (Oops(422, "domain"), 422, "domain"),
        (web.HTTPRequestEntityTooLarge(max_size=10, actual_size=20), 413, "over 4194304"),
        (HttpProcessingError(message="bad part"), 400, "unparsable: bad part"),
        (ZeroDivisionError(), 500, "bug"),
    ],
)
async def test_every_failure_answers_in_the_providers_shape(aiohttp_client, exc, status, text):
    app = web.Application()
    app[RUNTIME] = build_runtime(Settings(clock="manual"))
    app.router.add_get("/x", raising(exc))
    client = await aiohttp_client(app)
    resp = await client.get("/x")
    assert resp.status == status and (await resp.json()) == {"oops": text}


async def test_http_exceptions_pass_through(aiohttp_client):
    app = web.Application()
    app[RUNTIME] = build_runtime(Settings(clock="manual"))
    app.router.add_get("/x", raising(web.HTTPFound("/elsewhere")))
    client = await aiohttp_client(app)
    resp = await client.get("/x", allow_redirects=False)
    assert resp.status == 302
