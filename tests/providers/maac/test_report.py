"""GET /openapi/v1/pnp/message/ (send report), multicast, and the settings endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sandbox.testing.plugin import RunningSandbox

from .conftest import MULTICAST, call, push, report, seed_body

pytestmark = pytest.mark.asyncio
TAIPEI = timezone(timedelta(hours=8))


def _window(now: float, *, before: float = 60, after: float = 60) -> tuple[str, str]:
    low = datetime.fromtimestamp(now - before, TAIPEI).isoformat()
    high = datetime.fromtimestamp(now + after, TAIPEI).isoformat()
    return low.replace("+", "%2B"), high.replace("+", "%2B")


async def _now(sandbox: RunningSandbox) -> float:
    return float((await sandbox.control.clock())["now"])


async def _multicast(sandbox: RunningSandbox, count: int, start: int = 0) -> list[dict]:
    contacts = [
        {"phone_number": f"+1555030{start + i:04d}", "pnp": {}, "sms": {}, "customized_id": f"c{start + i}"} for i in range(count)
    ]
    answer = await call(sandbox, "POST", MULTICAST, json_body={"pnp_setting_id": 1, "event_id": 7, "data": contacts})
    assert answer.status == 200, answer.text
    return list(answer.json)


async def test_report_lists_records_updated_in_the_window(wa_sandbox: RunningSandbox) -> None:
    await push(wa_sandbox, seed_body("Text Header"))
    low, high = _window(await _now(wa_sandbox))
    answer = await report(wa_sandbox, f"pnp_setting_id=1&updated_at_min={low}&updated_at_max={high}")
    assert answer.status == 200
    assert [r["pnp_message_id"] for r in answer.json["results"]] == [1]
    assert answer.json["next"] is None


async def test_report_excludes_records_outside_the_window(wa_sandbox: RunningSandbox) -> None:
    await push(wa_sandbox, seed_body("Text Header"))
    low, high = _window(await _now(wa_sandbox) + 3600)
    answer = await report(wa_sandbox, f"pnp_setting_id=1&updated_at_min={low}&updated_at_max={high}")
    assert answer.json["results"] == []


async def test_report_without_timezone_reads_asia_taipei(wa_sandbox: RunningSandbox) -> None:
    await push(wa_sandbox, seed_body("Text Header"))
    now = await _now(wa_sandbox)
    naive = datetime.fromtimestamp(now, TAIPEI).replace(tzinfo=None)
    low = (naive - timedelta(seconds=1)).isoformat()
    high = (naive + timedelta(seconds=1)).isoformat()
    answer = await report(wa_sandbox, f"pnp_setting_id=1&updated_at_min={low}&updated_at_max={high}")
    assert len(answer.json["results"]) == 1
    utc_naive_low = (datetime.fromtimestamp(now, UTC).replace(tzinfo=None) - timedelta(seconds=1)).isoformat()
    utc_naive_high = (datetime.fromtimestamp(now, UTC).replace(tzinfo=None) + timedelta(seconds=1)).isoformat()
    miss = await report(wa_sandbox, f"pnp_setting_id=1&updated_at_min={utc_naive_low}&updated_at_max={utc_naive_high}")
    assert miss.json["results"] == []


async def test_unencoded_plus_in_offset_is_400_wrong_format(wa_sandbox: RunningSandbox) -> None:
    answer = await report(
        wa_sandbox, "pnp_setting_id=1&updated_at_min=2022-10-13T16:03:15.248652+08:00&updated_at_max=2022-10-18T16:03:15Z"
    )
    assert answer.status == 400
    assert answer.json == {
        "updated_at_min": [
            "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
        ]
    }


async def test_missing_parameters_are_400_with_every_field(wa_sandbox: RunningSandbox) -> None:
    answer = await report(wa_sandbox, "updated_at_min=2022-10-13&updated_at_max=2022-10-18T16:03:15Z")
    assert answer.status == 400
    assert answer.json["pnp_setting_id"] == ["This field is required."]
    assert answer.json["updated_at_min"][0].startswith("Datetime has wrong format.")


async def test_unknown_setting_is_404_pnp_setting_id_not_found(wa_sandbox: RunningSandbox) -> None:
    answer = await report(wa_sandbox, "pnp_setting_id=1111&updated_at_min=2022-10-13T00:00Z&updated_at_max=2022-10-18T00:00Z")
    assert (answer.status, answer.json) == (404, {"detail": "pnp_setting_id not found"})


async def test_report_filters_by_customized_id(wa_sandbox: RunningSandbox) -> None:
    await _multicast(wa_sandbox, 3)
    low, high = _window(await _now(wa_sandbox))
    answer = await report(wa_sandbox, f"pnp_setting_id=1&updated_at_min={low}&updated_at_max={high}&customized_id=c1")
    assert [r["customized_id"] for r in answer.json["results"]] == ["c1"]


async def test_report_pages_300_newest_first_with_next_cursor(wa_sandbox: RunningSandbox) -> None:
    for start in (0, 150):
        await _multicast(wa_sandbox, 150, start)
        await wa_sandbox.control.advance(1)
    await _multicast(wa_sandbox, 1, 300)
    low, high = _window(await _now(wa_sandbox))
    query = f"pnp_setting_id=1&updated_at_min={low}&updated_at_max={high}"
    first = (await report(wa_sandbox, query)).json
    assert len(first["results"]) == 300
    assert first["results"][0]["pnp_message_id"] == 301
    second = (await report(wa_sandbox, f"{query}&start={first['next']}")).json
    assert [r["pnp_message_id"] for r in second["results"]] == [1]
    assert second["next"] is None


async def test_invalid_cursor_is_404(wa_sandbox: RunningSandbox) -> None:
    answer = await report(wa_sandbox, "pnp_setting_id=1&updated_at_min=2022-10-13T00:00Z&updated_at_max=2022-10-18T00:00Z&start=zz")
    assert (answer.status, answer.json) == (404, {"detail": "Invalid cursor"})


async def test_multicast_answers_pending_ids_and_sends_sms_only(wa_sandbox: RunningSandbox) -> None:
    answers = await _multicast(wa_sandbox, 2)
    assert answers == [{"id": 1, "result": "pending"}, {"id": 2, "result": "pending"}]
    await wa_sandbox.control.advance(5)
    legs = await wa_sandbox.control.messages(provider="maac")
    assert sorted((m["channel"], m["status"]) for m in legs) == [("sms", "delivered"), ("sms", "delivered")]


async def test_multicast_over_150_contacts_is_400(wa_sandbox: RunningSandbox) -> None:
    contacts = [{"phone_number": f"+1555030{i:04d}", "pnp": {}, "sms": {}} for i in range(151)]
    answer = await call(wa_sandbox, "POST", MULTICAST, json_body={"pnp_setting_id": 1, "data": contacts})
    assert (answer.status, answer.content_type) == (400, "text/plain")
    assert "150" in answer.text


async def test_settings_list_shows_the_default_whatsapp_setting(wa_sandbox: RunningSandbox) -> None:
    answer = await call(wa_sandbox, "GET", "/openapi/v1/pnp/setting/")
    assert answer.status == 200
    setting = answer.json["results"][0]
    assert (setting["id"], setting["fallback_enabled"], setting["fallback_period"]) == (1, True, 1)
    assert answer.json["next"] is None


async def test_setting_detail_counts_messages_in_metric(wa_sandbox: RunningSandbox) -> None:
    await push(wa_sandbox, seed_body("Text Header", phone="+15550200006"))
    await wa_sandbox.control.advance(65)
    answer = await call(wa_sandbox, "GET", "/openapi/v1/pnp/setting/1/")
    assert answer.json["metric"] == {"all": 1, "fail": 0, "pnp": 1, "sms": 1}


async def test_unknown_setting_detail_is_404(wa_sandbox: RunningSandbox) -> None:
    answer = await call(wa_sandbox, "GET", "/openapi/v1/pnp/setting/99/")
    assert (answer.status, answer.json) == (404, {"detail": "Not found."})


async def test_unrouted_openapi_path_answers_drf_not_found(wa_sandbox: RunningSandbox) -> None:
    answer = await call(wa_sandbox, "GET", "/openapi/v1/pnp/nothing/")
    assert (answer.status, answer.json) == (404, {"detail": "Not found."})
