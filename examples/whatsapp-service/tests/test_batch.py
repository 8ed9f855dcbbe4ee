"""Template batches: a result per recipient and a summary that follows the status webhooks."""

from __future__ import annotations

ORDER_UPDATE = {
    "templateName": "order_update",
    "languageCode": "en_US",
    "components": [
        {"type": "header", "parameters": [{"type": "text", "text": "#1042"}]},
        {"type": "body", "parameters": [{"type": "text", "text": "Juan Pérez"}, {"type": "text", "text": "#1042"},
                                        {"type": "text", "text": "15 de marzo"}]},
        {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "1042"}]},
    ],
}
READS = "+15550200001"
FAILS_131026 = "+15550200003"  # magic number: accepted, then failed with 131026 Message undeliverable


async def test_every_recipient_gets_a_result_and_the_summary_counts_them(service):
    recipients = [{"phoneNumber": READS, "requestId": 123}, {"phoneNumber": FAILS_131026, "requestId": 124}]
    status, answer = await service.call("POST", "/api/whatsapp/send-template", {**ORDER_UPDATE, "recipients": recipients})
    assert status == 200, answer
    assert answer["summary"] == {"total": 2, "sent": 2, "failed": 0}  # Meta accepted both; delivery comes later
    assert [r["phoneNumber"] for r in answer["results"]] == [READS, FAILS_131026]
    assert all(r["data"]["messages"][0]["id"].startswith("wamid.") for r in answer["results"])


async def test_a_recipient_that_fails_later_is_counted_as_failed(service, wa_sandbox):
    _, sent = await service.call("POST", "/api/whatsapp/send-template",
                         {**ORDER_UPDATE, "recipients": [{"phoneNumber": READS}, {"phoneNumber": FAILS_131026}]})
    await wa_sandbox.control.advance(5)
    status, batch = await service.call("GET", f"/api/whatsapp/send-template/{sent['batchId']}")
    assert status == 200, batch
    assert batch["data"]["summary"] == {"total": 2, "accepted": 0, "sent": 0, "delivered": 0, "read": 1, "failed": 1}
    failed = batch["data"]["recipients"][1]
    assert (failed["phone_number"], failed["status"], failed["error_code"]) == ("15550200003", "failed", 131026)


async def test_a_recipient_meta_refuses_does_not_stop_the_others(service):
    body = {"templateName": "hello_world", "languageCode": "en_US",
            "recipients": [{"phoneNumber": "not a number"}, {"phoneNumber": READS}]}
    _, answer = await service.call("POST", "/api/whatsapp/send-template", body)
    assert answer["summary"] == {"total": 2, "sent": 1, "failed": 1}
    assert answer["results"][0]["success"] is False
    assert answer["results"][0]["error"]["code"] == "invalid_phone_number"


async def test_unknown_template_fails_every_recipient_with_metas_code(service):
    body = {"templateName": "no_such_template", "languageCode": "en_US", "recipients": [{"phoneNumber": READS}]}
    _, answer = await service.call("POST", "/api/whatsapp/send-template", body)
    assert answer["summary"] == {"total": 1, "sent": 0, "failed": 1}
    assert answer["results"][0]["error"]["code"] == 132001  # Template name does not exist in the translation
