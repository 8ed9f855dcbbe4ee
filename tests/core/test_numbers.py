"""Recipient normalisation: seed 002's "Phone Number Formats" table and the sandbox's bare-digit rule."""

from __future__ import annotations

import pytest

from sandbox.core.numbers import InvalidNumber, normalize, region_of

INDIA = 91


@pytest.mark.parametrize(
    ("raw", "delivered_to"),
    [
        ("+16315551234", "+16315551234"),
        ("+1 (631) 555-1234", "+16315551234"),
        ("(631) 555-1234", "+916315551234"),
        ("1 (631) 555-1234", "+9116315551234"),
    ],
)
def test_seed_phone_number_table_from_an_india_business(raw, delivered_to):
    recipient = normalize(raw, INDIA)
    assert recipient.e164 == delivered_to
    assert recipient.input == raw


@pytest.mark.parametrize(
    ("raw", "business_cc", "wa_id"),
    [
        ("16505551234", 1, "16505551234"),  # valid international digits stay as they are
        ("15550200001", 91, "15550200001"),  # fictional 555 numbers: possible, so international
        ("9876543210", 91, "919876543210"),  # a valid Indian national number gets +91
    ],
)
def test_bare_digits_rule(raw, business_cc, wa_id):
    assert normalize(raw, business_cc).wa_id == wa_id


@pytest.mark.parametrize("raw", ["", "abc", "+1 555 CALL NOW", "12", "+1234567890123456789"])
def test_invalid_input_is_rejected_with_a_reason(raw):
    with pytest.raises(InvalidNumber):
        normalize(raw, 1)


def test_region_of_digits():
    assert (region_of("919876500012"), region_of("6581234567")) == ("IN", "SG")
