"""SMSGlobal MXT REST API v2 route table (docs/smsglobal.md). Every path routes with and without a
trailing slash (reference §A1: the .NET SDK and the KB use ``/v2/sms/``); a known path with another
method answers 405 with ``Allow``; an unknown path under ``/v2/`` answers SMSGlobal's 404."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.core.store import Message
from sandbox.providers.smsglobal import listing, otp, render, sms, whatsapp
from sandbox.providers.smsglobal.errors import FieldErrors
from sandbox.providers.smsglobal.http import Call, Endpoint, endpoint, method_not_allowed
from sandbox.providers.smsglobal.http import render_http_error as render_http_error
from sandbox.providers.smsglobal.service import local_date
from sandbox.providers.smsglobal.wire import as_list

PATH_PREFIXES = ("/v2/",)  # not "/v2": Meta's /v23.0/... paths start with it
ID = r"{id:\d+}"
NUMBER = r"{number:\+?\d+}"
REQUEST_ID = r"{request_id:\d+}"  # OTP requestId (24 digits)
DESTINATION = r"{destination:\+?\d+}"


# --- SMS -----------------------------------------------------------------------------------------


async def send_sms(call: Call) -> web.StreamResponse:
    orders = sms.parse_send(await call.body(), call.account)
    sent = call.provider.send_sms(call.account, orders)
    now = call.provider.clock.now()
    return call.respond({"messages": [render.outgoing_sms(m, call.account, now) for m in sent]})


async def list_sms(call: Call) -> web.StreamResponse:
    q = listing.parse_query(call.request.query, call.account)
    now = call.provider.clock.now()

    def keep(m: Message) -> bool:
        return (
            (q.status is None or render.outgoing_sms(m, call.account, now)["status"].lower() == q.status.lower())
            and q.in_range(m.created_at)
            and (q.destination is None or m.user == q.destination)
            and (q.origin is None or m.meta["origin"].lstrip("+") == q.origin)
            and q.text_matches(m.user, m.meta["origin"], m.payload["message"])
        )

    page, total = listing.select(call.provider.messages(call.account, "sms", "outbound"), q, keep)
    return call.respond(q.envelope("messages", [render.outgoing_sms(m, call.account, now) for m in page], total))


async def get_sms(call: Call) -> web.StreamResponse:
    message = call.provider.outgoing_sms(call.account, call.request.match_info["id"])
    return call.respond(render.outgoing_sms(message, call.account, call.provider.clock.now()))


async def delete_sms(call: Call) -> web.StreamResponse:
    call.provider.delete(call.provider.outgoing_sms(call.account, call.request.match_info["id"]))
    return call.no_content()


async def list_sms_incoming(call: Call) -> web.StreamResponse:
    q = listing.parse_query(call.request.query, call.account)
    page, total = listing.select(call.provider.messages(call.account, "sms", "inbound"), q, _incoming_filter(q))
    return call.respond(q.envelope("messages", [render.incoming_sms(m, call.account) for m in page], total))


async def get_sms_incoming(call: Call) -> web.StreamResponse:
    message = call.provider.incoming(call.account, "sms", call.request.match_info["id"])
    return call.respond(render.incoming_sms(message, call.account))


async def delete_sms_incoming(call: Call) -> web.StreamResponse:
    call.provider.delete(call.provider.incoming(call.account, "sms", call.request.match_info["id"]))
    return call.no_content()


def _incoming_filter(q: listing.ListQuery) -> Any:
    def keep(m: Message) -> bool:
        return (
            q.in_range(m.created_at)
            and (q.destination is None or m.meta["to"] == q.destination)
            and (q.origin is None or m.user == q.origin)
            and q.text_matches(m.user, m.meta["to"], m.payload["message"])
        )

    return keep


async def credit_balance(call: Call) -> web.StreamResponse:
    return call.respond({"balance": call.account.balance, "currency": call.account.currency})


# --- OTP (Node and .NET SDK paths, reference §A4; otp.py) -----------------------------------------


async def send_otp(call: Call) -> web.StreamResponse:
    message = call.provider.send_otp(call.account, otp.parse_send(await call.body(), call.account))
    return call.respond(otp.render(message.meta["otp"], message.user, call.account))


def _otp_message(call: Call) -> Message:
    match = call.request.match_info
    if "request_id" in match:
        return call.provider.otp_by_request(call.account, match["request_id"])
    return call.provider.otp_by_destination(call.account, match["destination"])


async def get_otp(call: Call) -> web.StreamResponse:
    message = _otp_message(call)
    return call.respond(otp.render(message.meta["otp"], message.user, call.account))


async def validate_otp(call: Call) -> web.StreamResponse:
    message = _otp_message(call)
    call.provider.verify_otp(message, otp.code_of(await call.body()))
    return call.respond(otp.render(message.meta["otp"], message.user, call.account))


async def cancel_otp(call: Call) -> web.StreamResponse:
    message = _otp_message(call)
    call.provider.cancel_otp(message)
    return call.respond(otp.render(message.meta["otp"], message.user, call.account))


# --- opt-outs (.NET SDK paths, reference §A4) ------------------------------------------------------


async def list_opt_outs(call: Call) -> web.StreamResponse:
    q = listing.parse_query(call.request.query, call.account)
    entries = sorted(call.provider.opt_outs.items(), key=lambda kv: kv[1], reverse=True)
    page, total = listing.select(entries, q, lambda kv: q.text_matches(kv[0]))
    rows = [{"date": local_date(at, call.account), "number": n, "status": None} for n, at in page]
    return call.respond(q.envelope("optouts", rows, total))


async def add_opt_outs(call: Call) -> web.StreamResponse:
    numbers = _numbers(await call.body(), "optouts")
    rows = []
    for number in numbers:
        valid = sms.NUMBER.match(number) is not None
        status = call.provider.opt_out(number.lstrip("+")) if valid else "invalid"
        rows.append({"number": number, "status": status})
    return call.respond({"optouts": rows})


async def validate_opt_outs(call: Call) -> web.StreamResponse:
    rows = []
    for number in _numbers(await call.body(), "optouts"):
        if sms.NUMBER.match(number) is None:
            status = "invalid"
        else:
            status = "exist" if number.lstrip("+") in call.provider.opt_outs else "valid"
        rows.append({"number": number, "status": status})
    return call.respond({"optouts": rows})


async def remove_opt_out(call: Call) -> web.StreamResponse:
    call.provider.opt_back_in(call.request.match_info["number"].lstrip("+"))
    return call.no_content()


def _numbers(body: dict[str, Any], key: str) -> list[str]:
    """``{key: [{"number": …}, …]}`` (a bare string item is a number too, as XML may give)."""
    errors = FieldErrors()
    items = as_list(body.get(key))
    if not items:
        errors.add(key, f"{key} is required: a list of objects with a number.")
    numbers = []
    for index, item in enumerate(items):
        number = item.get("number") if isinstance(item, dict) else item
        if not isinstance(number, (str, int)) or isinstance(number, bool) or str(number) == "":
            errors.add(f"{key}[{index}].number", "number is required.")
        else:
            numbers.append(str(number))
    errors.raise_if_any()
    return numbers


# --- WhatsApp (paths are the sandbox's choice, docs/smsglobal.md) -----------------------------------


async def send_whatsapp(call: Call) -> web.StreamResponse:
    order = whatsapp.parse_send(await call.body())
    sent = call.provider.send_whatsapp(call.account, order)
    objects = [render.outgoing_whatsapp(m, call.account) for m in sent]
    return call.respond(objects[0] if len(objects) == 1 else {"messages": objects})


async def list_whatsapp(call: Call) -> web.StreamResponse:
    q = listing.parse_query(call.request.query, call.account)

    def keep(m: Message) -> bool:
        rendered = render.outgoing_whatsapp(m, call.account)
        return (
            (q.status is None or q.status.lower() in (rendered["status"].lower(), rendered["state"].lower()))
            and q.in_range(m.created_at)
            and (q.destination is None or m.user == q.destination)
            and (q.origin is None or m.meta["origin"] == q.origin)
            and q.text_matches(m.user, m.meta["origin"], rendered["message"])
        )

    page, total = listing.select(call.provider.messages(call.account, "whatsapp", "outbound"), q, keep)
    return call.respond(q.envelope("messages", [render.outgoing_whatsapp(m, call.account) for m in page], total))


async def get_whatsapp(call: Call) -> web.StreamResponse:
    message = call.provider.outgoing_whatsapp(call.account, call.request.match_info["id"])
    return call.respond(render.outgoing_whatsapp(message, call.account))


async def list_whatsapp_incoming(call: Call) -> web.StreamResponse:
    q = listing.parse_query(call.request.query, call.account)
    items = call.provider.messages(call.account, "whatsapp", "inbound")
    page, total = listing.select(items, q, _incoming_filter(q))
    return call.respond(q.envelope("messages", [render.incoming_whatsapp(m, call.account) for m in page], total))


async def get_whatsapp_incoming(call: Call) -> web.StreamResponse:
    message = call.provider.incoming(call.account, "whatsapp", call.request.match_info["id"])
    return call.respond(render.incoming_whatsapp(message, call.account))


async def list_opt_in(call: Call) -> web.StreamResponse:
    return call.respond({"optIn": [o.to_json() for o in call.provider.opt_in.values()]})


async def add_opt_in(call: Call) -> web.StreamResponse:
    body = await call.body()
    errors = FieldErrors()
    items = as_list(body.get("opt-in", body.get("optIn")))
    if not items:
        errors.add("opt-in", "opt-in is required: a list of {name, number} objects.")
    wanted: list[tuple[str, str | None]] = []
    for index, item in enumerate(items):
        item = item if isinstance(item, dict) else {"number": item}
        number, name = str(item.get("number") or ""), item.get("name")
        if not whatsapp.NUMBER.match(number):
            errors.add(f"opt-in[{index}].number", f"number {item.get('number')!r} is invalid: 3 to 15 digits.")
        elif name is not None and not isinstance(name, str):
            errors.add(f"opt-in[{index}].name", "name must be a string.")
        else:
            wanted.append((number.lstrip("+"), name))
    errors.raise_if_any()
    return call.respond({"optIn": [call.provider.add_opt_in(n, name).to_json() for n, name in wanted]})


async def capability(call: Call) -> web.StreamResponse:
    numbers = as_list((await call.body()).get("numbers"))
    errors = FieldErrors()
    if not numbers:
        errors.add("numbers", "numbers is required: a list of numbers.")
    for number in numbers:
        if not whatsapp.NUMBER.match(str(number)) or isinstance(number, bool):
            errors.add("numbers", f"number {number!r} is invalid: 3 to 15 digits.")
    errors.raise_if_any()
    found = [call.provider.capability(str(n).lstrip("+")).to_json() for n in numbers]
    return call.respond({"capabilities": found})


# --- table ---------------------------------------------------------------------------------------

TABLE: list[tuple[str, dict[str, Endpoint]]] = [
    ("/v2/sms", {"GET": list_sms, "POST": send_sms}),
    (f"/v2/sms/{ID}", {"GET": get_sms, "DELETE": delete_sms}),
    ("/v2/sms-incoming", {"GET": list_sms_incoming}),
    (f"/v2/sms-incoming/{ID}", {"GET": get_sms_incoming, "DELETE": delete_sms_incoming}),
    ("/v2/user/credit-balance", {"GET": credit_balance}),
    ("/v2/opt-outs", {"GET": list_opt_outs, "POST": add_opt_outs}),
    ("/v2/opt-outs/validate", {"POST": validate_opt_outs}),
    (f"/v2/opt-outs/{NUMBER}", {"DELETE": remove_opt_out}),
    ("/v2/otp", {"POST": send_otp}),
    (f"/v2/otp/requestid/{REQUEST_ID}/validate", {"POST": validate_otp}),
    (f"/v2/otp/requestid/{REQUEST_ID}/cancel", {"POST": cancel_otp}),
    (f"/v2/otp/{DESTINATION}/validate", {"POST": validate_otp}),
    (f"/v2/otp/{DESTINATION}/cancel", {"POST": cancel_otp}),
    (f"/v2/otp/{REQUEST_ID}", {"GET": get_otp}),  # the PHP SDK's getById
    ("/v2/whatsapp", {"GET": list_whatsapp, "POST": send_whatsapp}),
    ("/v2/whatsapp/opt-in", {"GET": list_opt_in, "POST": add_opt_in}),
    ("/v2/whatsapp/capability", {"POST": capability}),
    (f"/v2/whatsapp/{ID}", {"GET": get_whatsapp}),
    ("/v2/whatsapp-incoming", {"GET": list_whatsapp_incoming}),
    (f"/v2/whatsapp-incoming/{ID}", {"GET": get_whatsapp_incoming}),
]


def routes() -> list[web.AbstractRouteDef]:
    table: list[web.AbstractRouteDef] = []
    for path, methods in TABLE:
        allowed = tuple(methods) + (("HEAD",) if "GET" in methods else ())
        for form in (path, path + "/"):
            for method, handler in methods.items():
                if method == "GET":
                    table.append(web.get(form, endpoint(handler)))
                else:
                    table.append(web.route(method, form, endpoint(handler)))
            table.append(web.route("*", form, method_not_allowed(allowed)))
    return table
