"""WhatsApp Flows through raw Graph calls: the shapes no client library sends, every wrong input's
Graph error envelope, migrate_flows, the flows status webhook, and --data-dir persistence.

Sources: meta-openapi-v23.yaml "Flows" (create as multipart with categories '["OTHER"]', assets as
multipart file/name/asset_type, migrate_flows' migrated_flows/failed_flows with error_code 4233041);
Meta's Flows webhooks page (field "flows", event FLOW_STATUS_CHANGE, old_status, new_status).
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from sandbox.testing.client import SandboxControl
from sandbox.testing.receiver import WebhookReceiver
from tests.conftest import AUTH, PHONE_ID, WABA_ID
from tests.providers.meta.test_flows import FLOW_JSON, graph
from tests.reliability.helpers import serving

OTHER_WABA = "200000000000002"
TWO_WABAS = f"""
version: 1
meta:
  businesses:
    - {{phone_number_id: "{PHONE_ID}", waba_id: "{WABA_ID}", display_phone_number: "+1 555-010-0001", access_token: sandbox-token}}
    - {{phone_number_id: "100000000000002", waba_id: "{OTHER_WABA}", display_phone_number: "+1 555-010-0002", access_token: sandbox-token}}
    - {{phone_number_id: "100000000000003", waba_id: "200000000000003", display_phone_number: "+1 555-010-0003", access_token: other-token}}
"""


async def create(wa_sandbox: Any, name: str = "survey", waba: str = WABA_ID, **extra: Any) -> dict[str, Any]:
    status, body = await graph(wa_sandbox, "POST", f"/{waba}/flows", json={"name": name, "categories": ["SURVEY"], **extra})
    assert status == 200, body
    return body


def assets_form(content: bytes | str = FLOW_JSON, *, name: str = "flow.json", asset_type: str = "FLOW_JSON") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", content, filename="flow.json", content_type="application/json")
    form.add_field("name", name)
    form.add_field("asset_type", asset_type)
    return form


# --- shapes from the OpenAPI -------------------------------------------------------------------------------


async def test_create_takes_the_openapi_multipart_form_with_categories_as_a_json_string(wa_sandbox):
    form = aiohttp.FormData({"name": "lead", "categories": '["LEAD_GENERATION"]', "flow_json": FLOW_JSON})
    status, body = await graph(wa_sandbox, "POST", f"/{WABA_ID}/flows", data=form)
    assert status == 200 and body["success"] is True and body["validation_errors"] == []
    _, flow = await graph(wa_sandbox, "GET", f"/{body['id']}?fields=categories,json_version")
    assert flow == {"id": body["id"], "categories": ["LEAD_GENERATION"], "json_version": "7.3"}


async def test_create_without_flow_json_answers_only_the_id(wa_sandbox):
    assert set(await create(wa_sandbox)) == {"id"}


async def test_assets_upload_as_multipart_answers_success_and_validation_errors(wa_sandbox):
    flow = await create(wa_sandbox)
    status, body = await graph(wa_sandbox, "POST", f"/{flow['id']}/assets", data=assets_form())
    assert status == 200 and body == {"success": True, "validation_errors": []}


async def test_updated_at_reads_as_unix_seconds_with_date_format_u(wa_sandbox):
    flow = await create(wa_sandbox)
    _, body = await graph(wa_sandbox, "GET", f"/{flow['id']}?fields=updated_at&date_format=U")
    assert body["updated_at"] == int(wa_sandbox.runtime.clock.now())


async def test_health_status_for_a_phone_number_lists_the_number(wa_sandbox):
    flow = await create(wa_sandbox)
    _, body = await graph(wa_sandbox, "GET", f"/{flow['id']}?fields=health_status.phone_number({PHONE_ID})")
    kinds = [e["entity_type"] for e in body["health_status"]["entities"]]
    assert kinds == ["FLOW", "WABA", "APP", "PHONE_NUMBER"]


# --- errors: Graph's envelope -------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "message"), [
    ({"categories": ["OTHER"]}, "(#100) The parameter name is required"),
    ({"name": "x"}, "(#100) The parameter categories is required"),
    ({"name": "x", "categories": []}, "(#100) The parameter categories is required"),
    ({"name": "x", "categories": ["GAMES"]}, '(#100) Param categories[0] must be one of {SIGN_UP, SIGN_IN, '
     'APPOINTMENT_BOOKING, LEAD_GENERATION, SHOPPING, CONTACT_US, CUSTOMER_SUPPORT, SURVEY, OTHER} - got "GAMES".'),
    ({"name": ["x"], "categories": ["OTHER"]}, "(#100) Param name must be a string"),
    ({"name": "x", "categories": ["OTHER"], "flow_json": {"version": "7.3"}},
     "(#100) Param flow_json must be a string holding the Flow JSON"),
])
async def test_create_with_wrong_parameters_is_100(wa_sandbox, body, message):
    status, answer = await graph(wa_sandbox, "POST", f"/{WABA_ID}/flows", json=body)
    assert status == 400 and (answer["error"]["code"], answer["error"]["message"]) == (100, message)


async def test_an_invalid_endpoint_uri_is_100_invalid_endpoint_uri(wa_sandbox):
    status, body = await graph(wa_sandbox, "POST", f"/{WABA_ID}/flows", json={"name": "x", "categories": ["OTHER"],
                                                                               "endpoint_uri": "not a url"})
    assert status == 400 and body["error"]["error_user_title"] == "Invalid Endpoint URI"


async def test_an_endpoint_uri_for_flow_json_below_3_is_100(wa_sandbox):
    old = json.dumps({**json.loads(FLOW_JSON), "version": "2.1"})
    flow = await create(wa_sandbox, flow_json=old)
    status, body = await graph(wa_sandbox, "POST", f"/{flow['id']}", json={"endpoint_uri": "https://example.com"})
    assert status == 400 and body["error"]["error_user_title"] == "Specify Endpoint Uri in Flow JSON"


async def test_renaming_to_a_taken_name_is_100_not_unique(wa_sandbox):
    await create(wa_sandbox, "one")
    two = await create(wa_sandbox, "two")
    status, body = await graph(wa_sandbox, "POST", f"/{two['id']}", json={"name": "one"})
    assert status == 400 and body["error"]["error_user_title"] == "Flow name is not unique"


async def test_an_update_without_any_field_is_100(wa_sandbox):
    flow = await create(wa_sandbox)
    status, body = await graph(wa_sandbox, "POST", f"/{flow['id']}", json={"messaging_product": "whatsapp"})
    assert status == 400 and "Nothing to update" in body["error"]["error_data"]["details"]


@pytest.mark.parametrize(("form", "message"), [
    (lambda: assets_form(asset_type="IMAGE"), '(#100) Param asset_type must be one of {FLOW_JSON} - got "IMAGE".'),
    (lambda: assets_form(name="screens.json"), "(#100) Param name must be flow.json"),
    (lambda: aiohttp.FormData({"name": "flow.json", "asset_type": "FLOW_JSON"}), "(#100) The parameter file is required"),
])
async def test_assets_upload_with_wrong_fields_is_100(wa_sandbox, form, message):
    flow = await create(wa_sandbox)
    status, body = await graph(wa_sandbox, "POST", f"/{flow['id']}/assets", data=form())
    assert status == 400 and body["error"]["message"] == message


async def test_a_malformed_multipart_assets_upload_is_100(wa_sandbox):
    flow = await create(wa_sandbox)
    headers = {**AUTH, "Content-Type": "multipart/form-data; boundary=XYZ"}
    async with wa_sandbox.control.session.post(f"{wa_sandbox.url}/v23.0/{flow['id']}/assets", data=b"--XYZ\r\nbroken",
                                               headers=headers) as resp:
        status, body = resp.status, await resp.json()
    assert status == 400 and body["error"]["code"] == 100


async def test_an_unknown_field_is_100_nonexisting_field(wa_sandbox):
    flow = await create(wa_sandbox)
    status, body = await graph(wa_sandbox, "GET", f"/{flow['id']}?fields=name,colour")
    assert status == 400
    assert body["error"]["message"] == "(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppFlow)"


@pytest.mark.parametrize("edge", ["publish", "deprecate", "assets"])
async def test_an_unknown_flow_id_is_graphs_100_33(wa_sandbox, edge):
    status, body = await graph(wa_sandbox, "POST", f"/1234567890123456/{edge}")
    assert status == 400 and (body["error"]["code"], body["error"]["error_subcode"]) == (100, 33)


async def test_a_token_of_another_business_cannot_see_the_flow(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml=TWO_WABAS)
    flow = await create(wa_sandbox)
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}/v23.0/{flow['id']}",
                                              headers={"Authorization": "Bearer other-token"}) as resp:
        body = await resp.json()
    assert (body["error"]["code"], body["error"]["error_subcode"]) == (100, 33)


# --- migrate_flows ------------------------------------------------------------------------------------------


async def test_pywa_migrate_flows_copies_by_name_and_reports_missing_names(wa, wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml=TWO_WABAS)
    source = await create(wa_sandbox, "appointment", waba=OTHER_WABA, flow_json=FLOW_JSON, publish=True)
    result = await wa.migrate_flows(source_waba_id=OTHER_WABA, source_flow_names=["appointment", "leadgen"])
    assert [(m.source_name, m.source_id) for m in result.migrated_flows] == [("appointment", source["id"])]
    assert [(f.source_name, f.error_code) for f in result.failed_flows] == [("leadgen", "4233041")]
    copy = await wa.get_flow(result.migrated_flows[0].migrated_id)
    assert (copy.name, copy.status.value, copy.whatsapp_business_account.id) == ("appointment", "PUBLISHED", WABA_ID)


async def test_migrating_a_name_the_destination_has_fails_that_flow(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml=TWO_WABAS)
    await create(wa_sandbox, "appointment", waba=OTHER_WABA)
    await create(wa_sandbox, "appointment")
    _, body = await graph(wa_sandbox, "POST", f"/{WABA_ID}/migrate_flows", json={"source_waba_id": OTHER_WABA})
    assert body["migrated_flows"] == []
    assert body["failed_flows"][0]["error_message"] == "Flows Migration Error: Flow with the same name exists in destination WABA."


async def test_migrating_from_a_waba_of_another_business_is_100(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml=TWO_WABAS)
    status, body = await graph(wa_sandbox, "POST", f"/{WABA_ID}/migrate_flows", json={"source_waba_id": "200000000000003"})
    assert status == 400 and body["error"]["code"] == 100


# --- the flows webhook ----------------------------------------------------------------------------------------


async def test_publishing_sends_a_flow_status_change_webhook(wa_sandbox, webhook_receiver: WebhookReceiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    flow = await create(wa_sandbox, flow_json=FLOW_JSON)
    await graph(wa_sandbox, "POST", f"/{flow['id']}/publish")
    posts = await webhook_receiver.wait_posts(1)
    change = posts[0].json["entry"][0]["changes"][0]
    assert change["field"] == "flows"
    assert change["value"] == {"event": "FLOW_STATUS_CHANGE", "message": "Flow survey changed status from DRAFT to PUBLISHED",
                               "flow_id": flow["id"], "old_status": "DRAFT", "new_status": "PUBLISHED"}


# --- persistence ----------------------------------------------------------------------------------------------------


async def test_flows_survive_a_kill_9_with_data_dir(tmp_path):
    flow = {"name": "survey", "categories": ["SURVEY"], "flow_json": FLOW_JSON, "publish": True}
    async with serving(tmp_path, kill=True) as control:
        flow_id = (await control_graph(control, "POST", f"{WABA_ID}/flows", flow))["id"]
    async with serving(tmp_path) as control:
        read = await control_graph(control, "GET", f"{flow_id}?fields=name,status,json_version")
    assert read == {"id": flow_id, "name": "survey", "status": "PUBLISHED", "json_version": "7.3"}


async def control_graph(control: SandboxControl, method: str, path: str, body: Any = None) -> Any:
    async with control.session.request(method, f"{control.base_url}/v23.0/{path}", json=body, headers=AUTH) as resp:
        return await resp.json()
