"""Where a Resumable Upload handle (resumable_upload.py) is taken: a template's media-header sample
(``example.header_handle``, on create and edit) and the business profile picture (``profile_picture_handle``).

Meta requires an upload handle there: a media id from ``/media`` or a URL is "Invalid parameter"
(reports in gabrieldwight/Whatsapp-Business-Cloud-Api-Net#180 and ArnasDon/wacrm#562), and a media
header needs its sample. Codes and wording of these errors are UNCONFIRMED (100, details ours).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.media.uploads import UploadSession
from sandbox.providers.meta.platform import MetaPlatform

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


# --- the sample as Graph reads it back ------------------------------------------------------------
# GET message_templates shows a media header's sample as an scontent CDN URL, not the handle it was created
# with (meta-cloud-api.md §5.1). Templates read back in public code have the shape
# https://scontent.whatsapp.net/v/t61.29466-34/<9>_<15 or 16>_<19 digits>_n.jpg?ccb=1-7&_nc_sid=8b1bef&...&oe=<hex>.
# The sandbox answers that path on its own host and serves the upload's bytes there (resumable_upload.py).
SAMPLE_PATH = "/v/t61.29466-34/"
EXTENSIONS = {"image/jpeg": "jpg", "image/jpg": "jpg", "image/png": "png", "video/mp4": "mp4", "application/pdf": "pdf"}


def sample_name(handle: str) -> str:
    """The file name of a handle's sample URL: digits derived from the handle, so stable across reads and
    restarts (UNCONFIRMED: how Meta names the file is not documented), and the extension of its MIME type."""
    digest = hashlib.sha256(f"sample:{handle}".encode()).digest()
    a, b, c = (int.from_bytes(digest[i : i + 8], "big") for i in (0, 8, 16))
    return f"{10**8 + a % (9 * 10**8)}_{10**14 + b % (9 * 10**14)}_{10**18 + c % (9 * 10**18)}_n.{_extension(handle)}"


def sample_url(base: str, handle: str) -> str:
    """The scontent-style URL shown for ``handle``; ``oe`` (scontent's hex expiry) is the handle's own."""
    digest = hashlib.sha256(f"sample-sig:{handle}".encode()).digest()
    sig = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    expiry = re.search(r":e:(\d{1,10}):", handle)
    oe = f"&oe={int(expiry.group(1)):08X}" if expiry else ""
    return f"{base}{SAMPLE_PATH}{sample_name(handle)}?ccb=1-7&_nc_sid=8b1bef&_nc_ohc={sig[:23]}&edm=AH51TzQEAAAA&oh=01_{sig[23:]}{oe}"


def _extension(handle: str) -> str:
    """From the MIME type a handle carries after ``4::`` (base64), as Meta's handles do."""
    parts = handle.split(":")
    try:
        mime = base64.b64decode(parts[2] + "=" * (-len(parts[2]) % 4), validate=True).decode() if len(parts) > 2 else ""
    except (ValueError, UnicodeDecodeError):
        mime = ""
    return EXTENSIONS.get(mime, "bin")


def with_sample_urls(components: list[dict[str, Any]], base: str) -> list[dict[str, Any]]:
    """``components`` as Graph reads them back: each media header's (carousel cards' too) handles shown as
    sample URLs. Copies; the stored components keep the handles. A URL (seeded templates) is shown as given."""
    shown: list[dict[str, Any]] = []
    for comp in components:
        kind = str(comp.get("type", "")).upper()
        example = comp.get("example")
        if kind == "HEADER" and isinstance(example, dict) and isinstance(example.get("header_handle"), list):
            handles = [h if not isinstance(h, str) or h.startswith(("http://", "https://")) else sample_url(base, h)
                       for h in example["header_handle"]]
            comp = {**comp, "example": {**example, "header_handle": handles}}
        elif kind == "CAROUSEL" and isinstance(comp.get("cards"), list):
            cards = [{**card, "components": with_sample_urls(card["components"], base)}
                     if isinstance(card, dict) and isinstance(card.get("components"), list) else card for card in comp["cards"]]
            comp = {**comp, "cards": cards}
        shown.append(comp)
    return shown


def sample_session(platform: MetaPlatform, name: str) -> UploadSession | None:
    """The finished upload whose sample URL ends in ``name``, while its bytes are held."""
    for session in platform.uploads.finished():
        if session.handle and sample_name(session.handle) == name:
            return platform.uploads.by_handle(session.handle, platform.media.store, platform.clock.now())
    return None


def profile_picture_url(platform: MetaPlatform, handle: Any) -> str:
    """The ``profile_picture_url`` a picture handle gives: UNCONFIRMED pps.whatsapp.net-style URL, stable per handle."""
    session = resolve(platform, handle, "profile_picture_handle")
    if session.file_type not in PICTURE_TYPES:
        raise MetaError(100, f"profile_picture_handle is a {session.file_type} file; a profile picture is a JPEG or PNG image.")
    digest = hashlib.sha256(str(handle).encode()).hexdigest()[:16]
    return f"https://pps.whatsapp.net/v/sandbox/{digest}"
