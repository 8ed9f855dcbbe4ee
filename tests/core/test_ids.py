from __future__ import annotations

import re
import string

from sandbox.core.ids import IdFactory


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
