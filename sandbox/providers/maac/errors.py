"""MAAC errors: the catalogue (data) and the one place they become HTTP responses.

Two shapes, both from maac-openapi.md:
- SMS+ push and multicast answer ``text/plain`` bodies ("Response 400 (text/plain)": ``pnp setting not
  found``, ``xxx field is required``...; 403 ``You do not have permission to perform this action``;
  503 ``failed to emit messages``).
- The send report and settings answer Django REST framework JSON: ``{"detail": ...}`` or a map of
  field -> [messages] (the report's documented 400 body).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.core.errors import SandboxError


@dataclass(frozen=True)
class TextError:
    status: int
    text: str


# key -> (HTTP status, text/plain body); ``{field}`` is filled in.
TEXT_ERRORS: dict[str, TextError] = {
    "setting_not_found": TextError(400, "pnp setting not found"),
    "field_required": TextError(400, "{field} field is required"),
    "pattern": TextError(400, "this value does not match the required pattern"),
    "insufficient_points": TextError(400, "your SMS points are insufficient, please recharge before sending"),
    "forbidden": TextError(403, "You do not have permission to perform this action"),
    "emit_failed": TextError(503, "failed to emit messages"),
    # UNCONFIRMED wordings: the doc names no message for these, so they say what to fix.
    "invalid": TextError(400, "{field}"),
    "too_many": TextError(400, "data: ensure this field has no more than {field} elements"),
    "whatsapp_disabled": TextError(400, "whatsapp is not enabled for this pnp setting"),
}

# What a scenario rule's ``reject.code`` means for a MAAC push.
REJECT_CODES: dict[int | str, str] = {
    400: "invalid",
    403: "forbidden",
    503: "emit_failed",
    "insufficient_points": "insufficient_points",
    "emit_failed": "emit_failed",
}

FORBIDDEN_DETAIL = "You do not have permission to perform this action."


class MaacError(SandboxError):
    """An error MAAC answers with: a text/plain body (push) or a JSON body (report, settings)."""

    def __init__(self, status: int, body: str | dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body
        self.headers = headers or {}


def text_error(key: str, field: str = "") -> MaacError:
    entry = TEXT_ERRORS[key]
    return MaacError(entry.status, entry.text.format(field=field))


def detail_error(status: int, detail: str) -> MaacError:
    return MaacError(status, {"detail": detail})


def throttled(wait: float) -> MaacError:
    """UNCONFIRMED body: the doc lists 429 but shows none; DRF's throttling answer is used."""
    seconds = max(1, int(wait + 0.999))
    unit = "second" if seconds == 1 else "seconds"
    return MaacError(
        429, {"detail": f"Request was throttled. Expected available in {seconds} {unit}."}, {"Retry-After": str(seconds)}
    )


def reject_error(reject: dict[str, Any]) -> MaacError:
    """A scenario rule's synchronous rejection, e.g. ``{code: 503}`` -> 503 ``failed to emit messages``."""
    key = REJECT_CODES.get(reject["code"], "invalid")
    details = reject.get("details")
    if key == "invalid":
        return MaacError(400, details or TEXT_ERRORS["pattern"].text)
    return text_error(key)


def render(error: MaacError) -> web.Response:
    if isinstance(error.body, str):
        return web.Response(status=error.status, text=error.body, content_type="text/plain", headers=error.headers)
    return web.json_response(error.body, status=error.status, headers=error.headers)
