"""Media in a send: ids must exist, links are fetched (with Meta's HTTP caching rules) after acceptance.

Seed 002 "Media HTTP Caching":
- ``Cache-Control: max-age=n``: reuse the asset for n seconds, then request it again;
- ``no-cache``: cache, but refresh when ``Last-Modified`` differs from the previous response (requires
  ``Last-Modified``; the sandbox revalidates with ``If-Modified-Since`` and takes 304 as unchanged);
- ``no-store`` / ``private``: never cache;
- ``ETag`` counts only when neither Cache-Control nor Last-Modified is present, and then Meta caches
  "according to internal logic": UNCONFIRMED, the sandbox revalidates with ``If-None-Match`` each time;
- no header at all: not cached.
Every fetch and cache decision is recorded on the message (``meta.media``) for tests to assert.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

from sandbox.core.media_fetch import FetchFailure, Reason, SaveTo, base_mime, fetch_media
from sandbox.core.params import whole_number
from sandbox.core.scenario import ErrorSpec
from sandbox.core.store import Message
from sandbox.providers.meta.media.library import KIND_MIMES, SUPPORTED, MediaLibrary

MAX_CACHED_LINKS = 10_000
# A link that cannot be used -> the details of its 131053. The two "Downloading media from weblink"
# wordings are Meta's own (recorded in failed statuses); the type and size ones are ours (UNCONFIRMED).
LINK_FAILURES: dict[Reason, str] = {
    "unreachable": "Downloading media from weblink failed: {detail}",
    "http_status": "Downloading media from weblink failed with http code {status}, status message {detail}",
    "unsupported_type": "Media upload error: unsupported media type '{mime}' for {kind}",
    "too_large": "Media file size exceeds the {limit} byte limit for {mime} ({size} bytes or more)",
    "refused": "Downloading media from weblink failed: {detail}",  # SANDBOX_MEDIA_FETCH_LINKS (docs/security.md)
}


@dataclass
class CachedLink:
    media_id: str
    mime_type: str
    fresh_until: float | None  # max-age: reuse without asking until then; None: revalidate every use
    last_modified: str | None
    etag: str | None


@dataclass
class LinkFetcher:
    library: MediaLibrary
    session: Callable[[], aiohttp.ClientSession]
    cache: dict[str, CachedLink] = field(default_factory=dict)  # maps link URL -> cached asset

    async def fetch(self, url: str, kind: str) -> tuple[str | None, dict[str, Any]]:
        """(error details or None, a note for the journal) for one link of a ``kind`` message part."""
        now = self.library.clock.now()
        cached = self.cache.get(url)
        if cached and self.library.lookup(cached.media_id) is None:
            cached = None  # evicted from the store
        if cached and cached.fresh_until is not None and now < cached.fresh_until:
            return self._type_error(cached.mime_type, kind), {"link": url, "cache": "hit"}
        headers = {}
        if cached and cached.fresh_until is None:
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
            elif cached.etag:
                headers["If-None-Match"] = cached.etag
        result = await fetch_media(
            self.session(), url, timeout=self.library.settings.media_fetch_timeout,
            limits={mime: SUPPORTED[mime][1] for mime in KIND_MIMES.get(kind, set())},
            policy=self.library.settings.link_policy, headers=headers,
            held_last_modified=cached.last_modified if cached else None,
            save=SaveTo(self.library.store, lambda mime: self.library.new_record("link", mime, filename=None, origin="link")),
        )
        if isinstance(result, FetchFailure):
            details = LINK_FAILURES[result.reason].format(**asdict(result), kind=kind)
            if result.status is None:
                return details, {"link": url, "cache": "miss", "error": result.detail}
            return details, _note(url, result.status, "miss")
        if result.status == 304:
            assert cached is not None  # only a conditional request answers 304
            return self._type_error(cached.mime_type, kind), _note(url, 304, "revalidated")
        if result.unchanged:
            return None, _note(url, 200, "unchanged")
        assert result.record is not None
        self._remember(url, result.record.id, result.mime, result.headers)
        return None, {**_note(url, 200, "miss"), "media_id": result.record.id}

    def _type_error(self, mime: str, kind: str) -> str | None:
        if mime in KIND_MIMES.get(kind, set()):
            return None
        return f"Media upload error: unsupported media type '{mime or 'unknown'}' for {kind}"

    def _remember(self, url: str, media_id: str, mime: str, headers: Any) -> None:
        directives = {d.strip().lower() for d in headers.get("Cache-Control", "").split(",") if d.strip()}
        last_modified, etag = headers.get("Last-Modified"), headers.get("ETag")
        max_age = next((d.split("=", 1)[1] for d in directives if d.startswith("max-age=")), None)
        fresh_until: float | None = None
        if directives & {"no-store", "private"}:
            self.cache.pop(url, None)
            return
        seconds = whole_number(max_age) if max_age is not None else None
        if seconds is not None:
            fresh_until = self.library.clock.now() + seconds
        elif "no-cache" in directives or (not directives and last_modified):
            if not last_modified:
                self.cache.pop(url, None)  # no-cache "requires the Last-Modified header"
                return
        elif not (etag and not directives and not last_modified):
            self.cache.pop(url, None)
            return
        if len(self.cache) >= MAX_CACHED_LINKS:
            self.cache.pop(next(iter(self.cache)))
        self.cache[url] = CachedLink(media_id, mime, fresh_until, last_modified, etag)

    def reset(self) -> None:
        self.cache.clear()


def _note(url: str, status: int, cache: str) -> dict[str, Any]:
    return {"link": url, "status": status, "cache": cache}


# --- what a send carries ----------------------------------------------------------------------------


def media_refs(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(kind, {"id"|"link": ...}) for every media object in a send: top level, interactive header,
    template header (and carousel card) parameters."""
    kind = body.get("type")
    refs: list[tuple[str, dict[str, Any]]] = []
    obj = body.get(kind) if isinstance(kind, str) else None
    if kind in KIND_MIMES and isinstance(obj, dict):
        refs.append((kind, obj))
    if kind == "interactive" and isinstance(obj, dict):
        header = obj.get("header") or {}
        htype = header.get("type") if isinstance(header, dict) else None
        if htype in KIND_MIMES and isinstance(header.get(htype), dict):
            refs.append((htype, header[htype]))
    if kind == "template" and isinstance(obj, dict):
        refs += _template_refs(obj.get("components") or [])
    return refs


def _template_refs(components: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    refs: list[tuple[str, dict[str, Any]]] = []
    for comp in components:
        if not isinstance(comp, dict):
            continue
        for param in comp.get("parameters") or []:
            ptype = param.get("type") if isinstance(param, dict) else None
            if ptype in KIND_MIMES and isinstance(param.get(ptype), dict):
                refs.append((ptype, param[ptype]))
        for card in comp.get("cards") or []:
            if isinstance(card, dict):
                refs += _template_refs(card.get("components") or [])
    return refs


async def check_message_media(fetcher: LinkFetcher, message: Message, fail: Callable[[str, ErrorSpec], Any]) -> None:
    """Job run right after acceptance: unknown ids and bad links fail the message with 131053."""
    notes: list[dict[str, Any]] = []
    error: str | None = None
    for kind, ref in media_refs(message.payload):
        if "id" in ref:
            record = fetcher.library.lookup(str(ref["id"]))
            if record is None or record.owner not in (message.business, "link"):
                # UNCONFIRMED: Meta's wording for an unknown media id in a send.
                error = f"Media upload error: media id {ref['id']} does not exist or does not belong to this phone number"
            elif base_mime(record.mime_type) not in KIND_MIMES.get(kind, set()):
                error = fetcher._type_error(base_mime(record.mime_type), kind)
        elif "link" in ref and fetcher.library.settings.link_policy.fetch:
            error, note = await fetcher.fetch(str(ref["link"]), kind)
            notes.append(note)
        if error:
            break
    if notes:
        message.meta["media"] = notes
    if error:
        fail(message.id, ErrorSpec(code=131053, details=error))
