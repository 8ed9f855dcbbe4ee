"""The provider contract: the one ``ProviderSpec`` each provider hands the rest of the program.

``runtime.py``, ``persist.py``, ``targets.py`` and ``app.py`` loop over the tuple of specs in
``sandbox/providers/all.py`` and never name a provider; the core never knows one exists. A spec says how
to build the provider's backend from the core objects of one runtime and configure it from its scenario
section, its routes and the shape of its HTTP errors, the JSON Schema of its scenario section, what it
keeps with ``--data-dir``, which of its fields are webhook targets, and (through the backend, the
``ProviderHooks`` the core calls) its failure reasons and how it resets, and its part in workspaces.

Handlers reach their backend through the request (``served(request)[KEY]``, each provider's ``backend``
accessor) and never through the app object, so one handler serves every runtime of a server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from aiohttp import web

from sandbox.core.scenario import KeyOf, ScenarioFormat, scenario_format
from sandbox.core.workspace_hooks import WorkspaceHooks

if TYPE_CHECKING:
    from sandbox.core.clock import VirtualClock
    from sandbox.core.feed import ChangeFeed
    from sandbox.core.ids import IdFactory
    from sandbox.core.media_store import MediaStore
    from sandbox.core.messaging import Messaging
    from sandbox.core.persistence_hooks import Persistence
    from sandbox.core.scenario import Scenario
    from sandbox.core.scheduler import Scheduler
    from sandbox.core.store import Journal, Message
    from sandbox.core.webhooks import WebhookDispatcher
    from sandbox.settings import Settings

B = TypeVar("B")
T = TypeVar("T")
Section = dict[str, Any]  # a provider's section of the scenario file (``meta:``, ``maac:``...)
RouteTable = Callable[[], list[web.AbstractRouteDef]]
HttpErrorRenderer = Callable[[web.Request, int, str], web.StreamResponse]


class Served(Protocol):
    """What a request is served by (one complete runtime): the core objects a handler may use, and each
    provider's backend under the ``web.AppKey`` that provider owns."""

    @property
    def settings(self) -> Settings: ...

    @property
    def clock(self) -> VirtualClock: ...

    @property
    def ids(self) -> IdFactory: ...

    @property
    def mount(self) -> str: ...  # the path prefix of its URLs: "" for the default, "/w/{name}" for a workspace

    def __getitem__(self, key: web.AppKey[T]) -> T: ...


DEFAULT_RUNTIME: web.AppKey[Served] = web.AppKey("runtime")  # the runtime a request is served by when none is chosen
SERVED_BY: web.RequestKey[Served] = web.RequestKey("runtime")  # the runtime chosen for one request


def served(request: web.Request) -> Served:
    """The runtime this request is served by: the one chosen for it, else the app's default."""
    runtime = request.get(SERVED_BY)
    return runtime if runtime is not None else request.app[DEFAULT_RUNTIME]


@dataclass(frozen=True)
class CoreObjects:
    """The provider-neutral objects of one runtime, from which each provider's backend is built."""

    settings: Settings
    clock: VirtualClock
    ids: IdFactory
    feed: ChangeFeed
    scheduler: Scheduler
    journal: Journal
    dispatcher: WebhookDispatcher
    messaging: Messaging
    media_store: MediaStore  # every provider's media under one byte cap
    persistence: Persistence


@dataclass(frozen=True)
class Snapshot:
    """One named piece of provider state kept with ``--data-dir`` (``Persistence.track``)."""

    name: str  # e.g. "meta.templates"; unique across providers
    dump: Callable[[], Any]  # JSON-able
    load: Callable[[Any], None]
    version: Callable[[], object] | None = None  # changes when the state does (None: dump whenever rows change)


def fields_snapshot(name: str, objects: Callable[[], Iterable[Any]], key: str, fields: tuple[str, ...]) -> Snapshot:
    """A snapshot of some fields of each object (targets, secrets, balances set at run time), keyed by
    its ``key`` attribute; on load, each object still configured takes its saved values back."""

    def values() -> list[tuple[Any, ...]]:
        return [(getattr(o, key), *(getattr(o, f) for f in fields)) for o in objects()]

    def dump() -> dict[str, dict[str, Any]]:
        return {row[0]: dict(zip(fields, row[1:], strict=True)) for row in values()}

    def load(raw: dict[str, dict[str, Any]]) -> None:
        for o in objects():
            for field_name, value in raw.get(getattr(o, key), {}).items():
                setattr(o, field_name, value)

    return Snapshot(name, dump, load, version=lambda: tuple(values()))


@dataclass(frozen=True)
class TargetFields(Generic[B]):
    """A provider's webhook target fields, which a scenario load with ``reset: false`` carries over when
    they were set at run time (sandbox/targets.py)."""

    fields: dict[str, str]  # maps attribute -> the scenario field that sets it
    live: Callable[[B], Iterable[Any]]  # the configured objects now
    fresh: Callable[[B, Section], Iterable[Any]]  # the objects as a scenario section configures them
    key: Callable[[Any], str]  # names an object: phone_number_id, account key, application name
    items: Callable[[Section], dict[str, dict[str, Any]]]  # maps key -> the section's raw item


class WebhookBatching(Protocol):
    """A provider's batched webhooks as the control API drives them (``/_sandbox/webhooks/batching``)."""

    def to_json(self, scenario: Scenario) -> dict[str, Any]: ...  # the setting in force and where it comes from

    def configure(self, body: dict[str, Any], scenario: Scenario) -> dict[str, Any]: ...  # ``{}``: the scenario's


def listed(section: Section, listing: str, key: str) -> dict[str, dict[str, Any]]:
    """Maps each item of a section's list (``businesses``, ``accounts``...) by its ``key`` field."""
    return {str(item[key]): item for item in section.get(listing) or []}


def _no_routes() -> list[web.AbstractRouteDef]:
    return []


@dataclass(frozen=True)
class ProviderSpec(Generic[B]):
    """Everything the program needs of one provider. ``B``: its backend, which is also the
    ``ProviderHooks`` the core's Messaging calls (its ``failure_reasons``, ``reset``...)."""

    name: str  # as in the scenario (``match.provider``, its section) and the journal
    key: web.AppKey[B]  # where the runtime holds its backend; handlers read it through the request
    build: Callable[[CoreObjects, Mapping[str, Any], Section], B]  # core objects, backends built before it, its section
    configure: Callable[[B, Section], None]  # a scenario load: its section again (state is kept)
    section_schema: dict[str, Any]  # JSON Schema of its scenario section
    routes: RouteTable
    render_http_error: HttpErrorRenderer  # unrouted paths and stray failures under its prefixes, in its shape
    path_prefixes: tuple[str, ...]  # the paths it owns ("/": whatever no other provider owns)
    fallback_routes: RouteTable = _no_routes  # catch-alls, added after every provider's routes
    # the methods a path only its catch-alls match allows (the 405's Allow, methods.py); none: they only refuse
    catch_all_methods: tuple[str, ...] = ()
    targets: TargetFields[B] | None = None
    snapshots: Callable[[B], list[Snapshot]] = lambda backend: []
    # after a --data-dir start restored the journal, steps and deliveries: rebuild derived state, resume
    # jobs lost with the process; answers counts for /_sandbox/stats (``persistence.restored``)
    restored: Callable[[B], dict[str, int]] = lambda backend: {}
    owns_unlabelled_media: bool = False  # media saved before records named their provider are its own
    aliases: Mapping[str, Callable[[B], Any]] = field(default_factory=dict)  # older names on the runtime
    rule_schema: Mapping[str, Any] = field(default_factory=dict)  # fields it adds to a scenario rule (JSON Schema)
    # the lists of its section that ``extends:`` merges item by item: maps a path in the section -> item key
    merge_keys: Mapping[tuple[str, ...], KeyOf] = field(default_factory=dict)
    # the start banner (cli.py): the lines naming its URLs below the server's base URL, then (after every
    # provider's URLs and the control API's) the lines naming its credentials, read from its backend
    banner_urls: Callable[[str], list[str]] = lambda base: []
    banner_credentials: Callable[[B], list[str]] = lambda backend: []
    # its credentials, webhook fields and unknown-workspace answer in workspaces (core/workspace_hooks.py)
    workspace: WorkspaceHooks | None = None
    # what the control API and the web inbox ask of a provider that offers it (they name no provider):
    # its batched webhooks (``/_sandbox/webhooks/batching`` drives the first provider that has them)
    webhook_batching: Callable[[B], WebhookBatching] | None = None
    # the form one of its messages opens in the inbox ({country, fields, values}); None: it opens none
    address_form: Callable[[B, Message], dict[str, Any] | None] | None = None
    media_key_prefix: str = ""  # its media as the MediaStore keys them: this prefix + the id its API shows


def format_of(specs: Iterable[ProviderSpec[Any]]) -> ScenarioFormat:
    """The scenario format of a program with these providers: the core's, each one's section schema and
    rule fields, and its ``extends:`` merge keys."""
    specs = list(specs)
    return scenario_format({spec.name: spec.section_schema for spec in specs},
                           rule_fields={k: v for spec in specs for k, v in spec.rule_schema.items()},
                           keyed={spec.name: spec.merge_keys for spec in specs})
