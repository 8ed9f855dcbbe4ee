"""Fuzz harness shared by tests/fuzz: budgets, credentials per provider, and the error-shape oracle.

The sandbox runs in the test's event loop (the ``wa_sandbox`` fixture); schemathesis and the JSON
fuzzer make blocking ``requests`` calls, so they run in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from hypothesis import HealthCheck, Phase, settings

from sandbox.control import document
from sandbox.providers.all import PROVIDERS
from sandbox.providers.smsglobal.auth import sign

ROOT = Path(__file__).parents[2]
REQUEST_TIMEOUT = 5.0  # seconds: a request slower than this is a hang

# CI budget: a few examples per endpoint and generation mode, the same ones every run (derandomize).
# FUZZ_EXAMPLES=500 for a deeper local run (docs/reliability-fuzz.md).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
settings.register_profile(
    "wa-sandbox-fuzz",
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
    # No shrinking in the CI budget: a failure is reported as found; a deeper run shrinks.
    phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if EXAMPLES > 50 else []),
)
FUZZ = settings.get_profile("wa-sandbox-fuzz")


class SmsglobalMac(requests.auth.AuthBase):
    """Signs each request as the npm SDK does (host:port, port 80), with a fresh nonce."""

    def __init__(self) -> None:
        self._count = 0

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        self._count += 1
        url = urlsplit(request.url or "")
        target = url.path + (f"?{url.query}" if url.query else "")
        request.headers["Authorization"] = sign(
            "sandbox-key", "sandbox-secret", request.method or "GET", target, url.netloc, 80,
            int(time.time()), f"fuzz{self._count}",
        )
        return request


def bearer(token: str) -> Callable[[requests.PreparedRequest], requests.PreparedRequest]:
    def apply(request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {token}"
        return request

    return apply


@dataclass(frozen=True)
class Target:
    """One API family under fuzz: its description, its valid credentials, and its error oracle."""

    name: str
    spec: Path | None
    auth: Any  # a requests auth (callable or tuple) giving valid credentials; None for the control API


def control_description() -> Path:
    """The control API's description as the sandbox serves and enforces it (its provider enums and webhook
    targets built from the specs, sandbox/control/document.py), written once per test process for the
    tools that read a file."""
    path = Path(tempfile.gettempdir()) / f"wa-sandbox-control-openapi-{os.getpid()}.yaml"
    path.write_text(document.text(document.load(PROVIDERS)), encoding="utf-8")  # a stale one of a reused pid too
    atexit.register(path.unlink, missing_ok=True)
    return path


TARGETS = {
    "control": Target("control", control_description(), None),
    "meta": Target("meta", ROOT / "sandbox/providers/meta/openapi.yaml", bearer("sandbox-token")),
    "smsglobal": Target("smsglobal", ROOT / "sandbox/providers/smsglobal/openapi.yaml", SmsglobalMac()),
    "maac": Target("maac", ROOT / "sandbox/providers/maac/openapi.yaml", bearer("sandbox-maac-token")),
    "modica": Target("modica", ROOT / "sandbox/providers/modica/openapi.yaml", ("sandbox", "sandbox-secret")),
}


# --- the oracle: every answer of 400 and above is in the shape of the provider owning the path ---


def check_response(path: str, status: int, content_type: str, text: str) -> None:
    """AssertionError unless the answer is below 500 and, for an error, in the path's own shape."""
    assert status < 500, f"{status} from {path}: {text[:500]}"
    if status >= 400:
        check_error_shape(path, status, content_type, text)


def request_and_check(session: requests.Session, method: str, base_url: str, path: str, body: bytes, *,
                      auth: Any, headers: dict[str, str]) -> None:
    """One fuzzed request: an answer within ``REQUEST_TIMEOUT`` (else it is a hang), checked by ``check_response``."""
    try:
        response = session.request(method, f"{base_url}{path}", data=body, auth=auth, timeout=REQUEST_TIMEOUT,
                                   headers=headers)
    except requests.Timeout as exc:
        raise AssertionError(f"no answer within {REQUEST_TIMEOUT} s: {method} {path}") from exc
    check_response(path, response.status_code, response.headers.get("Content-Type", ""), response.text)


def check_error_shape(path: str, status: int, content_type: str, text: str) -> None:
    """AssertionError unless the error body is in the shape of the provider owning the path."""
    _shape_for(path)(status, content_type, text)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise AssertionError(f"error body is not JSON: {text[:300]!r}") from exc


def _control_shape(status: int, ctype: str, text: str) -> None:
    error = _json(text)["error"]
    assert isinstance(error["message"], str) and error["message"] and error["status"] == status, text


def _meta_shape(status: int, ctype: str, text: str) -> None:
    error = _json(text)["error"]
    assert isinstance(error["message"], str) and error["message"], text
    assert isinstance(error["type"], str) and isinstance(error["code"], int), text
    assert isinstance(error["fbtrace_id"], str), text


def _smsglobal_shape(status: int, ctype: str, text: str) -> None:
    body = _json(text)
    if status == 400 and "error" in body:  # the OTP API's 400s (otp.py)
        assert isinstance(body["error"], str) and body["error"], text
    elif status == 400:
        assert body["errors"] and all(isinstance(v["errors"], list) for v in body["errors"].values()), text
    elif status in (401, 403) and "error" in body:
        assert body["error"].startswith("Authentication failed"), text
    else:
        assert body["code"] == status and isinstance(body["message"], str), text


def _maac_shape(status: int, ctype: str, text: str) -> None:
    if ctype.startswith("text/plain"):
        assert text.strip(), "empty text/plain error"
        return
    body = _json(text)
    assert isinstance(body, dict) and body, text
    if "detail" in body:
        assert isinstance(body["detail"], str), text
    else:  # Django REST framework field errors: {"field": ["message", ...]}
        assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in body.values()), text


def _modica_shape(status: int, ctype: str, text: str, *, v1: bool) -> None:
    body = _json(text)
    if status == 422 and "errors" in body:  # a WAB media upload's refused field (code-samples page)
        assert all(isinstance(e["field"], str) and isinstance(e["description"], str) for e in body["errors"]), text
    elif v1:
        assert isinstance(body["error"], str) and isinstance(body["error-desc"], str), text
    else:
        assert body["statusCode"] == status, text
        assert isinstance(body["message"], str) and isinstance(body["error"], str), text


def _shape_for(path: str) -> Callable[[int, str, str], None]:
    if path.startswith("/_sandbox"):
        return _control_shape
    if path.startswith("/openapi/"):
        return _maac_shape
    if path.startswith("/rest/gateway"):
        return lambda s, c, t: _modica_shape(s, c, t, v1=True)
    if path.startswith(("/rest/sms/v2", "/rest/wab/v1")):
        return lambda s, c, t: _modica_shape(s, c, t, v1=False)
    if path.startswith("/v2/"):
        return _smsglobal_shape
    return _meta_shape


def assert_healthy(base_url: str) -> None:
    """The sandbox still answers its health check and a plain Meta send after the fuzzing."""
    health = requests.get(f"{base_url}/_sandbox/health", timeout=REQUEST_TIMEOUT)
    assert health.status_code == 200 and health.json()["status"] == "ok", health.text
    # The fuzzed admin edges may have deregistered the number or changed its PIN: Meta back to the scenario
    # (the reset itself must answer too), then a plain send.
    reset = requests.post(f"{base_url}/_sandbox/reset", json={"provider": "meta"}, timeout=REQUEST_TIMEOUT)
    assert reset.status_code == 200, reset.text
    send = requests.post(
        f"{base_url}/v23.0/100000000000001/messages",
        json={"messaging_product": "whatsapp", "to": "+15550200001", "type": "text", "text": {"body": "still up"}},
        headers={"Authorization": "Bearer sandbox-token"}, timeout=REQUEST_TIMEOUT,
    )
    assert send.status_code in (200, 429), send.text


async def fuzz_routes(base_url: str, caplog: Any, routes: Iterable[tuple[Any, ...]], target: str,
                      fuzz: Callable[..., None]) -> None:
    """Every route of ``routes`` named ``target`` (rows: name, method, path, ...) through ``fuzz`` (in a
    thread: the server runs on this loop); the failures listed together, then no logged traceback and a
    server still healthy."""
    caplog.set_level(logging.ERROR)
    failures: list[str] = []
    for name, method, path, *rest in routes:
        if name != target:
            continue
        try:
            await asyncio.to_thread(fuzz, base_url, name, method, path, *rest)
        except Exception as exc:  # noqa: BLE001 - every route is fuzzed; failures are listed at the end
            failures.append(f"{method} {path}: {exc}")
    assert not failures, "\n\n".join(failures)
    assert not [r.getMessage() for r in caplog.records if r.exc_info]
    await asyncio.to_thread(assert_healthy, base_url)


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON value, the root ``()`` first: where a fuzz test may change one thing."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += json_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += json_paths(item, (*prefix, index))
    return found
