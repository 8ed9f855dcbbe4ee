"""The media link policy (sandbox/core/link_policy.py): what each SANDBOX_MEDIA_FETCH_LINKS value allows.
Pure decisions on address literals: nothing here sends a packet."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from sandbox.core.link_policy import parse_link_policy
from sandbox.settings import Settings

LOOPBACK, PRIVATE, PUBLIC = ip_address("127.0.0.1"), ip_address("10.1.2.3"), ip_address("93.184.216.34")
METADATA, LINK_LOCAL = ip_address("169.254.169.254"), ip_address("fe80::1")


def allowed(value: str | bool, bind: str = "127.0.0.1") -> set[str]:
    policy = parse_link_policy(value, bind)
    return {str(a) for a in (LOOPBACK, PRIVATE, PUBLIC, METADATA, LINK_LOCAL) if policy.allows_address(a)}


def test_the_default_on_a_loopback_bind_is_loopback_and_public():
    assert allowed("auto", "127.0.0.1") == {"127.0.0.1", "93.184.216.34"}
    assert allowed("auto", "localhost") == allowed("auto", "::1") == {"127.0.0.1", "93.184.216.34"}


def test_the_default_on_0_0_0_0_is_public_only():
    assert allowed("auto", "0.0.0.0") == {"93.184.216.34"}
    assert Settings(host="0.0.0.0").link_policy == parse_link_policy("public", "0.0.0.0")


def test_true_and_false_keep_meaning_fetch_and_do_not():
    assert allowed(True) == allowed("true") == allowed("auto")
    assert not parse_link_policy(False, "127.0.0.1").fetch and not parse_link_policy("off", "0.0.0.0").fetch


def test_any_still_refuses_link_local_and_metadata():
    assert allowed("any") == {"127.0.0.1", "10.1.2.3", "93.184.216.34"}
    assert not parse_link_policy("any", "127.0.0.1").allows_address(ip_address("100.100.100.200"))


def test_a_named_network_allows_even_link_local():
    assert allowed("169.254.0.0/16") == {"169.254.169.254"}
    assert allowed("public,private") == {"10.1.2.3", "93.184.216.34"}


def test_an_ipv4_mapped_address_is_judged_as_its_ipv4_address():
    assert not parse_link_policy("public", "0.0.0.0").allows_address(ip_address("::ffff:127.0.0.1"))


def test_a_named_host_is_allowed_by_name():
    policy = parse_link_policy("public, Media.Internal.", "0.0.0.0")
    assert policy.allows_name("media.internal") and not policy.allows_name("other.internal")


@pytest.mark.parametrize("value", ["public,off", "pub lic!", "10.0.0.0/33x"])
def test_a_bad_value_stops_the_settings_with_its_name(value):
    with pytest.raises(ValueError, match="media_fetch_links"):
        Settings(media_fetch_links=value)


def test_the_environment_variable_reads_words_and_lists():
    assert Settings.from_env({"SANDBOX_MEDIA_FETCH_LINKS": "false"}).link_policy.fetch is False
    env = Settings.from_env({"SANDBOX_MEDIA_FETCH_LINKS": "127.0.0.1, public"}).link_policy
    assert env.allows_address(LOOPBACK) and env.allows_address(PUBLIC) and not env.allows_address(PRIVATE)
