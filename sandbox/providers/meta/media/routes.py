"""Graph edges for media (META-MEDIA; pywa ``upload_media`` ... ``delete_media``):

- ``POST /{phone_number_id}/media``: an upload (multipart ``file`` + ``messaging_product`` + ``type``);
- ``GET|DELETE /{media_id}``, the media as a Graph node (``MEDIA``, asked by node_registry.py): its URL and
  facts, or its deletion;
- the media URL itself (``ATTACHMENTS_PATH``): the bytes, for the Bearer token of the number that owns them.

Paths are in meta/routes.py; storage, URLs and their expiry in library.py, link fetching in links.py.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.core.media_store import MediaRecord
from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError, unsupported_request
from sandbox.providers.meta.http import (
    authenticate,
    businesses_of_token,
    graph_handler,
    graph_response,
    public_base,
)
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.media.library import download_response, media_json, read_upload
from sandbox.providers.meta.node_registry import Lookup, Node


@graph_handler
async def upload_media(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    meta = backend(request)
    node = request.match_info["node"]
    business = meta.businesses.by_phone_number_id(node)
    if business is None:  # UNCONFIRMED: MAAC's guide uploads to /{WABA_ID}/media; accepted for its numbers
        business = next(iter(meta.businesses.by_waba(node)), None)
    if business is None or business.access_token != token:
        raise unsupported_request(request.method, node)
    record = await read_upload(request, meta.media, business.phone_number_id)
    return graph_response(request, {"id": record.id})


@graph_handler
async def download_media(request: web.Request) -> web.StreamResponse:
    """The media URL: Bearer token required; unknown, expired or unauthorised all answer 404 (META-MEDIA)."""
    meta = backend(request)
    record = meta.media.resolve_url(dict(request.query))
    header = request.headers.get("Authorization", "")
    token = header.partition(" ")[2].strip() or request.query.get("access_token", "")
    owners = {b.phone_number_id for b in businesses_of_token(meta, token)} if token else set()
    if record is None or not (record.owner in owners or (record.owner == "link" and owners)):
        raise MetaError(100, "Media not found: the URL is unknown or expired, or the request has no valid Bearer token.", http_status=404)
    return download_response(meta.media, record)


# --- /{media_id} ----------------------------------------------------------------------------------


def _find(lookup: Lookup) -> MediaRecord | None:
    """A media one of the token's numbers uploaded (or received)."""
    record = lookup.meta.media.lookup(lookup.node)
    return record if record is not None and _owns_media(lookup.request, lookup.mine, record.owner) else None


def _owns_media(request: web.Request, mine: list[MetaBusiness], owner: str) -> bool:
    """``phone_number_id`` in the query, when given, must be the number that uploaded the media."""
    wanted = request.query.get("phone_number_id")
    return any(b.phone_number_id == owner for b in mine) and (wanted is None or wanted == owner)


async def _get(request: web.Request, record: MediaRecord) -> web.StreamResponse:
    return graph_response(request, media_json(backend(request).media, record, public_base(request)))


async def _delete(request: web.Request, record: MediaRecord) -> web.StreamResponse:
    backend(request).media.store.delete(record.id)
    return graph_response(request, {"success": True})


MEDIA: Node[MediaRecord] = Node("media", _find, get=_get, delete=_delete)
