"""What the README and docs/ tell a newcomer is true: the 24-hour window rule in every example, one
image tag everywhere, a Dockerfile that builds offline and gives the image a writable data volume."""

from __future__ import annotations

import os
import random
import re
import subprocess
from pathlib import Path

import pytest

from sandbox.core.scenario import ScenarioEngine, SendFacts, load_scenario

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "examples" / "whatsapp-service" / "README.md"]
IMAGE_TAG = "wa-sandbox:local"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def free_form_cloud_api_sends() -> list[tuple[str, str]]:
    """(file, number) of every Cloud API free-form send the docs show: a JSON body with
    messaging_product and a non-template type, or pywa's send_message(to=...)."""
    found = []
    for doc in DOCS:
        for line in read(doc).splitlines():
            to = re.search(r"""["']to["']\s*:\s*["'](\+?\d+)["']""", line)
            kind = re.search(r"""["']type["']\s*:\s*["'](\w+)["']""", line)
            if to and kind and "messaging_product" in line and kind.group(1) != "template":
                found.append((doc.name, to.group(1)))
            found += [(doc.name, n) for n in re.findall(r"""send_message\(to=["'](\+?\d+)["']""", line)]
    return found


def test_the_docs_show_free_form_sends_at_all():
    assert len(free_form_cloud_api_sends()) >= 3


@pytest.mark.parametrize(("doc", "number"), free_form_cloud_api_sends())
def test_every_free_form_send_in_the_docs_goes_to_a_number_whose_window_is_open(doc, number):
    # Any other number gets 200 and then 131047 (README "Magic numbers"): the example would not show
    # what its text says.
    engine = ScenarioEngine(load_scenario(ROOT / "scenarios" / "default.yaml"), random.Random(0))
    facts = SendFacts(provider="meta", channel="whatsapp", business="100000000000001", user=number.lstrip("+"),
                      type="text", text="Hello")
    assert engine.decide(facts).window == "open", f"{doc}: {number}"


def test_the_readme_states_the_window_rule_and_both_ways_through_before_the_magic_numbers():
    section = read(ROOT / "README.md").split("## Magic numbers", 1)[1].split("| Number |", 1)[0]
    assert "131047" in section and "template" in section and "/_sandbox/inbound" in section


IMAGE_REFERENCES = [
    r"wa-sandbox:[\w.-]+",  # any tag
    r"(?<=-t )wa-sandbox\b(?!:)",  # docker build -t wa-sandbox .
    r"(?<=image: )wa-sandbox\b(?!:)",  # compose, GitHub Actions
    r"""(?<=Container\(["'])wa-sandbox(?=["']\))""",  # Testcontainers: GenericContainer("wa-sandbox")
    r"""(?<=parse\(["'])wa-sandbox(?=["']\))""",  # DockerImageName.parse("wa-sandbox")
    r"""(?<=Image:\s{8}")wa-sandbox(?=")""",  # testcontainers-go
    r"(?<=\s)wa-sandbox(?=\s*(?:#|$))",  # the last word of a line (docker run ...)
]


def test_one_image_tag_everywhere():
    texts = {str(p.relative_to(ROOT)): read(p) for p in [*DOCS, ROOT / "docker-compose.yml", ROOT / "Dockerfile"]}
    tags = set()
    for name, text in texts.items():
        for line in text.splitlines():
            # a build line ends with the build context, which may be a folder named wa-sandbox; a
            # Markdown heading may be the project's name
            patterns = IMAGE_REFERENCES[:2] if "docker build" in line or re.match(r"#+ \w", line) else IMAGE_REFERENCES
            tags |= {(name, tag) for pattern in patterns for tag in re.findall(pattern, line)}
    assert len(tags) >= 4 and {tag for _, tag in tags} == {IMAGE_TAG}, sorted(tags)


def test_the_dockerfile_pulls_no_frontend_image():
    first = read(ROOT / "Dockerfile").splitlines()[0]
    assert not re.match(r"#\s*syntax\s*=", first, re.I), first


def test_the_image_declares_a_data_volume_its_user_owns():
    dockerfile = read(ROOT / "Dockerfile")
    assert re.search(r'^VOLUME \["/data"\]$', dockerfile, re.M)
    assert "chown sandbox:sandbox /data" in dockerfile and re.search(r"^USER sandbox", dockerfile, re.M)


def make_dry_run(tmp_path: Path, target: str) -> str:
    """What `make <target>` would run on a fresh clone (no .venv yet): the Makefile's own recipe."""
    for name in ("Makefile", "pyproject.toml"):
        if not (tmp_path / name).exists():  # written once: a stamp touched later stays newer
            (tmp_path / name).write_text(read(ROOT / name), encoding="utf-8")
    # Under `make test` (CI) the parent make's variables would make this one print its directories.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    run = subprocess.run(["make", "--no-print-directory", "-n", target], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, env=env)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_make_run_installs_only_what_serving_needs(tmp_path):
    recipe = make_dry_run(tmp_path, "run")
    assert "pip install --quiet -e .\n" in recipe and "[test]" not in recipe, recipe
    assert recipe.rstrip().endswith(".venv/bin/wa-sandbox serve")


def test_make_pytest_still_installs_the_test_extras(tmp_path):
    assert "pip install --quiet -e '.[test]'" in make_dry_run(tmp_path, "pytest")


def test_make_run_uses_a_venv_that_has_everything_as_it_is(tmp_path):
    make_dry_run(tmp_path, "run")
    checksum = subprocess.run("cat pyproject.toml | cksum | cut -d' ' -f1", shell=True, cwd=tmp_path,
                              capture_output=True, text=True, check=True).stdout.strip()
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / f".installed-{checksum}").touch()
    assert make_dry_run(tmp_path, "run").strip() == ".venv/bin/wa-sandbox serve"
