"""Every provider the sandbox emulates: the one tuple the runtime, persistence, webhook targets, the app and
the scenario schema loop over. Adding a provider is its folder plus one line here (docs/architecture.md).

The order counts: backends are built in it (MAAC's WhatsApp leg uses Meta's templates, so Meta comes
first), the control API lists providers in it (the first is its default for ``POST /_sandbox/inbound``), and
their fixed routes are added in it."""

from __future__ import annotations

from typing import Any

from sandbox.core.provider import ProviderSpec, format_of
from sandbox.providers.maac.spec import SPEC as MAAC
from sandbox.providers.meta.spec import SPEC as META
from sandbox.providers.modica.spec import SPEC as MODICA
from sandbox.providers.smsglobal.spec import SPEC as SMSGLOBAL

PROVIDERS: tuple[ProviderSpec[Any], ...] = (META, SMSGLOBAL, MAAC, MODICA)
# The scenario format of these providers (core/scenario.py ScenarioFormat): one object for the process, so
# the pytest plugin's scenario cache finds a file parsed for one app again for the next.
SCENARIO_FORMAT = format_of(PROVIDERS)
