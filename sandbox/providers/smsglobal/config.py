"""SMSGlobal configuration from the scenario's top-level ``smsglobal:`` section (docs/smsglobal.md).

```yaml
smsglobal:
  accounts:                       # the first account is the default one
    - key: sandbox-key            # API key (MAC id) and secret
      secret: sandbox-secret
      balance: 1000               # credit balance, in `currency`
      currency: AUD
      price_per_part: 0.05        # charged per SMS part per destination
      origin: SMSGlobal           # default origin when a send gives none
      number: "61400000000"       # the dedicated number MO (SMS and WhatsApp) arrive at
      timezone: UTC               # "account time" of dateTime fields and date filters
      notifyUrl: null             # default DLR URL when a send gives none
      incomingUrl: null           # default MO URL when a send gives none
      callback_format: form       # form | json | xml: body of notifyUrl / incomingUrl posts
  auth: {window_seconds: 300, check_nonce: true, check_timestamp: true, strict: false, failure_status: 401}
  whatsapp:
    opt_in: [{number: "61400000001", name: Ana, capable: true, blacklist: false}]
    capable_by_default: true      # a number missing from opt_in is WhatsApp-capable
    require_opt_in: false         # refuse sends to numbers not in the opt-in list
    fetch_media: true             # fetch media links and check their type and size
    media_timeout: 5
  opt_outs: ["61400000099"]       # SMS opt-out list
```
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from sandbox.core.errors import ScenarioError

DEFAULT_ACCOUNT: dict[str, Any] = {
    "key": "sandbox-key",
    "secret": "sandbox-secret",
    "balance": 1000.0,
    "currency": "AUD",
    "price_per_part": 0.05,
    "origin": "SMSGlobal",
    "number": "61400000000",
    "timezone": "UTC",
    "notifyUrl": None,
    "incomingUrl": None,
    "callback_format": "form",
}


@dataclass
class Account:
    key: str
    secret: str
    balance: float  # what is left, in `currency`; drops per SMS part sent
    currency: str
    price_per_part: float
    origin: str
    number: str  # the account's dedicated number: where MO arrive, the origin of WhatsApp sends
    timezone: str
    notify_url: str | None
    incoming_url: str | None
    callback_format: str

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "secret": self.secret,
            "balance": self.balance,
            "currency": self.currency,
            "origin": self.origin,
            "number": self.number,
            "timezone": self.timezone,
            "notifyUrl": self.notify_url,
            "incomingUrl": self.incoming_url,
            "callback_format": self.callback_format,
        }


@dataclass(frozen=True)
class AuthOptions:
    window_seconds: float = 300.0
    check_nonce: bool = True
    check_timestamp: bool = True
    strict: bool = False
    failure_status: int = 401  # UNCONFIRMED: v1 clients expect 401, the PHP v2 SDK maps 403


@dataclass
class OptIn:
    number: str
    name: str
    capable: bool = True
    blacklist: bool = False  # the user blocked notifications

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "number": self.number, "capable": self.capable, "blacklist": self.blacklist}


@dataclass
class WhatsAppOptions:
    opt_in: list[OptIn] = field(default_factory=list)
    capable_by_default: bool = True
    require_opt_in: bool = False
    fetch_media: bool = True
    media_timeout: float = 5.0


@dataclass
class SmsglobalConfig:
    accounts: dict[str, Account]  # maps API key -> account, the default first
    auth: AuthOptions
    whatsapp: WhatsAppOptions
    opt_outs: list[str]

    @classmethod
    def parse(cls, section: dict[str, Any]) -> SmsglobalConfig:
        accounts: dict[str, Account] = {}
        for raw in section.get("accounts") or [DEFAULT_ACCOUNT]:
            merged = {**DEFAULT_ACCOUNT, **{k: v for k, v in raw.items() if v is not None}}
            account = Account(
                key=str(merged["key"]),
                secret=str(merged["secret"]),
                balance=float(merged["balance"]),
                currency=str(merged["currency"]),
                price_per_part=float(merged["price_per_part"]),
                origin=str(merged["origin"]),
                number=str(merged["number"]).lstrip("+"),
                timezone=str(merged["timezone"]),
                notify_url=merged.get("notifyUrl"),
                incoming_url=merged.get("incomingUrl"),
                callback_format=str(merged["callback_format"]),
            )
            _check_timezone(account.timezone)
            accounts[account.key] = account
        wa = section.get("whatsapp") or {}
        opt_in = [
            OptIn(
                number=str(o["number"]).lstrip("+"),
                name=str(o.get("name", "")),
                capable=bool(o.get("capable", True)),
                blacklist=bool(o.get("blacklist", False)),
            )
            for o in wa.get("opt_in", [])
        ]
        whatsapp = WhatsAppOptions(
            opt_in=opt_in,
            capable_by_default=bool(wa.get("capable_by_default", True)),
            require_opt_in=bool(wa.get("require_opt_in", False)),
            fetch_media=bool(wa.get("fetch_media", True)),
            media_timeout=float(wa.get("media_timeout", 5.0)),
        )
        auth = AuthOptions(**(section.get("auth") or {}))
        opt_outs = [str(n).lstrip("+") for n in section.get("opt_outs", [])]
        return cls(accounts=accounts, auth=auth, whatsapp=whatsapp, opt_outs=opt_outs)

    def default_account(self) -> Account:
        return next(iter(self.accounts.values()))

    def secret_for(self, key: str) -> str | None:
        account = self.accounts.get(key)
        return account.secret if account else None


def _check_timezone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ScenarioError(f"smsglobal.accounts: unknown timezone {name!r} (use an IANA name such as UTC)") from exc
