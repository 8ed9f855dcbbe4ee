"""SMS encoding and segmentation, provider-neutral (3GPP TS 23.038 alphabet, TS 23.040 concatenation).

A text goes as GSM-7 when every character is in the GSM 03.38 default alphabet or its extension
table, and as UCS-2 otherwise. Lengths are counted in the unit the handset pays for:

| encoding | unit                       | one SMS | each part of a concatenated SMS        |
|----------|----------------------------|---------|----------------------------------------|
| GSM-7    | septet (extension char: 2) | 160     | 153 (7 septets go to the 6-byte UDH)   |
| UCS-2    | UTF-16 code unit (emoji: 2)| 70      | 67  (6 of the 140 bytes go to the UDH) |

Parts are cut greedily and never inside an extension escape pair or a surrogate pair, so a part may
hold one unit less than its capacity and the count can exceed ``ceil(length / 153)``.

Choices (UNCONFIRMED, no provider document says otherwise):
- Only the default alphabet and extension table: no national language shift tables (Turkish,
  Spanish, Portuguese, Indic), so e.g. ``ç`` or ``ı`` makes a text UCS-2. ``Ç`` is GSM-7 (0x09).
- Grapheme clusters (flags, ZWJ emoji sequences, combining marks) may be split between parts, as
  handsets do; only surrogate pairs are kept whole.
- An empty text is one (empty) segment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet, 0x00-0x7F in code order, without 0x1B (the escape to the extension table).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as ESC + one septet, so it costs 2.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

LIMITS: dict[Encoding, tuple[int, int]] = {  # maps encoding to (single-SMS capacity, per-part capacity)
    "GSM-7": (160, 153),
    "UCS-2": (70, 67),
}


def encoding_of(text: str) -> Encoding:
    """``"GSM-7"`` if every character is in the GSM 03.38 basic or extension set, else ``"UCS-2"``."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        return "GSM-7"
    return "UCS-2"


def length(text: str) -> int:
    """The text's length in its encoding's unit: septets (GSM-7) or UTF-16 code units (UCS-2)."""
    cost = _cost_function(encoding_of(text))
    return sum(cost(c) for c in text)


def segments(text: str) -> int:
    """How many SMS the text is sent as."""
    return len(split(text))


def split(text: str) -> list[str]:
    """The parts the text is sent as, in order; ``"".join(split(t)) == t``."""
    encoding = encoding_of(text)
    single, per_part = LIMITS[encoding]
    cost = _cost_function(encoding)
    if sum(cost(c) for c in text) <= single:
        return [text]
    parts: list[str] = []
    start = used = 0
    for index, char in enumerate(text):
        units = cost(char)
        if used + units > per_part:
            parts.append(text[start:index])
            start, used = index, 0
        used += units
    parts.append(text[start:])
    return parts


def _cost_function(encoding: Encoding) -> Callable[[str], int]:
    return _septets if encoding == "GSM-7" else _utf16_units


def _septets(char: str) -> int:
    return 2 if char in GSM7_EXTENSION else 1


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1
