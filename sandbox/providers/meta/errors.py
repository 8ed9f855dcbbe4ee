"""Meta Graph API errors: the catalogue (data) and the one function that renders the wire envelope.

Codes, HTTP statuses and titles from ../shared/reference/meta-cloud-api.md §2.2 (Meta's error-codes page,
updated 2025-12-12). Where Meta's pages disagree (throttling: 400 vs 429) the error-codes page wins;
clients key on ``code``, not on the HTTP status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.core.boundary import never_served
from sandbox.core.errors import SandboxError


@dataclass(frozen=True)
class CatalogueEntry:
    http_status: int
    title: str
    type: str = "OAuthException"


# code -> (HTTP status, title as it appears in "(#code) title")
CATALOGUE: dict[int, CatalogueEntry] = {
    0: CatalogueEntry(401, "AuthException"),
    3: CatalogueEntry(500, "API Method"),
    4: CatalogueEntry(400, "Application request limit reached"),
    10: CatalogueEntry(403, "Permission Denied"),
    100: CatalogueEntry(400, "Invalid parameter"),
    104: CatalogueEntry(401, "An access token is required to request this resource"),
    190: CatalogueEntry(401, "Invalid OAuth access token - Cannot parse access token"),
    200: CatalogueEntry(403, "API Permission"),
    368: CatalogueEntry(403, "Temporarily blocked for policies violations"),
    80007: CatalogueEntry(400, "Rate limit issues"),
    130429: CatalogueEntry(400, "Rate limit hit"),
    130472: CatalogueEntry(400, "User's number is part of an experiment"),
    131000: CatalogueEntry(500, "Something went wrong"),
    131005: CatalogueEntry(403, "Access denied"),
    131008: CatalogueEntry(400, "Required parameter is missing"),
    131009: CatalogueEntry(400, "Parameter value is not valid"),
    131016: CatalogueEntry(500, "Service unavailable"),
    131021: CatalogueEntry(400, "Recipient cannot be sender"),
    131026: CatalogueEntry(400, "Message undeliverable"),
    131030: CatalogueEntry(400, "Recipient phone number not in allowed list"),
    131031: CatalogueEntry(403, "Account has been locked"),
    131042: CatalogueEntry(400, "Business eligibility payment issue"),
    131047: CatalogueEntry(400, "Re-engagement message"),
    131048: CatalogueEntry(400, "Spam rate limit hit"),
    131049: CatalogueEntry(400, "This message was not delivered to maintain healthy ecosystem engagement."),
    131050: CatalogueEntry(400, "User has stopped marketing messages"),
    131051: CatalogueEntry(400, "Unsupported message type"),
    131052: CatalogueEntry(400, "Media download error"),
    131053: CatalogueEntry(400, "Media upload error"),
    131056: CatalogueEntry(400, "(Business Account, Consumer Account) pair rate limit hit"),
    131057: CatalogueEntry(500, "Account in maintenance mode"),
    131062: CatalogueEntry(400, "Business-scoped User ID (BSUID) recipients are not supported for this message."),
    132000: CatalogueEntry(400, "Number of parameters does not match the expected number of params"),
    132001: CatalogueEntry(404, "Template name does not exist in the translation"),
    132005: CatalogueEntry(400, "Translated text too long"),
    132007: CatalogueEntry(400, "Template Format Character Policy Violated"),
    132012: CatalogueEntry(400, "Parameter format does not match format in the created template"),
    132015: CatalogueEntry(400, "Template is paused"),
    132016: CatalogueEntry(400, "Template is disabled"),
    133005: CatalogueEntry(400, "Two step verification PIN Mismatch"),
    133010: CatalogueEntry(400, "Account not registered"),
    135000: CatalogueEntry(400, "Generic user error"),
    # Block users (pywa errors.BulkBlockingFailed / BlockListLimitReached; Meta's block-users page).
    139100: CatalogueEntry(400, "Failed to block/unblock users"),
    139101: CatalogueEntry(400, "Blocklist limit reached"),
    # Graph's "alias does not exist"; OPENAPI message_qrdls answers it (404) for an unknown QR code.
    803: CatalogueEntry(404, "Some of the aliases you requested do not exist", "GraphMethodException"),
    # Graph: a callback URL that fails the verification handshake (subscribed_apps override).
    2200: CatalogueEntry(400, "Callback verification failed"),
    # Seed 002 "Feature Not Supported": a client that cannot show address messages.
    1026: CatalogueEntry(400, "Receiver Incapable"),
    # Flows (Meta's Flows error-codes page; pywa errors.Flow*): management, then sends of a Flow.
    139000: CatalogueEntry(400, "Blocked By Integrity"),
    139001: CatalogueEntry(400, "Flow can't be updated"),
    139002: CatalogueEntry(400, "Publishing Flow in invalid state"),
    139003: CatalogueEntry(400, "Can't deprecate unpublished flow"),
    139004: CatalogueEntry(400, "Can't delete published Flow"),
    139006: CatalogueEntry(400, "Metrics threshold is not reached"),
    132068: CatalogueEntry(400, "Flow is blocked"),
    132069: CatalogueEntry(400, "Flow is throttled"),
}

# Default `details` text for asynchronous failures (status webhooks), worded as Meta's examples.
ASYNC_DETAILS: dict[int, str] = {
    131026: "Message Undeliverable.",
    131047: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    131049: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    131050: "Unable to deliver the marketing message because the user has stopped receiving marketing messages.",
    130472: "Failed to send message because this user's phone number is part of an experiment.",
    131053: "Media upload error: the media could not be downloaded or is of an unsupported type.",
    131009: "Parameter value is not valid.",
    131000: "Something went wrong.",
    1026: "Receiver is incapable of receiving this message.",
}

ERROR_HREF = "/documentation/business-messaging/whatsapp/support/error-codes"


def title_of(code: int) -> str:
    entry = CATALOGUE.get(code)
    return entry.title if entry else "Something went wrong"


class MetaError(SandboxError):
    """A Graph API error; ``render_error`` turns it into Meta's envelope."""

    def __init__(
        self,
        code: int,
        details: str | None = None,
        *,
        message: str | None = None,
        subcode: int | None = None,
        http_status: int | None = None,
        type: str | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
    ) -> None:
        entry = CATALOGUE.get(code, CatalogueEntry(400, "Invalid parameter"))
        self.code = code
        self.details = details
        self.message = message or f"(#{code}) {entry.title}"
        self.subcode = subcode
        self.http_status = http_status or entry.http_status
        self.type = type or entry.type
        self.user_title, self.user_msg = user_title, user_msg  # Graph's error_user_title / error_user_msg
        super().__init__(self.message + (f": {details}" if details else ""))


def unsupported_request(method: str, object_id: str) -> MetaError:
    """Graph's answer for an unknown node or edge (GraphMethodException, code 100, subcode 33)."""
    return MetaError(
        100,
        message=(
            f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, cannot be loaded "
            "due to missing permissions, or does not support this operation. Please read the Graph API "
            "documentation at https://developers.facebook.com/docs/graph-api"
        ),
        subcode=33,
        type="GraphMethodException",
    )


def render_error(error: MetaError, fbtrace_id: str) -> dict[str, Any]:
    """The one place a MetaError becomes wire JSON."""
    body: dict[str, Any] = {"message": error.message, "type": error.type, "code": error.code}
    if error.details is not None:
        body["error_data"] = {"messaging_product": "whatsapp", "details": error.details}
    if error.subcode is not None:
        body["error_subcode"] = error.subcode
    if error.user_title is not None:
        body["error_user_title"] = error.user_title
    if error.user_msg is not None:
        body["error_user_msg"] = error.user_msg
    body["fbtrace_id"] = fbtrace_id
    return {"error": body}


def webhook_error(code: int, details: str | None = None) -> dict[str, Any]:
    """Error object inside a status/inbound webhook: no type/fbtrace_id, ``title`` == ``message``."""
    title = title_of(code)
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details or ASYNC_DETAILS.get(code, title)},
        "href": ERROR_HREF,
    }


# Neutral failure reasons (scenario files) -> Meta codes.
REASON_CODES = {
    "undeliverable": 131026,
    "not_whatsapp_user": 131026,
    "blocked": 131026,
    "ecosystem_engagement": 131049,
    "window_closed": 131047,
    "experiment": 130472,
    "marketing_opt_out": 131050,
    "media_error": 131053,
    "receiver_incapable": 1026,
    "invalid_parameter": 131009,
    "internal": 131000,
}
REASON_DETAILS = {
    "not_whatsapp_user": "Message Undeliverable: the recipient is not a WhatsApp user.",
    "blocked": "Message Undeliverable: the recipient has blocked this business.",
}


def http_error(status: int, method: str, path: str, reason: str, max_body_bytes: int) -> MetaError:
    """What Graph answers where no Meta handler does: an unknown path or method, a body or headers over
    the sandbox's limits, a cross-site refusal, the admission cap, a stray failure."""
    if status == 404:
        return MetaError(2500, message=f"Unknown path components: {path}", http_status=400)
    if status == 405:  # Graph's 400 for its own verbs; a method it never serves (TRACE) is a plain 405
        return MetaError(100, message=f"Unsupported {method.lower()} request.",
                         http_status=405 if never_served(method) else 400)
    if status == 413:
        return MetaError(100, f"Request body is larger than the {max_body_bytes} bytes the sandbox accepts")
    if status == 403:  # the cross-site checks (sandbox/origin.py): Graph's "Permission Denied"
        return MetaError(10, reason)
    if status == 431:  # UNCONFIRMED: Graph's answer to oversize headers is not documented
        return MetaError(100, reason, http_status=431)
    if status == 503:  # Meta's "Service unavailable"
        return MetaError(131016, reason, http_status=503)
    return MetaError(131000, reason, http_status=status)
