"""List queries: 1-based ``offset`` (default 1), ``limit`` (default 20, at most 1000), ``offset + limit``
at most 10,000 (Node SDK schema and ``searchOffsetLimit``; seed: "maximum offset + limit = 10,000"),
and the filters ``status, startDate, endDate, destination, source|origin, search``.

Dates are ``Y-m-d H:i:s`` in the account's timezone (seed). ``endDate`` is inclusive.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sandbox.core.params import whole_number
from sandbox.providers.smsglobal.config import Account
from sandbox.providers.smsglobal.errors import FieldErrors

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
MAX_WINDOW = 10_000
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

T = TypeVar("T")


@dataclass(frozen=True)
class ListQuery:
    offset: int
    limit: int
    status: str | None
    start: float | None
    end: float | None
    destination: str | None
    origin: str | None
    search: str | None

    def page(self, items: list[T]) -> list[T]:
        return items[self.offset - 1 : self.offset - 1 + self.limit]

    def envelope(self, key: str, items: list[Any], total: int) -> dict[str, Any]:
        return {"total": total, "offset": self.offset, "limit": self.limit, key: items}

    def in_range(self, ts: float) -> bool:
        return (self.start is None or ts >= self.start) and (self.end is None or ts <= self.end)

    def text_matches(self, *values: str) -> bool:
        return self.search is None or any(self.search.lower() in v.lower() for v in values)


def parse_query(query: Mapping[str, str], account: Account) -> ListQuery:
    errors = FieldErrors()
    offset = _integer(query, "offset", 1, errors, minimum=1)
    limit = _integer(query, "limit", DEFAULT_LIMIT, errors, minimum=1, maximum=MAX_LIMIT)
    if not errors and offset + limit > MAX_WINDOW:
        errors.add("offset", f"offset + limit must not exceed {MAX_WINDOW} (got {offset} + {limit})")
    start = _date(query, "startDate", account, errors)
    end = _date(query, "endDate", account, errors)
    errors.raise_if_any()
    return ListQuery(
        offset=offset,
        limit=limit,
        status=query.get("status") or None,
        start=start,
        end=end,
        destination=(query.get("destination") or "").lstrip("+") or None,
        origin=(query.get("source") or query.get("origin") or "").lstrip("+") or None,
        search=query.get("search") or None,
    )


def _integer(
    query: Mapping[str, str],
    name: str,
    default: int,
    errors: FieldErrors,
    *,
    minimum: int,
    maximum: int | None = None,
) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    value = whole_number(raw)
    if value is None:
        errors.add(name, f"{name} must be a whole number, got {raw!r}")
        return default
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        errors.add(name, f"{name} must be {bound}, got {value}")
        return default
    return value


def _date(query: Mapping[str, str], name: str, account: Account, errors: FieldErrors) -> float | None:
    raw = query.get(name)
    if not raw:
        return None
    try:
        return datetime.strptime(raw, DATE_FORMAT).replace(tzinfo=account.tz).timestamp()
    except ValueError:
        errors.add(name, f"{name} must be a date in the format Y-m-d H:i:s (account time), got {raw!r}")
        return None


def select(items: list[T], query: ListQuery, keep: Callable[[T], bool]) -> tuple[list[T], int]:
    """The page of ``items`` (newest first) that ``keep``, and how many matched in all."""
    matched = [i for i in items if keep(i)]
    return query.page(matched), len(matched)
