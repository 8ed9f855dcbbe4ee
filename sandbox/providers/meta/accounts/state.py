"""What a business sets on its numbers and WABAs through Graph, besides media and templates: the
business profile, registration and verification, the blocklist, conversational automation, QR codes,
number settings, the apps subscribed to a WABA and its Flows. Data only (LocalStack-style); the HTTP
handlers live in the modules that route them (business_profile.py, registration.py, block_users.py,
subscribed_apps.py, qr_codes.py, number_settings.py, flow_routes.py).

With ``--data-dir`` all of it is kept (``to_json``/``load_json``, snapshot ``meta.accounts`` in
sandbox/persist.py); ``POST /_sandbox/reset`` starts every number over registered, with the default
profile, an empty blocklist and the sandbox app subscribed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.flows.model import Flow

# The sandbox plays one Meta app; its id and name are what subscribed_apps answers (UNCONFIRMED values).
SANDBOX_APP = {"id": "300000000000001", "name": "wa-sandbox", "link": "https://www.facebook.com/games/?app_id=300000000000001"}


@dataclass
class BlockedUser:
    input: str  # what the business sent ("+1 555..." or a BSUID)
    wa_id: str | None  # answered when blocked by phone number
    user_id: str | None  # answered when blocked by BSUID
    number: str | None  # the person's digits, when known: a send by number or by BSUID matches on it


@dataclass
class NumberAccount:
    profile: dict[str, Any]  # maps whatsapp_business_profile field -> value (messaging_product excluded)
    registered: bool = True
    pin: str | None = None  # two-step verification PIN, set by the first register
    pending_code: str | None = None  # the code request_code "sent", until verify_code
    code_verification_status: str = "VERIFIED"
    blocked: dict[str, BlockedUser] = field(default_factory=dict)  # maps digits (or unknown BSUID) -> block
    automation: dict[str, Any] = field(default_factory=lambda: {"enable_welcome_message": False})
    override_callback_uri: str | None = None  # POST /{phone_number_id} webhook_configuration
    # maps QR code -> {prefilled_message, creation_time}, oldest first (qr_codes.py); replaced, never edited
    qr_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # maps /settings feature -> what was set (number_settings.py)
    # display name (display_name.py): the name approved through Graph, and the last new_display_name request
    verified_name: str | None = None  # None: the scenario's verified_name
    name_status: str = "APPROVED"
    new_display_name: str | None = None
    new_name_status: str | None = None  # PENDING_REVIEW, APPROVED or DECLINED
    name_review_due: float | None = None  # virtual time the pending request is decided (a restart resumes it)
    name_requests: list[float] = field(default_factory=list)  # when each request was made (10 per 30 days)

    def blocks(self, user: str) -> bool:
        """``user``: a recipient's digits, or the BSUID of a person the sandbox cannot place (the same
        keys ``blocked`` uses, so a send by number or by BSUID finds a block made either way)."""
        return user in self.blocked

    def check_can_send(self, user: str) -> None:
        """Every send from this number: registered (registration.py) and ``user`` not blocked (block_users.py)."""
        if not self.registered:
            raise MetaError(133010, "This phone number is not registered with Cloud API. Register it with POST /{phone_number_id}/register.")
        if self.blocks(user):
            # UNCONFIRMED code: Meta's block-users page says only that the attempt "returns an error".
            raise MetaError(131026, "Message Undeliverable: this business has blocked the recipient; unblock them with DELETE /{phone_number_id}/block_users.")


@dataclass
class WabaAccount:
    subscribed: bool = True  # the sandbox app receives this WABA's webhooks
    override_callback_uri: str | None = None
    flows: dict[str, Flow] = field(default_factory=dict)  # maps flow id -> Flow, oldest first (flows.py)


class Accounts:
    """Per-number and per-WABA state, created on first use with Meta-like defaults."""

    def __init__(self) -> None:
        self._numbers: dict[str, NumberAccount] = {}  # maps phone_number_id -> account
        self._wabas: dict[str, WabaAccount] = {}  # maps waba_id -> account

    def number(self, phone_number_id: str) -> NumberAccount:
        found = self._numbers.get(phone_number_id)
        if found is None:
            found = self._numbers[phone_number_id] = NumberAccount(profile=default_profile())
        return found

    def waba(self, waba_id: str) -> WabaAccount:
        found = self._wabas.get(waba_id)
        if found is None:
            found = self._wabas[waba_id] = WabaAccount()
        return found

    def webhook_url(self, business: MetaBusiness) -> str | None:
        """Where Meta sends this number's webhooks (Meta's webhook-override page): nowhere while no app is
        subscribed to the WABA; else the number's override, the WABA's override, then the app's URL."""
        waba = self.waba(business.waba_id)
        if not waba.subscribed:
            return None
        return self.number(business.phone_number_id).override_callback_uri or waba.override_callback_uri or business.webhook_url

    def webhook_configuration(self, business: MetaBusiness) -> dict[str, str]:
        """``GET /{phone_number_id}?fields=webhook_configuration``: the URL at each level that has one."""
        levels = {
            "phone_number": self.number(business.phone_number_id).override_callback_uri,
            "whatsapp_business_account": self.waba(business.waba_id).override_callback_uri,
            "application": business.webhook_url,
        }
        return {k: v for k, v in levels.items() if v}

    def reset(self) -> None:
        self._numbers.clear()
        self._wabas.clear()

    # --- --data-dir snapshot ----------------------------------------------------------------------
    def revision(self) -> list[Any]:
        """A cheap fingerprint, compared after every request: the snapshot is rewritten when it changes.
        Shallow copies suffice, since the handlers assign new values and never change nested ones."""
        numbers = [(key, a.registered, a.pin, a.pending_code, a.code_verification_status, a.override_callback_uri,
                    dict(a.profile), dict(a.automation), list(a.blocked.values()), dict(a.qr_codes), dict(a.settings),
                    a.verified_name, a.name_status, a.new_display_name, a.new_name_status, a.name_review_due, tuple(a.name_requests))
                   for key, a in self._numbers.items()]
        return [numbers, [(key, w.subscribed, w.override_callback_uri, dict(w.flows)) for key, w in self._wabas.items()]]

    def to_json(self) -> dict[str, Any]:
        return {"numbers": {key: asdict(a) for key, a in self._numbers.items()},
                "wabas": {key: asdict(w) for key, w in self._wabas.items()}}

    def load_json(self, raw: dict[str, Any]) -> None:
        self._numbers = {key: _number_account(item) for key, item in raw.get("numbers", {}).items()}
        self._wabas = {key: _waba_account(item) for key, item in raw.get("wabas", {}).items()}


def _number_account(item: dict[str, Any]) -> NumberAccount:
    blocked = {key: BlockedUser(**_known(BlockedUser, b)) for key, b in item.get("blocked", {}).items()}
    return NumberAccount(**{**_known(NumberAccount, item), "blocked": blocked})


def _waba_account(item: dict[str, Any]) -> WabaAccount:
    flows = {key: Flow(**_known(Flow, f)) for key, f in item.get("flows", {}).items()}
    return WabaAccount(**{**_known(WabaAccount, item), "flows": flows})


def _known(cls: Any, item: dict[str, Any]) -> dict[str, Any]:
    """The saved fields ``cls`` still has (a snapshot from another version may carry more or fewer)."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in item.items() if key in names}


def default_profile() -> dict[str, Any]:
    """A fresh number's profile: only ``about`` and ``vertical`` are set (UNCONFIRMED defaults; a number
    registered through WhatsApp Manager starts with "Hey there! I am using WhatsApp." as its About)."""
    return {"about": "Hey there! I am using WhatsApp.", "vertical": "UNDEFINED"}
