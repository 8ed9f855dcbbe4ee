"""SMS+ push and multicast bodies -> neutral commands, checked as maac-openapi.md "單則 (Push)" says.

Every rejection is a text/plain 400 (errors.py). Checked in request order: ``pnp_setting_id``,
``data``, the setting exists, then the contact's fields. Wordings: ``xxx field is required`` and
``this value does not match the required pattern`` are MAAC's; type errors are UNCONFIRMED and say
what to send instead.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from sandbox.core import jsonbody
from sandbox.core.params import whole_number
from sandbox.providers.maac.config import MaacConfig, PnpSetting
from sandbox.providers.maac.errors import MaacError, text_error

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")  # "64 個小寫十六進位字元"
MULTICAST_MAX = 150
HEADER_TYPES = ("text", "image", "video", "document", "location")
COORDINATES = (("latitude", 90), ("longitude", 180))
# Header parameter object: which fields each type needs (maac-openapi.md, v1.1.47 media support).
HEADER_REQUIRED: dict[str, tuple[str, ...]] = {
    "text": ("text",),
    "document": ("filename",),
    "location": ("latitude", "longitude", "name", "address"),
}


@dataclass
class Contact:
    phone_number: str  # as sent: E.164 or SHA-256 hex of the E.164 number
    pnp: dict[str, Any]
    sms: dict[str, Any]
    customized_id: str | None = None
    whatsapp: dict[str, Any] | None = None

    @property
    def hashed(self) -> bool:
        return not self.phone_number.startswith("+")


@dataclass
class PushCommand:
    setting: PnpSetting
    event_id: int | None
    contacts: list[Contact]


def parse_json(raw: bytes) -> Any:
    if not raw.strip():
        raise text_error("field_required", "pnp_setting_id")
    try:
        return jsonbody.loads(raw)
    except json.JSONDecodeError as exc:
        raise text_error("invalid", f"JSON parse error - {exc}") from exc


def parse_push(body: Any, config: MaacConfig) -> PushCommand:
    setting, event_id = _envelope(body, config)
    data = body["data"]
    if not isinstance(data, dict):
        raise text_error("invalid", "data: expected an object with phone_number, pnp and sms")
    contact = _contact(data, setting, whatsapp=True)
    if contact.whatsapp is None and not setting.fallback_enabled:
        raise text_error("field_required", "whatsapp")  # nothing else could carry the message
    return PushCommand(setting, event_id, [contact])


def parse_multicast(body: Any, config: MaacConfig) -> PushCommand:
    """Multicast: up to 150 contacts, no WhatsApp and no LINE push ("此 API 不支援發送 LINE 訊息")."""
    setting, event_id = _envelope(body, config)
    if not setting.fallback_enabled:
        raise text_error("invalid", "this pnp setting has SMS disabled, and multicast cannot send WhatsApp")
    data = body["data"]
    if not isinstance(data, list) or not data:
        raise text_error("invalid", "data: expected a non-empty array of contacts")
    if len(data) > MULTICAST_MAX:
        raise text_error("too_many", str(MULTICAST_MAX))
    contacts = []
    for item in data:
        if not isinstance(item, dict):
            raise text_error("invalid", "data: each contact is an object with phone_number, pnp and sms")
        contacts.append(_contact(item, setting, whatsapp=False))
    return PushCommand(setting, event_id, contacts)


def _envelope(body: Any, config: MaacConfig) -> tuple[PnpSetting, int | None]:
    if not isinstance(body, dict):
        raise text_error("invalid", "the request body must be a JSON object")
    for name in ("pnp_setting_id", "data"):
        if body.get(name) is None:
            raise text_error("field_required", name)
    setting_id = _integer(body["pnp_setting_id"], "pnp_setting_id")
    event_id = None if body.get("event_id") is None else _integer(body["event_id"], "event_id")
    setting = config.settings.get(setting_id)
    if setting is None:
        raise text_error("setting_not_found")
    return setting, event_id


def _integer(value: Any, name: str) -> int:
    number = None if isinstance(value, bool) or not isinstance(value, int | str) else whole_number(str(value).strip())
    if number is None:
        raise text_error("invalid", f"{name}: a valid integer is required")
    return number


def _contact(data: dict[str, Any], setting: PnpSetting, *, whatsapp: bool) -> Contact:
    for name in ("phone_number", "pnp", "sms"):
        if data.get(name) is None:
            raise text_error("field_required", name)
    phone = data["phone_number"]
    if not isinstance(phone, str) or not (E164.match(phone) or SHA256_HEX.match(phone)):
        raise text_error("pattern")
    if SHA256_HEX.match(phone) and setting.fallback_enabled:
        # "SHA256 雜湊格式僅在簡訊+ 範本 (PNP setting) 停用簡訊功能時才可使用"
        raise text_error("pattern")
    for name in ("pnp", "sms"):
        if not isinstance(data[name], dict):
            raise text_error("invalid", f"{name}: expected an object of template variables")
    _require_variables(data["pnp"], setting.parameters if setting.pnp_enabled else [])
    _require_variables(data["sms"], setting.sms_parameters if setting.fallback_enabled else [])
    customized_id = data.get("customized_id")
    if customized_id is not None and not isinstance(customized_id, str):
        raise text_error("invalid", "customized_id: a valid string is required")
    wa = data.get("whatsapp") if whatsapp else None
    if wa is not None:
        if not setting.whatsapp_enabled:
            raise text_error("whatsapp_disabled")
        _check_whatsapp(wa)
    return Contact(phone, data["pnp"], data["sms"], customized_id, wa)


def _require_variables(given: dict[str, Any], names: list[str]) -> None:
    for name in names:
        if given.get(name) in (None, ""):
            raise text_error("field_required", name)


def _check_whatsapp(wa: Any) -> None:
    if not isinstance(wa, dict):
        raise text_error("invalid", "whatsapp: expected an object with template_name, language and template_data")
    for name in ("template_name", "language", "template_data"):
        if wa.get(name) in (None, ""):
            raise text_error("field_required", name)
    if not isinstance(wa["template_name"], str) or not isinstance(wa["language"], str):
        raise text_error("invalid", "template_name and language must be strings")
    data = wa["template_data"]
    if not isinstance(data, dict):
        raise text_error("invalid", "template_data: expected an object with header and body")
    params: dict[str, list[Any]] = {}
    for part in ("header", "body"):
        section = data.get(part) or {}
        if not isinstance(section, dict) or not isinstance(section.get("parameters", []), list):
            raise text_error("invalid", f"template_data.{part}: expected an object with a parameters array")
        params[part] = section.get("parameters", [])
    if not all(isinstance(p, str) for p in params["body"]):
        raise text_error("invalid", "template_data.body.parameters: each parameter is a string")
    for param in params["header"]:
        _check_header_parameter(param)


def _check_header_parameter(param: Any) -> None:
    if isinstance(param, str):
        return
    if not isinstance(param, dict):
        raise text_error("invalid", "template_data.header.parameters: each parameter is a string or an object")
    kind = param.get("type")
    if kind not in HEADER_TYPES:
        raise text_error("invalid", f'type: "{kind}" is not a valid choice; use one of {", ".join(HEADER_TYPES)}')
    for name in HEADER_REQUIRED.get(kind, ()):
        if param.get(name) in (None, ""):
            raise text_error("field_required", name)
    if kind in ("image", "video", "document") and not (param.get("media_id") or param.get("media_url")):
        raise text_error("field_required", "media_id")
    if kind == "location":
        for name, bound in COORDINATES:
            _check_coordinate(param[name], name, bound)


def _check_coordinate(value: Any, name: str, bound: int) -> None:
    """A number or a numeric string (the seed sends ``"25.00000000000000"``), within [-bound, bound]. Wordings are
    Django REST framework's DecimalField/FloatField ones (UNCONFIRMED: the doc shows none)."""
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise text_error("invalid", f"{name}: A valid number is required.")
    if not -bound <= number <= bound:
        raise text_error("invalid", f"{name}: Ensure this value is {'greater' if number < 0 else 'less'} than or equal to "
                                    f"{-bound if number < 0 else bound}.")


__all__ = ["Contact", "MaacError", "PushCommand", "parse_json", "parse_multicast", "parse_push"]
