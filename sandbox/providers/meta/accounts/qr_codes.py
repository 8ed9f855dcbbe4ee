"""``GET|POST /{phone_number_id}/message_qrdls`` and ``GET|POST|DELETE /{phone_number_id}/message_qrdls/{code}``:
QR codes and short links that open a chat with a prefilled message (OPENAPI "QR Code Collection" /
"Individual QR Code"; Meta's qr-codes page; pywa ``create_qr_code``... ``delete_qr_code``).

Rules from the OpenAPI: ``prefilled_message`` at most 140 characters; ``generate_qr_image`` PNG or SVG
adds ``qr_image_url``; a POST with ``code`` updates that code; the list is newest first, at most 25 a
page; a single GET answers ``{"data": [item]}``; an unknown code is 803 "QR code not found" (HTTP 404).
``qr_image_url`` points at the sandbox, which serves a placeholder image (not a scannable code).
State: ``NumberAccount.qr_codes`` (accounts.py).
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

from sandbox.providers.meta.accounts.state import NumberAccount
from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import authenticate, business_for, graph_handler, graph_response, public_base
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.media.library import placeholder
from sandbox.providers.meta.paging import page_of
from sandbox.providers.meta.params import graph_params, require
from sandbox.providers.meta.service import MetaProvider

MAX_MESSAGE = 140
PAGE_LIMIT = 25  # OpenAPI: "Default and maximum limit is typically 25"
FORMATS = ("PNG", "SVG")
# OpenAPI's pattern is [A-Z2-7]{14}, yet its and pywa's examples (4O4YGZEG3RIVE1, ANED2T5QRU7HG1) end in
# "1": codes are made as 13 base32 characters and a "1", and any 14 upper-case letters and digits are read.
CODE = re.compile(r"^[A-Z0-9]{14}$")
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
IMAGE_PATH = "/whatsapp_business/message_qrdls/"
FIELDS = {"code", "prefilled_message", "deep_link_url", "creation_time", "qr_image_url"}


def _target(request: web.Request) -> tuple[MetaProvider, MetaBusiness, NumberAccount]:
    token = authenticate(request)
    business = business_for(request, request.match_info["node"], token)
    meta = backend(request)
    return meta, business, meta.accounts.number(business.phone_number_id)


def _not_found() -> MetaError:
    return MetaError(803, message="QR code not found", http_status=404, type="GraphMethodException")


def _known(account: NumberAccount, code: str) -> dict[str, Any]:
    if not CODE.match(code):
        raise MetaError(100, message="Invalid QR code ID format. Expected 14-character alphanumeric string")
    found = account.qr_codes.get(code)
    if found is None:
        raise _not_found()
    return found


def _item(request: web.Request, business: MetaBusiness, code: str, qr: dict[str, Any], image: str | None,
          creation_time: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {"code": code, "prefilled_message": qr["prefilled_message"],
                            "deep_link_url": f"https://wa.me/message/{code}"}
    if image:
        item["qr_image_url"] = f"{public_base(request)}{IMAGE_PATH}{business.phone_number_id}/{code}.{image.lower()}"
    if creation_time:
        item["creation_time"] = qr["creation_time"]
    return item


def _fields(request: web.Request) -> tuple[str | None, bool]:
    """``fields``: the image format asked by ``qr_image_url.format(SVG|PNG)``, and whether ``creation_time`` is."""
    image, creation_time = None, False
    for name in filter(None, (f.strip() for f in request.query.get("fields", "").split(","))):
        fmt = re.fullmatch(r"qr_image_url\.format\((\w+)\)", name)
        if fmt and fmt.group(1).upper() in FORMATS:
            image = fmt.group(1).upper()
        elif name == "qr_image_url":
            image = "PNG"  # UNCONFIRMED: Meta documents only the .format(...) form
        elif name == "creation_time":
            creation_time = True
        elif name not in FIELDS:
            raise MetaError(100, f"Unknown field '{name}'; the fields are code, prefilled_message, deep_link_url, "
                                 "creation_time and qr_image_url.format(PNG|SVG).",
                            message="Invalid fields parameter. Check field names and format specifications")
    return image, creation_time


def _message(params: dict[str, Any]) -> str:
    text = str(require(params, "prefilled_message"))
    if len(text) > MAX_MESSAGE:
        raise MetaError(100, message="Invalid prefilled_message length. Maximum 140 characters allowed")
    return text


def _image(params: dict[str, Any]) -> str | None:
    raw = params.get("generate_qr_image")
    if raw in (None, ""):
        return None
    if str(raw).upper() not in FORMATS:
        raise MetaError(100, message=f"(#100) Param generate_qr_image must be one of {{PNG, SVG}} - got \"{raw}\".")
    return str(raw).upper()


@graph_handler
async def list_codes(request: web.Request) -> web.StreamResponse:
    _, business, account = _target(request)
    image, creation_time = _fields(request)
    wanted = request.query.get("code")
    codes = [c for c in reversed(account.qr_codes) if wanted is None or c == wanted]  # newest first
    page, paging = page_of(request, codes, default_limit=PAGE_LIMIT, max_limit=PAGE_LIMIT)
    data = [_item(request, business, c, account.qr_codes[c], image, creation_time) for c in page]
    return graph_response(request, {"data": data, "paging": paging})


@graph_handler
async def get_code(request: web.Request) -> web.StreamResponse:
    _, business, account = _target(request)
    code = request.match_info["code"]
    image, creation_time = _fields(request)
    qr = _known(account, code)
    return graph_response(request, {"data": [_item(request, business, code, qr, image, creation_time)]})


@graph_handler
async def create_or_update(request: web.Request) -> web.StreamResponse:
    """Without ``code``: a new QR code. With ``code`` (in the body, or the path): that code's new message."""
    meta, business, account = _target(request)
    params = await graph_params(request)
    code = request.match_info.get("code") or params.get("code")
    message, image = _message(params), _image(params)
    if code:
        old = _known(account, str(code))
        qr = {**old, "prefilled_message": message}
    else:
        code = "".join(meta.ids.random.choices(BASE32, k=13)) + "1"
        qr = {"prefilled_message": message, "creation_time": int(meta.clock.now())}
    account.qr_codes = {**account.qr_codes, str(code): qr}  # a new dict: the snapshot fingerprint is shallow
    return graph_response(request, _item(request, business, str(code), qr, image))


@graph_handler
async def delete_code(request: web.Request) -> web.StreamResponse:
    _, _, account = _target(request)
    code = request.match_info["code"]
    _known(account, code)
    account.qr_codes = {k: v for k, v in account.qr_codes.items() if k != code}
    return graph_response(request, {"success": True})


@graph_handler
async def qr_image(request: web.Request) -> web.StreamResponse:
    """The ``qr_image_url``: a placeholder PNG, or an SVG naming the deep link (no QR encoder in the sandbox).
    A deleted or unknown code answers like the message_qrdls edge does, 803 "QR code not found" (HTTP 404);
    an unknown number the OpenAPI's 803 "Phone number not found" (UNCONFIRMED: Meta's image is a CDN URL
    whose own errors are not documented)."""
    meta = backend(request)
    number, code, ext = request.match_info["number"], request.match_info["code"], request.match_info["ext"]
    if meta.businesses.by_phone_number_id(number) is None:
        raise MetaError(803, message="Phone number not found", http_status=404, type="GraphMethodException")
    _known(meta.accounts.number(number), code)
    if ext == "png":
        return web.Response(body=placeholder("image", code), content_type="image/png")
    link = escape(f"https://wa.me/message/{code}")
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><rect width="400" height="400" fill="#fff"/>'
           f'<text x="200" y="200" text-anchor="middle" font-size="16">{link}</text></svg>')
    return web.Response(text=svg, content_type="image/svg+xml")
