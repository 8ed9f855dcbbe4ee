"""WhatsApp Flows: the Flow object, its lifecycle rules and the checks a flow send passes (no HTTP:
flow_routes.py parses and renders). Flows live per WABA in ``WabaAccount.flows`` (accounts.py).

Sources: meta-openapi-v23.yaml (Flows: create, list, get, update, assets, publish, deprecate, delete,
migrate_flows); Meta's Flows error-codes page (codes, titles and what each means); Meta's Flows lifecycle
guide and pywa 4.5 (``FlowStatus``): a Flow starts DRAFT; only a DRAFT is updated, published or deleted;
publishing is irreversible; only a published Flow is deprecated; BLOCKED and THROTTLED are set by Meta's
health monitoring (here: the scenario's ``meta.flow_health``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.flows.flow_json import ENDPOINT_URI_FROM, Report, version_of
from sandbox.providers.meta.templates.registry import TemplateRegistry

CATEGORIES = ("SIGN_UP", "SIGN_IN", "APPOINTMENT_BOOKING", "LEAD_GENERATION", "SHOPPING", "CONTACT_US",
              "CUSTOMER_SUPPORT", "SURVEY", "OTHER")
HEALTH = ("BLOCKED", "THROTTLED")  # statuses Meta's monitoring sets on a published Flow
THROTTLED_PER_HOUR = 10  # Meta: a throttled Flow can be sent 10 times an hour
MIGRATE_MAX = 100  # pywa/Meta: "Only 100 Flows can be migrated in a request"
MIGRATION_ERROR = "4233041"  # the OpenAPI example's error_code (used for both failures: UNCONFIRMED)
ENDPOINT = re.compile(r"^https?://[^\s/?#]+\S*$")



class WabaAccount(Protocol):
    """Where a WABA's Flows live (accounts.WabaAccount; named here so that accounts imports this module
    and not the other way round)."""

    flows: dict[str, Flow]

@dataclass(frozen=True)
class Flow:
    """One Flow; replaced (dataclasses.replace), never edited, so the snapshot fingerprint stays shallow."""

    id: str
    name: str
    categories: list[str]
    status: str = "DRAFT"  # DRAFT | PUBLISHED | DEPRECATED (BLOCKED/THROTTLED come from FlowHealth)
    flow_json: str | None = None  # the uploaded flow.json, as sent
    validation_errors: list[dict[str, Any]] = field(default_factory=list)
    json_version: str | None = None
    data_api_version: str | None = None
    data_channel_uri: str | None = None  # Flow JSON below 3.0 names its endpoint here
    endpoint_uri: str | None = None  # from Flow JSON 3.0, set through the API
    application_id: str | None = None  # None: the sandbox app (accounts.SANDBOX_APP)
    updated_at: float = 0.0

    def with_json(self, raw: bytes, report: Report, now: float) -> Flow:
        return replace(self, flow_json=raw.decode("utf-8", "replace"), validation_errors=report.validation_errors,
                       json_version=report.json_version, data_api_version=report.data_api_version,
                       data_channel_uri=report.data_channel_uri, updated_at=now)


# --- errors (Meta's Flows error-codes page: code, title, what it means) -------------------------------

FLOW_ERRORS: dict[str, tuple[int, str, str]] = {
    "name_taken": (100, "Flow name is not unique",
                   "Flow name should be unique within one WhatsApp Business Account; use a different name."),
    "no_such_flow": (100, "Flow with specified ID does not exist",
                     "The Flow ID you provided was not found in your account."),
    "two_clone_sources": (100, "Only one clone source can be set",
                          "You provided values for both clone_flow_id and clone_template; unset one of them."),
    "endpoint_in_json": (100, "Specify Endpoint Uri in Flow JSON",
                         "For Flow JSON versions below 3.0 the endpoint is the data_channel_uri property of the Flow "
                         "JSON; do not give endpoint_uri for this Flow."),
    "bad_endpoint": (100, "Invalid Endpoint URI", "Provide a valid URL."),
    "not_draft": (139001, "Flow can't be updated",
                  "You attempted to update a Flow that has already been published. Once published, Flows can no "
                  "longer be updated: clone the Flow (clone_flow_id) and publish the new one."),
    "publish_state": (139002, "Publishing Flow in invalid state",
                      "You tried to publish a Flow that isn't a draft. Once a Flow leaves the draft state it cannot "
                      "be republished: clone it and publish the new Flow."),
    "publish_invalid": (139002, "Publishing Flow with validation errors",
                        "You tried to publish a draft Flow that has validation errors. Fix them (GET /{flow_id}?"
                        "fields=validation_errors) and publish again."),
    "publish_no_json": (139002, "Publishing Flow with validation errors",
                        "The Flow has no Flow JSON: upload flow.json with POST /{flow_id}/assets first."),
    "publish_no_endpoint": (139002, "Publishing without specifying endpoint_uri is forbidden",
                            "Set the endpoint_uri of the Flow before publishing: from Flow JSON 3.0 it is given "
                            "through the API."),
    "publish_no_data_channel": (139002, "Publishing Flow without data_channel_uri",
                                "Set the data_channel_uri property of the Flow JSON before you publish the Flow."),
    "deprecate_draft": (139003, "Can't deprecate unpublished flow",
                        "Deprecating a Flow is only permitted after it's been published; delete a draft instead."),
    "already_deprecated": (139003, "Flow is already deprecated",
                           "You tried to deprecate a Flow that is already marked as deprecated."),
    "delete_published": (139004, "Can't delete published Flow",
                         "After a Flow has been published, it cannot be deleted. Please deprecate instead."),
    "no_metrics": (139006, "Metrics threshold is not reached", "Not enough data to provide flow metrics."),
}


def flow_error(key: str) -> MetaError:
    """Graph's envelope with the page's title as ``error_user_title`` and its explanation as
    ``error_user_msg`` (and ``error_data.details``). The ``message`` wording is UNCONFIRMED."""
    code, title, explanation = FLOW_ERRORS[key]
    return MetaError(code, explanation, message=f"(#{code}) {title}", user_title=title, user_msg=explanation)


# --- the lifecycle ----------------------------------------------------------------------------------------


def by_name(waba: WabaAccount, name: str) -> Flow | None:
    return next((f for f in waba.flows.values() if f.name == name), None)


def save(waba: WabaAccount, flow: Flow) -> Flow:
    waba.flows = {**waba.flows, flow.id: flow}  # a new dict: the snapshot fingerprint is shallow
    return flow


def check_name_free(waba: WabaAccount, name: str, flow_id: str | None = None) -> None:
    taken = by_name(waba, name)
    if taken is not None and taken.id != flow_id:
        raise flow_error("name_taken")


def check_endpoint(flow: Flow, endpoint_uri: str) -> None:
    if not ENDPOINT.match(endpoint_uri):
        raise flow_error("bad_endpoint")
    version = version_of(flow.json_version)
    if version is not None and version < ENDPOINT_URI_FROM:
        raise flow_error("endpoint_in_json")


def check_draft(flow: Flow) -> None:
    """Metadata and Flow JSON change only while DRAFT (139001; Meta's lifecycle guide now lets the Flow
    Builder reopen a published Flow, the API of v23 does not: docs UNCONFIRMED)."""
    if flow.status != "DRAFT":
        raise flow_error("not_draft")


def publish(flow: Flow, now: float) -> Flow:
    if flow.status != "DRAFT":
        raise flow_error("publish_state")
    if flow.flow_json is None:
        raise flow_error("publish_no_json")
    if flow.validation_errors:
        raise flow_error("publish_invalid")
    if flow.data_api_version is not None:  # the Flow talks to an endpoint
        before_3 = (version_of(flow.json_version) or ENDPOINT_URI_FROM) < ENDPOINT_URI_FROM
        if before_3 and not flow.data_channel_uri:
            raise flow_error("publish_no_data_channel")
        if not before_3 and not flow.endpoint_uri:
            raise flow_error("publish_no_endpoint")
    return replace(flow, status="PUBLISHED", updated_at=now)


def deprecate(flow: Flow, now: float) -> Flow:
    if flow.status == "DRAFT":
        raise flow_error("deprecate_draft")
    if flow.status == "DEPRECATED":
        raise flow_error("already_deprecated")
    return replace(flow, status="DEPRECATED", updated_at=now)


def delete(waba: WabaAccount, flow: Flow) -> None:
    if flow.status != "DRAFT":
        raise flow_error("delete_published")
    waba.flows = {k: v for k, v in waba.flows.items() if k != flow.id}


def migrate(source: WabaAccount, dest: WabaAccount, names: list[str], new_id: Callable[[], str],
            now: float) -> dict[str, Any]:
    """Copies with the same names (OpenAPI migrate_flows; pywa's docstring): published stays published,
    anything else arrives DRAFT; a name missing from the source or taken in the destination fails alone."""
    if len(names) > MIGRATE_MAX:
        raise MetaError(100, f"At most {MIGRATE_MAX} Flows can be migrated in a request; {len(names)} were named.")
    wanted = names or [f.name for f in source.flows.values()]
    migrated, failed = [], []
    for name in wanted:
        found = by_name(source, name)
        if found is None or by_name(dest, name) is not None:
            why = "Flow name not found in source WABA." if found is None else "Flow with the same name exists in destination WABA."
            failed.append({"source_name": name, "error_code": MIGRATION_ERROR, "error_message": f"Flows Migration Error: {why}"})
            continue
        status = "PUBLISHED" if found.status == "PUBLISHED" else "DRAFT"
        copy = save(dest, replace(found, id=new_id(), status=status, updated_at=now))
        migrated.append({"source_name": name, "source_id": found.id, "migrated_id": copy.id})
    return {"migrated_flows": migrated, "failed_flows": failed}


# --- health and sends -------------------------------------------------------------------------------------


@dataclass
class FlowHealth:
    """Meta's health monitoring, as the scenario declares it, and the hourly count a THROTTLED Flow
    is held to. In memory only: the scenario reloads the first, the second is an hour's worth."""

    health: dict[str, str] = field(default_factory=dict)  # maps flow id or name -> BLOCKED | THROTTLED
    sent: dict[str, list[float]] = field(default_factory=dict)  # maps flow id -> send times this past hour

    def status_of(self, flow: Flow) -> str:
        """What Graph shows: a PUBLISHED Flow the scenario marks unhealthy reads BLOCKED or THROTTLED."""
        marked = self.health.get(flow.id) or self.health.get(flow.name)
        return marked if flow.status == "PUBLISHED" and marked in HEALTH else flow.status

    def check_send(self, flow: Flow, mode: str | None, now: float) -> None:
        """A send naming ``flow``: an interactive flow message (``mode`` as sent, default "published"), or
        a template whose FLOW button names it (``mode`` None: templates have no mode, and a DRAFT Flow in a
        template is not refused; UNCONFIRMED)."""
        status = self.status_of(flow)
        if status == "DRAFT" and mode not in (None, "draft"):
            # UNCONFIRMED code: On-Premises answers 2066 "Invalid Flow Mode"; Cloud API's is not documented.
            raise MetaError(131009, f"Flow {flow.id} is in DRAFT status: send it with \"mode\": \"draft\" to test it, "
                                    "or publish it (POST /{flow_id}/publish).")
        if status == "DEPRECATED":
            # UNCONFIRMED code: Meta's error page says only that a deprecated Flow "cannot be served".
            raise MetaError(131009, f"Flow {flow.id} is DEPRECATED and can no longer be sent.")
        if status == "BLOCKED":
            raise MetaError(132068, f"Flow {flow.id} is in blocked state.")
        if status == "THROTTLED":
            recent = [t for t in self.sent.get(flow.id, []) if t > now - 3600]
            if len(recent) >= THROTTLED_PER_HOUR:
                raise MetaError(132069, f"Flow {flow.id} is in throttled state and {THROTTLED_PER_HOUR} messages using "
                                        "this flow were already sent in the last hour.")
            self.sent[flow.id] = [*recent, now]

    def reset(self) -> None:
        self.sent.clear()


def check_flow_send(waba_id: str, waba: WabaAccount, health: FlowHealth, templates: TemplateRegistry, now: float,
                    body: dict[str, Any]) -> None:
    """The Flows a send names, checked against their status (platform.before_send). A Flow this WABA
    does not have is not refused: sends naming Flows made outside the sandbox keep working (UNCONFIRMED;
    Meta refuses an unknown Flow)."""
    if not waba.flows or body.get("type") not in ("interactive", "template"):
        return
    for flow, mode in _named_flows(templates, waba_id, waba, body):
        health.check_send(flow, mode, now)


def _named_flows(templates: TemplateRegistry, waba_id: str, waba: WabaAccount,
                 body: dict[str, Any]) -> list[tuple[Flow, str | None]]:
    sent = body.get(str(body.get("type")))
    if not isinstance(sent, dict):
        return []
    if body["type"] == "interactive":
        if sent.get("type") != "flow":
            return []
        params = (sent.get("action") or {}).get("parameters") or {}
        named: list[tuple[Any, Any, str | None]] = [(params.get("flow_id"), params.get("flow_name"), str(params.get("mode") or "published"))]
    else:
        language = (sent.get("language") or {}).get("code", "")
        template = templates.get(waba_id, str(sent.get("name")), str(language))
        buttons = [b for b in (template.buttons() if template else []) if str(b.get("type", "")).upper() == "FLOW"]
        named = [(b.get("flow_id"), b.get("flow_name"), None) for b in buttons]
    found: list[tuple[Flow, str | None]] = []
    for flow_id, flow_name, mode in named:
        flow = waba.flows.get(str(flow_id)) if flow_id is not None else by_name(waba, str(flow_name))
        if flow is not None:
            found.append((flow, mode))
    return found
