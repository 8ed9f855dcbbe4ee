"""The README's tables stay in step with the product."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sandbox.control.routes import ROUTES
from sandbox.settings import Settings

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_magic_number_is_in_the_readme():
    scenario = yaml.safe_load((ROOT / "scenarios" / "default.yaml").read_text(encoding="utf-8"))
    for rule in scenario["rules"]:
        if rule.get("magic"):
            assert f"| {rule['match']['to']} | {rule['name']} | {rule['description']} |" in README


def test_every_control_route_is_in_the_readme():
    for route in ROUTES:
        path = route.path.removeprefix("/_sandbox")  # type: ignore[attr-defined]
        if path == "/openapi.yaml":
            continue
        assert f"{path}" in README, path


def test_every_setting_has_its_environment_variable_in_the_readme():
    for name in Settings.__dataclass_fields__:
        assert f"SANDBOX_{name.upper()}" in README, name


def python_tests_in_docs() -> dict[str, str]:
    """Every ```python block that defines a test, in the README and docs/integration.md, by file and order."""
    found = {}
    for doc in (ROOT / "README.md", ROOT / "docs" / "integration.md"):
        blocks = re.findall(r"^```python\n(.*?)^```", doc.read_text(encoding="utf-8"), flags=re.M | re.S)
        for n, block in enumerate(b for b in blocks if "def test_" in b):
            found[f"test_{doc.stem.lower()}_{n}.py"] = block
    return found


def test_the_docs_show_a_pytest_test_for_every_provider():
    shown = "\n".join(python_tests_in_docs().values())
    for base_url in ("meta", "smsglobal", "maac", "modica_v1"):
        assert f'wa_sandbox.base_urls["{base_url}"]' in shown, base_url


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_the_python_tests_in_the_docs_pass_as_written(tmp_path, mode):
    # A project of its own (outside this repository's pytest configuration), as a reader would paste them.
    ini = "[pytest]\nasyncio_default_fixture_loop_scope = function\n" + ("asyncio_mode = auto\n" if mode == "auto" else "")
    (tmp_path / "pytest.ini").write_text(ini)
    for name, code in python_tests_in_docs().items():
        (tmp_path / name).write_text(code)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-W", "error::pytest.PytestUnraisableExceptionWarning"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(python_tests_in_docs())} passed" in run.stdout, run.stdout


def test_the_readme_example_runs_clean_in_strict_mode_with_no_configuration(tmp_path):
    # No pytest.ini, pyproject or conftest: pytest-asyncio's strict mode and its unset
    # asyncio_default_fixture_loop_scope, as a newcomer's first project has them.
    [example] = [code for name, code in python_tests_in_docs().items() if name.startswith("test_readme_")]
    (tmp_path / "test_example.py").write_text(example)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-rw"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=180)
    output = run.stdout + run.stderr
    assert run.returncode == 0 and "1 passed" in run.stdout, output
    assert "Warning" not in output and "asyncio_default_fixture_loop_scope" not in output, output
