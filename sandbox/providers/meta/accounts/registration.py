"""``POST /{phone_number_id}/register | deregister | request_code | verify_code``.

OPENAPI (register, deregister, request_code, verify_code) and Meta's phone-numbers page. A deregistered
number cannot send: ``/messages`` answers 133010 "Account not registered" (meta-cloud-api.md §2.2) until it
registers again. The first ``register`` sets the two-step verification PIN; a later one must repeat it
(133005). ``request_code`` "sends" the fixed code ``VERIFICATION_CODE``; ``verify_code`` checks it.
"""

from __future__ import annotations

import re

from aiohttp import web

from sandbox.providers.meta.accounts.state import NumberAccount
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import authenticate, business_for, graph_handler, graph_response
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.params import graph_params, require

VERIFICATION_CODE = "123456"  # magic: the code request_code "sends" (UNCONFIRMED: real codes are random)
CODE_METHODS = {"SMS", "VOICE"}
PIN = re.compile(r"^\d{6}$")


def _account(request: web.Request) -> NumberAccount:
    token = authenticate(request)
    business = business_for(request, request.match_info["node"], token)
    return backend(request).accounts.number(business.phone_number_id)


@graph_handler
async def register(request: web.Request) -> web.StreamResponse:
    account = _account(request)
    params = await graph_params(request)
    require(params, "messaging_product")
    pin = str(require(params, "pin"))
    if not PIN.match(pin):
        raise MetaError(100, "Invalid PIN format. PIN must be exactly 6 digits")  # OPENAPI register 400 example
    if account.pin is not None and pin != account.pin:
        # Meta's error-codes page: 133005 "Two step verification PIN Mismatch" (UNCONFIRMED HTTP status 400).
        raise MetaError(133005, "The PIN does not match the two-step verification PIN set on this number.")
    account.pin, account.registered = pin, True
    return graph_response(request, {"success": True})


@graph_handler
async def deregister(request: web.Request) -> web.StreamResponse:
    account = _account(request)
    if not account.registered:
        # OPENAPI deregister 400 example "Phone number not registered on platform".
        raise MetaError(100, message="Phone number not registered on the WhatsApp Business Platform.", subcode=2207051)
    account.registered = False
    return graph_response(request, {"success": True})


@graph_handler
async def request_code(request: web.Request) -> web.StreamResponse:
    account = _account(request)
    params = await graph_params(request)
    method = str(require(params, "code_method")).upper()
    if method not in CODE_METHODS:
        raise MetaError(100, "Invalid parameter: code_method must be SMS or VOICE")  # OPENAPI 400 example
    require(params, "language")
    account.pending_code = VERIFICATION_CODE
    account.code_verification_status = "NOT_VERIFIED"  # UNCONFIRMED: verified again by verify_code
    return graph_response(request, {"success": True})


@graph_handler
async def verify_code(request: web.Request) -> web.StreamResponse:
    account = _account(request)
    params = await graph_params(request)
    code = str(require(params, "code"))
    if account.pending_code is None or code != account.pending_code:
        # OPENAPI verify_code 422 example's message, answered as Graph's usual 400 (UNCONFIRMED).
        raise MetaError(100, "The verification code is invalid or has expired. Call request_code first; the sandbox sends 123456.")
    account.pending_code, account.code_verification_status = None, "VERIFIED"
    return graph_response(request, {"success": True})
