"""Installs a pinned npm client into a cache outside the repository, or skips the tests saying why.

Each client has a folder under tests/e2e/ with a package.json and its package-lock.json; ``npm ci`` installs
them into ``$WA_SANDBOX_NPM_CACHE`` (default ``~/.cache/wa-sandbox/npm``) under a folder keyed by the
lockfile's hash, so a run after the first costs nothing and a changed lockfile installs anew.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def node_major() -> int:
    out = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=30).stdout
    return int(out.strip().lstrip("v").split(".")[0] or 0)


def installed(folder: Path, package: str, min_node: int) -> Path:
    """The node_modules holding ``package`` as locked in ``folder``; skips the test when it cannot be had."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip(f"node and npm are needed to run {package}")
    if node_major() < min_node:
        pytest.skip(f"{package} needs node {min_node} or later")
    lock = (folder / "package-lock.json").read_bytes()
    cache = Path(os.environ.get("WA_SANDBOX_NPM_CACHE", Path.home() / ".cache" / "wa-sandbox" / "npm"))
    prefix = cache / f"{folder.name.replace('_', '-')}-{hashlib.sha256(lock).hexdigest()[:12]}"
    modules = prefix / "node_modules"
    if not (modules / package / "package.json").exists():
        prefix.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(folder / name, prefix / name)
        try:
            result = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(prefix)],
                capture_output=True, text=True, timeout=180,
            )
        except subprocess.TimeoutExpired:
            pytest.skip(f"could not install {package} with npm: no answer from the registry in 180 s")
        if result.returncode != 0:
            errors = [line for line in result.stderr.splitlines() if line.startswith("npm error")][:3]
            pytest.skip(f"could not install {package} with npm: {' / '.join(errors)[:300]}")
    return modules
