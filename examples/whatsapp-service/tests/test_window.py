"""The 24-hour customer-service window: free-form text needs a recent message from the user."""

from __future__ import annotations

WINDOW_CLOSED = "+15550200007"  # magic number: the user has not written in 24 hours


async def test_free_form_fails_with_131047_while_a_template_delivers(service, wa_sandbox):
    status, _ = await service.call("POST", "/api/whatsapp/send", {"phoneNumber": WINDOW_CLOSED, "content": "Any news?"})
    assert status == 200  # Meta accepts the send; the failure arrives as a status webhook
    batch = {"templateName": "hello_world", "languageCode": "en_US", "recipients": [{"phoneNumber": WINDOW_CLOSED}]}
    await service.call("POST", "/api/whatsapp/send-template", batch)
    await wa_sandbox.control.advance(5)
    text, template = (await service.conversation(WINDOW_CLOSED))["messages"]
    assert (text["message_type"], text["status"], text["error_code"]) == ("text", "failed", 131047)
    assert text["error_title"].startswith("Re-engagement message")
    assert (template["message_type"], template["status"]) == ("template", "read")
