"""The README's tables stay in step with the product."""

from __future__ import annotations

from pathlib import Path

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
