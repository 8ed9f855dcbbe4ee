"""The pytest plugin as another project uses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).parents[1] / "scenarios"


async def test_defaults_are_manual_clock_and_default_scenario(wa_sandbox):
    assert wa_sandbox.runtime.clock.mode == "manual"
    assert wa_sandbox.runtime.scenario.name == "default"
    assert set(wa_sandbox.base_urls) >= {"meta", "control", "smsglobal", "maac"}


async def test_meta_business_is_the_scenarios_default_meta_business(wa_sandbox):
    business = wa_sandbox.meta_business  # the first business of scenarios/default.yaml
    assert (business["phone_number_id"], business["display_phone_number"]) == ("100000000000001", "+1 555-010-0001")
    assert business == wa_sandbox.runtime.meta.businesses.default().to_json()


@pytest.mark.wa_sandbox(scenario=str(SCENARIOS / "india-shop.yaml"), seed="fixed")
async def test_marker_chooses_scenario_and_seed(wa_sandbox):
    assert wa_sandbox.runtime.scenario.name == "india-shop"
    assert wa_sandbox.runtime.settings.seed == "fixed"


STRICT_MODE_PROJECT = """
import pytest

@pytest.mark.asyncio
async def test_sends_through_the_sandbox(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    assert (await wa_sandbox.control.clock())["mode"] == "manual"
"""


def test_fixtures_work_in_a_project_with_pytest_asyncio_strict_mode(tmp_path: Path) -> None:
    # pytest-asyncio's default mode: no asyncio_mode = auto, tests marked @pytest.mark.asyncio.
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    (tmp_path / "test_project.py").write_text(STRICT_MODE_PROJECT)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


WITHOUT_PYTEST_AIOHTTP = """
def test_unrelated():
    assert True

def test_uses_the_sandbox(wa_sandbox):
    pass
"""

def test_pytest_still_runs_without_pytest_aiohttp_and_the_fixture_says_what_to_install(tmp_path: Path) -> None:
    # pytest as it runs in a project that installed wa-sandbox without pytest-aiohttp (to serve it, say):
    # both packages fail to import (stand-ins first on the path) and their plugins are not loaded.
    for absent in ("pytest_asyncio", "pytest_aiohttp"):
        (tmp_path / "absent" / absent).mkdir(parents=True)
        (tmp_path / "absent" / absent / "__init__.py").write_text(f"raise ModuleNotFoundError('No module named {absent}')\n")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "project" / "test_project.py").write_text(WITHOUT_PYTEST_AIOHTTP)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "absent")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:asyncio", "-p", "no:aiohttp",
                          "-p", "no:cacheprovider", "-p", "no:randomly"],
                         cwd=tmp_path / "project", env=env, capture_output=True, text=True, timeout=120)
    assert "1 passed, 1 error" in run.stdout, run.stdout + run.stderr
    assert "pip install 'wa-sandbox[pytest]'" in run.stdout


@pytest.mark.wa_sandbox(scenario="india-shop")
async def test_marker_names_a_bundled_scenario_without_its_path(wa_sandbox):
    # A pip-installed sandbox keeps its scenarios under <prefix>/share: the name is enough (so is --scenario).
    assert wa_sandbox.runtime.scenario.name == "india-shop"


async def test_a_wait_that_times_out_raises_control_api_error_importable_from_sandbox_testing(wa_sandbox):
    from sandbox.testing import ControlAPIError  # the README names it; users import it from the package

    with pytest.raises(ControlAPIError) as timed_out:
        await wa_sandbox.control.wait_for(to="15550200001", timeout=0.1)
    assert timed_out.value.status == 408


OTHER_LOOP_PROJECT = """
async def test_calls_the_sandbox(wa_sandbox):
    await wa_sandbox.control.clock()
"""


def test_a_test_on_another_loop_than_the_sandbox_fails_at_once_instead_of_hanging(tmp_path: Path) -> None:
    # Fixtures on a module loop, tests on their own (pytest-asyncio's default test loop scope): the sandbox's
    # server never runs while the test waits for it; aiohttp would wait 5 minutes.
    ini = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = module\n"
    (tmp_path / "pytest.ini").write_text(ini)
    (tmp_path / "test_project.py").write_text(OTHER_LOOP_PROJECT)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "1 failed" in run.stdout, run.stdout + run.stderr
    assert "asyncio_default_fixture_loop_scope is wider than the test's loop scope" in run.stdout
