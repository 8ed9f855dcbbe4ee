"""WhatsApp Flows management, through pywa 4.5 (create_flow ... migrate_flows) and raw Graph calls.

Sources: meta-openapi-v23.yaml "Flows" (/{WABA-ID}/flows, /{Flow-ID}, /assets, /publish, /deprecate,
/migrate_flows); Meta's Flows error-codes page (100 "Flow name is not unique", 139001 "Flow can't be
updated", 139002 "Publishing Flow in invalid state" / "... with validation errors", 139003, 139004);
pywa's FlowStatus (only a DRAFT is updated, published or deleted; only a published Flow is deprecated).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pywa_async.errors import (
    FlowDeletingError,
    FlowDeprecatingError,
    FlowPublishingError,
    FlowUpdatingError,
    WhatsAppError,
)
from pywa_async.types.flows import FlowCategory, FlowStatus

from tests.conftest import AUTH, WABA_ID

FLOW_JSON = json.dumps({
    "version": "7.3",
    "screens": [{"id": "WELCOME", "title": "Welcome", "terminal": True, "layout": {
        "type": "SingleColumnLayout",
        "children": [{"type": "Footer", "label": "Done", "on-click-action": {"name": "complete", "payload": {}}}]}}],
}, indent=4)
ENDPOINT_FLOW_JSON = json.dumps({**json.loads(FLOW_JSON), "data_api_version": "3.0", "routing_model": {"WELCOME": []}})


async def graph(wa_sandbox: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}/v23.0{path}", headers=AUTH, **kw) as resp:
        return resp.status, await resp.json()


async def published(wa: Any, name: str = "survey") -> str:
    return (await wa.create_flow(name=name, categories=[FlowCategory.SURVEY], flow_json=FLOW_JSON, publish=True)).id


# --- create, read, list ---------------------------------------------------------------------------------


async def test_pywa_create_flow_starts_a_draft(wa):
    created = await wa.create_flow(name="signup", categories=[FlowCategory.SIGN_UP, FlowCategory.OTHER])
    flow = await wa.get_flow(created.id)
    assert (flow.id, flow.name, flow.status) == (created.id, "signup", FlowStatus.DRAFT)
    assert flow.categories == (FlowCategory.SIGN_UP, FlowCategory.OTHER)
    assert flow.validation_errors is None and flow.json_version is None


async def test_get_flow_shows_the_waba_the_app_and_a_preview(wa):
    flow = await wa.get_flow((await wa.create_flow(name="signup", categories=["OTHER"])).id)
    assert flow.whatsapp_business_account.id == WABA_ID
    assert flow.application.name == "wa-sandbox"
    assert flow.preview.url.startswith(f"https://business.facebook.com/wa/manage/flows/{flow.id}/preview/")
    assert flow.health_status["can_send_message"] == "AVAILABLE"


async def test_create_with_flow_json_answers_success_and_no_validation_errors(wa):
    created = await wa.create_flow(name="feedback", categories=["SURVEY"], flow_json=FLOW_JSON)
    assert created.success is True and created.validation_errors is None
    assert (await wa.get_flow(created.id)).json_version == "7.3"


async def test_create_with_publish_and_valid_json_is_published(wa):
    flow_id = await published(wa)
    assert (await wa.get_flow(flow_id)).status == FlowStatus.PUBLISHED


async def test_create_with_publish_and_invalid_json_stays_draft_with_its_errors(wa):
    created = await wa.create_flow(name="broken", categories=["OTHER"], flow_json='{"version": "7.3"}', publish=True)
    assert created.validation_errors[0].error == "REQUIRED_PROPERTY_MISSING"
    assert (await wa.get_flow(created.id)).status == FlowStatus.DRAFT


async def test_a_second_flow_with_the_same_name_is_100_not_unique(wa):
    await wa.create_flow(name="signup", categories=["OTHER"])
    with pytest.raises(WhatsAppError) as err:
        await wa.create_flow(name="signup", categories=["OTHER"])
    assert (err.value.code, err.value.user_title) == (100, "Flow name is not unique")


async def test_pywa_get_flows_lists_every_flow_oldest_first(wa):
    first = await wa.create_flow(name="one", categories=["OTHER"])
    second = await wa.create_flow(name="two", categories=["OTHER"])
    assert [f.id for f in await wa.get_flows()] == [first.id, second.id]


async def test_list_pages_with_limit_and_the_next_link(wa, wa_sandbox):
    for name in ("one", "two", "three"):
        await wa.create_flow(name=name, categories=["OTHER"])
    _, page = await graph(wa_sandbox, "GET", f"/{WABA_ID}/flows?limit=2")
    assert [f["name"] for f in page["data"]] == ["one", "two"]
    async with wa_sandbox.control.session.get(page["paging"]["next"], headers=AUTH) as resp:
        assert [f["name"] for f in (await resp.json())["data"]] == ["three"]


async def test_list_without_fields_answers_the_openapi_example_fields(wa, wa_sandbox):
    await wa.create_flow(name="one", categories=["SIGN_UP"])
    _, page = await graph(wa_sandbox, "GET", f"/{WABA_ID}/flows")
    assert set(page["data"][0]) == {"id", "name", "status", "categories", "validation_errors"}


# --- metadata and Flow JSON ------------------------------------------------------------------------------


async def test_pywa_update_flow_metadata_renames_and_recategorises(wa):
    created = await wa.create_flow(name="old", categories=["OTHER"])
    assert bool(await wa.update_flow_metadata(created.id, name="new", categories=[FlowCategory.CONTACT_US])) is True
    flow = await wa.get_flow(created.id)
    assert (flow.name, flow.categories) == ("new", (FlowCategory.CONTACT_US,))


async def test_pywa_update_flow_json_answers_the_validation_errors_with_positions(wa):
    created = await wa.create_flow(name="form", categories=["OTHER"])
    bad = json.dumps({"version": "7.3", "screens": [{"id": "WELCOME", "terminal": True, "initial-text": "x",
                                                     "layout": {"type": "SingleColumnLayout", "children": []}}]}, indent=2)
    result = await wa.update_flow_json(created.id, bad)
    assert result.success is True
    error = result.validation_errors[0]
    assert (error.error, error.error_type) == ("INVALID_PROPERTY", "JSON_SCHEMA_ERROR")
    assert error.message == 'The property "initial-text" cannot be specified at "$root/screens/0".'
    assert (error.line_start, error.column_start, error.column_end) == (7, 7, 20)
    assert (await wa.get_flow(created.id)).validation_errors == result.validation_errors


async def test_a_valid_upload_clears_earlier_validation_errors(wa):
    created = await wa.create_flow(name="form", categories=["OTHER"], flow_json="{}")
    assert (await wa.update_flow_json(created.id, FLOW_JSON)).validation_errors == ()
    assert (await wa.get_flow(created.id)).validation_errors is None


async def test_pywa_get_flow_assets_gives_a_download_url_serving_the_json(wa, wa_sandbox):
    created = await wa.create_flow(name="form", categories=["OTHER"], flow_json=FLOW_JSON)
    assets = [a async for a in _iter(await wa.get_flow_assets(created.id))]
    assert [(a.name, a.type) for a in assets] == [("flow.json", "FLOW_JSON")]
    async with wa_sandbox.control.session.get(assets[0].url) as resp:  # no token, like Meta's CDN link
        assert resp.status == 200 and await resp.text() == FLOW_JSON


async def test_an_older_download_url_stops_working_after_a_new_upload(wa, wa_sandbox):
    created = await wa.create_flow(name="form", categories=["OTHER"], flow_json=FLOW_JSON)
    old = (await wa.get_flow_assets(created.id))[0].url
    await wa.update_flow_json(created.id, FLOW_JSON.replace("Done", "Send"))
    async with wa_sandbox.control.session.get(old) as resp:
        assert resp.status == 404


async def test_a_flow_without_json_has_no_assets(wa):
    created = await wa.create_flow(name="empty", categories=["OTHER"])
    assert list(await wa.get_flow_assets(created.id)) == []


async def test_clone_flow_id_copies_the_flow_json(wa):
    source = await published(wa)
    clone = await wa.create_flow(name="survey v2", categories=["SURVEY"], clone_flow_id=source)
    flow = await wa.get_flow(clone.id)
    assert (flow.status, flow.json_version) == (FlowStatus.DRAFT, "7.3")


async def test_clone_of_an_unknown_flow_is_100_does_not_exist(wa):
    with pytest.raises(WhatsAppError) as err:
        await wa.create_flow(name="copy", categories=["OTHER"], clone_flow_id="1234567890123456")
    assert (err.value.code, err.value.user_title) == (100, "Flow with specified ID does not exist")


# --- publish, deprecate, delete --------------------------------------------------------------------------


async def test_pywa_publish_flow_publishes_a_valid_draft(wa):
    created = await wa.create_flow(name="form", categories=["OTHER"], flow_json=FLOW_JSON)
    assert bool(await wa.publish_flow(created.id)) is True
    assert (await wa.get_flow(created.id)).status == FlowStatus.PUBLISHED


async def test_publishing_twice_is_139002_invalid_state(wa):
    flow_id = await published(wa)
    with pytest.raises(FlowPublishingError) as err:
        await wa.publish_flow(flow_id)
    assert (err.value.code, err.value.user_title) == (139002, "Publishing Flow in invalid state")


async def test_publishing_with_validation_errors_is_139002(wa):
    created = await wa.create_flow(name="form", categories=["OTHER"], flow_json="{}")
    with pytest.raises(FlowPublishingError) as err:
        await wa.publish_flow(created.id)
    assert err.value.user_title == "Publishing Flow with validation errors"


async def test_publishing_without_flow_json_is_139002(wa):
    created = await wa.create_flow(name="form", categories=["OTHER"])
    with pytest.raises(FlowPublishingError) as err:
        await wa.publish_flow(created.id)
    assert "upload flow.json" in err.value.details


async def test_an_endpoint_flow_publishes_only_with_an_endpoint_uri(wa):
    created = await wa.create_flow(name="booking", categories=["APPOINTMENT_BOOKING"], flow_json=ENDPOINT_FLOW_JSON)
    with pytest.raises(FlowPublishingError) as err:
        await wa.publish_flow(created.id)
    assert err.value.user_title == "Publishing without specifying endpoint_uri is forbidden"
    await wa.update_flow_metadata(created.id, endpoint_uri="https://example.com/flow")
    assert bool(await wa.publish_flow(created.id)) is True


async def test_updating_a_published_flows_json_is_139001(wa):
    flow_id = await published(wa)
    with pytest.raises(FlowUpdatingError) as err:
        await wa.update_flow_json(flow_id, FLOW_JSON)
    assert (err.value.code, err.value.user_title) == (139001, "Flow can't be updated")


async def test_updating_a_published_flows_metadata_is_139001(wa):
    flow_id = await published(wa)
    with pytest.raises(FlowUpdatingError):
        await wa.update_flow_metadata(flow_id, name="renamed")


async def test_pywa_delete_flow_removes_a_draft(wa, wa_sandbox):
    created = await wa.create_flow(name="temp", categories=["OTHER"])
    assert bool(await wa.delete_flow(created.id)) is True
    status, body = await graph(wa_sandbox, "GET", f"/{created.id}")
    assert status == 400 and (body["error"]["code"], body["error"]["error_subcode"]) == (100, 33)


async def test_deleting_a_published_flow_is_139004(wa):
    flow_id = await published(wa)
    with pytest.raises(FlowDeletingError) as err:
        await wa.delete_flow(flow_id)
    assert err.value.user_title == "Can't delete published Flow"


async def test_pywa_deprecate_flow_deprecates_a_published_flow(wa):
    flow_id = await published(wa)
    assert bool(await wa.deprecate_flow(flow_id)) is True
    assert (await wa.get_flow(flow_id)).status == FlowStatus.DEPRECATED


async def test_deprecating_a_draft_is_139003(wa):
    created = await wa.create_flow(name="temp", categories=["OTHER"])
    with pytest.raises(FlowDeprecatingError) as err:
        await wa.deprecate_flow(created.id)
    assert err.value.user_title == "Can't deprecate unpublished flow"


async def test_deprecating_twice_is_139003_already_deprecated(wa):
    flow_id = await published(wa)
    await wa.deprecate_flow(flow_id)
    with pytest.raises(FlowDeprecatingError) as err:
        await wa.deprecate_flow(flow_id)
    assert err.value.user_title == "Flow is already deprecated"


async def test_pywa_get_flow_metrics_is_139006_threshold_not_reached(wa):
    from pywa_async.types.flows import FlowMetricGranularity, FlowMetricName

    flow_id = await published(wa)
    with pytest.raises(WhatsAppError) as err:
        await wa.get_flow_metrics(flow_id, FlowMetricName.ENDPOINT_REQUEST_COUNT, FlowMetricGranularity.DAY)
    assert err.value.code == 139006


async def test_reset_forgets_the_flows(wa, wa_sandbox):
    await wa.create_flow(name="one", categories=["OTHER"])
    await wa_sandbox.control.reset("meta")
    assert list(await wa.get_flows()) == []


async def _iter(result: Any) -> Any:
    for item in result:
        yield item
