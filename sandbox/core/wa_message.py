"""Facts about WhatsApp message objects in the Cloud API shape (Meta, and providers that mirror it)."""

from __future__ import annotations

from typing import Any


def text_of(kind: str, obj: Any) -> str:
    """The words a scenario's ``contains`` matches on: text body, interactive body or media caption."""
    if not isinstance(obj, dict):
        return ""
    if kind == "text":
        return str(obj.get("body", ""))
    if kind == "interactive":
        return str((obj.get("body") or {}).get("text", ""))
    return str(obj.get("caption") or "")  # a null caption (heyoo sends one when unset) has no words
