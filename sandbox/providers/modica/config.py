"""Modica gateway applications, from the scenario's top-level ``modica:`` section.

In Modica's portal an *application* (name + password, used for HTTP Basic auth) carries the
API configuration: its MO callback URL and its DLR callback URL. Callback URLs are never given
per request (reference C1 "MO callback ... configured in the portal, not per request").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

DestinationField = Literal["both", "Destination", "destination"]

DEFAULT_APPLICATION: dict[str, Any] = {
    "name": "sandbox",
    "password": "sandbox-secret",
    "short_code": "2541",  # MT source and MO destination of SMS
    "whatsapp_number": "+6421555000",  # MO destination of WhatsApp
}
# UNCONFIRMED: Modica publishes no throughput limit; the WAB API lists 429. Per application.
DEFAULT_RATE = {"per_second": 30.0, "burst": 30.0}


@dataclass
class ModicaApplication:
    name: str
    password: str
    short_code: str
    whatsapp_number: str
    mo_url: str | None = None  # MO (reply) callback URL of the API configuration
    dlr_url: str | None = None  # DLR (status) callback URL of the API configuration
    # UNCONFIRMED: the WAB doc prints "Destination"; every other Modica callback "destination".
    wab_destination_field: DestinationField = "both"

    def to_json(self) -> dict[str, Any]:
        return {
            "application": self.name,
            "password": self.password,
            "short_code": self.short_code,
            "whatsapp_number": self.whatsapp_number,
            "mo_url": self.mo_url,
            "dlr_url": self.dlr_url,
            "wab_destination_field": self.wab_destination_field,
        }


@dataclass
class ModicaConfig:
    applications: dict[str, ModicaApplication]  # maps application name -> application
    per_second: float
    burst: float

    @classmethod
    def from_section(cls, section: dict[str, Any]) -> ModicaConfig:
        apps: dict[str, ModicaApplication] = {}
        for raw in section.get("applications") or [DEFAULT_APPLICATION]:
            merged = {**DEFAULT_APPLICATION, **{k: v for k, v in raw.items() if v is not None}}
            apps[merged["name"]] = ModicaApplication(**merged)
        rate = {**DEFAULT_RATE, **(section.get("rate_limit") or {})}
        return cls(applications=apps, per_second=float(rate["per_second"]), burst=float(rate["burst"]))

    def default(self) -> ModicaApplication:
        return next(iter(self.applications.values()))

    def authenticate(self, name: str, password: str) -> ModicaApplication | None:
        app = self.applications.get(name)
        return app if app is not None and app.password == password else None
