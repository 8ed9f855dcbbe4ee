"""Business phone numbers and WABAs as Graph shows them (meta-cloud-api.md §6; OpenAPI examples).

Without ``fields`` Graph answers a default set (pywa's docstring example); with ``fields`` exactly those
that exist, plus ``id``. Values the sandbox cannot know are fixed, documented defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.core.numbers import region_of
from sandbox.providers.meta.config import MetaBusiness

if TYPE_CHECKING:
    from sandbox.providers.meta.platform import MetaPlatform

DEFAULT_FIELDS = (
    "verified_name", "code_verification_status", "display_phone_number", "quality_rating",
    "platform_type", "throughput", "id",
)  # fmt: skip


def phone_number_json(business: MetaBusiness, platform: MetaPlatform, fields: set[str] | None) -> dict[str, Any]:
    limits = platform.limits.config
    spec = {**limits.get("*", {}), **limits.get(business.phone_number_id, {})}
    test_number = spec.get("allowed_recipients") is not None
    # Meta's levels: STANDARD (80 mps) and HIGH (1,000 mps) (META-THROUGHPUT).
    level = "HIGH" if float(spec.get("throughput", 80)) >= 1000 else "STANDARD"
    account = platform.accounts.number(business.phone_number_id)
    every: dict[str, Any] = {
        "verified_name": account.verified_name or business.verified_name,  # a name approved through Graph wins
        "code_verification_status": account.code_verification_status,
        "display_phone_number": business.display_phone_number,
        "quality_rating": business.quality_rating,
        "platform_type": "CLOUD_API",
        "throughput": {"level": level},
        "id": business.phone_number_id,
        "status": "CONNECTED" if account.registered else "DISCONNECTED",  # UNCONFIRMED value after deregister
        "name_status": account.name_status,
        "new_display_name": account.new_display_name,  # the last display-name request (display_name.py)
        "new_name_status": account.new_name_status,
        "account_mode": "SANDBOX" if test_number else "LIVE",  # UNCONFIRMED value for test numbers
        "messaging_limit_tier": "TIER_1K",
        "is_official_business_account": False,
        "host_platform": "CLOUD_API",
        "country_code": region_of(business.display_digits) or "US",
        "country_dial_code": str(business.country_code),
        "is_pin_enabled": account.pin is not None,  # the two-step PIN a register set
        "conversational_automation": {**account.automation, "id": business.phone_number_id},
        "webhook_configuration": platform.accounts.webhook_configuration(business),
    }
    wanted = fields or set(DEFAULT_FIELDS)
    return {k: v for k, v in every.items() if (k in wanted or k == "id") and v is not None}


def waba_json(business: MetaBusiness, fields: set[str] | None) -> dict[str, Any]:
    every: dict[str, Any] = {
        "id": business.waba_id,
        "name": business.verified_name,
        "timezone_id": "1",
        "message_template_namespace": f"sandbox_{business.waba_id}",
        "currency": "USD",
        "account_review_status": "APPROVED",
        "business_verification_status": "verified",
        "country": region_of(business.display_digits) or "US",
        "ownership_type": "CLIENT_OWNED",
    }
    wanted = fields or {"id", "name", "timezone_id", "message_template_namespace"}
    return {k: v for k, v in every.items() if k in wanted or k == "id"}
