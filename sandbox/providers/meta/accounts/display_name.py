"""Display-name updates: ``POST /{phone_number_id}`` with ``new_display_name`` (pywa ``update_display_name``).

Meta's display-names page ("Update display name via API"): the request answers ``{"success": true}`` and
the name goes to review; ``new_display_name`` / ``new_name_status`` read ``PENDING_REVIEW`` meanwhile; when
approved, ``verified_name`` and ``name_status`` take the new name and a ``phone_number_name_update`` webhook
is sent (Meta's webhook reference: ``display_phone_number``, ``decision``, ``requested_verified_name``,
``rejection_reason``). "You can change a display name 10 times per 30-day period." OPENAPI: 2 to 75 characters.

The review is the scenario's ``meta.display_name_review`` (delay, outcome, reason, per-name overrides; the
reasons are the reference's ``rejection_reason`` values, listed in config_schema.py), decided on the virtual
clock like template reviews. State: the number's account (accounts.py), so ``--data-dir`` keeps
it; a restart resumes a pending review at its due time (``resume_reviews``, called by sandbox/persist.py).
"""

from __future__ import annotations

from typing import Any

from sandbox.providers.meta.accounts.state import NumberAccount
from sandbox.providers.meta.config import MetaBusiness, MetaBusinesses
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.platform import MetaPlatform

MIN_NAME, MAX_NAME = 2, 75  # OPENAPI PhoneNumberStatusUpdateRequest.new_display_name
# meta.display_name_review when the scenario has none. UNCONFIRMED: Meta's reviews take hours to days; the
# sandbox decides after 5 s of the virtual clock, like template reviews, and approves.
DEFAULT_REVIEW: dict[str, Any] = {"delay": 5.0, "outcome": "APPROVED", "reason": "UNKNOWN"}
CHANGES_PER_PERIOD, PERIOD = 10, 30 * 86400  # Meta's display-names page
# decision (webhook) -> new_name_status it leaves. UNCONFIRMED: Meta names DECLINED for a rejected name's
# name_status; for a request that edits an approved name the old name stays, so only new_name_status says it.
# DEFERRED ("a decision has been deferred") leaves the request under review.
NEW_NAME_STATUS = {"APPROVED": "APPROVED", "REJECTED": "DECLINED", "DEFERRED": "PENDING_REVIEW"}


def checked_name(platform: MetaPlatform, business: MetaBusiness, raw: Any) -> str:
    """``new_display_name`` as a request may take it: its length, and the 10-per-30-days limit."""
    name = raw.strip() if isinstance(raw, str) else ""
    if not MIN_NAME <= len(name) <= MAX_NAME:
        raise MetaError(100, f"new_display_name must be 2 to 75 characters; got {len(name)}.")
    account = platform.accounts.number(business.phone_number_id)
    if len(_recent(account, platform.clock.now())) >= CHANGES_PER_PERIOD:
        # UNCONFIRMED code and wording: Meta states the limit, not the error.
        raise MetaError(100, f"A display name can be changed {CHANGES_PER_PERIOD} times per 30-day period; this number "
                             "has used them. Try again when the oldest request is 30 days old.")
    return name


def request_name(platform: MetaPlatform, business: MetaBusiness, name: str) -> None:
    """The name goes to review; a request made while another is under review replaces it (UNCONFIRMED)."""
    account = platform.accounts.number(business.phone_number_id)
    now = platform.clock.now()
    account.new_display_name, account.new_name_status = name, "PENDING_REVIEW"
    account.name_requests = [*_recent(account, now), now]
    account.name_review_due = now + float(_rule(platform, name).get("delay", 5.0))
    _schedule(platform, business, account)


def resume_reviews(platform: MetaPlatform, businesses: MetaBusinesses) -> None:
    """After a restart: reviews that were pending go on at their due time (the job died with the process)."""
    for business in businesses.all():
        account = platform.accounts.number(business.phone_number_id)
        if account.name_review_due is not None:
            _schedule(platform, business, account)


def _recent(account: NumberAccount, now: float) -> list[float]:
    return [t for t in account.name_requests if t > now - PERIOD]


def _rule(platform: MetaPlatform, name: str) -> dict[str, Any]:
    """The scenario's ``meta.display_name_review``, with the override for this name if there is one."""
    review = {**DEFAULT_REVIEW, **(platform.section.get("display_name_review") or {})}
    return {**review, **(review.get("overrides") or {}).get(name, {})}


def _schedule(platform: MetaPlatform, business: MetaBusiness, account: NumberAccount) -> None:
    name, due = account.new_display_name, account.name_review_due
    assert name is not None and due is not None

    def job() -> None:
        if platform.accounts.number(business.phone_number_id) is not account or account.name_review_due != due:
            return  # reset, or replaced by a later request (which scheduled its own review)
        rule = _rule(platform, name)
        decision = str(rule.get("outcome", "APPROVED")).upper()
        account.name_review_due = None
        account.new_name_status = NEW_NAME_STATUS.get(decision, "PENDING_REVIEW")
        if decision == "APPROVED":
            account.verified_name, account.name_status = name, "APPROVED"
        reason = str(rule.get("reason") or "UNKNOWN").upper() if decision == "REJECTED" else None
        _notify(platform, business, {"display_phone_number": business.display_digits, "decision": decision,
                                     "requested_verified_name": name, "rejection_reason": reason})

    platform.scheduler.at(due, job, label=f"display name {name!r} reviewed")


def _notify(platform: MetaPlatform, business: MetaBusiness, value: dict[str, Any]) -> None:
    """``phone_number_name_update`` to where the number's webhooks go (no app subscribed: nowhere)."""
    url = platform.accounts.webhook_url(business)
    if url:
        platform.post_field(business, url, "phone_number_name_update", value,
                            key=f"display_name:{business.phone_number_id}", event=f"display_name:{value['decision']}")
