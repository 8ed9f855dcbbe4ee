"""Meta businesses (phone number + WABA + credentials), from the scenario's ``meta.businesses``."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from sandbox.core.numbers import country_code_of

DEFAULT_BUSINESS: dict[str, Any] = {
    "phone_number_id": "100000000000001",
    "waba_id": "200000000000001",
    "display_phone_number": "+1 555-010-0001",
    "verified_name": "Sandbox Business",
    "access_token": "sandbox-token",
    "app_secret": "sandbox-app-secret",
    "verify_token": "sandbox-verify-token",
}


@dataclass
class MetaBusiness:
    phone_number_id: str
    waba_id: str
    display_phone_number: str  # as shown: "+1 555-010-0001"
    verified_name: str
    access_token: str
    app_secret: str
    verify_token: str
    webhook_url: str | None = None
    quality_rating: str = "GREEN"

    @property
    def country_code(self) -> int:
        return country_code_of(self.display_phone_number)

    @property
    def display_digits(self) -> str:
        """Webhook ``metadata.display_phone_number`` carries digits only."""
        return digits_of(self.display_phone_number)

    def to_json(self) -> dict[str, Any]:
        return {
            "phone_number_id": self.phone_number_id,
            "waba_id": self.waba_id,
            "display_phone_number": self.display_phone_number,
            "verified_name": self.verified_name,
            "access_token": self.access_token,
            "app_secret": self.app_secret,
            "verify_token": self.verify_token,
            "webhook_url": self.webhook_url,
        }


@functools.lru_cache(maxsize=1024)  # keyed on the text itself: a renamed number is a new key, never stale
def digits_of(display_phone_number: str) -> str:
    """The digits of a display number; every status webhook's ``metadata`` reads it (a regex per
    webhook was ~3% of a message's rendering)."""
    return re.sub(r"\D", "", display_phone_number)


class MetaBusinesses:
    """Lookup of businesses by phone_number_id, WABA id and token."""

    def __init__(self, raw: list[dict[str, Any]], webhook_url: str | None = None) -> None:
        self._by_phone: dict[str, MetaBusiness] = {}  # maps phone_number_id -> business
        for item in raw or [DEFAULT_BUSINESS]:
            merged = {**DEFAULT_BUSINESS, **{k: v for k, v in item.items() if v is not None}}
            merged.setdefault("webhook_url", None)
            if webhook_url and not item.get("webhook_url"):
                merged["webhook_url"] = webhook_url
            business = MetaBusiness(**merged)
            self._by_phone[business.phone_number_id] = business

    def all(self) -> list[MetaBusiness]:
        return list(self._by_phone.values())

    def by_phone_number_id(self, node: str) -> MetaBusiness | None:
        return self._by_phone.get(node)

    def by_waba(self, node: str) -> list[MetaBusiness]:
        return [b for b in self._by_phone.values() if b.waba_id == node]

    def token_known(self, token: str) -> bool:
        return any(b.access_token == token for b in self._by_phone.values())

    def default(self) -> MetaBusiness:
        return next(iter(self._by_phone.values()))


def graph_version(text: str) -> tuple[int, int]:
    """``v24.0`` -> (24, 0): a Graph API version from a path or the scenario (both checked its form)."""
    major, minor = (int(p) for p in re.findall(r"\d+", text))
    return major, minor
