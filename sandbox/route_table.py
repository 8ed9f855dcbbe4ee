"""The app's routes compiled once into aiohttp resources, for a process that builds many apps.

The pytest plugin builds an app per test. Adding the ~230 routes (``add_route`` makes a resource and a
route object per path and method, checks each handler, compiles each pattern) was most of what
``create_app`` cost once the scenario parse was cached (docs/bench.md "Per-test cost"). aiohttp freezes a
router with its app, so one router cannot serve two apps; its resources can: a resource holds its path,
its pattern and its routes (method -> handler), nothing of an app, and every handler reaches its state
through the request (STYLE.md), so the same resource serves any app. ``register_resource`` is aiohttp's
public way to add a ready resource, the one ``WorkspaceResource`` already uses.

One ``RouteTable`` is held by a session-scoped fixture (never by the module): the first app a table
builds adds its routes as ever and the table keeps the resources that made; every later app registers
those same resources, in the same order, so each app's router lists, resolves and indexes exactly what a
freshly built one would. ``wa-sandbox serve`` builds one app and passes no table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from sandbox.core.provider import ProviderSpec


class RouteTable:
    def __init__(self) -> None:
        # maps the ids of the provider specs an app mounts -> those specs (kept, so the ids stay theirs) and
        # the resources that app's routes made (specs are compared by identity: they hold dicts, unhashable)
        self._compiled: dict[tuple[int, ...], tuple[Sequence[ProviderSpec[Any]], tuple[web.AbstractResource, ...]]] = {}
        self.reused = 0  # apps given already-compiled resources (tests read it)

    def install(self, router: web.UrlDispatcher, providers: Sequence[ProviderSpec[Any]],
                build: Callable[[web.UrlDispatcher], None]) -> None:
        """Give ``router`` the resources ``build`` adds for these providers: built once, then reused."""
        key = tuple(map(id, providers))
        compiled = self._compiled.get(key)
        if compiled is None:
            before = len(router.resources())
            build(router)
            self._compiled[key] = (providers, tuple(router.resources())[before:])
            return
        for resource in compiled[1]:
            router.register_resource(resource)
        self.reused += 1
