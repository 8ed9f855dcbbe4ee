"""SMSGlobal HTTP rules: MAC auth at the edge, 404/405/406/415, JSON and XML both ways."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from sandbox.providers.smsglobal.auth import sign
from sandbox.testing.plugin import RunningSandbox

from .conftest import SmsglobalClient, load

DEST = "61400000123"


# --- authentication ------------------------------------------------------------------------------


async def test_missing_authorization_answers_401_with_error(sg: SmsglobalClient) -> None:
    reply = await sg.call("GET", "/v2/sms", headers={"Authorization": ""})
    assert reply.status == 401
    assert reply.json == {"error": "Authentication failed: missing Authorization header"}


async def test_wrong_secret_answers_401_signature_mismatch(sg: SmsglobalClient) -> None:
    sg.secret = "not-the-secret"
    reply = await sg.call("GET", "/v2/sms")
    assert reply.status == 401
    assert reply.json["error"].startswith("Authentication failed: signature mismatch")


async def test_unknown_key_answers_401(sg: SmsglobalClient) -> None:
    sg.key = "nobody"
    reply = await sg.call("GET", "/v2/sms")
    assert reply.status == 401 and "unknown API key 'nobody'" in reply.json["error"]


async def test_replayed_nonce_is_rejected(sg: SmsglobalClient) -> None:
    header = sg.authorization("GET", "/v2/sms", nonce="once")
    assert (await sg.call("GET", "/v2/sms", auth=header)).status == 200
    replay = await sg.call("GET", "/v2/sms", auth=header)
    assert replay.status == 401 and "nonce already used" in replay.json["error"]


async def test_stale_timestamp_is_rejected(sg: SmsglobalClient) -> None:
    header = sg.authorization("GET", "/v2/sms", ts=int(time.time()) - 3600)
    reply = await sg.call("GET", "/v2/sms", auth=header)
    assert reply.status == 401 and "timestamp outside the 300 s window" in reply.json["error"]


async def test_timestamp_is_checked_against_wall_time_not_virtual_time(
    sg: SmsglobalClient, wa_sandbox: RunningSandbox
) -> None:
    await wa_sandbox.control.advance(86400)
    assert (await sg.call("GET", "/v2/sms")).status == 200


@pytest.mark.parametrize(
    ("host", "port"),
    [("api.smsglobal.com", 443), ("127.0.0.1", 443), ("HOSTPORT", 80), ("127.0.0.1", "PORT")],
    ids=["php-production-host", "dotnet-host-without-port", "npm-host-port-80", "python-real-port"],
)
async def test_sdk_signing_variants_are_accepted(sg: SmsglobalClient, host: str, port: object) -> None:
    hostport = sg.base.split("//")[1]
    real_port = hostport.split(":")[1]
    host = hostport if host == "HOSTPORT" else host
    port = real_port if port == "PORT" else port
    header = sign(sg.key, sg.secret, "GET", "/v2/sms", host, port, int(time.time()), f"v-{host}-{port}")  # type: ignore[arg-type]
    assert (await sg.call("GET", "/v2/sms", auth=header.replace(", ", ","))).status == 200


async def test_npm_query_encoding_is_accepted(sg: SmsglobalClient) -> None:
    """Signed with Node's querystring encoding (%20, %3A), sent with + and : as axios does."""
    hostport = sg.base.split("//")[1]
    signed = "/v2/sms?startDate=2020-01-01%2000%3A00%3A00"
    header = sign(sg.key, sg.secret, "GET", signed, hostport, 80, int(time.time()), "npm-query")
    assert (await sg.call("GET", "/v2/sms?startDate=2020-01-01+00:00:00", auth=header)).status == 200


async def test_strict_mode_accepts_only_the_canonical_form(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    await load(wa_sandbox, "version: 1\nsmsglobal:\n  auth: {strict: true}\n")
    host, port = sg.base.split("//")[1].split(":")
    now = int(time.time())
    production = sign(sg.key, sg.secret, "GET", "/v2/sms", "api.smsglobal.com", 443, now, "strict-1")
    reply = await sg.call("GET", "/v2/sms", auth=production)
    assert reply.status == 401 and "strict mode" in reply.json["error"]
    canonical = sign(sg.key, sg.secret, "GET", "/v2/sms", host, port, now, "strict-2")
    assert (await sg.call("GET", "/v2/sms", auth=canonical)).status == 200


async def test_failure_status_is_configurable(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    await load(wa_sandbox, "version: 1\nsmsglobal:\n  auth: {failure_status: 403}\n")
    reply = await sg.call("GET", "/v2/sms", headers={"Authorization": "Bearer x"})
    assert reply.status == 403 and reply.json["code"] == 403


async def test_scenario_accounts_add_credentials(sg: SmsglobalClient, wa_sandbox: RunningSandbox) -> None:
    await load(wa_sandbox, "version: 1\nsmsglobal:\n  accounts:\n    - {key: k2, secret: s2, balance: 7, currency: EUR}\n")
    sg.key, sg.secret = "k2", "s2"
    assert (await sg.call("GET", "/v2/user/credit-balance")).json == {"balance": 7.0, "currency": "EUR"}


# --- routing errors ------------------------------------------------------------------------------


async def test_unknown_path_answers_404_in_smsglobal_shape(sg: SmsglobalClient) -> None:
    reply = await sg.call("GET", "/v2/nothing-here")
    assert reply.status == 404
    assert reply.json == {"code": 404, "message": 'No route found for "GET /v2/nothing-here"'}


async def test_wrong_method_answers_405_with_allow(sg: SmsglobalClient) -> None:
    reply = await sg.call("PUT", "/v2/sms")
    assert reply.status == 405
    assert reply.headers["Allow"] == "GET, POST, HEAD"
    assert reply.json["code"] == 405 and "PUT is not allowed" in reply.json["message"]


@pytest.mark.parametrize("accept", ["text/html", "application/x-yaml", "text/plain"])
async def test_unservable_accept_answers_406(sg: SmsglobalClient, accept: str) -> None:
    reply = await sg.call("GET", "/v2/sms", headers={"Accept": accept})
    assert reply.status == 406 and reply.json["code"] == 406


@pytest.mark.parametrize("accept", ["application/json, text/plain, */*", "*/*", "application/*", ""])
async def test_npm_and_generic_accept_get_json(sg: SmsglobalClient, accept: str) -> None:
    reply = await sg.call("GET", "/v2/sms", headers={"Accept": accept})
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("application/json")


async def test_form_body_answers_415(sg: SmsglobalClient) -> None:
    reply = await sg.call(
        "POST", "/v2/sms", data=b"destination=614&message=hi", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert reply.status == 415
    assert "application/x-www-form-urlencoded is not supported" in reply.json["message"]


async def test_broken_json_answers_400(sg: SmsglobalClient) -> None:
    reply = await sg.call("POST", "/v2/sms", data=b"{nope", headers={"Content-Type": "application/json"})
    assert reply.status == 400 and "not valid JSON" in reply.json["errors"]["request"]["errors"][0]


# --- XML -----------------------------------------------------------------------------------------


async def test_xml_request_and_response(sg: SmsglobalClient) -> None:
    body = b"<messages><origin>Sandbox</origin><destination>61400000123</destination><message>Hi</message></messages>"
    reply = await sg.call(
        "POST", "/v2/sms", data=body, headers={"Content-Type": "application/xml", "Accept": "application/xml"}
    )
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(reply.text)
    assert root.tag == "result"
    assert root.findtext("messages/entry/destination") == DEST
    assert root.findtext("messages/entry/status") == "Processing"


async def test_xml_destinations_list(sg: SmsglobalClient) -> None:
    body = (
        b"<messages><destinations><destination>61400000001</destination><destination>61400000002</destination>"
        b"</destinations><message>Hi</message></messages>"
    )
    reply = await sg.call("POST", "/v2/sms", data=body, headers={"Content-Type": "text/xml"})
    assert [m["destination"] for m in reply.json["messages"]] == ["61400000001", "61400000002"]


async def test_xml_errors_render_as_xml(sg: SmsglobalClient) -> None:
    reply = await sg.call(
        "POST", "/v2/sms", data=b"<messages><message>Hi</message></messages>",
        headers={"Content-Type": "application/xml", "Accept": "application/xml"},
    )
    assert reply.status == 400
    assert ET.fromstring(reply.text).findtext("errors/destination/errors/entry") == "Destination is required."


async def test_xml_with_doctype_is_refused(sg: SmsglobalClient) -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><messages><message>&a;</message></messages>'
    reply = await sg.call("POST", "/v2/sms", data=body, headers={"Content-Type": "application/xml"})
    assert reply.status == 400 and "DOCTYPE" in reply.json["errors"]["request"]["errors"][0]


async def test_meta_versioned_paths_keep_meta_error_shape(sg: SmsglobalClient) -> None:
    """/v23.0/... starts with "/v2" but is Meta's: its unrouted paths must not answer in SMSGlobal's shape."""
    reply = await sg.call("GET", "/v23.0/not-a-node/here")
    assert "error" in reply.json and "code" not in reply.json
