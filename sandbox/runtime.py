"""The sandbox's object graph, built once per app by ``build_runtime`` (no globals anywhere)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.core.clock import VirtualClock
from sandbox.core.datadir import reading_back
from sandbox.core.feed import ChangeFeed
from sandbox.core.ids import IdFactory
from sandbox.core.media_store import MediaStore
from sandbox.core.messaging import Messaging
from sandbox.core.persistence import Persistence, SqlitePersistence
from sandbox.core.scenario import Scenario, ScenarioEngine, check_reasons, load_scenario
from sandbox.core.scheduler import Scheduler
from sandbox.core.store import Journal
from sandbox.core.webhooks import RetryPolicy, WebhookDispatcher
from sandbox.persist import attach
from sandbox.providers.maac.service import MaacProvider
from sandbox.providers.meta.config import MetaBusinesses
from sandbox.providers.meta.platform import MetaPlatform
from sandbox.providers.meta.service import MetaProvider
from sandbox.providers.meta.validation import SendValidator
from sandbox.providers.modica.media import ModicaMedia
from sandbox.providers.modica.service import ModicaProvider
from sandbox.providers.smsglobal.config import SmsglobalConfig
from sandbox.providers.smsglobal.service import SmsglobalProvider
from sandbox.settings import Settings, bundled_scenarios
from sandbox.targets import carry_over, set_at_run_time

if TYPE_CHECKING:
    from sandbox.core.scenario_cache import ScenarioCache  # the pytest plugin's; a server never loads it


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
    meta: MetaProvider
    meta_validator: SendValidator
    meta_platform: MetaPlatform  # media, templates, rate limits (also reachable as meta.platform)
    smsglobal: SmsglobalProvider
    maac: MaacProvider
    modica: ModicaProvider
    media_store: MediaStore  # every provider's media (Meta's, Modica's) under one byte cap
    started_at: float = field(default_factory=time.monotonic)
    persistence: Persistence = field(default_factory=Persistence)  # SQLite with --data-dir, else no-op
    restored: dict[str, int] = field(default_factory=dict)  # what --data-dir brought back at start
    mount: str = ""  # path prefix of this runtime's URLs: "" for the default, "/w/{name}" for a workspace
    # A workspace's: applied to every scenario it loads (its credentials and webhook URLs; sandbox/workspaces)
    prepare: Callable[[Scenario], Scenario] | None = None

    def load(self, scenario: Scenario, *, keep_targets: bool = False) -> None:
        """Switch scenario: businesses, personas and rules change; the journal is kept. ``keep_targets``:
        webhook targets set at run time stay where the new scenario names none (targets.py)."""
        if self.prepare is not None:
            scenario = self.prepare(scenario)
        check_reasons(scenario, failure_reasons(self.messaging))
        carried = set_at_run_time(self) if keep_targets else {}
        self.scenario = scenario
        self.engine = ScenarioEngine(scenario, self.ids.random)
        self.meta.businesses = self._meta_businesses()
        self.meta_platform.load(scenario.section("meta"), self.meta.businesses)
        self.smsglobal.configure(SmsglobalConfig.parse(scenario.section("smsglobal")))
        self.maac.configure(scenario.section("maac"))
        self.modica.configure(scenario.section("modica"))
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
        elif provider == "meta":  # webhook targets and secrets back to the scenario's, as the other providers' reset
            self.meta.businesses = self._meta_businesses()
        for name, hooks in self.messaging.providers.items():
            if provider in (None, name):
                hooks.reset()
        self.feed.publish({"kind": "reset", "provider": provider})  # live views (inbox) start over

    def _meta_businesses(self) -> MetaBusinesses:
        return MetaBusinesses(self.scenario.section("meta").get("businesses", []), self.settings.meta_webhook_url)

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
                  scenarios: ScenarioCache | None = None, scenario: Scenario | None = None) -> Runtime:
    """``scenarios``: parsed scenarios shared by the apps of one test session (scenario_cache.py);
    ``scenario``: already parsed (a workspace's, parsed once for many), else ``settings.scenario`` is read."""
    if scenario is None:
        library = (*(Path(d) for d in [settings.scenarios_dir] if d), bundled_scenarios())
        scenario = scenarios.load(settings.scenario, library) if scenarios is not None else load_scenario(settings.scenario, library)
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
                                   delivery_process=settings.delivery_process)
    messaging = Messaging(journal=journal, scheduler=scheduler, clock=clock, feed=feed, engine=lambda: runtime.engine,
                          persistence=persistence)
    businesses = MetaBusinesses(scenario.section("meta").get("businesses", []), settings.meta_webhook_url)
    meta = MetaProvider(messaging=messaging, businesses=businesses, dispatcher=dispatcher, ids=ids, clock=clock)
    messaging.register(meta)
    media_store = MediaStore(settings.media_max_bytes, settings.media_dir)
    media_store.persistence = persistence
    meta.platform = MetaPlatform.create(settings, clock, ids, scheduler, messaging, dispatcher, media_store)
    meta.platform.load(scenario.section("meta"), businesses)
    smsglobal = SmsglobalProvider(
        messaging=messaging, dispatcher=dispatcher, ids=ids, clock=clock,
        config=SmsglobalConfig.parse(scenario.section("smsglobal")), link_policy=lambda: settings.link_policy,
    )
    messaging.register(smsglobal)
    maac = MaacProvider(
        messaging=messaging, dispatcher=dispatcher, ids=ids, clock=clock, section=scenario.section("maac"), cloud_api=meta
    )
    messaging.register(maac)
    modica = ModicaProvider(messaging=messaging, dispatcher=dispatcher, ids=ids, clock=clock,
                            section=scenario.section("modica"), media=ModicaMedia(media_store, clock))
    messaging.register(modica)
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
        meta=meta,
        meta_validator=SendValidator(),
        meta_platform=meta.platform,
        smsglobal=smsglobal,
        maac=maac,
        modica=modica,
        media_store=media_store,
        persistence=persistence,
    )
    if isinstance(persistence, SqlitePersistence):
        with reading_back(persistence.path):
            runtime.restored = attach(runtime, persistence)
    return runtime
