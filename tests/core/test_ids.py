from __future__ import annotations

import base64
import re
import string

from sandbox.core.ids import IdFactory


def test_wamid_carries_the_recipient_like_metas():
    raw = base64.b64decode(IdFactory(1).wamid("16505551234").removeprefix("wamid."))
    assert raw.startswith(b"\x1c\x18\x0b16505551234\x15\x02\x00\x11\x18\x12") and raw.endswith(b"\x00")


def test_inbound_wamid_has_the_user_marker_of_metas_webhook_examples():
    # seed 002: a user's message id reads ...VAgAS... (15 02 00 12 18 20 + 32 hex), the business's ...VAgAR...
    inbound = IdFactory(1).wamid("12065550107", inbound=True)
    raw = base64.b64decode(inbound.removeprefix("wamid."))
    assert raw.startswith(b"\x1c\x18\x0b12065550107\x15\x02\x00\x12\x18\x20") and len(raw) == 3 + 11 + 6 + 32 + 1
    assert "VAgAS" in inbound and "VAgAR" in IdFactory(1).wamid("12065550107")


def test_inbound_wamids_are_unique_and_repeat_under_the_seed():
    ids = IdFactory(0)
    made = [ids.wamid("15550200001", inbound=True) for _ in range(5_000)]
    assert len(set(made)) == 5_000
    assert made[0] == IdFactory(0).wamid("15550200001", inbound=True)


def test_same_seed_same_ids():
    assert [IdFactory("s").wamid("1") for _ in range(2)] == [IdFactory("s").wamid("1")] * 2


def test_ids_are_unique_within_a_run():
    ids = IdFactory(0)
    assert len({ids.wamid("15550200001") for _ in range(10_000)}) == 10_000


def test_digits_hex_and_token_have_their_length_and_alphabet():
    ids = IdFactory(seed=7)
    for _ in range(200):
        digits, hexa, upper, token = ids.digits(16), ids.hex(18), ids.hex(18, upper=True), ids.token(23)
        assert len(digits) == 16 and digits.isdigit() and digits[0] != "0"
        assert len(hexa) == 18 and set(hexa) <= set("0123456789abcdef")
        assert len(upper) == 18 and set(upper) <= set("0123456789ABCDEF")
        assert len(token) == 23 and set(token) <= set(string.ascii_letters + string.digits + "-_")


def test_uuid_is_shaped_as_version_4():
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", IdFactory(1).uuid())
