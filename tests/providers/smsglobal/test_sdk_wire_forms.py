"""Body forms the official SMSGlobal SDKs put on the wire, which the sandbox must read as the real API does.

The PHP SDK (``smsglobal/smsglobal-php``, ``src/Resource/Sms.php`` and ``Otp.php``) encodes every body
with ``json_encode($payload, JSON_FORCE_OBJECT)``: a PHP list becomes a JSON object keyed ``"0"``,
``"1"``, ... (``sendToMultiple`` sends ``{"destinations": {"0": "614…", "1": "614…"}}``). The real API
(PHP too) decodes that object back into the same array, so both forms are one list.
"""

from __future__ import annotations

from tests.providers.smsglobal.conftest import SmsglobalClient


async def test_destinations_sent_as_php_force_object_are_a_list(sg: SmsglobalClient) -> None:
    body = {"destinations": {"0": "61400000124", "1": "61400000125"}, "message": "Hi both", "origin": ""}
    reply = await sg.call("POST", "/v2/sms", json_body=body)
    assert reply.status == 200, reply.text
    assert [m["destination"] for m in reply.json["messages"]] == ["61400000124", "61400000125"]


async def test_messages_sent_as_php_force_object_are_a_list(sg: SmsglobalClient) -> None:
    first = {"destination": "61400000124", "message": "one", "origin": ""}
    second = {"destination": "61400000125", "message": "two", "origin": ""}
    reply = await sg.call("POST", "/v2/sms", json_body={"messages": {"0": first, "1": second}})
    assert reply.status == 200, reply.text
    assert [m["message"] for m in reply.json["messages"]] == ["one", "two"]


async def test_object_with_non_index_keys_is_still_not_a_list(sg: SmsglobalClient) -> None:
    body = {"destinations": {"a": "61400000124", "b": "61400000125"}, "message": "Hi"}
    reply = await sg.call("POST", "/v2/sms", json_body=body)
    assert reply.status == 400
    assert "destinations" in reply.json["errors"]
