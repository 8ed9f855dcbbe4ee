"""The pytest plugin as another project uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

SCENARIOS = Path(__file__).parents[1] / "scenarios"


async def test_defaults_are_manual_clock_and_default_scenario(wa_sandbox):
    assert wa_sandbox.runtime.clock.mode == "manual"
    assert wa_sandbox.runtime.scenario.name == "default"
    assert set(wa_sandbox.base_urls) >= {"meta", "control", "smsglobal", "maac"}


@pytest.mark.wa_sandbox(scenario=str(SCENARIOS / "india-shop.yaml"), seed="fixed")
async def test_marker_chooses_scenario_and_seed(wa_sandbox):
    assert wa_sandbox.runtime.scenario.name == "india-shop"
    assert wa_sandbox.runtime.settings.seed == "fixed"
