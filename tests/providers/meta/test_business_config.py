"""A business's derived webhook fields follow its current settings (the digits are cached by text)."""

from __future__ import annotations

from sandbox.providers.meta.config import DEFAULT_BUSINESS, MetaBusiness


def test_display_digits_follow_a_changed_display_number():
    business = MetaBusiness(**DEFAULT_BUSINESS)
    assert business.display_digits == "15550100001"
    business.display_phone_number = "+44 7700 900123"
    assert business.display_digits == "447700900123"
    business.display_phone_number = "+1 555-010-0001"
    assert business.display_digits == "15550100001"
