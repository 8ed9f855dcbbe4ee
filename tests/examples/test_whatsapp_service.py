"""The example application's own integration suite (examples/whatsapp-service/tests) passes against this sandbox.

It runs in a pytest subprocess from the example's folder, so it uses the example's own pytest settings
and imports exactly as a project depending on wa-sandbox would (the plugin found by its entry point).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "whatsapp-service"


def test_example_service_suite_passes():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests"],
        cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, f"examples/whatsapp-service tests failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"
    assert " passed" in done.stdout and "skipped" not in done.stdout, done.stdout[-2000:]
