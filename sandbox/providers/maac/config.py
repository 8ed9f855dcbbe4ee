"""MAAC account configuration, from the scenario's top-level ``maac:`` section.

- ``tokens``: Open API access tokens the sandbox accepts (MAAC UI: API > API token).
- ``pnp_settings``: the SMS+ templates ("簡訊+ 範本"), each a ``pnp_setting_id`` with its channels and
  ``fallback_period`` in minutes (maac-openapi.md, "取得簡訊+ 範本").
- ``webhook``: the endpoint and its ShareSecret (MAAC's Webhooks back office).
- ``waba_id``: the WhatsApp Business Account of the account's WhatsApp channel, whose templates in the
  Cloud API registry the WhatsApp leg may use (default: the first Meta business's).
- ``whatsapp_templates``: more WhatsApp templates, MAAC-only (the seed's examples; see ``templates.py``).
- ``report_whatsapp_as``: how the WhatsApp leg shows in reports and webhooks: ``pnp`` (default) uses only
  the fields and ``status`` values of Crescendo Lab's published enum, so a client generated from
  maac-openapi.md with strict enums accepts every answer; ``whatsapp`` (opt-in, UNCONFIRMED) adds
  ``whatsapp_*`` fields and statuses (docs/maac.md).
- ``rate_limits``: requests per second per token (maac-openapi.md, "流量限制": push 170/s, multicast 10/s).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

DEFAULT_TOKEN = "sandbox-maac-token"
DEFAULT_SHARE_SECRET = "sandbox-maac-share-secret"

ReportStyle = Literal["whatsapp", "pnp"]

DEFAULT_SETTINGS: list[dict[str, Any]] = [
    {
        "id": 1,
        "name": "Sandbox SMS+ (WhatsApp, SMS fallback)",
        "whatsapp_enabled": True,
        "fallback_enabled": True,
        "fallback_period": 1,
        "sms_text": "Sandbox notification from SMS+",
    },
]

# The seed's examples (000_913b49bfa98a3a96) name these; text_template_1 stands in for its
# {{whatsapp_template_name_text}} placeholder. Each has one header parameter and one body parameter.
DEFAULT_TEMPLATES: list[dict[str, Any]] = [
    {"name": "text_template_1", "language": "en", "header": "text", "body_parameters": 1},
    {"name": "image_template_1", "language": "en", "header": "image", "body_parameters": 1},
    {"name": "video_template_1", "language": "en", "header": "video", "body_parameters": 1},
    {"name": "document_template_1", "language": "en", "header": "document", "body_parameters": 1},
    {"name": "location_template_1", "language": "en", "header": "location", "body_parameters": 1},
]


@dataclass
class PnpSetting:
    id: int
    name: str
    status: str = "enable"
    line_push_enabled: bool = False  # LINE is not emulated
    pnp_enabled: bool = False  # LINE notification messages (PNP) are not emulated
    whatsapp_enabled: bool = True  # not a documented field: the CSM enables WhatsApp per setting
    fallback_enabled: bool = True  # "是否開啟簡訊訊息": SMS is sent when the first channel fails
    fallback_period: float = 1.0  # minutes to wait for the first channel before sending the SMS
    parameters: list[str] = field(default_factory=list)  # variables `data.pnp` must carry
    sms_parameters: list[str] = field(default_factory=list)  # variables `data.sms` must carry
    sms_text: str = "Sandbox notification from SMS+"  # SMS body; {name} placeholders come from data.sms

    def to_json(self) -> dict[str, Any]:
        """The documented fields only (GET /openapi/v1/pnp/setting/)."""
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "line_push_enabled": self.line_push_enabled,
            "pnp_enabled": self.pnp_enabled,
            "fallback_enabled": self.fallback_enabled,
            "fallback_period": self.fallback_period,
            "parameters": list(self.parameters),
            "sms_parameters": list(self.sms_parameters),
        }


@dataclass(frozen=True)
class WhatsAppTemplate:
    name: str
    language: str
    header: str | None  # text | image | video | document | location | None (no header)
    body_parameters: int


@dataclass
class MaacConfig:
    tokens: list[str]
    settings: dict[int, PnpSetting]  # maps pnp_setting_id -> setting
    templates: list[WhatsAppTemplate]
    webhook_url: str | None = None
    share_secret: str = DEFAULT_SHARE_SECRET
    report_whatsapp_as: ReportStyle = "pnp"
    waba_id: str | None = None  # WABA of the account's WhatsApp channel; None: the first Meta business's
    push_rate: float = 170.0
    multicast_rate: float = 10.0

    @classmethod
    def from_section(cls, raw: dict[str, Any]) -> MaacConfig:
        webhook = raw.get("webhook") or {}
        limits = raw.get("rate_limits") or {}
        settings = [PnpSetting(**item) for item in raw.get("pnp_settings") or DEFAULT_SETTINGS]
        templates = [
            WhatsAppTemplate(t["name"], t.get("language", "en"), t.get("header"), int(t.get("body_parameters", 0)))
            for t in raw.get("whatsapp_templates") or DEFAULT_TEMPLATES
        ]
        return cls(
            tokens=list(raw.get("tokens") or [DEFAULT_TOKEN]),
            settings={s.id: s for s in settings},
            templates=templates,
            webhook_url=webhook.get("url"),
            share_secret=webhook.get("share_secret") or DEFAULT_SHARE_SECRET,
            report_whatsapp_as=raw.get("report_whatsapp_as", "pnp"),
            waba_id=str(raw["waba_id"]) if raw.get("waba_id") else None,
            push_rate=float(limits.get("push", 170)),
            multicast_rate=float(limits.get("multicast", 10)),
        )

    def webhook_json(self) -> dict[str, Any]:
        return {"url": self.webhook_url, "share_secret": self.share_secret, "topics": ["pnp.status_updated"]}
