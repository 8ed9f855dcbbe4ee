"""schemathesis against the control API's OpenAPI and each provider's description (tests/fuzz/harness.py).

For every operation, valid (positive) and invalid (negative) requests are generated from the
description and sent to the running sandbox; each answer must be below 500, in time, and an error
must be in the provider's own shape. Afterwards the sandbox must still be healthy.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from sandbox.settings import Settings
from sandbox.testing.plugin import RunningSandbox
from tests.fuzz.harness import FUZZ, REQUEST_TIMEOUT, TARGETS, Target, assert_healthy, check_response

# Long-polls may legally wait up to 60 s (their own 408 is tested in tests/control); fuzzing them keeps
# every generated parameter except a valid long timeout, which is cut to a blink.
LONG_POLLS = ("/_sandbox/wait/",)


@pytest.fixture
def wa_sandbox_settings() -> Settings:
    # Real clock, sped up: rate buckets refill between requests (in manual mode they never would) and
    # timelines run while the fuzzer sends. No link fetching: generated links must not reach the network.
    return Settings(clock="real", clock_speed=1000, seed="fuzz", verify_webhooks=True, webhook_timeout=0.5,
                    media_fetch_links=False, media_fetch_timeout=0.5)


def _clamp_long_poll(case: Any) -> None:
    if case.path.startswith(LONG_POLLS) and isinstance(case.query, dict):
        try:
            if float(case.query.get("timeout", 10)) > 0.05:
                case.query["timeout"] = 0.05
        except (TypeError, ValueError):
            pass  # an invalid timeout stays: the 400 is what is under test


def _fuzz_operation(base_url: str, target: Target, operation: Any, mode: GenerationMode) -> None:
    session = requests.Session()

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode), valid_auth=st.sampled_from([True, True, True, False]))
    def run(case: Any, valid_auth: bool) -> None:
        _clamp_long_poll(case)
        extra = {"auth": target.auth} if (valid_auth and target.auth is not None) else {}
        try:
            response = case.call(base_url=base_url, session=session, timeout=REQUEST_TIMEOUT, **extra)
        except requests.Timeout as exc:
            raise AssertionError(f"no answer within {REQUEST_TIMEOUT} s: {case.method} {case.formatted_path}") from exc
        ctype = (response.headers.get("content-type") or [""])[0]
        check_response(case.formatted_path, response.status_code, ctype, response.content.decode("utf-8", "replace"))

    run()


def _fuzz_schema(base_url: str, target: Target) -> list[str]:
    assert target.spec is not None
    schema = schemathesis.openapi.from_path(str(target.spec))
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz_operation(base_url, target, operation, mode)
            except Unsatisfiable:
                pass  # nothing to make invalid (no parameters, or only free strings): positive covers it
            except Exception as exc:  # noqa: BLE001 - every operation is fuzzed; failures are listed at the end
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    return failures


@pytest.mark.parametrize("name", list(TARGETS))
async def test_described_routes_never_fail_under_schemathesis(wa_sandbox: RunningSandbox, name: str, caplog: Any) -> None:
    caplog.set_level(logging.ERROR)
    failures = await asyncio.to_thread(_fuzz_schema, wa_sandbox.url, TARGETS[name])
    assert not failures, "\n\n".join(failures)
    unexpected = [r.getMessage() for r in caplog.records if r.exc_info]
    assert not unexpected, unexpected
    await asyncio.to_thread(assert_healthy, wa_sandbox.url)
