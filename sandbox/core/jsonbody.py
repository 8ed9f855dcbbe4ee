"""``loads``: json.loads for request bodies, bounded in nesting depth.

Every provider parses client JSON with it, so a body nested thousands of levels deep is the provider's
own "not valid JSON" error rather than a RecursionError (a 500) in the parser or, worse, in a
validator or renderer that walks the value later. The cost on ordinary bodies is two ``bytes.count``.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64  # real payloads nest under 12 levels (Meta's carousel template is the deepest)


def loads(raw: bytes | str) -> Any:
    """Like json.loads, but every unusable body is one json.JSONDecodeError: bad JSON, bytes that are
    not UTF-8, and nesting deeper than MAX_DEPTH (so callers map exactly one exception)."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise _too_deep(raw) from None
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError(f"the body is not UTF-8 ({exc.reason} at byte {exc.start})", "", 0) from None
    openers = raw.count(b"[") + raw.count(b"{") if isinstance(raw, bytes) else raw.count("[") + raw.count("{")
    if openers > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        raise _too_deep(raw)
    return value


def _too_deep(raw: bytes | str) -> json.JSONDecodeError:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return json.JSONDecodeError(f"arrays and objects nest deeper than {MAX_DEPTH} levels", text[:100], 0)


def _depth(value: Any) -> int:
    """Nesting depth without recursion (the value may be deeper than the interpreter's stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            stack.extend((child, level + 1) for child in item)
    return deepest
