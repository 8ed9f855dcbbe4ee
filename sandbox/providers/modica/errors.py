"""Modica errors: the catalogue (data) and the one renderer per API family.

Codes and descriptions from the REST v1/v2 error tables (reference C1/C2; Optus white-label copy,
api-evangelist/optus ``errors/optus-error-codes.yml``). HTTP statuses of the word codes are
UNCONFIRMED (the tables give none): 400 for every request fault, as Modica's SOAP table does.

Wire shapes:
- REST v1: ``{"error": code, "error-desc": text}``, the shape go-modica's tests parse. The Swagger's
  ``DefaultError {code, message}`` is not what client code reads (reference C1 recommends this one).
- REST v2: ``{"message", "statusCode", "error"}`` (provider OpenAPI ``ApiErrorResponse``; both strings
  must match ``^[-_ a-zA-Z0-9]+$``, so punctuation is folded to spaces).
- WhatsApp (WAB): ``{"error", "message", "statusCode"}`` as the code-samples page's 400 shows it (its
  ``message`` reads "Whatsapp Cloud API error" there; the sandbox's says what is wrong), the REST v2
  shape's fields. ``POST /rest/wab/v1/media`` answers a refused field as the page's 422
  ``{"errors": [{"field", "code", "description"}]}`` (``unprocessable`` below); its other errors
  (401, 413, 429, a missing file) keep the WAB shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from sandbox.core.errors import SandboxError

Api = Literal["v1", "v2", "wab", "wab_media"]


@dataclass(frozen=True)
class Entry:
    http_status: int
    description: str


# code -> (HTTP status, description as Modica's error table words it)
CATALOGUE: dict[str, Entry] = {
    "send_failed": Entry(400, "Could not queue message due to an unknown error"),
    "invalid_json": Entry(400, "Invalid JSON data in the request body"),
    "missing_attrib": Entry(400, "Missing a required attribute"),
    "invalid_attrib": Entry(400, "Invalid attribute value"),
    "broadcast_limit": Entry(400, "Broadcast limit has been exceeded"),
    "400": Entry(400, "Invalid scheduled timestamp (must be RFC3339)"),
    "401": Entry(401, "Missing or incorrect credentials, or no permission to access the API"),
    "403": Entry(403, "Forbidden"),  # sandbox cross-site checks (docs/security.md)
    "404": Entry(404, "Not Found"),
    "405": Entry(405, "Method not allowed: only GET and POST are used"),
    "413": Entry(413, "Request body too large"),
    "422": Entry(422, "Invalid scheduled timestamp (must not be in the past)"),
    "unprocessable": Entry(422, "Unprocessable Entity"),  # WAB media upload (code-samples page)
    "429": Entry(429, "Too many requests"),
    "431": Entry(431, "Request header fields too large"),  # sandbox limits (docs/reliability-fuzz.md)
    "503": Entry(503, "Service unavailable"),
    "500": Entry(500, "SMS Gateway Service error"),
}


class ModicaError(SandboxError):
    def __init__(self, code: str, detail: str | None = None, *, http_status: int | None = None,
                 retry_after: float | None = None, field: tuple[str, str] | None = None) -> None:
        entry = CATALOGUE.get(code, CATALOGUE["send_failed"])
        self.code = code
        self.field = field  # (field, what is wrong with it: required | invalid) of an `unprocessable` error
        self.detail = detail or entry.description
        self.http_status = http_status or entry.http_status
        self.retry_after = retry_after
        super().__init__(f"{code}: {self.detail}")

    @property
    def description(self) -> str:
        return CATALOGUE.get(self.code, CATALOGUE["send_failed"]).description


def missing(attribute: str) -> ModicaError:
    return ModicaError("missing_attrib", f"Missing required {attribute} attribute")


def invalid(attribute: str, why: str) -> ModicaError:
    return ModicaError("invalid_attrib", f"Invalid {attribute} attribute: {why}")


_V2_UNSAFE = re.compile(r"[^-_ a-zA-Z0-9]+")


def _v2_safe(text: str, limit: int) -> str:
    return re.sub(r" {2,}", " ", _V2_UNSAFE.sub(" ", text)).strip()[:limit]


def render_error(api: Api, error: ModicaError) -> dict[str, Any]:
    if api == "v1":
        return {"error": error.code, "error-desc": error.detail}
    if api == "wab_media" and error.code == "unprocessable":
        field, code = error.field or ("", "")
        return {"errors": [{"field": field, "code": code, "description": error.detail}]}
    text = f"{error.code} - {error.detail}"
    if api == "v2":
        return {"message": _v2_safe(error.description, 200), "statusCode": error.http_status, "error": _v2_safe(text, 500)}
    return {"message": error.description, "statusCode": error.http_status, "error": text}
