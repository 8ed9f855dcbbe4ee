"""core/scenario_cache.py: the pytest plugin parses a scenario file once per session, never shares it."""

from __future__ import annotations

import os
from pathlib import Path

from sandbox.core.scenario_cache import ScenarioCache

SCENARIO = "version: 1\nname: cached\nrules:\n  - {name: r, match: {to: '+1555'}, timeline: [{after: 1, status: sent}]}\n"


def test_a_second_load_is_a_fresh_copy_of_the_first(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    cache = ScenarioCache()
    first = cache.load(path)
    first.raw["rules"][0]["name"] = "changed by one runtime"
    second = cache.load(path)
    assert cache.hits == 1
    assert second.raw["rules"][0]["name"] == "r" and second.name == "cached" and second.lines == first.lines


def test_an_edited_file_is_parsed_again(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    cache = ScenarioCache()
    cache.load(path)
    path.write_text(SCENARIO.replace("cached", "edited, a little longer"))
    os.utime(path, ns=(1, 1))  # a different mtime even on a coarse filesystem clock
    assert cache.load(path).name == "edited, a little longer" and cache.hits == 0


def test_the_plugin_parses_the_default_scenario_once_per_session(wa_sandbox, wa_sandbox_scenarios) -> None:
    assert wa_sandbox.runtime.scenario.name == "default"
    wa_sandbox_scenarios.load(wa_sandbox.runtime.settings.scenario)
    assert wa_sandbox_scenarios.hits >= 1
