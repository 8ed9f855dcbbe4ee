"""Reading forms (urlencoded and multipart) so that a malformed one is the provider's 400, not a 500.

aiohttp raises ``ValueError`` for a multipart body it cannot split (no ``boundary`` in the Content-Type,
an empty or over-long one, a body that never shows it), which the error boundary cannot tell from a
bug. Here it becomes ``BadHttpMessage``, which every provider's error boundary (core/boundary.py)
answers with its own "could not be parsed" error. Only aiohttp's own parsing is wrapped: a ValueError
raised by the handler's code around it is still a bug, logged as one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import BadHttpMessage
from multidict import MultiDictProxy

Part = BodyPartReader | MultipartReader


def malformed(exc: ValueError) -> BadHttpMessage:
    return BadHttpMessage(f"the form cannot be read ({exc}); a multipart/form-data body needs the boundary its "
                          "Content-Type names (boundary=...) before each part")


async def read_form(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """``request.post()``: the whole form, files spooled to temporary files."""
    try:
        return await request.post()
    except ValueError as exc:
        raise malformed(exc) from exc


async def multipart_parts(request: web.Request) -> AsyncIterator[Part]:
    """The parts of a multipart body, streamed (for uploads too large to hold)."""
    try:
        reader = await request.multipart()
    except ValueError as exc:
        raise malformed(exc) from exc
    while True:
        try:
            part = await reader.next()
        except ValueError as exc:
            raise malformed(exc) from exc
        if part is None:
            return
        yield part


async def read_chunk(part: BodyPartReader, size: int) -> bytes:
    """One chunk of a part; a body cut before its closing boundary is malformed too."""
    try:
        return await part.read_chunk(size)
    except ValueError as exc:
        raise malformed(exc) from exc
