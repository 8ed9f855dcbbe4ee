"""The control API's description names no provider: its provider enums, the inject default, the reset
description and the workspace webhook targets are built from the specs (sandbox/control/document.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import yaml

from sandbox.control import document
from sandbox.control.validation import compile_spec
from sandbox.core.errors import ControlError
from sandbox.providers.all import PROVIDERS

# What openapi.yaml said by hand before these parts were built from the specs (commit 83fa6b5).
BY_HAND = {
    "reset provider": {"description": "meta, smsglobal, maac or modica; absent or null: everything. Any other value "
                                      "is 404 unknown provider"},
    "inject provider": {"type": "string", "default": "meta"},
    "inbox media provider": {"type": "string", "enum": ["meta", "modica", "smsglobal", "maac"]},
    "message provider": {"type": "string", "enum": ["meta", "smsglobal", "maac", "modica"]},
    "workspace webhooks": {
        "meta": {"type": "string", "format": "uri"},
        "smsglobal": {"oneOf": [{"type": "string", "format": "uri"}, {
            "type": "object", "additionalProperties": False,
            "properties": {"notifyUrl": {"type": "string", "format": "uri"}, "incomingUrl": {"type": "string", "format": "uri"}}}]},
        "maac": {"type": "string", "format": "uri"},
        "modica": {"oneOf": [{"type": "string", "format": "uri"}, {
            "type": "object", "additionalProperties": False,
            "properties": {"mo_url": {"type": "string", "format": "uri"}, "dlr_url": {"type": "string", "format": "uri"}}}]},
    },
}


def _body(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def built_parts(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "reset provider": _body(doc, "/_sandbox/reset", "post")["properties"]["provider"],
        "inject provider": _body(doc, "/_sandbox/inbound", "post")["properties"]["provider"],
        "inbox media provider": doc["paths"]["/_sandbox/inbox/api/media/{provider}/{id}"]["get"]["parameters"][0]["schema"],
        "message provider": doc["components"]["schemas"]["Message"]["properties"]["provider"],
        "workspace webhooks": _body(doc, "/_sandbox/workspaces", "post")["properties"]["webhooks"]["properties"],
    }


def _unordered_enums(node: Any) -> Any:
    """An enum's order means nothing to a validator: compared as sets."""
    if isinstance(node, dict):
        return {k: (sorted(v) if k == "enum" else _unordered_enums(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_unordered_enums(v) for v in node]
    return node


def test_for_todays_four_providers_the_built_parts_are_what_the_file_said_by_hand():
    assert _unordered_enums(built_parts(document.load(PROVIDERS))) == _unordered_enums(BY_HAND)


def test_no_marker_is_left_in_the_built_document():
    assert "x-sandbox" not in document.text(document.load(PROVIDERS))


def test_a_fifth_provider_appears_in_the_enums_the_default_list_and_the_webhook_targets():
    smsglobal = next(spec for spec in PROVIDERS if spec.name == "smsglobal")
    acme = replace(smsglobal, name="acme")
    parts = built_parts(document.load((*PROVIDERS, acme)))
    assert parts["message provider"]["enum"] == ["meta", "smsglobal", "maac", "modica", "acme"]
    assert parts["inbox media provider"]["enum"][-1] == "acme"
    assert parts["reset provider"]["description"].startswith("meta, smsglobal, maac, modica or acme;")
    assert parts["workspace webhooks"]["acme"] == BY_HAND["workspace webhooks"]["smsglobal"]  # its callback fields
    without_workspaces = replace(smsglobal, name="bare", workspace=None)
    assert "bare" not in built_parts(document.load((*PROVIDERS, without_workspaces)))["workspace webhooks"]


def test_the_validator_enforces_the_built_parts():
    acme = replace(next(spec for spec in PROVIDERS if spec.name == "maac"), name="acme")
    create = ("POST", "/_sandbox/workspaces")
    body = {"webhooks": {"acme": "http://127.0.0.1:21001/hook"}}
    compile_spec(document.load((*PROVIDERS, acme)))[create].check_body(body)  # known: accepted
    with pytest.raises(ControlError, match="acme"):
        compile_spec(document.load(PROVIDERS))[create].check_body(body)  # no such provider: refused


def test_a_misspelt_marker_fails_at_load(tmp_path):
    source = tmp_path / "openapi.yaml"
    source.write_text(yaml.safe_dump({"openapi": "3.0.3", "paths": {}, "x": {"x-sandbox-enum": "provider"}}))
    with pytest.raises(ValueError, match="x-sandbox-enum"):
        document.load(PROVIDERS, source)


async def test_the_served_document_is_the_built_one(wa_sandbox):
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}/_sandbox/openapi.yaml") as resp:
        assert resp.status == 200 and resp.content_type == "application/yaml"
        served = yaml.safe_load(await resp.text())
    assert served == document.load(PROVIDERS)
