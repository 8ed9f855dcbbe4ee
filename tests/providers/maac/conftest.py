"""Helpers for the MAAC SMS+ tests: raw HTTP (MAAC publishes no client library), the default token,
the seed's request bodies (seed 000, "Request Body Examples") with their placeholders filled."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import Received, WebhookReceiver

TOKEN = "sandbox-maac-token"
SHARE_SECRET = "sandbox-maac-share-secret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PUSH = "/openapi/v1/pnp/message/push/"
MULTICAST = "/openapi/v1/pnp/message/multicast/"
REPORT = "/openapi/v1/pnp/message/"
FALLBACK_SECONDS = 60  # default pnp setting 1: fallback_period 1 minute
SEED_BODIES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "seed_bodies.json").read_text("utf-8"))
PLACEHOLDERS = {"{{phone_number}}": "+15550200001", "{{whatsapp_template_name_text}}": "text_template_1"}


@dataclass
class Answer:
    status: int
    content_type: str
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


def filled(body: dict[str, Any], phone: str | None = None) -> dict[str, Any]:
    text = json.dumps(body)
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    out: dict[str, Any] = json.loads(text)
    if phone:
        out["data"]["phone_number"] = phone
    return out


def seed_body(title: str, phone: str | None = None) -> dict[str, Any]:
    return filled(next(b["body"] for b in SEED_BODIES if b["title"] == title), phone)


async def call(
    sandbox: RunningSandbox,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
) -> Answer:
    url = f"{sandbox.base_urls['maac']}{path}{'?' + query if query else ''}"
    session = sandbox.control.session
    async with session.request(method, url, json=json_body, data=data, headers=AUTH if headers is None else headers) as resp:
        return Answer(resp.status, resp.content_type, await resp.text())


async def push(sandbox: RunningSandbox, body: dict[str, Any], headers: dict[str, str] | None = None) -> Answer:
    return await call(sandbox, "POST", PUSH, json_body=body, headers=headers)


async def report(sandbox: RunningSandbox, query: str) -> Answer:
    return await call(sandbox, "GET", REPORT, query=query)


DEFAULT_SCENARIO = Path(__file__).parents[3] / "scenarios" / "default.yaml"


def whatsapp_statuses_scenario(yaml_text: str | None = None) -> str:
    """A scenario (the default one unless given) with the opt-in ``report_whatsapp_as: whatsapp``: the
    UNCONFIRMED whatsapp_* fields and statuses; by default MAAC reports only its published enum."""
    if yaml_text is None:
        text = DEFAULT_SCENARIO.read_text("utf-8")
        opted = text.replace("  report_whatsapp_as: pnp ", "  report_whatsapp_as: whatsapp ", 1)
        assert opted != text, "scenarios/default.yaml no longer says report_whatsapp_as: pnp"
        return opted
    return yaml_text + "maac:\n  report_whatsapp_as: whatsapp\n"


async def opt_in_whatsapp_statuses(sandbox: RunningSandbox | Any, yaml_text: str | None = None) -> None:
    """Load the scenario with MAAC's opt-in whatsapp_* reporting (``sandbox``: RunningSandbox or its control)."""
    control = getattr(sandbox, "control", sandbox)
    await control.load_scenario(yaml=whatsapp_statuses_scenario(yaml_text))


async def listen(sandbox: RunningSandbox, receiver: WebhookReceiver) -> None:
    await sandbox.control.set_webhook(receiver.url, provider="maac")


def signature_valid(post: Received, secret: str = SHARE_SECRET) -> bool:
    expected = hmac.new(secret.encode(), post.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, post.headers.get("CrescLab-Signature", ""))
