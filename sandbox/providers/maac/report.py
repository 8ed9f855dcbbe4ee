"""GET /openapi/v1/pnp/message/: the SMS+ send report ("發送紀錄查詢").

maac-openapi.md rules:
- ``pnp_setting_id``, ``updated_at_min`` and ``updated_at_max`` are required; ``customized_id`` and
  ``start`` optional.
- ISO 8601 only; a ``+`` in the offset must be sent as ``%2B`` (an unencoded ``+`` decodes to a space,
  which is then a format error, as MAAC says); no offset means Asia/Taipei.
- Pages of 300, newest ``updated_at`` first; ``next`` is the token to pass back as ``start``.
- Errors: 400 ``{field: [messages]}`` for every bad field at once, 404 ``{"detail": "pnp_setting_id not
  found"}``; an unreadable ``start`` is DRF's cursor answer, 404 ``{"detail": "Invalid cursor"}``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.core.params import whole_number
from sandbox.providers.maac.config import MaacConfig
from sandbox.providers.maac.errors import MaacError, detail_error
from sandbox.providers.maac.records import PnpRecord, PnpRecords
from sandbox.providers.maac.render import TAIPEI, report_row

PAGE_SIZE = 300
# DRF's DateTimeField (django parse_datetime): YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$")
WRONG_FORMAT = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)


@dataclass
class ReportQuery:
    pnp_setting_id: int
    updated_at_min: float
    updated_at_max: float
    customized_id: str | None
    after: tuple[float, int] | None  # cursor: (updated_at, pnp_message_id) of the last row already seen


def parse_query(query: Mapping[str, str], config: MaacConfig) -> ReportQuery:
    errors: dict[str, list[str]] = {}
    setting_id = _setting_id(query.get("pnp_setting_id"), errors)
    bounds = {name: _datetime(query.get(name), name, errors) for name in ("updated_at_min", "updated_at_max")}
    if errors:
        raise MaacError(400, errors)
    assert setting_id is not None
    if setting_id not in config.settings:
        raise detail_error(404, "pnp_setting_id not found")
    low, high = bounds["updated_at_min"], bounds["updated_at_max"]
    assert low is not None and high is not None
    start = query.get("start")
    return ReportQuery(setting_id, low, high, query.get("customized_id"), _decode_cursor(start) if start else None)


def _setting_id(raw: str | None, errors: dict[str, list[str]]) -> int | None:
    if raw in (None, ""):
        errors["pnp_setting_id"] = ["This field is required."]
        return None
    number = whole_number(raw.strip())
    if number is None:
        errors["pnp_setting_id"] = ["A valid integer is required."]
    return number


def _datetime(raw: str | None, name: str, errors: dict[str, list[str]]) -> float | None:
    if raw in (None, ""):
        errors[name] = ["This field is required."]
        return None
    if not ISO_8601.match(raw):
        errors[name] = [WRONG_FORMAT]
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        errors[name] = [WRONG_FORMAT]
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=TAIPEI)  # "若無攜帶時區資訊，將統一以 Asia/Taipei 時間為主"
    return value.timestamp()


def page(records: PnpRecords, query: ReportQuery, style: Any) -> dict[str, Any]:
    rows = [r for r in records if _matches(r, query)]
    rows.sort(key=_order, reverse=True)
    if query.after is not None:
        rows = [r for r in rows if _order(r) < query.after]
    chunk = rows[:PAGE_SIZE]
    next_token = _encode_cursor(_order(chunk[-1])) if len(rows) > PAGE_SIZE else None
    return {"next": next_token, "results": [report_row(r, style) for r in chunk]}


def _matches(record: PnpRecord, query: ReportQuery) -> bool:
    return (
        record.pnp_setting_id == query.pnp_setting_id
        and query.updated_at_min <= record.updated_at <= query.updated_at_max
        and (query.customized_id is None or record.customized_id == query.customized_id)
    )


def _order(record: PnpRecord) -> tuple[float, int]:
    return (record.updated_at, record.pnp_message_id)


def _encode_cursor(position: tuple[float, int]) -> str:
    """URL-safe base64 without padding: the token survives being sent encoded or not."""
    raw = json.dumps([repr(position[0]), position[1]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(token: str) -> tuple[float, int]:
    try:
        updated, pnp_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return float(updated), int(pnp_id)
    except (ValueError, TypeError) as exc:
        raise detail_error(404, "Invalid cursor") from exc
