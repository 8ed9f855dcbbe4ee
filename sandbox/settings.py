"""Settings from command-line flags and ``SANDBOX_*`` environment variables (flags win)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "default.yaml"


def _packaged_default() -> str:
    """The repo's scenarios/default.yaml, or the copy shipped inside the package when installed."""
    if DEFAULT_SCENARIO.exists():
        return str(DEFAULT_SCENARIO)
    return str(Path(__file__).resolve().parent / "scenarios" / "default.yaml")


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    scenario: str = field(default_factory=_packaged_default)
    scenarios_dir: str | None = None  # more scenario files offered by the control API; default: beside `scenario`
    public_url: str | None = None  # base URL the sandbox puts in media URLs and paging links
    clock: str = "real"  # real | manual
    clock_speed: float = 1.0
    seed: str | None = None  # seeds ids and randomness; None = the scenario's seed or 0
    meta_webhook_url: str | None = None
    webhook_max_attempts: int = 10
    webhook_base_delay: float = 1.0
    webhook_horizon: float = 36 * 3600.0
    webhook_timeout: float = 10.0
    verify_webhooks: bool = True  # perform Meta's GET handshake when a webhook URL is registered
    max_body_bytes: int = 4 * 1024 * 1024
    max_messages: int = 100_000
    log_level: str = "info"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"SANDBOX_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"


def _coerce(type_name: Any, raw: str) -> Any:
    text = str(type_name)
    if text.startswith("int"):
        return int(raw)
    if text.startswith("float"):
        return float(raw)
    if text.startswith("bool"):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw
