"""Flow JSON checks: the ``validation_errors`` Graph answers when a Flow's JSON is uploaded
(``POST /{flow_id}/assets``, or ``POST /{waba_id}/flows`` with ``flow_json``).

Meta validates the whole Flow JSON schema (every component); the sandbox checks the skeleton an app
can get wrong before any screen renders, per Meta's Flow JSON reference: the top-level properties
(``version``, ``screens``, ``data_api_version``, ``routing_model``, ``data_channel_uri``), each screen's
``id`` (letters and underscores, unique, not the reserved ``SUCCESS``) and ``layout``
(``SingleColumnLayout`` with ``children``), and at least one ``terminal`` screen. Components inside
``children`` are not checked (UNCONFIRMED scope; docs/meta-business-management.md).

An error is shaped as the OpenAPI "Upload Flow JSON Asset" example: ``error``, ``error_type``,
``message`` ('The property "x" cannot be specified at "$root/screens/0"'), 1-based ``line_start``/
``line_end``/``column_start``/``column_end`` (inclusive, as the example's 14-character key spans columns
17-30), plus ``pointers`` with a dotted ``path`` (pywa's documented example). Error names other than
INVALID_PROPERTY and INVALID_PROPERTY_VALUE are UNCONFIRMED.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.core import jsonbody

Path = tuple[str | int, ...]
scanstring = json.decoder.scanstring  # type: ignore[attr-defined]  # public in CPython, absent from typeshed

TOP_LEVEL = ("version", "screens", "data_api_version", "routing_model", "data_channel_uri")
SCREEN_PROPERTIES = ("id", "title", "terminal", "success", "data", "layout", "refresh_on_back", "sensitive")
SCREEN_ID = re.compile(r"^[A-Za-z_]+$")  # Meta: screen ids hold only letters and underscores
RESERVED_SCREEN_IDS = ("SUCCESS",)
VERSION = re.compile(r"^([0-9]+)\.([0-9]+)$")
# Flow JSON 2.1 is the oldest Meta ever published; expired versions are not modelled (any later
# "major.minor" is accepted, so an app on a newer pywa keeps working). UNCONFIRMED.
OLDEST_VERSION = (2, 1)
ENDPOINT_URI_FROM = (3, 0)  # from Flow JSON 3.0 the endpoint is set through the API, not data_channel_uri

# error -> error_type
ERROR_TYPES = {
    "INVALID_JSON": "JSON_SYNTAX_ERROR",
    "REQUIRED_PROPERTY_MISSING": "JSON_SCHEMA_ERROR",
    "INVALID_PROPERTY": "JSON_SCHEMA_ERROR",
    "INVALID_PROPERTY_VALUE": "FLOW_JSON_ERROR",
    "MISSING_TERMINAL_SCREEN": "FLOW_JSON_ERROR",
}


@dataclass(frozen=True)
class Problem:
    error: str  # a key of ERROR_TYPES
    path: Path  # where in the document
    message: str
    on_key: bool = False  # point at the property's name (an unknown property) rather than its value


@dataclass
class Report:
    """What an upload leaves on the Flow."""

    validation_errors: list[dict[str, Any]] = field(default_factory=list)
    json_version: str | None = None
    data_api_version: str | None = None
    data_channel_uri: str | None = None


def check(raw: bytes) -> Report:
    """The uploaded file's report. Positions are computed only when there is something to point at."""
    try:
        text = raw.decode("utf-8-sig")
        doc = jsonbody.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Report([_syntax_error(raw, exc)])
    report = Report()
    if isinstance(doc, dict):
        report.json_version = _string(doc.get("version"))
        report.data_api_version = _string(doc.get("data_api_version"))
        report.data_channel_uri = _string(doc.get("data_channel_uri"))
    problems = _problems(doc)
    if problems:
        try:
            spans = _spans(text)
        except (IndexError, ValueError):  # a parser corner the scanner does not know: errors without places
            spans = {}
        report.validation_errors = [_render(p, spans, text) for p in problems]
    return report


def version_of(text: str | None) -> tuple[int, int] | None:
    found = VERSION.match(text or "")
    return (int(found.group(1)), int(found.group(2))) if found else None


# --- the checks -------------------------------------------------------------------------------------


def _problems(doc: Any) -> list[Problem]:
    if not isinstance(doc, dict):
        return [Problem("INVALID_PROPERTY_VALUE", (), "The Flow JSON must be an object with version and screens.")]
    found = [_unknown(key, ()) for key in doc if key not in TOP_LEVEL]
    found += _version_problems(doc)
    if "data_api_version" in doc and "routing_model" not in doc:
        found.append(_missing("routing_model", ()))
    if "routing_model" in doc and not isinstance(doc["routing_model"], dict):
        found.append(_invalid("routing_model", ("routing_model",), "an object mapping screen ids to next screens"))
    screens = doc.get("screens")
    if "screens" not in doc:
        found.append(_missing("screens", ()))
    elif not isinstance(screens, list) or not screens:
        found.append(_invalid("screens", ("screens",), "a non-empty array of screens"))
    else:
        found += _screens_problems(screens)
    return found


def _version_problems(doc: dict[str, Any]) -> list[Problem]:
    if "version" not in doc:
        return [_missing("version", ())]
    version = version_of(_string(doc["version"]))
    if version is None or version < OLDEST_VERSION:
        return [_invalid("version", ("version",), "a Flow JSON version such as \"7.3\" (see Meta's Flows changelog)")]
    found = []
    if "data_api_version" in doc and version_of(_string(doc["data_api_version"])) is None:
        found.append(_invalid("data_api_version", ("data_api_version",), "a Data API version such as \"3.0\""))
    if "data_channel_uri" in doc and version >= ENDPOINT_URI_FROM:
        # Meta: from Flow JSON 3.0 the endpoint is the Flow's endpoint_uri, set through the API.
        found.append(_unknown("data_channel_uri", ()))
    return found


def _screens_problems(screens: list[Any]) -> list[Problem]:
    found: list[Problem] = []
    seen: set[str] = set()
    for index, screen in enumerate(screens):
        at: Path = ("screens", index)
        if not isinstance(screen, dict):
            found.append(_invalid(str(index), at, "a screen object"))
            continue
        found += [_unknown(key, at) for key in screen if key not in SCREEN_PROPERTIES]
        found += _screen_id_problems(screen, at, seen)
        found += _layout_problems(screen, at)
        if "terminal" in screen and not isinstance(screen["terminal"], bool):
            found.append(_invalid("terminal", (*at, "terminal"), "true or false"))
    if not any(isinstance(s, dict) and s.get("terminal") is True for s in screens):
        found.append(Problem("MISSING_TERMINAL_SCREEN", ("screens",),
                             "The Flow JSON must have at least one screen with \"terminal\": true."))
    return found


def _screen_id_problems(screen: dict[str, Any], at: Path, seen: set[str]) -> list[Problem]:
    if "id" not in screen:
        return [_missing("id", at)]
    screen_id = screen["id"]
    if not isinstance(screen_id, str) or not SCREEN_ID.match(screen_id) or screen_id in RESERVED_SCREEN_IDS:
        return [_invalid("id", (*at, "id"), "letters and underscores only, not SUCCESS")]
    if screen_id in seen:
        return [Problem("INVALID_PROPERTY_VALUE", (*at, "id"), f"Screen id \"{screen_id}\" is used by more than one screen.")]
    seen.add(screen_id)
    return []


def _layout_problems(screen: dict[str, Any], at: Path) -> list[Problem]:
    if "layout" not in screen:
        return [_missing("layout", at)]
    layout, where = screen["layout"], (*at, "layout")
    if not isinstance(layout, dict):
        return [_invalid("layout", where, "an object with type SingleColumnLayout and children")]
    found = []
    if layout.get("type") != "SingleColumnLayout":
        found.append(_missing("type", where) if "type" not in layout else _invalid("type", (*where, "type"), "SingleColumnLayout"))
    if "children" not in layout:
        found.append(_missing("children", where))
    elif not isinstance(layout["children"], list):
        found.append(_invalid("children", (*where, "children"), "an array of components"))
    return found


def _missing(name: str, at: Path) -> Problem:
    return Problem("REQUIRED_PROPERTY_MISSING", at, f"The property \"{name}\" is required at \"{_root(at)}\".")


def _unknown(name: str, at: Path) -> Problem:
    return Problem("INVALID_PROPERTY", (*at, name), f"The property \"{name}\" cannot be specified at \"{_root(at)}\".", on_key=True)


def _invalid(name: str, at: Path, expected: str) -> Problem:
    return Problem("INVALID_PROPERTY_VALUE", at, f"Invalid value found for property '{name}': expected {expected}.")


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _root(at: Path) -> str:
    return "/".join(["$root", *map(str, at)])


def _dotted(at: Path) -> str:
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- positions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    start: int  # offset of the value's first character
    end: int  # offset just past the value
    key_start: int | None = None  # the property's quoted name, when the value is an object member
    key_end: int | None = None


_WHITESPACE = " \t\n\r"
_SCALAR = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null|NaN|-?Infinity")


def _spans(text: str) -> dict[Path, Span]:
    """Where each value of an already-parsed document sits (recursion depth is bounded by the parse,
    jsonbody.MAX_DEPTH)."""
    spans: dict[Path, Span] = {}

    def skip(i: int) -> int:
        while i < len(text) and text[i] in _WHITESPACE:
            i += 1
        return i

    def value(i: int, path: Path, key: tuple[int, int] | None) -> int:
        i = start = skip(i)
        opener = text[i]
        if opener in "{[":
            i = members(i + 1, path, opener == "{")
        elif opener == '"':
            i = scanstring(text, i + 1)[1]
        else:
            scalar = _SCALAR.match(text, i)
            i = scalar.end() if scalar else i + 1
        spans[path] = Span(start, i, *(key or (None, None)))
        return i

    def members(i: int, path: Path, is_object: bool) -> int:
        index, i = 0, skip(i)
        if text[i] in "}]":
            return i + 1
        while True:
            i = skip(i)
            if is_object:
                name, after = scanstring(text, i + 1)
                i = value(skip(after) + 1, (*path, name), (i, after))
            else:
                i = value(i, (*path, index), None)
                index += 1
            i = skip(i)
            if text[i] != ",":
                return i + 1
            i += 1

    value(0, (), None)
    return spans


def _render(problem: Problem, spans: dict[Path, Span], text: str) -> dict[str, Any]:
    span = spans.get(problem.path) or spans.get(problem.path[:-1]) or Span(0, max(len(text), 1))
    start, end = (span.key_start, span.key_end) if problem.on_key and span.key_start is not None else (span.start, span.end)
    assert end is not None
    where = _where(text, start, max(end - 1, start))
    return {
        "error": problem.error,
        "error_type": ERROR_TYPES[problem.error],
        "message": problem.message,
        **where,
        "pointers": [{**where, "path": _dotted(problem.path)}],
    }


def _where(text: str, start: int, last: int) -> dict[str, int]:
    def line_col(offset: int) -> tuple[int, int]:
        return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1

    (line_start, column_start), (line_end, column_end) = line_col(start), line_col(last)
    return {"line_start": line_start, "line_end": line_end, "column_start": column_start, "column_end": column_end}


def _syntax_error(raw: bytes, exc: Exception) -> dict[str, Any]:
    line, column = (exc.lineno, exc.colno) if isinstance(exc, json.JSONDecodeError) else (1, 1)
    reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "the file is not UTF-8 text"
    where = {"line_start": line, "line_end": line, "column_start": column, "column_end": column}
    return {"error": "INVALID_JSON", "error_type": ERROR_TYPES["INVALID_JSON"],
            "message": f"The Flow JSON is not valid JSON: {reason}.", **where, "pointers": [{**where, "path": ""}]}
