"""``wa-sandbox serve --data-dir``: Resumable Upload sessions (half-sent and finished, with their bytes)
and QR codes survive a kill -9 (docs/meta-business-management.md). As in
test_persistence_meta_accounts.py: a subprocess of the console script, killed with SIGKILL, started again.
"""

from __future__ import annotations

from typing import Any

from sandbox.testing.client import SandboxControl
from tests.conftest import PHONE_ID, TOKEN, WABA_ID
from tests.reliability.helpers import serving

OAUTH = {"Authorization": f"OAuth {TOKEN}"}
APP_ID = "300000000000001"


async def graph(control: SandboxControl, method: str, path: str, **kw: Any) -> Any:
    headers = {**OAUTH, **kw.pop("headers", {})}
    async with control.session.request(method, f"{control.base_url}/v23.0/{path}", headers=headers, **kw) as resp:
        return await resp.json()


async def test_upload_sessions_handles_and_qr_codes_survive_kill_9(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        half = await graph(control, "POST", f"{APP_ID}/uploads?file_length=8&file_type=image/png")
        await graph(control, "POST", half["id"], data=b"1234", headers={"file_offset": "0"})
        whole = await graph(control, "POST", f"{APP_ID}/uploads?file_length=4&file_type=image/png")
        handle = (await graph(control, "POST", whole["id"], data=b"abcd", headers={"file_offset": "0"}))["h"]
        qr = await graph(control, "POST", f"{PHONE_ID}/message_qrdls", json={"prefilled_message": "Hi"})
    async with serving(tmp_path) as control:
        assert (await graph(control, "GET", half["id"]))["file_offset"] == 4
        done = await graph(control, "POST", half["id"], data=b"5678", headers={"file_offset": "4"})
        assert done["h"].startswith("4::")
        profile = {"messaging_product": "whatsapp", "profile_picture_handle": handle}
        assert await graph(control, "POST", f"{PHONE_ID}/whatsapp_business_profile", json=profile) == {"success": True}
        got = await graph(control, "GET", f"{PHONE_ID}/message_qrdls/{qr['code']}")
        assert got["data"][0]["prefilled_message"] == "Hi"


async def test_a_template_header_sample_reads_and_serves_the_same_after_kill_9(tmp_path):
    """The scontent-style URL a template read shows is derived from the kept handle; its bytes are a media row."""
    template = {"name": "kept_receipt", "language": "en_US", "category": "UTILITY", "components": [
        {"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": []}},
        {"type": "BODY", "text": "Your receipt is attached."}]}
    async with serving(tmp_path, kill=True) as control:
        session = await graph(control, "POST", f"{APP_ID}/uploads?file_length=4&file_type=application/pdf")
        handle = (await graph(control, "POST", session["id"], data=b"%PDF", headers={"file_offset": "0"}))["h"]
        template["components"][0]["example"]["header_handle"] = [handle]
        created = await graph(control, "POST", f"{WABA_ID}/message_templates", json=template)
        before = (await graph(control, "GET", created["id"]))["components"][0]["example"]["header_handle"][0]
    async with serving(tmp_path) as control:
        after = (await graph(control, "GET", created["id"]))["components"][0]["example"]["header_handle"][0]
        assert after.partition("/v/")[2] == before.partition("/v/")[2]
        async with control.session.get(after) as resp:
            assert resp.status == 200 and await resp.read() == b"%PDF"
