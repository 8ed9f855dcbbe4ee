"""Scenario files in this program's whole format: the core's (core/scenario.py) with every provider's
section, rule fields and ``extends:`` merge keys (``providers/all.py`` SCENARIO_FORMAT). The core's own
``load_scenario`` leaves provider sections unchecked; these check them, as the runtime does."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sandbox.core import scenario as core
from sandbox.core.scenario import Scenario
from sandbox.providers.all import SCENARIO_FORMAT


def load_scenario(path: str | Path, library: Sequence[Path] = ()) -> Scenario:
    return core.load_scenario(path, library, fmt=SCENARIO_FORMAT)


def parse_scenario(text: str, source: str = "<scenario>", library: Sequence[Path] = (), *,
                   folder: Path | None = None) -> Scenario:
    return core.parse_scenario(text, source, library, fmt=SCENARIO_FORMAT, folder=folder)
