"""Graph path and parameter leniency real clients rely on.

Sources: pywa api.py set_phone_alternate_callback_url POSTs `/{phone_id}/` (trailing slash) and
request_verification_code sends its parameters in the query string of a body-less POST.
"""

from __future__ import annotations

from tests.conftest import AUTH, PHONE_ID
from tests.providers.meta.test_media import upload


async def test_a_trailing_slash_reaches_the_same_node(wa_sandbox):
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}/v23.0/{PHONE_ID}/?fields=status", headers=AUTH) as resp:
        assert resp.status == 200 and await resp.json() == {"status": "CONNECTED", "id": PHONE_ID}


async def test_a_body_less_post_takes_its_parameters_from_the_query(wa_sandbox):
    url = f"{wa_sandbox.url}/v23.0/{PHONE_ID}/request_code?code_method=SMS&language=en"
    async with wa_sandbox.control.session.post(url, headers=AUTH) as resp:
        assert resp.status == 200 and await resp.json() == {"success": True}


async def test_a_trailing_slash_deletes_the_same_node(wa_sandbox):
    _, uploaded = await upload(wa_sandbox, b"\xff\xd8\xff\xe0 jpeg", "image/jpeg")
    async with wa_sandbox.control.session.delete(f"{wa_sandbox.url}/v23.0/{uploaded['id']}/", headers=AUTH) as resp:
        assert resp.status == 200 and await resp.json() == {"success": True}
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}/v23.0/{uploaded['id']}", headers=AUTH) as resp:
        assert resp.status == 400  # gone: Graph's 100/33 for an unknown node
