"""Media held for the WhatsApp (WAB) API: uploads by the business and media sent by users."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class MediaItem:
    media_id: str
    application: str
    content_type: str
    data: bytes
    filename: str | None = None


class MediaStore:
    """Bounded (oldest dropped first) so a load test cannot grow memory without end."""

    def __init__(self, max_items: int = 1000) -> None:
        self._max_items = max_items
        self._items: OrderedDict[str, MediaItem] = OrderedDict()  # maps media_id -> item, oldest first

    def put(self, item: MediaItem) -> MediaItem:
        self._items[item.media_id] = item
        while len(self._items) > self._max_items:
            self._items.popitem(last=False)
        return item

    def get(self, media_id: str, application: str) -> MediaItem | None:
        item = self._items.get(media_id)
        return item if item is not None and item.application == application else None

    def reset(self) -> None:
        self._items.clear()
