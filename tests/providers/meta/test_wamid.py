"""Meta's message ids (moved from tests/core/test_ids.py with wamid itself: the core names no provider)."""

from __future__ import annotations

import base64

from sandbox.core.ids import IdFactory
from sandbox.providers.meta.messages.wamid import wamid


def test_wamid_carries_the_recipient_like_metas():
    raw = base64.b64decode(wamid(IdFactory(1), "16505551234").removeprefix("wamid."))
    assert raw.startswith(b"\x1c\x18\x0b16505551234\x15\x02\x00\x11\x18\x12") and raw.endswith(b"\x00")


def test_same_seed_same_ids():
    assert [wamid(IdFactory("s"), "1") for _ in range(2)] == [wamid(IdFactory("s"), "1")] * 2


def test_ids_are_unique_within_a_run():
    ids = IdFactory(0)
    assert len({wamid(ids, "15550200001") for _ in range(10_000)}) == 10_000


def test_inbound_wamid_has_the_user_marker_of_metas_webhook_examples():
    # seed 002: a user's message id reads ...VAgAS... (15 02 00 12 18 20 + 32 hex), the business's ...VAgAR...
    inbound = wamid(IdFactory(1), "12065550107", inbound=True)
    raw = base64.b64decode(inbound.removeprefix("wamid."))
    assert raw.startswith(b"\x1c\x18\x0b12065550107\x15\x02\x00\x12\x18\x20") and len(raw) == 3 + 11 + 6 + 32 + 1
    assert "VAgAS" in inbound and "VAgAR" in wamid(IdFactory(1), "12065550107")


def test_inbound_wamids_are_unique_and_repeat_under_the_seed():
    ids = IdFactory(0)
    made = [wamid(ids, "15550200001", inbound=True) for _ in range(5_000)]
    assert len(set(made)) == 5_000
    assert made[0] == wamid(IdFactory(0), "15550200001", inbound=True)
