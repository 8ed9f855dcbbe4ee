"""The workspaces take each provider's part from its spec (``ProviderSpec.workspace``): a provider added to
the tuple takes part with no change in sandbox/workspaces, and two providers cannot read one Authorization
scheme two ways (one header names one workspace)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sandbox.core.scenario import Scenario
from sandbox.core.workspace_hooks import Minter
from sandbox.providers.all import PROVIDERS
from sandbox.workspaces import credentials
from sandbox.workspaces.credentials import Credentials

META, _, MAAC, _ = PROVIDERS


class _Request:
    def __init__(self, headers: dict[str, str], query: dict[str, str] | None = None) -> None:
        self.headers = headers
        self.query = query or {}


def _scenario() -> Scenario:
    return Scenario(name="t", description="", raw={}, source="", lines={})


def test_a_provider_added_to_the_tuple_gets_credentials_base_url_and_webhooks_from_its_hooks():
    extra = replace(MAAC, name="maac-two")
    providers = (*PROVIDERS, extra)
    prepared = credentials.prepare(_scenario(), Minter("ci-1", "7"), {"maac-two": "http://127.0.0.1:28001/hook"},
                                   providers)
    described = credentials.describe(prepared, providers)
    assert described["maac-two"]["token"].startswith("ws-ci-1-maac-")
    assert prepared.section("maac-two")["webhook"]["url"] == "http://127.0.0.1:28001/hook"
    assert set(described["maac-two"]["tokens"]) <= credentials.routing_keys(prepared, providers)
    assert credentials.base_paths(providers)["maac-two"] == ""
    assert credentials.check_webhooks({"maac-two": "http://127.0.0.1:28001/"}, providers)


def test_a_provider_without_hooks_takes_no_part():
    providers = (replace(META, workspace=None), *PROVIDERS[1:])
    assert "meta" not in credentials.base_paths(providers)
    assert Credentials(providers).of(_Request({}, {"access_token": "t"})) is None  # type: ignore[arg-type]


def test_each_scheme_and_query_parameter_comes_from_the_providers_hooks():
    read = Credentials(PROVIDERS)
    assert read.of(_Request({"Authorization": "OAuth abc"})) == "abc"  # type: ignore[arg-type]
    assert read.of(_Request({"Authorization": 'MAC id="k1", ts="1", mac="m"'})) == "k1"  # type: ignore[arg-type]
    assert read.of(_Request({"Authorization": "Basic dXNlcjpwdw=="})) == "user"  # type: ignore[arg-type]
    assert read.of(_Request({}, {"access_token": "tok"})) == "tok"  # type: ignore[arg-type]
    assert read.of(_Request({"Authorization": "Digest x"})) is None  # type: ignore[arg-type]


def test_two_providers_reading_one_scheme_differently_are_refused():
    assert META.workspace is not None
    odd = replace(MAAC, name="odd", workspace=replace(META.workspace, schemes={"bearer": lambda value: value[:4]}))
    with pytest.raises(ValueError, match="'bearer'"):
        Credentials((*PROVIDERS, odd))
