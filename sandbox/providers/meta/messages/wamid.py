"""Meta's message ids (``wamid.``...), drawn from the runtime's seeded IdFactory."""

from __future__ import annotations

import base64

from sandbox.core.ids import IdFactory


def wamid(ids: IdFactory, wa_id: str) -> str:
    """A message id shaped like Meta's: ``wamid.`` + base64 of a small structure carrying the recipient.

    Real ids decode to ``1c 18 <len> <wa_id> 15 02 00 11 18 12 <18 hex chars> 00``.
    """
    recipient = wa_id.encode("ascii", "replace")[:255]
    raw = (
        b"\x1c\x18"
        + bytes([len(recipient)])
        + recipient
        + b"\x15\x02\x00\x11\x18\x12"
        + ids.hex(18, upper=True).encode()
        + b"\x00"
    )
    return "wamid." + base64.b64encode(raw).decode("ascii")
