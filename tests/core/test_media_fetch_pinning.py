"""A link by name is fetched from the address the policy checked, with the name kept for the server: in
``Host`` and, over TLS, for SNI and the certificate check. Loopback only (``localhost`` resolves locally)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from sandbox.core.link_policy import parse_link_policy
from sandbox.core.media_fetch import Fetched, FetchFailure, _connect, fetch_media

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LIMITS = {"image/png": 1 << 20}


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate valid for the name localhost only (no IP address in it)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
async def png_host(aiohttp_server: Any) -> Any:
    seen: list[str] = []

    async def png(request: web.Request) -> web.Response:
        seen.append(request.headers["Host"])
        return web.Response(body=PNG, content_type="image/png")

    app = web.Application()
    app.router.add_get("/a.png", png)
    return app, seen


async def test_a_name_is_sent_as_host_though_the_address_is_dialled(png_host, aiohttp_server):
    app, seen = png_host
    server = await aiohttp_server(app, host="127.0.0.1")
    async with aiohttp.ClientSession() as session:
        result = await fetch_media(session, f"http://localhost:{server.port}/a.png", timeout=5, limits=LIMITS,
                                   policy=parse_link_policy("loopback", "127.0.0.1"))
    assert isinstance(result, Fetched) and seen == [f"localhost:{server.port}"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
async def test_over_tls_the_certificate_is_checked_for_the_name(png_host, aiohttp_server, tmp_path):
    app, seen = png_host
    cert, key = _certificate(tmp_path)
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    names: list[str | None] = []
    served.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment,func-returns-value]
    server = await aiohttp_server(app, host="127.0.0.1", ssl=served)
    trusting = ssl.create_default_context(cafile=str(cert))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=trusting)) as session:
        result = await fetch_media(session, f"https://localhost:{server.port}/a.png", timeout=5, limits=LIMITS,
                                   policy=parse_link_policy("loopback", "127.0.0.1"))
    assert not isinstance(result, FetchFailure), result
    assert names == ["localhost"] and seen == [f"localhost:{server.port}"]


async def test_each_allowed_address_is_tried_until_one_connects(png_host, aiohttp_server, unused_tcp_port):
    app, seen = png_host
    server = await aiohttp_server(app, host="127.0.0.1")
    targets = [URL(f"http://127.0.0.1:{unused_tcp_port}/a.png"), URL(f"http://127.0.0.1:{server.port}/a.png")]
    async with aiohttp.ClientSession() as session:
        resp = await _connect(session, targets, "localhost", {}, 5)
        resp.release()
    assert resp.status == 200 and seen == [f"localhost:{server.port}"]
