"""``wa-sandbox serve --data-dir``: Modica's WAB media live in the core media store, so a kill -9 and a
restart keep them, as they keep Meta's (docs/reliability-persistence.md)."""

from __future__ import annotations

import base64
from types import SimpleNamespace

from sandbox.testing.client import SandboxControl
from tests.providers.modica.conftest import ModicaClient
from tests.reliability.helpers import serving

MEDIA = "/rest/wab/v1/media"


def modica(control: SandboxControl) -> ModicaClient:
    return ModicaClient(SimpleNamespace(control=control, url=control.base_url))  # type: ignore[arg-type]


async def test_uploaded_modica_media_survives_kill_9(tmp_path):
    async with serving(tmp_path, kill=True) as control:
        upload = await modica(control).post(MEDIA, data=b"%PDF-1.4 invoice", headers={"Content-Type": "application/pdf"},
                                           params={"source": "6421555000"})
        media_id = upload.body[0]["id"]
    async with serving(tmp_path) as control:
        download = await modica(control).get(MEDIA, params={"media_id": media_id})
        assert download.status == 200 and download.body == b"%PDF-1.4 invoice"
        assert download.headers["Content-Type"] == "application/pdf"


async def test_users_modica_media_survives_kill_9(tmp_path):
    data = base64.b64encode(b"\xff\xd8jpeg").decode()
    async with serving(tmp_path, kill=True) as control:
        inbound = await control.inject_inbound("+64211234567", provider="modica", type="image", image={"data": data})
        media_id = inbound["payload"]["image"]["id"]
    async with serving(tmp_path) as control:
        download = await modica(control).get(MEDIA, params={"media_id": media_id})
        assert download.status == 200 and download.body == b"\xff\xd8jpeg"
