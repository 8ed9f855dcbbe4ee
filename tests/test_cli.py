"""The console script as users run it: serve in a subprocess, healthcheck, env configuration."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import __version__
from sandbox.settings import Settings

BIN = Path(sys.executable).parent / "wa-sandbox"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_prints_urls_and_credentials_then_answers_healthcheck(tmp_path):
    port = free_port()
    env = {**os.environ, "SANDBOX_PORT": str(port), "SANDBOX_CLOCK": "manual"}
    proc = subprocess.Popen([str(BIN), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        banner = [proc.stdout.readline() for _ in range(11)]  # printed once the port is listening
        assert f"http://127.0.0.1:{port}" in banner[0]
        assert any("token=sandbox-token" in line and "app_secret=sandbox-app-secret" in line for line in banner)
        for credential in ("MAC key=sandbox-key secret=sandbox-secret", "token=sandbox-maac-token", "Basic sandbox / sandbox-secret"):
            assert any(credential in line for line in banner), credential
        result = subprocess.run([str(BIN), "healthcheck", "--url", f"http://127.0.0.1:{port}"], capture_output=True, text=True)
        assert result.returncode == 0 and "healthy" in result.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_healthcheck_fails_when_nothing_listens():
    result = subprocess.run([str(BIN), "healthcheck", "--url", f"http://127.0.0.1:{free_port()}", "--timeout", "1"],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "unhealthy" in result.stderr


def test_broken_scenario_exits_2_with_the_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 2\n")
    result = subprocess.run([str(BIN), "serve", "--scenario", str(bad), "--port", str(free_port())],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and f"{bad}:1: version" in result.stderr


def test_a_taken_port_is_reported_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([str(BIN), "serve", "--port", str(port)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("env", "args", "said"), [
    ({"SANDBOX_PORT": "abc"}, [], "SANDBOX_PORT='abc' is not a number"),
    ({"SANDBOX_CLOCK": "bogus"}, [], "clock must be 'real' or 'manual', not 'bogus'"),
    ({"SANDBOX_VERIFY_WEBHOOKS": "maybe"}, [], "SANDBOX_VERIFY_WEBHOOKS='maybe': use one of 1, true"),
    ({"SANDBOX_DELIVERY_PROCESS": "maybe"}, [], "SANDBOX_DELIVERY_PROCESS='maybe': use one of 1, true, yes, on, 0, false, no, off, auto"),
    ({}, ["--clock-speed", "-1"], "clock speed must be a positive number"),
    ({"SANDBOX_LOG_LEVEL": "loud"}, [], "log level must be one of debug, info"),
])
def test_a_bad_setting_is_refused_in_one_line_before_serving(env, args, said):
    result = subprocess.run([str(BIN), "serve", "--port", str(free_port()), *args], env={**os.environ, **env},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "listening" not in result.stdout


def test_serve_help_names_every_setting_as_a_flag_or_its_environment_variable():
    result = subprocess.run([str(BIN), "serve", "--help"], capture_output=True, text=True, timeout=30)
    for name in Settings.__dataclass_fields__:
        assert f"--{name.replace('_', '-')}" in result.stdout or f"SANDBOX_{name.upper()}" in result.stdout, name


def test_help_says_that_no_command_means_serve():
    result = subprocess.run([str(BIN), "--help"], capture_output=True, text=True, timeout=30)
    assert "Without a command: serve" in result.stdout


def test_serve_keeps_serving_when_its_stdout_reader_is_gone():
    """A wrapper that stops reading stdout (closed pipe) must not take the server down with a BrokenPipe."""
    port = free_port()
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read the banner
    env = {**os.environ, "SANDBOX_PORT": str(port), "SANDBOX_CLOCK": "manual"}
    proc = subprocess.Popen([str(BIN), "serve"], env=env, stdout=write_end, stderr=subprocess.PIPE, text=True)
    os.close(write_end)
    try:
        deadline = time.monotonic() + 20  # no banner to read: poll until it answers or exits (start-up only)
        while proc.poll() is None and time.monotonic() < deadline:
            result = subprocess.run([str(BIN), "healthcheck", "--url", f"http://127.0.0.1:{port}", "--timeout", "1"],
                                    capture_output=True, text=True)
            if result.returncode == 0:
                break
            time.sleep(0.1)
        assert proc.poll() is None and result.returncode == 0, proc.poll()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "Traceback" not in err, err


@pytest.mark.parametrize(("host", "bound"), [("0.0.0.0", "http://0.0.0.0:23081"), ("::", "http://[::]:23081")])
def test_the_banner_prints_the_address_it_binds_and_the_url_clients_use(host, bound):
    from sandbox.app import create_app
    from sandbox.cli import banner

    settings = Settings(host=host, port=23081)
    first, second = banner(settings, create_app(settings)).splitlines()[:2]
    assert first.startswith(f"wa-sandbox {__version__} listening on {bound} (")
    assert second.split()[:3] == ["Base", "URL", "http://127.0.0.1:23081"]


@pytest.mark.parametrize(("env", "args", "chosen"), [
    ({}, [], None),  # auto: decided by `serve` from the CPUs
    ({"SANDBOX_DELIVERY_PROCESS": "auto"}, [], None),
    ({}, ["--delivery-process"], True),
    ({}, ["--no-delivery-process"], False),
    ({"SANDBOX_DELIVERY_PROCESS": "0"}, [], False),
    ({"SANDBOX_DELIVERY_PROCESS": "1"}, ["--no-delivery-process"], False),  # the flag wins over the environment
    ({"SANDBOX_DELIVERY_PROCESS": "0"}, ["--delivery-process"], True),
])
def test_the_delivery_process_is_auto_unless_a_flag_or_the_environment_says(monkeypatch, env, args, chosen):
    from sandbox import cli

    seen: list[Settings] = []
    monkeypatch.setattr(cli, "serve", lambda settings: seen.append(settings) or 0)
    monkeypatch.delenv("SANDBOX_DELIVERY_PROCESS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["serve", *args]) == 0
    assert seen[0].delivery_process is chosen


@pytest.mark.parametrize(("given", "cpus", "decided"), [
    (None, 1, False), (None, 2, False), (None, 3, True), (None, 4, True), (False, 4, False), (True, 1, True)])
def test_serve_turns_the_delivery_process_on_from_three_usable_cpus_unless_told(given, cpus, decided):
    from sandbox.cli import decide_delivery_process

    settings = Settings(delivery_process=given)
    decide_delivery_process(settings, cpus)
    assert settings.delivery_process is decided


def test_an_app_built_without_serve_posts_in_process_unless_told():
    """The pytest plugin's sandboxes: a child's start would be a cost in every test that posts a webhook."""
    from sandbox.app import create_app
    from sandbox.keys import RUNTIME

    assert create_app(Settings())[RUNTIME].dispatcher.remote is None
    assert create_app(Settings(delivery_process=True))[RUNTIME].dispatcher.remote is not None
