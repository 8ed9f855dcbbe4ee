"""Recipient phone-number normalisation, as Meta documents it (seed 002, "Phone Number Formats").

- ``+``, ``-``, ``(``, ``)`` and spaces are accepted.
- With a leading ``+`` the number is international.
- Without it, the business number's country calling code is prepended: from an India (+91) business,
  ``(631) 555-1234`` goes to ``+916315551234`` and ``1 (631) 555-1234`` to ``+9116315551234``.
- UNCONFIRMED, the sandbox's choice for a bare digit string with no formatting characters (the form
  every client library sends, e.g. ``16505551234``), tried in this order:
  1. a valid international number as it stands is taken as international;
  2. a valid national number of the business's country gets that country's code (``9876543210`` from
     an India business is ``+919876543210``);
  3. a possible international number (right length, e.g. the fictional ``1555...`` range) is taken as-is;
  4. otherwise the business's calling code is prepended, as for formatted input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

_ALLOWED = re.compile(r"^\+?[\d\s\-()]+$")
_FORMATTING = re.compile(r"[\s\-()]")


class InvalidNumber(ValueError):
    """The input is not something a phone number can be made of."""


@dataclass(frozen=True)
class Recipient:
    input: str
    wa_id: str  # digits only, with country calling code

    @property
    def e164(self) -> str:
        return "+" + self.wa_id

    @property
    def region(self) -> str | None:
        return region_of(self.wa_id)


# Parsing with phonenumbers costs ~100 µs, and applications send to the same numbers again and again.
# These functions are pure, so they are memoised; the caches hold no state a test could observe.
_MEMO = 65_536


@lru_cache(maxsize=_MEMO)
def normalize(raw: str, business_country_code: int) -> Recipient:
    text = raw.strip()
    if not text or not _ALLOWED.match(text):
        raise InvalidNumber(f"'{raw}' is not a phone number: only digits, +, -, (, ) and spaces are allowed")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        wa_id = digits
    elif _FORMATTING.search(text):
        wa_id = f"{business_country_code}{digits}"
    else:
        wa_id = _bare_digits(digits, business_country_code)
    if not 7 <= len(wa_id) <= 18:
        raise InvalidNumber(f"'{raw}' has {len(digits)} digits; a phone number has 7 to 15 with its country code")
    return Recipient(input=raw, wa_id=wa_id)


def _bare_digits(digits: str, business_country_code: int) -> str:
    international = _parse("+" + digits, None)
    if international is not None and phonenumbers.is_valid_number(international):
        return digits
    region = phonenumbers.region_code_for_country_code(business_country_code)
    national = _parse(digits, region)
    if national is not None and phonenumbers.is_valid_number(national):
        return phonenumbers.format_number(national, phonenumbers.PhoneNumberFormat.E164)[1:]
    if international is not None and phonenumbers.is_possible_number(international):
        return digits
    return f"{business_country_code}{digits}"


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


@lru_cache(maxsize=_MEMO)
def region_of(wa_id: str) -> str | None:
    """ISO region (``IN``, ``SG``, ``US``...) of a digits-only number, or None when unknown."""
    try:
        number = phonenumbers.parse("+" + wa_id)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    if region and region != "ZZ":
        return str(region)
    regions = phonenumbers.region_codes_for_country_code(number.country_code or 0)
    return str(regions[0]) if regions else None


@lru_cache(maxsize=1024)
def country_code_of(e164_or_display: str) -> int:
    """Country calling code of a business display number such as ``+1 555-010-0001``."""
    digits = re.sub(r"\D", "", e164_or_display)
    try:
        return int(phonenumbers.parse("+" + digits).country_code or 0)
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumber(f"'{e164_or_display}' has no recognisable country calling code") from exc
