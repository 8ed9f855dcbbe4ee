"""The control API and its OpenAPI description agree (issue 19): schemathesis with response conformance
checks on. Every answer's status, content type, headers and body must be the ones described; documented
inputs are accepted (positive cases: 2xx, or the 404/408/422 of a well-formed request naming something
that does not exist, a wait that times out, a clock move past year 9999, a scenario text that does not parse); inputs the description
rules out are refused with a 4xx (negative cases). Deterministic (the fuzz profile derandomizes) and fast
enough for CI: about 6 examples per operation and mode."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from sandbox.settings import Settings
from sandbox.testing.plugin import RunningSandbox
from tests.fuzz.harness import FUZZ, REQUEST_TIMEOUT, TARGETS, assert_healthy
from tests.fuzz.test_schemathesis import _clamp_long_poll

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, positive_data_acceptance, negative_data_rejection]
CONFIG = SchemathesisConfig.from_dict({"checks": {
    "positive_data_acceptance": {"expected-statuses": ["2xx", "404", "408", "409", "422"]},
}})

# Operations whose well-formed bodies can still be refused with a 400 the handler words: which fields a
# message needs depends on the provider and the message type, beyond what one schema can say.
PROVIDER_SHAPED = {"POST /_sandbox/inbound"}


@pytest.fixture
def wa_sandbox_settings() -> Settings:
    return Settings(clock="real", clock_speed=1000, seed="fuzz", verify_webhooks=True, webhook_timeout=0.5,
                    media_fetch_links=False, media_fetch_timeout=0.5)


def _conform(base_url: str, operation: Any, mode: GenerationMode) -> None:
    session = requests.Session()

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        _clamp_long_poll(case)
        response = case.call(base_url=base_url, session=session, timeout=REQUEST_TIMEOUT)
        checks = [c for c in CHECKS if not (c is positive_data_acceptance and operation.label in PROVIDER_SHAPED)]
        case.validate_response(response, checks=checks)

    run()


def _conform_all(base_url: str) -> list[str]:
    spec = TARGETS["control"].spec
    assert spec is not None
    schema = schemathesis.openapi.from_path(str(spec), config=CONFIG)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _conform(base_url, operation, mode)
            except Unsatisfiable:
                pass  # nothing to make invalid
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every operation is checked; all failures listed
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    return failures


async def test_the_control_api_conforms_to_its_description(wa_sandbox: RunningSandbox, caplog: Any) -> None:
    caplog.set_level(logging.ERROR)
    failures = await asyncio.to_thread(_conform_all, wa_sandbox.url)
    assert not failures, "\n\n".join(failures)
    assert not [r.getMessage() for r in caplog.records if r.exc_info]
    await asyncio.to_thread(assert_healthy, wa_sandbox.url)
