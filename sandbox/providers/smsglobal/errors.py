"""SMSGlobal errors: the catalogue (data) and the one function that builds the wire body.

Shapes (reference providers.md §A5):
- 400 validation: ``{"errors": {field: {"errors": [message, ...]}}}`` [C] (Node README and tests).
- 401: ``{"error": message}`` [C] for v1 clients (``RestApiClient::handleStatusCode`` reads ``->error``).
- every other status: ``{"code": status, "message": message}``, the body the Go SDK's ``checkResponse``
  parses ("possible case is when 404 returned") and the shape of the FOSRest exception controller the
  Nelmio-documented v2 API runs on. UNCONFIRMED beyond 404: the sandbox's choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sandbox.core.errors import SandboxError

Shape = Literal["errors", "error", "code"]


@dataclass(frozen=True)
class CatalogueEntry:
    shape: Shape
    reason: str  # HTTP reason phrase
    default_message: str


# Response codes of the seed's table, plus 402 (PHP v2 SDK: PaymentRequiredException) and 403.
CATALOGUE: dict[int, CatalogueEntry] = {
    400: CatalogueEntry("errors", "Bad Request", "Your request contained invalid or missing data"),
    401: CatalogueEntry("error", "Unauthorized", "Authentication failed"),
    402: CatalogueEntry("code", "Payment Required", "Insufficient credit balance"),
    403: CatalogueEntry("code", "Forbidden", "Forbidden"),
    404: CatalogueEntry(
        "code",
        "Not Found",
        "The URI does not match any of the recognised resources, or the resource with this ID does not exist",
    ),
    405: CatalogueEntry("code", "Method Not Allowed", "The HTTP request method is not allowed for this resource"),
    406: CatalogueEntry("code", "Not Acceptable", "The Accept header asks for a format the API cannot serve"),
    413: CatalogueEntry("code", "Request Entity Too Large", "The request body is too large"),
    415: CatalogueEntry("code", "Unsupported Media Type", "The Content-Type of the request body is not supported"),
    500: CatalogueEntry("code", "Internal Server Error", "The sandbox hit an unexpected error; see its log."),
}


class SmsglobalError(SandboxError):
    """An HTTP error in SMSGlobal's shape. ``fields`` only for 400 (field -> messages); ``shape`` overrides
    the status's usual body shape."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        shape: Shape | None = None,
    ) -> None:
        entry = CATALOGUE.get(status, CATALOGUE[500])
        self.shape: Shape = shape or entry.shape  # OTP's 400s are {"error": …} (Node SDK test), not {"errors": …}
        self.status = status
        self.message = message or entry.default_message
        self.fields = fields or {}
        self.headers = headers or {}
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        shape = self.shape
        if shape == "errors":
            fields = self.fields or {"request": [self.message]}
            return {"errors": {name: {"errors": list(msgs)} for name, msgs in fields.items()}}
        if shape == "error":
            return {"error": self.message}
        return {"code": self.status, "message": self.message}


def invalid(field: str, message: str) -> SmsglobalError:
    """One 400 validation error on ``field``."""
    return SmsglobalError(400, fields={field: [message]})


class FieldErrors:
    """Collects every validation message of a request, so one 400 names all of them."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise SmsglobalError(400, fields=self.fields)
