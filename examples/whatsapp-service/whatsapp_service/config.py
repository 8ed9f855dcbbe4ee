"""Configuration from environment variables: the only place the service learns where Meta is."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(RuntimeError):
    pass


REQUIRED = ("WHATSAPP_TOKEN", "PHONE_NUMBER_ID", "WABA_ID", "APP_SECRET", "VERIFY_TOKEN")


@dataclass(frozen=True)
class Config:
    graph_api_base: str  # e.g. https://graph.facebook.com/v23.0 (or a sandbox: http://127.0.0.1:8080/v23.0)
    whatsapp_token: str  # system-user access token, sent as "Authorization: Bearer ..."
    phone_number_id: str  # the business number messages are sent from
    waba_id: str  # the WhatsApp Business Account that owns the templates
    app_secret: str  # signs webhook POSTs (X-Hub-Signature-256)
    verify_token: str  # echoed in the webhook GET handshake
    api_token: str | None = None  # when set, our own API requires "Authorization: Bearer <api_token>"
    database_path: str = ":memory:"  # SQLite file; ":memory:" keeps everything in the process
    template_page_size: int = 100  # `limit` when paging through /{waba_id}/message_templates
    host: str = "0.0.0.0"
    port: int = 8000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        missing = [name for name in REQUIRED if not env.get(name)]
        if missing:
            raise ConfigError(f"missing environment variable(s): {', '.join(missing)}")
        return cls(
            graph_api_base=env.get("GRAPH_API_BASE", "https://graph.facebook.com/v23.0").rstrip("/"),
            whatsapp_token=env["WHATSAPP_TOKEN"],
            phone_number_id=env["PHONE_NUMBER_ID"],
            waba_id=env["WABA_ID"],
            app_secret=env["APP_SECRET"],
            verify_token=env["VERIFY_TOKEN"],
            api_token=env.get("API_TOKEN") or None,
            database_path=env.get("DATABASE_PATH", ":memory:"),
            template_page_size=int(env.get("TEMPLATE_PAGE_SIZE", "100")),
            host=env.get("HOST", "0.0.0.0"),
            port=int(env.get("PORT", "8000")),
        )
