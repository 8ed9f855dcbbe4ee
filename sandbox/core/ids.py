"""Every id the sandbox hands out comes from here, from one seeded generator.

A run with the same seed and the same requests repeats its ids, so tests can be deterministic.
"""

from __future__ import annotations

import base64
import random
import string

_TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"


class IdFactory:
    def __init__(self, seed: int | str | None = None) -> None:
        self._seed = seed
        self._random = random.Random(seed)
        # Trace ids of successful Graph responses come from their own stream, so answering a request
        # does not shift the message ids a seeded test expects.
        self._traces = random.Random(f"{seed}:trace")

    @property
    def random(self) -> random.Random:
        """The one seeded random source (scenario chaos and faker draw from it too)."""
        return self._random

    def reseed(self, seed: int | str | None = None) -> None:
        self._random.seed(self._seed if seed is None else seed)
        self._traces.seed(f"{self._seed if seed is None else seed}:trace")

    # One draw of random bits per id rather than one choice() per character: ids are made for every
    # send and every webhook, and per-character draws were ~4% of the CPU at saturation.

    def digits(self, length: int) -> str:
        """``length`` decimal digits, the first not zero."""
        low = 10 ** (length - 1)
        return str(low + self._random.randrange(9 * low))

    def hex(self, length: int, *, upper: bool = False) -> str:
        text = f"{self._random.getrandbits(4 * length):0{length}x}"
        return text.upper() if upper else text

    def token(self, length: int) -> str:
        return "".join(self._random.choices(_TOKEN_ALPHABET, k=length))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"

    def graph_id(self) -> str:
        """Numeric Graph object id (media, templates): 15-16 digits like Meta's."""
        return self.digits(16)

    def fbtrace_id(self) -> str:
        return self.token(23)

    def trace_header(self) -> str:
        """An ``x-fb-trace-id`` value like Graph's (11 URL-safe base64 characters, e.g. ``AbC1dEf-GhI``)."""
        return base64.urlsafe_b64encode(self._traces.getrandbits(72).to_bytes(9, "big"))[:11].decode("ascii")

    def bsuid(self, country: str) -> str:
        """Business-scoped user id, e.g. ``US.13491208655302741918``."""
        return f"{country.upper()}.{self.digits(20)}"
