"""Where a Resumable Upload handle (resumable_upload.py) is taken: a template's media-header sample
(``example.header_handle``, on create and edit) and the business profile picture (``profile_picture_handle``).

Meta requires an upload handle there: a media id from ``/media`` or a URL is "Invalid parameter"
(reports in gabrieldwight/Whatsapp-Business-Cloud-Api-Net#180 and ArnasDon/wacrm#562), and a media
header needs its sample. Codes and wording of these errors are UNCONFIRMED (100, details ours).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.platform import MetaPlatform
from sandbox.providers.meta.uploads import UploadSession

# header format -> the upload file types that can be its sample (GIF headers are MP4 files)
HEADER_TYPES = {
    "IMAGE": {"image/jpeg", "image/jpg", "image/png"},
    "VIDEO": {"video/mp4"},
    "DOCUMENT": {"application/pdf"},
    "GIF": {"video/mp4"},
}
PICTURE_TYPES = HEADER_TYPES["IMAGE"]


def resolve(platform: MetaPlatform, handle: Any, where: str) -> UploadSession:
    session = platform.uploads.by_handle(str(handle), platform.media.store, platform.clock.now()) if isinstance(handle, str) else None
    if session is None:
        raise MetaError(100, f"{where} must be a file handle from the Resumable Upload API (POST /{{app_id}}/uploads, then "
                             f"POST /upload:<session>); '{str(handle)[:60]}' is not one, or its upload expired.")
    return session


def check_header_handles(platform: MetaPlatform, components: Any) -> None:
    """Every media HEADER (carousel cards' too) carries ``example.header_handle``: handles of a fitting type."""
    for comp in _headers(components):
        fmt = str(comp.get("format", "")).upper()
        if fmt not in HEADER_TYPES:
            continue
        example = comp.get("example")
        handles = example.get("header_handle") if isinstance(example, dict) else None
        if not isinstance(handles, list) or not handles:
            raise MetaError(100, f"A {fmt} header needs a sample: example.header_handle with a file handle from the "
                                 "Resumable Upload API.")
        for handle in handles:
            session = resolve(platform, handle, "example.header_handle")
            if session.file_type not in HEADER_TYPES[fmt]:
                raise MetaError(100, f"example.header_handle is a {session.file_type} file; a {fmt} header takes "
                                     f"{', '.join(sorted(HEADER_TYPES[fmt]))}.")


def _headers(components: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for comp in components if isinstance(components, list) else []:
        if not isinstance(comp, dict):
            continue
        kind = str(comp.get("type", "")).upper()
        if kind == "HEADER":
            found.append(comp)
        elif kind == "CAROUSEL":
            for card in comp.get("cards") or []:
                found += _headers(card.get("components") if isinstance(card, dict) else None)
    return found


def profile_picture_url(platform: MetaPlatform, handle: Any) -> str:
    """The ``profile_picture_url`` a picture handle gives: UNCONFIRMED pps.whatsapp.net-style URL, stable per handle."""
    session = resolve(platform, handle, "profile_picture_handle")
    if session.file_type not in PICTURE_TYPES:
        raise MetaError(100, f"profile_picture_handle is a {session.file_type} file; a profile picture is a JPEG or PNG image.")
    digest = hashlib.sha256(str(handle).encode()).hexdigest()[:16]
    return f"https://pps.whatsapp.net/v/sandbox/{digest}"
