"""Parsed scenarios kept by file identity, for a process that builds many apps from the same file.

The pytest plugin builds an app per test; parsing and validating the default scenario (YAML, then its
JSON Schema) was most of that app's cost (docs/bench.md "Per-test cost"). One ``ScenarioCache`` is held
by a session-scoped fixture, never by the module: it maps (path, size, mtime) -> the pickled Scenario, and
every load unpickles a fresh copy, so no runtime can change another's scenario. An edited file has
another size or mtime and is parsed again.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path

from sandbox.core.scenario import CORE_FORMAT, Scenario, ScenarioFormat, load_scenario


class ScenarioCache:
    def __init__(self) -> None:
        # maps (resolved path, size, mtime_ns, extends library, format) -> Scenario
        self._pickled: dict[tuple[str, int, int, tuple[str, ...], ScenarioFormat], bytes] = {}
        self.hits = 0

    def load(self, path: str | Path, library: Sequence[Path] = (), fmt: ScenarioFormat = CORE_FORMAT) -> Scenario:
        """``library`` and ``fmt`` as ``load_scenario``'s (a format is one object per process: the key holds it). A base that ``extends:`` names is read once with its extender:
        editing only the base during one session is not seen (the extending file's identity is the key)."""
        p = Path(path)
        try:
            st = p.stat()
        except OSError:
            return load_scenario(p, library, fmt=fmt)  # the reader's own error, with its wording
        key = (str(p.resolve()), st.st_size, st.st_mtime_ns, tuple(map(str, library)), fmt)
        found = self._pickled.get(key)
        if found is not None:
            self.hits += 1
            scenario: Scenario = pickle.loads(found)  # noqa: S301 - bytes this object pickled itself
            return scenario
        scenario = load_scenario(p, library, fmt=fmt)
        self._pickled[key] = pickle.dumps(scenario, protocol=pickle.HIGHEST_PROTOCOL)
        return scenario
