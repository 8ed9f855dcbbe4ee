"""One complete runtime (clock, journal, scenario, every provider's backend), built by ``build_runtime``:
a loop over the providers tuple, with no globals anywhere, so a server may hold several."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from aiohttp import web

from sandbox.core.clock import VirtualClock
from sandbox.core.feed import ChangeFeed
from sandbox.core.ids import IdFactory
from sandbox.core.media_store import MediaStore
from sandbox.core.messaging import Messaging
from sandbox.core.persistence import Persistence, SqlitePersistence
from sandbox.core.provider import CoreObjects, ProviderSpec, format_of
from sandbox.core.scenario import Scenario, ScenarioEngine, ScenarioFormat, check_reasons, load_scenario
from sandbox.core.scheduler import Scheduler
from sandbox.core.store import Journal
from sandbox.core.webhooks import RetryPolicy, WebhookDispatcher
from sandbox.persist import attach
from sandbox.providers.all import PROVIDERS, SCENARIO_FORMAT
from sandbox.settings import Settings, bundled_scenarios
from sandbox.targets import carry_over, set_at_run_time

if TYPE_CHECKING:
    from sandbox.core.scenario_cache import ScenarioCache  # the pytest plugin's; a server never loads it

T = TypeVar("T")


@dataclass
class Runtime:
    settings: Settings
    clock: VirtualClock
    ids: IdFactory
    feed: ChangeFeed
    scheduler: Scheduler
    journal: Journal
    dispatcher: WebhookDispatcher
    messaging: Messaging
    scenario: Scenario
    engine: ScenarioEngine
    media_store: MediaStore  # every provider's media (Meta's, Modica's) under one byte cap
    providers: Sequence[ProviderSpec[Any]] = PROVIDERS
    backends: dict[str, Any] = field(default_factory=dict)  # maps provider name -> its backend
    keyed: dict[web.AppKey[Any], Any] = field(default_factory=dict)  # maps the provider's own key -> its backend
    scenario_format: ScenarioFormat = SCENARIO_FORMAT  # the core's schema and every provider's section
    started_at: float = field(default_factory=time.monotonic)
    persistence: Persistence = field(default_factory=Persistence)  # SQLite with --data-dir, else no-op
    restored: dict[str, int] = field(default_factory=dict)  # what --data-dir brought back at start
    mount: str = ""  # path prefix of this runtime's URLs: "" for the default, "/w/{name}" for a workspace
    # A workspace's: applied to every scenario it loads (its credentials and webhook URLs; sandbox/workspaces)
    prepare: Callable[[Scenario], Scenario] | None = None

    @property
    def scenario_schema(self) -> dict[str, Any]:
        """The whole scenario schema (GET /_sandbox/scenario/schema)."""
        return self.scenario_format.schema

    def spec(self, provider: str) -> ProviderSpec[Any] | None:
        """The spec of the provider this runtime serves under that name, or None."""
        return next((spec for spec in self.providers if spec.name == provider), None)

    def __getitem__(self, key: web.AppKey[T]) -> T:
        """A provider's backend, under the key that provider owns (``sandbox.core.provider.Served``)."""
        return cast(T, self.keyed[key])

    def __getattr__(self, name: str) -> Any:
        """``runtime.meta``, ``runtime.smsglobal``...: a provider's backend by name (and the older names a
        spec keeps, e.g. ``meta_platform``), for tests and the pytest plugin's users."""
        backends = self.__dict__.get("backends") or {}
        if name in backends:
            return backends[name]
        for spec in self.__dict__.get("providers") or ():
            if name in spec.aliases:
                return spec.aliases[name](backends[spec.name])
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def load(self, scenario: Scenario, *, keep_targets: bool = False) -> None:
        """Switch scenario: businesses, personas and rules change; the journal is kept. ``keep_targets``:
        webhook targets set at run time stay where the new scenario names none (targets.py)."""
        if self.prepare is not None:
            scenario = self.prepare(scenario)
        check_reasons(scenario, failure_reasons(self.messaging))
        carried = set_at_run_time(self) if keep_targets else {}
        self.scenario = scenario
        self.engine = ScenarioEngine(scenario, self.ids.random)
        for spec in self.providers:
            spec.configure(self.backends[spec.name], scenario.section(spec.name))
        carry_over(self, carried)

    def reset(self, provider: str | None = None) -> None:
        if provider is not None:  # that provider's messages stop: their pending steps go with them
            self.scheduler.cancel_keys({m.id for m in self.journal if m.provider == provider})
        self.journal.reset(provider)
        self.dispatcher.reset(provider)
        self.persistence.steps_reset(provider)
        if provider is None:
            self.scheduler.clear()
            self.ids.reseed(self._seed())
            self.load(self.scenario)
        for name, hooks in self.messaging.providers.items():
            if provider in (None, name):
                hooks.reset()  # each provider's webhook targets and secrets go back to the scenario's too
        self.feed.publish({"kind": "reset", "provider": provider})  # live views (inbox) start over

    def _seed(self) -> str | int:
        return self.settings.seed or self.scenario.raw.get("seed") or 0

    def scenarios_dir(self) -> Path:
        if self.settings.scenarios_dir:
            return Path(self.settings.scenarios_dir)
        return Path(self.settings.scenario).parent

    def scenario_library(self) -> tuple[Path, ...]:
        """Where ``extends: <name>`` looks after the extending file's own folder."""
        return (self.scenarios_dir(), bundled_scenarios())


def failure_reasons(messaging: Messaging) -> dict[str, frozenset[str] | None]:
    """Maps each provider -> the scenario ``error:`` reasons it knows (None: it declares none, takes any)."""
    return {name: getattr(hooks, "failure_reasons", None) for name, hooks in messaging.providers.items()}


def build_runtime(settings: Settings, *, clock: VirtualClock | None = None, ids: IdFactory | None = None,
                  providers: Sequence[ProviderSpec[Any]] = PROVIDERS, scenarios: ScenarioCache | None = None,
                  scenario: Scenario | None = None) -> Runtime:
    """The core objects, then each provider's backend from them and its scenario section, in order.
    ``scenarios``: parsed scenarios shared by the apps of one test session (scenario_cache.py);
    ``scenario``: already parsed (a workspace's, parsed once for many), else ``settings.scenario`` is read."""
    fmt = SCENARIO_FORMAT if providers is PROVIDERS else format_of(providers)
    if scenario is None:
        library = (*(Path(d) for d in [settings.scenarios_dir] if d), bundled_scenarios())
        scenario = (scenarios.load(settings.scenario, library, fmt) if scenarios is not None
                    else load_scenario(settings.scenario, library, fmt=fmt))
    seed = settings.seed or scenario.raw.get("seed") or 0
    clock = clock or VirtualClock(mode="manual" if settings.clock == "manual" else "real", speed=settings.clock_speed)
    ids = ids or IdFactory(seed)
    feed = ChangeFeed()
    scheduler = Scheduler(clock)
    persistence = (SqlitePersistence(settings.data_dir, recover=settings.data_dir_recover) if settings.data_dir
                   else Persistence())
    if settings.data_dir and not settings.media_dir:
        settings.media_dir = str(Path(settings.data_dir) / "media")
    scheduler.after_job.append(persistence.flush_soon)
    journal = Journal(max_messages=settings.max_messages, persistence=persistence)
    policy = RetryPolicy(
        max_attempts=settings.webhook_max_attempts,
        base_delay=settings.webhook_base_delay,
        horizon=settings.webhook_horizon,
        timeout=settings.webhook_timeout,
    )
    dispatcher = WebhookDispatcher(clock=clock, scheduler=scheduler, ids=ids, feed=feed, policy=policy,
                                   backlog=settings.webhook_backlog, max_log=settings.webhook_log, persistence=persistence,
                                   delivery_process=bool(settings.delivery_process))
    messaging = Messaging(journal=journal, scheduler=scheduler, clock=clock, feed=feed, engine=lambda: runtime.engine,
                          persistence=persistence)
    media_store = MediaStore(settings.media_max_bytes, settings.media_dir)
    media_store.persistence = persistence
    core = CoreObjects(settings=settings, clock=clock, ids=ids, feed=feed, scheduler=scheduler, journal=journal,
                       dispatcher=dispatcher, messaging=messaging, media_store=media_store, persistence=persistence)
    backends: dict[str, Any] = {}
    for spec in providers:
        backends[spec.name] = spec.build(core, backends, scenario.section(spec.name))
        messaging.register(backends[spec.name])
    check_reasons(scenario, failure_reasons(messaging))
    runtime = Runtime(
        settings=settings,
        clock=clock,
        ids=ids,
        feed=feed,
        scheduler=scheduler,
        journal=journal,
        dispatcher=dispatcher,
        messaging=messaging,
        scenario=scenario,
        engine=ScenarioEngine(scenario, ids.random),
        media_store=media_store,
        providers=tuple(providers),
        backends=backends,
        keyed={spec.key: backends[spec.name] for spec in providers},
        scenario_format=fmt,
        persistence=persistence,
    )
    if isinstance(persistence, SqlitePersistence):
        from sandbox.core.datadir import reading_back  # with --data-dir only (it brings sqlite3)

        with reading_back(persistence.path):
            runtime.restored = attach(runtime, persistence)
    return runtime
