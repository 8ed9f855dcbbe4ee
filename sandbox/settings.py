"""Settings from command-line flags and ``SANDBOX_*`` environment variables (flags win)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sandbox.core.link_policy import LinkPolicy, parse_link_policy

CHECKOUT_SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
INSTALLED_SCENARIOS = Path(sys.prefix) / "share" / "wa-sandbox" / "scenarios"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def bundled_scenarios() -> Path:
    """The scenarios folder of a checkout (editable install), else the copy pip installed as data."""
    for folder in (CHECKOUT_SCENARIOS, INSTALLED_SCENARIOS):
        if (folder / "default.yaml").exists():
            return folder
    return CHECKOUT_SCENARIOS


def _packaged_default() -> str:
    return str(bundled_scenarios() / "default.yaml")


def resolve_scenario(value: str) -> str:
    """A scenario file as given, or a bare name (``india-shop``) of a bundled scenario: a pip-installed
    sandbox keeps them under <prefix>/share, a path nobody types."""
    path = Path(value)
    if path.exists() or path.suffix or len(path.parts) != 1:
        return value
    bundled = bundled_scenarios() / f"{value}.yaml"
    return str(bundled) if bundled.exists() else value


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
    max_header_bytes: int = 32 * 1024  # all request headers together; past it a provider-shaped 431
    max_concurrent_requests: int = 1024  # provider requests in flight; past it a provider-shaped 503
    max_messages: int = 100_000
    webhook_backlog: int = 10_000  # pending webhook deliveries held in memory; more spill to disk in order
    webhook_log: int = 10_000  # finished webhook deliveries kept with their attempts (GET /_sandbox/webhooks)
    # serve: webhook HTTP posts in one child process shared by every workspace (core/delivery_process.py);
    # None (auto, "auto" in SANDBOX_DELIVERY_PROCESS): `serve` turns it on where the CPUs make it pay
    # (delivery_process.pays_on, measured in docs/bench.md); an app built without `serve` (the pytest plugin) leaves it off
    delivery_process: bool | None = None
    data_dir: str | None = None  # keep journal, media, templates, scenario state, pending webhooks in SQLite here
    data_dir_recover: bool = False  # start from what a damaged data dir still holds, and log what was lost
    media_dir: str | None = None  # where uploaded/fetched media bytes live; None = a temporary folder
    media_max_bytes: int = 512 * 1024 * 1024  # media storage cap; the oldest media are evicted past it
    media_url_ttl: float = 300.0  # seconds a media download URL stays valid (Meta: 5 minutes)
    media_fetch_links: str | bool = "auto"  # which hosts media `link`s may be fetched from (core/link_policy.py); off: none
    media_fetch_timeout: float = 5.0  # real seconds for one link fetch
    gc_freeze_interval: float = 30.0  # serve: freeze long-lived objects this often (0: Python's default GC)
    gc_full_interval: float = 1800.0  # serve: one full garbage collection this often (reclaims frozen cycles)
    workspace_ttl: float = 3600.0  # seconds a workspace may stay idle before it is deleted (0: never)
    max_workspaces: int = 1000  # live workspaces at most; creating one more answers 429
    log_level: str = "info"
    # Hardening (docs/security.md): who may reach the sandbox, and how long a connection may hold it.
    allowed_hosts: str = ""  # Host names besides IPs, single-label names, reserved suffixes (.localhost, .internal...); ".x.com" subdomains; "*" any
    allowed_origins: str = ""  # browser origins besides the sandbox's own allowed to call it ("http://app.test:3000"; "*" any)
    max_connections: int = 4096  # serve: open client connections, kept under the file-descriptor limit
    header_timeout: float = 10.0  # serve: seconds to receive a request's headers, from connect or its first byte
    body_timeout: float = 60.0  # serve: seconds to receive a request's body once its headers are in
    keepalive_timeout: float = 75.0  # seconds an idle keep-alive connection stays open

    def __post_init__(self) -> None:
        # Checked here, not left to where each is used: a typo in SANDBOX_CLOCK would otherwise run the real
        # clock silently, and a bad log level or speed would end `serve` in a traceback.
        self.scenario = resolve_scenario(self.scenario)
        if self.clock not in ("real", "manual"):
            raise ValueError(f"clock must be 'real' or 'manual', not {self.clock!r}")
        if not self.clock_speed > 0:
            raise ValueError(f"clock speed must be a positive number, not {self.clock_speed!r}")
        if self.log_level.upper() not in LOG_LEVELS:
            raise ValueError(f"log level must be one of {', '.join(LOG_LEVELS).lower()}, not {self.log_level!r}")
        if not 0 <= self.workspace_ttl < float("inf"):
            raise ValueError(f"workspace TTL must be a number of seconds (0: never), not {self.workspace_ttl!r}")
        if self.max_workspaces < 0:
            raise ValueError(f"max workspaces must be 0 or more, not {self.max_workspaces}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be from 0 to 65535, not {self.port}")
        for name in ("max_connections", "header_timeout", "body_timeout", "keepalive_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be a positive number, not {getattr(self, name)!r}")
        self.link_policy  # noqa: B018 - a typo in SANDBOX_MEDIA_FETCH_LINKS stops `serve` with its message

    @property
    def link_policy(self) -> LinkPolicy:
        """What media links may be fetched (``media_fetch_links`` for the bind address)."""
        return parse_link_policy(self.media_fetch_links, self.host)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"SANDBOX_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f"SANDBOX_{f.name.upper()}", f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def base_url(self) -> str:
        """The URL clients use (media URLs, paging links): the public URL when one is set."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return self.local_url

    @property
    def local_url(self) -> str:
        """The URL on this host (healthcheck): the public URL may name an address unreachable from inside."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"


def _coerce(variable: str, type_name: Any, raw: str) -> Any:
    text = str(type_name)
    try:
        if text.startswith("int"):
            return int(raw)
        if text.startswith("float"):
            return float(raw)
    except ValueError:
        raise ValueError(f"{variable}={raw!r} is not a number") from None
    if text.startswith("bool"):
        word = raw.strip().lower()
        decided_at_start = "None" in text  # a setting whose default is decided at start (delivery_process)
        if word == "auto" and decided_at_start:
            return None
        if word not in TRUE_WORDS + FALSE_WORDS:
            accepted = TRUE_WORDS + FALSE_WORDS + (("auto",) if decided_at_start else ())
            raise ValueError(f"{variable}={raw!r}: use one of {', '.join(accepted)}")
        return word in TRUE_WORDS
    return raw
