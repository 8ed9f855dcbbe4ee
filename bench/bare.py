"""The Python ceiling: a bare aiohttp handler that reads the body and returns a canned send response."""

from __future__ import annotations

import argparse
import json

from aiohttp import web

from bench.bodies import CANNED_RESPONSE

CANNED = json.dumps(CANNED_RESPONSE).encode()


async def send(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=CANNED, content_type="application/json")


async def health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = web.Application()
    app.add_routes([web.post("/v23.0/{phone_number_id}/messages", send), web.get("/health", health)])
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
