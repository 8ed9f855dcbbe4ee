"""Meta's message ids (``wamid.``...), drawn from the runtime's seeded IdFactory."""

from __future__ import annotations

import base64

from sandbox.core.ids import IdFactory


def wamid(ids: IdFactory, wa_id: str, *, inbound: bool = False) -> str:
    """A message id shaped like Meta's: ``wamid.`` + base64 of a small structure carrying the user.

    Ids of messages the business sent decode to ``1c 18 <len> <wa_id> 15 02 00 11 18 12 <18 hex
    chars> 00``; ids of messages a user sent to ``... 15 02 00 12 18 20 <32 hex chars> 00`` (every
    inbound example in Meta's webhook docs, seed 002: the marker after the number reads ``VAgAS``
    in base64 where outbound ids read ``VAgAR``).
    """
    recipient = wa_id.encode("ascii", "replace")[:255]
    marker, length = (b"\x12", 32) if inbound else (b"\x11", 18)
    raw = (
        b"\x1c\x18"
        + bytes([len(recipient)])
        + recipient
        + b"\x15\x02\x00" + marker + b"\x18" + bytes([length])
        + ids.hex(length, upper=True).encode()
        + b"\x00"
    )
    return "wamid." + base64.b64encode(raw).decode("ascii")
