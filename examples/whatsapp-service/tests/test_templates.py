"""Template sync: every approved template of the WABA, across pages of the Cloud API's list."""

from __future__ import annotations


async def test_sync_follows_paging_and_keeps_only_approved_templates(service):
    status, answer = await service.call("GET", "/api/whatsapp/templates")
    assert status == 200, answer
    names = {t["name"] for t in answer["data"]}
    assert {"hello_world", "order_update", "confirmacion_pedido"} <= names
    assert not names & {"paused_promo", "disabled_promo"}
    assert len(answer["data"]) > 5  # more than one page of TEMPLATE_PAGE_SIZE=5
    assert all(t["status"] == "APPROVED" for t in answer["data"])


async def test_synced_templates_carry_their_components(service):
    _, answer = await service.call("GET", "/api/whatsapp/templates")
    spanish = next(t for t in answer["data"] if t["name"] == "confirmacion_pedido")
    assert (spanish["language"], spanish["category"]) == ("es", "UTILITY")
    assert spanish["components"][0]["type"] == "BODY"
    assert spanish["components"][0]["text"].startswith("Hola {{1}}")
