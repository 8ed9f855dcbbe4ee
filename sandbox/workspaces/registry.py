"""The live workspaces of one server: create, find, delete, idle expiry, the cap, persistence.

Each workspace is a ``Runtime`` from ``build_runtime`` with settings derived from the server's
(its own seed, clock mode, folder under ``--data-dir``); what is heavy and stateless is shared: the
webhook HTTP client session (one connection pool for every workspace's dispatcher) and the parsed
scenario files (a YAML parse costs ~10 ms, the whole creation budget).

Idle time is wall time (``now``, injectable): a workspace on a manual clock is idle however far its
virtual clock moves. Every request served by a workspace, by prefix or credentials, renews it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import random
import re
import shutil
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from sandbox.core.delivery_process import DeliveryProcess
from sandbox.core.errors import ControlError
from sandbox.core.scenario import Scenario
from sandbox.runtime import Runtime, build_runtime
from sandbox.scenarios import load_scenario, parse_scenario
from sandbox.settings import Settings, resolve_scenario
from sandbox.workspaces import credentials
from sandbox.workspaces.names import check_name, mount_of

log = logging.getLogger(__name__)

FOLDER = "workspaces"  # under --data-dir: one folder per workspace
MANIFEST = "workspace.json"  # in a workspace's folder: how it was created
SCENARIO_NAME = re.compile(r"[A-Za-z0-9_.-]{1,200}")  # a file name in a folder, never a path
SHARED_CONNECTIONS = 256  # the shared webhook session's connection pool, for every workspace together
WORKERS = 8  # concurrent webhook posts per workspace (the default has 32): fewer tasks per workspace; one pool bounds all
SWEEP_EVERY = 60.0  # seconds between expiry sweeps, at most (less for short TTLs)


@dataclass
class Workspace:
    name: str
    runtime: Runtime
    spec: dict[str, Any]  # how it was created (name, seed, clock, ttl, webhooks, scenario): the manifest
    created_at: float  # unix seconds
    last_used: float  # the registry's ``now`` at the last request it served
    keys: set[str] = field(default_factory=set)  # its credentials' routing keys

    @property
    def ttl(self) -> float:
        return float(self.spec["ttl"])

    def idle(self, now: float) -> float:
        return max(0.0, now - self.last_used)

    def expired(self, now: float) -> bool:
        return self.ttl > 0 and self.idle(now) >= self.ttl


class Workspaces:
    def __init__(self, settings: Settings, *, now: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.now, self.wall = now, wall
        self.live: dict[str, Workspace] = {}  # maps name -> workspace
        self.by_credential: dict[str, Workspace] = {}  # maps routing key (token, MAC key, user) -> workspace
        self._scenarios: dict[str, tuple[float, Scenario]] = {}  # maps scenario file -> (mtime, parsed)
        self._names = random.Random(f"workspace names {settings.seed}")
        self._session: aiohttp.ClientSession | None = None
        # the server's delivery process (--delivery-process), shared by every workspace's dispatcher; owned and
        # stopped by the default runtime's dispatcher, whose cleanup runs after this registry's
        self.delivery: DeliveryProcess | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self.counters = {"created": 0, "deleted": 0, "expired": 0, "restored": 0}

    # --- create -----------------------------------------------------------------------------------
    async def create(self, body: dict[str, Any], scenarios_dir: Path) -> Workspace:
        """``body``: name?, scenario? (a file name), scenario_yaml?, clock?, seed?, webhooks?, ttl?."""
        name = check_name(body["name"]) if body.get("name") is not None else self._new_name()
        if name in self.live:
            raise ControlError(f"a workspace named '{name}' exists; delete it first or choose another name", 409)
        if len(self.live) >= self.settings.max_workspaces:
            raise ControlError(f"{len(self.live)} workspaces are live, the cap (SANDBOX_MAX_WORKSPACES="
                               f"{self.settings.max_workspaces}); delete one (DELETE /_sandbox/workspaces/{{name}}) "
                               "or wait for an idle one to expire", 429)
        spec = self._spec(name, body)
        scenario = self._scenario(body, scenarios_dir)
        workspace = self._build(spec, scenario)
        self._write_manifest(workspace)
        await self._start(workspace)
        self.counters["created"] += 1
        return workspace

    def _spec(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        clock = body.get("clock", self.settings.clock)
        if clock not in ("real", "manual"):
            raise ControlError("'clock' is 'real' or 'manual'")
        seed = body.get("seed", name)  # by default each workspace's ids differ from every other's
        if not isinstance(seed, (str, int)) or isinstance(seed, bool):
            raise ControlError(f"'seed' must be a string or an integer, got {seed!r}")
        ttl = body.get("ttl", self.settings.workspace_ttl)
        if not isinstance(ttl, (int, float)) or isinstance(ttl, bool) or not 0 <= ttl < math.inf:
            raise ControlError(f"'ttl' must be a number of seconds, 0 for never, got {ttl!r}")
        return {"name": name, "seed": str(seed), "clock": clock, "ttl": float(ttl),
                "webhooks": credentials.check_webhooks(body.get("webhooks"))}

    def _scenario(self, body: dict[str, Any], scenarios_dir: Path) -> Scenario:
        if body.get("scenario_yaml") is not None:
            if not isinstance(body["scenario_yaml"], str):
                raise ControlError("'scenario_yaml' must be the scenario's YAML text")
            return parse_scenario(body["scenario_yaml"], "<scenario_yaml>")  # ScenarioError names the line
        given = body.get("scenario")
        if given is None:
            return self._parsed(self.settings.scenario)
        if not isinstance(given, str) or SCENARIO_NAME.fullmatch(given) is None:
            raise ControlError(f"'scenario' is the name of a scenario file (as GET /_sandbox/scenarios lists), got {given!r}")
        for path in (scenarios_dir / f"{Path(given).stem}.yaml", Path(resolve_scenario(given))):
            if path.is_file():
                return self._parsed(str(path))
        raise ControlError(f"no scenario named '{given}' in {scenarios_dir} or the bundled ones", 404)

    def _parsed(self, path: str) -> Scenario:
        """Parse a file once; again only when it changed on disk."""
        mtime = os.stat(path).st_mtime
        cached = self._scenarios.get(path)
        if cached is None or cached[0] != mtime:
            cached = (mtime, load_scenario(path))
            self._scenarios[path] = cached
        return cached[1]

    def _build(self, spec: dict[str, Any], scenario: Scenario) -> Workspace:
        name = spec["name"]
        mint = credentials.Minter(name, spec["seed"])
        webhooks = spec["webhooks"]
        settings = self._settings_for(spec)
        runtime = build_runtime(settings, scenario=credentials.prepare(scenario, mint, webhooks))
        now = self.now()
        workspace = Workspace(name, runtime, spec, created_at=spec.setdefault("created_at", self.wall()), last_used=now)
        runtime.mount = mount_of(name)
        # media links made without a request (inbound media in webhooks) carry the mount too
        runtime.meta_platform.media.settings = replace(settings, public_url=settings.base_url + runtime.mount)

        def prepare(loaded: Scenario) -> Scenario:
            prepared = credentials.prepare(loaded, mint, webhooks)
            self._index(workspace, credentials.routing_keys(prepared))
            return prepared

        runtime.prepare = prepare
        self.live[name] = workspace
        self._index(workspace, credentials.routing_keys(runtime.scenario))
        return workspace

    def _settings_for(self, spec: dict[str, Any]) -> Settings:
        server, name = self.settings, spec["name"]
        folder = self._folder(name)
        if folder is not None:
            media_dir: str | None = str(folder / "media")
        elif server.media_dir:
            media_dir = str(Path(server.media_dir) / FOLDER / name)
        else:
            media_dir = None  # a temporary folder of its own
        return replace(server, seed=spec["seed"], clock=spec["clock"], data_dir=str(folder) if folder else None,
                       media_dir=media_dir, meta_webhook_url=None,
                       delivery_process=False)  # not a child of its own: `_start` hands it the server's

    async def _start(self, workspace: Workspace) -> None:
        await workspace.runtime.dispatcher.start(session=self._shared_session(), workers=WORKERS, remote=self.delivery)
        workspace.runtime.scheduler.start()

    def _shared_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=self.settings.webhook_timeout)
            self._session = aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=SHARED_CONNECTIONS))
        return self._session

    def _index(self, workspace: Workspace, keys: set[str]) -> None:
        for key in workspace.keys - keys:
            self.by_credential.pop(key, None)
        for key in keys:
            self.by_credential[key] = workspace
        workspace.keys = keys

    def _new_name(self) -> str:
        while True:
            name = f"ws-{self._names.getrandbits(40):010x}"
            if name not in self.live:
                return name

    # --- find, delete, expire ---------------------------------------------------------------------
    def get(self, name: str) -> Workspace | None:
        return self.live.get(name)

    async def delete(self, name: str) -> bool:
        """Stop it and forget everything it held: pending timelines and webhooks, journal, media, folder."""
        workspace = self.live.pop(name, None)
        if workspace is None:
            return False
        self._index(workspace, set())
        rt = workspace.runtime
        rt.prepare = None
        await rt.scheduler.stop()
        rt.scheduler.clear()
        await rt.dispatcher.stop()
        rt.dispatcher.reset()
        rt.media_store.reset()
        rt.persistence.close()
        rt.feed.publish({"kind": "shutdown"})  # its inbox streams end
        folder = self._folder(name)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        elif rt.settings.media_dir:
            shutil.rmtree(rt.settings.media_dir, ignore_errors=True)
        self.counters["deleted"] += 1
        return True

    async def sweep(self) -> list[str]:
        """Delete every workspace idle past its TTL; the names deleted."""
        now = self.now()
        expired = [w.name for w in self.live.values() if w.expired(now)]
        for name in expired:
            log.info("workspace %s expired after %g s idle", name, self.live[name].ttl)
            await self.delete(name)
        self.counters["expired"] += len(expired)
        return expired

    async def _sweep_forever(self) -> None:
        while True:
            ttls = [w.ttl for w in self.live.values() if w.ttl > 0] + [self.settings.workspace_ttl or SWEEP_EVERY]
            await asyncio.sleep(min(SWEEP_EVERY, max(0.05, min(ttls) / 4)))
            try:
                await self.sweep()
            except Exception:  # a failed sweep must not end expiry for good
                log.exception("workspace expiry sweep failed")

    # --- persistence (--data-dir) -----------------------------------------------------------------
    def _folder(self, name: str) -> Path | None:
        return Path(self.settings.data_dir) / FOLDER / name if self.settings.data_dir else None

    def _write_manifest(self, workspace: Workspace) -> None:
        folder = self._folder(workspace.name)
        if folder is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{MANIFEST}.tmp"
        tmp.write_text(json.dumps(workspace.spec), encoding="utf-8")
        os.replace(tmp, folder / MANIFEST)  # whole or absent after a kill -9

    async def restore(self) -> None:
        """Bring back every workspace saved under ``--data-dir`` (its runtime restores its own state)."""
        if not self.settings.data_dir:
            return
        for manifest in sorted((Path(self.settings.data_dir) / FOLDER).glob(f"*/{MANIFEST}")):
            try:
                spec = json.loads(manifest.read_text(encoding="utf-8"))
                workspace = self._build(spec, self._parsed(self.settings.scenario))
            except Exception:  # one damaged folder must not keep the server (and the others) down
                log.exception("workspace in %s could not be restored; left as it is", manifest.parent)
                continue
            await self._start(workspace)
            self.counters["restored"] += 1

    # --- app lifecycle ----------------------------------------------------------------------------
    async def lifecycle(self, app: web.Application) -> AsyncIterator[None]:
        await self.restore()
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="workspace-expiry")
        yield
        self._sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._sweeper
        for workspace in list(self.live.values()):  # stopped, not deleted: with --data-dir they come back
            await workspace.runtime.scheduler.stop()
            await workspace.runtime.dispatcher.stop()
            workspace.runtime.persistence.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def end_streams(self, app: web.Application) -> None:
        """on_shutdown: end every workspace's inbox event streams, as the default's."""
        for workspace in self.live.values():
            workspace.runtime.feed.publish({"kind": "shutdown"})

    def describe(self, workspace: Workspace, base: str) -> dict[str, Any]:
        """Everything a test needs to point an application at the workspace (``base``: the server's URL)."""
        rt, now = workspace.runtime, self.now()
        root = base + rt.mount
        ttl = workspace.ttl
        return {
            "name": workspace.name,
            "control_url": f"{root}/_sandbox",
            "inbox_url": f"{base}/_sandbox/inbox?workspace={workspace.name}",
            "base_urls": {**{p: root + path for p, path in credentials.base_paths().items()},
                          "modica_v2": f"{root}/rest/sms/v2", "modica_wab": f"{root}/rest/wab/v1",
                          "control": f"{root}/_sandbox"},
            "credentials": credentials.describe(rt.scenario),
            "scenario": rt.scenario.name,
            "seed": workspace.spec["seed"],
            "clock": rt.clock.describe(),
            "webhooks": workspace.spec["webhooks"],
            "created_at": workspace.created_at,
            "ttl": ttl,
            "idle_seconds": round(workspace.idle(now), 3),
            "expires_at": None if ttl <= 0 else round(self.wall() + ttl - workspace.idle(now), 3),
            "persistent": self.settings.data_dir is not None,
        }
