"""Control API under /_sandbox/: inspect and drive the sandbox from tests. All JSON.

Every route is in ``ROUTES`` below; ``openapi.yaml`` beside this file documents them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox import __version__
from sandbox.control import document, validation
from sandbox.core import jsonbody
from sandbox.core.errors import ControlError, ScenarioError
from sandbox.core.provider import WebhookBatching
from sandbox.core.scenario import ErrorSpec, load_scenario, parse_scenario, unknown_reason
from sandbox.core.store import MessageFilter
from sandbox.keys import runtime_of
from sandbox.providers.all import PROVIDERS
from sandbox.runtime import Runtime, failure_reasons

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_WAIT = 60.0
LAST_VIRTUAL_TIME = 253402300799.0  # 9999-12-31T23:59:59Z, openapi.yaml's maximum for the clock
PREFIX = "/_sandbox"


def control(handler: Handler) -> Handler:
    @wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            await _check(request)
            return await handler(request)
        except ControlError as exc:
            return _error(exc.message, exc.status)
        except ScenarioError as exc:
            return _error(str(exc), 422)

    return wrapper


async def _check(request: web.Request) -> None:
    """The query and JSON body against openapi.yaml (validation.py), before any handler reads them."""
    if not request.query and not request.body_exists:  # nothing to check (a health probe): compile nothing
        return
    resource = request.match_info.route.resource
    operation = validation.operation(request.method, resource.canonical) if resource is not None else None
    if operation is not None:
        operation.check_query(request.query)
        if request.body_exists:  # none at all: the handler says what it needs (or reads the query instead)
            operation.check_body(await _body(request))


def _error(message: str, status: int) -> web.Response:
    return web.json_response({"error": {"message": message, "status": status}}, status=status)


def _rt(request: web.Request) -> Runtime:
    return runtime_of(request)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:  # not can_read_body: false once read, and _check reads it first
        return {}
    try:
        data = jsonbody.loads(await request.read() or b"{}")
    except json.JSONDecodeError as exc:
        raise ControlError(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ControlError("the body must be a JSON object")
    return data


def _number(value: Any, name: str, *, minimum: float = 0.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ControlError(f"'{name}' must be a number, got {value!r}") from exc
    if number < minimum:
        raise ControlError(f"'{name}' must be at least {minimum:g}")
    return number


# --- health, reset, scenarios --------------------------------------------------------------------


@control
async def health(request: web.Request) -> web.StreamResponse:
    rt = _rt(request)
    return web.json_response(
        {
            "status": "ok",
            "version": __version__,
            "uptime_seconds": round(time.monotonic() - rt.started_at, 3),
            "scenario": rt.scenario.name,
            "clock": rt.clock.describe(),
        }
    )


@control
async def stats(request: web.Request) -> web.StreamResponse:
    """Retention and backlog counters: what is held, what the caps evicted, what waits on disk."""
    rt = _rt(request)
    journal = rt.journal
    return web.json_response(
        {
            "journal": {"messages": len(journal), "max_messages": journal.max_messages, "evicted": journal.evicted},
            "webhooks": rt.dispatcher.stats(),
            "media": rt.media_store.describe(),
            "scheduler": {"pending_jobs": rt.scheduler.pending_count()},
            "persistence": {**rt.persistence.describe(), "restored": rt.restored},
        }
    )


@control
async def reset(request: web.Request) -> web.StreamResponse:
    body = await _body(request)
    provider = body.get("provider") or request.query.get("provider")
    if provider is not None:
        _provider(_rt(request), provider)
    _rt(request).reset(provider)
    return web.json_response({"reset": provider or "all"})


@control
async def scenario_get(request: web.Request) -> web.StreamResponse:
    rt = _rt(request)
    return web.json_response(
        {"name": rt.scenario.name, "description": rt.scenario.description, "source": rt.scenario.source,
         "magic_numbers": rt.scenario.magic_numbers(), "scenario": rt.scenario.raw}
    )


@control
async def scenario_schema(request: web.Request) -> web.StreamResponse:
    return web.json_response(_rt(request).scenario_schema)


@control
async def scenarios_list(request: web.Request) -> web.StreamResponse:
    rt = _rt(request)
    folder = rt.scenarios_dir()
    names = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
    return web.json_response({"active": rt.scenario.name, "folder": str(folder), "available": names})


@control
async def scenarios_load(request: web.Request) -> web.StreamResponse:
    """Switch scenario by ``name`` (a file in the scenarios folder) or inline ``yaml`` text."""
    rt = _rt(request)
    body = await _body(request)
    if isinstance(body.get("yaml"), str):
        scenario = parse_scenario(body["yaml"], "<inline>", rt.scenario_library(), fmt=rt.scenario_format)
    elif isinstance(body.get("name"), str):
        name = body["name"]
        path = rt.scenarios_dir() / f"{Path(name).stem}.yaml"
        if not path.is_file():
            raise ControlError(f"no scenario named '{name}' in {rt.scenarios_dir()}", 404)
        scenario = load_scenario(path, rt.scenario_library(), fmt=rt.scenario_format)
    else:
        raise ControlError("give 'name' (a scenario file in the scenarios folder) or 'yaml' (the scenario text)")
    resets = body.get("reset", True)
    rt.load(scenario, keep_targets=not resets)  # targets set at run time stay, unless the load resets
    if resets:
        rt.reset()
    return web.json_response({"active": scenario.name, "magic_numbers": scenario.magic_numbers()})


@control
async def magic_numbers(request: web.Request) -> web.StreamResponse:
    return web.json_response({"magic_numbers": _rt(request).scenario.magic_numbers()})


# --- messages ------------------------------------------------------------------------------------


def _filter(query: Any) -> MessageFilter:
    since = query.get("since")
    return MessageFilter(
        provider=query.get("provider"),
        business=query.get("business"),
        user=query.get("to") or query.get("user") or query.get("from"),
        type=query.get("type"),
        status=query.get("status"),
        direction=query.get("direction"),
        channel=query.get("channel"),
        since=_number(since, "since") if since is not None else None,
        id=query.get("id"),
    )


def _message_json(rt: Runtime, message_id: str) -> dict[str, Any] | None:
    message = rt.journal.get(message_id)
    if message is None:
        return None
    out = message.to_json()
    out["webhooks"] = [d.to_json() for d in rt.dispatcher.deliveries() if d.concerns(message_id)]
    return out


@control
async def messages_list(request: web.Request) -> web.StreamResponse:
    rt = _rt(request)
    limit = int(_number(request.query.get("limit", 100), "limit", minimum=1))
    found = rt.journal.find(_filter(request.query), limit=limit)
    return web.json_response({"messages": [m.to_json() for m in found], "count": len(found), "evicted": rt.journal.evicted})


@control
async def messages_latest(request: web.Request) -> web.StreamResponse:
    rt = _rt(request)
    found = rt.journal.find(_filter(request.query), limit=1)
    if not found:
        raise ControlError(f"no message matches {_criteria(request.query)} (the journal holds {len(rt.journal)})", 404)
    return web.json_response(_message_json(rt, found[0].id))


@control
async def message_get(request: web.Request) -> web.StreamResponse:
    found = _message_json(_rt(request), request.match_info["id"])
    if found is None:
        raise ControlError(f"no message '{request.match_info['id']}'", 404)
    return web.json_response(found)


@control
async def message_status(request: web.Request) -> web.StreamResponse:
    """Force a status now (e.g. ``{"status":"failed","error":{"code":131026}}``): it replaces the rest of
    the message's script; 409 after a final status (core/status_order.py)."""
    rt = _rt(request)
    body = await _body(request)
    status = body.get("status")
    if status not in ("sent", "delivered", "read", "played", "failed"):
        raise ControlError("'status' must be one of sent, delivered, read, played, failed")
    raw_error = body.get("error")
    if raw_error is not None and not isinstance(raw_error, (str, dict)):
        raise ControlError("'error' must be a reason string or {code, details}")
    message = rt.journal.get(request.match_info["id"])
    if message is None:
        raise ControlError(f"no message '{request.match_info['id']}'", 404)
    spec = ErrorSpec.parse(raw_error)
    _check_reason(rt, message.provider, spec)
    rt.messaging.force_status(message.id, status, spec)
    await rt.dispatcher.idle(rt.settings.webhook_timeout)
    return web.json_response(_message_json(rt, request.match_info["id"]))


def _check_reason(rt: Runtime, provider: str, spec: ErrorSpec | None) -> None:
    """A reason the message's provider does not know is a typo: it would pass as its generic failure."""
    known = failure_reasons(rt.messaging).get(provider)
    if spec is None or spec.reason is None or known is None or spec.reason in known:
        return
    raise ControlError(f"'error': {unknown_reason(spec.reason, known, provider)}; "
                       'or give a provider code, e.g. {"code": 131026}')


@control
async def inbound(request: web.Request) -> web.StreamResponse:
    """A user sends the business a message: ``{"provider":"meta","from":"+1555...","type":"text","text":"hi"}``."""
    rt = _rt(request)
    body = await _body(request)
    # absent: the first provider of the tuple (Meta; openapi.yaml's default, sandbox/providers/all.py)
    message = _provider(rt, str(body.get("provider", rt.providers[0].name))).inject(body)
    await rt.dispatcher.idle(rt.settings.webhook_timeout)
    return web.json_response(_message_json(rt, message.id), status=201)


# --- webhooks ------------------------------------------------------------------------------------


@control
async def webhooks_list(request: web.Request) -> web.StreamResponse:
    rt = _rt(request)
    q = request.query
    items = [d for d in rt.dispatcher.deliveries() if _webhook_matches(d, q)]
    limit = int(_number(q.get("limit", 100), "limit", minimum=1))
    return web.json_response({"webhooks": [d.to_json() for d in reversed(items)][:limit], "count": len(items)})


def _webhook_matches(d: Any, q: Any) -> bool:
    return (
        ("provider" not in q or d.provider == q["provider"])
        and ("message_id" not in q or d.concerns(q["message_id"]))  # a batched POST counts for each update
        and ("state" not in q or d.state == q["state"])
        and ("event" not in q or d.has_event(q["event"]))
    )


@control
async def webhook_redeliver(request: web.Request) -> web.StreamResponse:
    rt = _rt(request)
    copy = rt.dispatcher.redeliver(request.match_info["id"])
    if copy is None:
        raise ControlError(f"no webhook delivery '{request.match_info['id']}'", 404)
    await rt.dispatcher.idle(rt.settings.webhook_timeout)
    return web.json_response(copy.to_json(), status=201)


@control
async def webhook_targets(request: web.Request) -> web.StreamResponse:
    rt = _rt(request)
    return web.json_response({name: hooks.webhook_targets() for name, hooks in rt.messaging.providers.items()})


@control
async def webhook_target_set(request: web.Request) -> web.StreamResponse:
    """Set a provider's webhook/callback target, e.g. Meta: ``{"url", "business", "app_secret", "verify"}``."""
    rt = _rt(request)
    body = await _body(request)
    body.setdefault("verify", rt.settings.verify_webhooks)
    return web.json_response(await _provider(rt, request.match_info["provider"]).configure_webhook(body))


def _provider(rt: Runtime, name: Any) -> Any:
    hooks = rt.messaging.providers.get(name) if isinstance(name, str) else None  # a JSON list is unhashable
    if hooks is None:
        raise ControlError(f"unknown provider '{name}'; one of: {', '.join(rt.messaging.providers)}", 404)
    return hooks


@control
async def chaos_get(request: web.Request) -> web.StreamResponse:
    return web.json_response(_rt(request).dispatcher.chaos.to_json())


@control
async def chaos_set(request: web.Request) -> web.StreamResponse:
    """``{}`` resets; ``{"shuffle": true, "duplicate_probability": 0.2}`` turns chaos on."""
    rt = _rt(request)
    body = await _body(request)
    chaos = rt.dispatcher.chaos
    chaos.shuffle = bool(body.get("shuffle", False))
    probability = _number(body.get("duplicate_probability", 0.0), "duplicate_probability")
    if probability > 1:
        raise ControlError("'duplicate_probability' is between 0 and 1")
    chaos.duplicate_probability = probability
    return web.json_response(chaos.to_json())


def _batching(rt: Runtime) -> WebhookBatching:
    """The batched webhooks of the first provider whose spec offers them (Meta's, meta/messages/batching.py)."""
    for spec in rt.providers:
        if spec.webhook_batching is not None:
            return spec.webhook_batching(rt[spec.key])
    raise ControlError("no provider of this sandbox batches its webhooks", 404)


@control
async def batching_get(request: web.Request) -> web.StreamResponse:
    rt = _rt(request)
    return web.json_response(_batching(rt).to_json(rt.scenario))


@control
async def batching_set(request: web.Request) -> web.StreamResponse:
    """Batched webhooks at run time: ``{"max_size": 50, "window_ms": 100}``; ``{}`` back to the scenario's."""
    rt = _rt(request)
    return web.json_response(_batching(rt).configure(await _body(request), rt.scenario))


# --- clock ---------------------------------------------------------------------------------------


@control
async def clock_get(request: web.Request) -> web.StreamResponse:
    rt = _rt(request)
    return web.json_response({**rt.clock.describe(), "pending": rt.scheduler.pending()[:100]})


@control
async def clock_set(request: web.Request) -> web.StreamResponse:
    """``{"mode": "manual"|"real", "speed": 1.0, "now": <unix seconds>}`` (each optional)."""
    rt = _rt(request)
    body = await _body(request)
    mode = body.get("mode", rt.clock.mode)
    if mode not in ("real", "manual"):
        raise ControlError("'mode' is 'real' or 'manual'")
    speed = _number(body["speed"], "speed", minimum=0.001) if "speed" in body else None
    rt.clock.set_mode(mode, speed)
    if "now" in body:
        rt.clock.set(_number(body["now"], "now"))
    return web.json_response(rt.clock.describe())


@control
async def clock_advance(request: web.Request) -> web.StreamResponse:
    """Move virtual time forward; due timelines run in order; returns once their webhooks were attempted."""
    rt = _rt(request)
    body = await _body(request)
    seconds = _number(body.get("seconds", request.query.get("seconds")), "seconds")
    if rt.clock.now() + seconds > LAST_VIRTUAL_TIME:  # past it lies float infinity, not valid JSON
        raise ControlError(f"'seconds' would move the clock past 9999-12-31 ({LAST_VIRTUAL_TIME:.0f})", 409)
    ran = await rt.scheduler.advance(seconds)
    settled = await rt.dispatcher.idle(rt.settings.webhook_timeout)
    return web.json_response({**rt.clock.describe(), "ran": ran, "settled": settled})


# --- wait (long-poll) ----------------------------------------------------------------------------


@control
async def wait_messages(request: web.Request) -> web.StreamResponse:
    """Long-poll until ``count`` messages match (default 1) or ``timeout`` seconds pass (408)."""
    rt = _rt(request)
    flt = _filter(request.query)
    count, timeout = _wait_args(request)

    def probe() -> list[Any] | None:
        found = rt.journal.find(flt, limit=count)
        return found if len(found) >= count else None

    found = await rt.feed.wait_for(probe, timeout)
    if found is None:
        have = len(rt.journal.find(flt, limit=count))
        raise ControlError(f"timed out after {timeout:g} s waiting for {count} message(s) with "
                           f"{_criteria(request.query)} (found {have}){_other_statuses(rt, flt)}{_clock_hint(rt)}", 408)
    return web.json_response({"messages": [m.to_json() for m in found]})


@control
async def wait_webhooks(request: web.Request) -> web.StreamResponse:
    """Long-poll until ``count`` webhook deliveries match (``state=delivered`` by default)."""
    rt = _rt(request)
    query = dict(request.query)
    query.setdefault("state", "delivered")
    count, timeout = _wait_args(request)

    def probe() -> list[Any] | None:
        found = [d for d in rt.dispatcher.deliveries() if _webhook_matches(d, query)]
        return found[:count] if len(found) >= count else None

    found = await rt.feed.wait_for(probe, timeout)
    if found is None:
        have = sum(1 for d in rt.dispatcher.deliveries() if _webhook_matches(d, query))
        raise ControlError(f"timed out after {timeout:g} s waiting for {count} webhook(s) with {_criteria(query)} "
                           f"(found {have}){_other_states(rt, query)}{_clock_hint(rt)}", 408)
    return web.json_response({"webhooks": [d.to_json() for d in found]})


# A timed-out wait says what it waited for and what it saw instead: the usual cause in a test is a
# manual clock nobody advanced, or a status the message passed (or will never reach).


def _criteria(query: Any) -> str:
    shown = [f"{key}={value}" for key, value in query.items() if key not in ("count", "timeout")]
    return ", ".join(shown) or "no filters"


def _other_statuses(rt: Runtime, flt: MessageFilter) -> str:
    if flt.status is None:
        return ""
    others = rt.journal.find(replace(flt, status=None), limit=3)
    if not others:
        return ""
    return "; without the status filter: " + ", ".join(f"{m.id} is {m.status}" for m in others)


def _other_states(rt: Runtime, query: dict[str, str]) -> str:
    states: dict[str, int] = {}
    any_state = {key: value for key, value in query.items() if key != "state"}
    for d in rt.dispatcher.deliveries():
        if d.state != query["state"] and _webhook_matches(d, any_state):
            states[d.state] = states.get(d.state, 0) + 1
    if states:
        return "; in other states: " + ", ".join(f"{n} {state}" for state, n in states.items())
    untargeted = [name for name, hooks in rt.messaging.providers.items()
                  if query.get("provider", name) == name and not _has_target(hooks.webhook_targets())]
    if not untargeted:
        return ""
    return (f"; no webhook target is set for {', '.join(untargeted)} (PUT /_sandbox/webhooks/targets/{{provider}}; "
            "a reset, or a scenario load that resets, forgets targets set at run time)")


def _has_target(targets: list[dict[str, Any]]) -> bool:
    """Any URL in a provider's targets (Meta's webhook_url, SMSGlobal's notifyUrl, Modica's mo_url...)."""
    return any(value for target in targets for key, value in target.items() if key.lower().endswith("url"))


def _clock_hint(rt: Runtime) -> str:
    if rt.clock.mode != "manual":
        return ""
    due = rt.scheduler.next_due()
    if due is None:
        return ("; the clock is manual and no timeline step or retry is pending: nothing changes until the "
                "application sends or the test injects a message")
    return (f"; the clock is manual and the next timeline step or retry is due in {max(due - rt.clock.now(), 0):g} s: "
            "advance it (POST /_sandbox/clock/advance; in Python, control.advance(seconds))")


def _wait_args(request: web.Request) -> tuple[int, float]:
    count = int(_number(request.query.get("count", 1), "count", minimum=1))
    timeout = min(_number(request.query.get("timeout", 10), "timeout"), MAX_WAIT)
    return count, timeout


@control
async def openapi(request: web.Request) -> web.StreamResponse:
    """The description the validator enforces, built for the providers (document.py). Built per request
    (~30 ms) rather than held: it is read once per test session, and building it at start would slow every start."""
    return web.Response(text=document.text(document.load(PROVIDERS)), content_type="application/yaml")


ROUTES: list[web.RouteDef] = [
    web.get(f"{PREFIX}/health", health),
    web.get(f"{PREFIX}/stats", stats),
    web.post(f"{PREFIX}/reset", reset),
    web.get(f"{PREFIX}/scenario", scenario_get),
    web.get(f"{PREFIX}/scenario/schema", scenario_schema),
    web.get(f"{PREFIX}/scenarios", scenarios_list),
    web.post(f"{PREFIX}/scenarios/load", scenarios_load),
    web.get(f"{PREFIX}/magic-numbers", magic_numbers),
    web.get(f"{PREFIX}/messages", messages_list),
    web.get(f"{PREFIX}/messages/latest", messages_latest),
    web.get(f"{PREFIX}/messages/{{id}}", message_get),
    web.post(f"{PREFIX}/messages/{{id}}/status", message_status),
    web.post(f"{PREFIX}/inbound", inbound),
    web.get(f"{PREFIX}/webhooks", webhooks_list),
    web.get(f"{PREFIX}/webhooks/targets", webhook_targets),
    web.put(f"{PREFIX}/webhooks/targets/{{provider}}", webhook_target_set),
    web.post(f"{PREFIX}/webhooks/{{id}}/redeliver", webhook_redeliver),
    web.get(f"{PREFIX}/webhooks/batching", batching_get),
    web.put(f"{PREFIX}/webhooks/batching", batching_set),
    web.get(f"{PREFIX}/chaos", chaos_get),
    web.put(f"{PREFIX}/chaos", chaos_set),
    web.get(f"{PREFIX}/clock", clock_get),
    web.post(f"{PREFIX}/clock", clock_set),
    web.post(f"{PREFIX}/clock/advance", clock_advance),
    web.get(f"{PREFIX}/wait/messages", wait_messages),
    web.get(f"{PREFIX}/wait/webhooks", wait_webhooks),
    web.get(f"{PREFIX}/openapi.yaml", openapi),
]
