"""Request parameters every provider parses the same way."""

from __future__ import annotations


def whole_number(text: str) -> int | None:
    """``text`` as a non-negative integer when it is ASCII digits only, else None. Not ``str.isdigit``
    alone: "²" passes it and ``int("²")`` raises, which was a 500 where the provider's error belongs."""
    return int(text) if text.isascii() and text.isdigit() else None
