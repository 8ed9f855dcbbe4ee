"""Body formats both ways: Accept / Content-Type negotiation, JSON and XML (reference §A6).

Negotiation (UNCONFIRMED rules, the reference's suggested emulation):
- Accept absent, ``*/*``, ``application/*``, ``application/json`` or ``+json`` -> JSON;
  ``application/xml`` / ``text/xml`` (or ``+xml``) -> XML; the client's q-values order the choice.
  Anything else -> 406. The npm SDK's ``application/json, text/plain, */*`` gets JSON.
- A request body must be ``application/json`` or ``application/xml`` / ``text/xml``; anything else
  -> 415. An empty body is an empty object (the handler's validation names what is missing).

XML (UNCONFIRMED): requests as in SMSGlobal's KB sample, ``<messages><origin/><destination/>
<message/></messages>``: the root's children are the fields, a repeated child is a list, and a
wrapper whose children all share one tag is a list (``<destinations><destination>…``). Responses
use the JMS serializer's defaults of the Symfony stack behind the v2 docs: root ``<result>``, list
items ``<entry>`` (text escaped, not CDATA). DOCTYPE declarations are refused (no entity expansion).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any, Literal

from aiohttp import web

from sandbox.core import jsonbody
from sandbox.providers.smsglobal.errors import SmsglobalError

Format = Literal["json", "xml"]

JSON_TYPES = ("application/json",)
XML_TYPES = ("application/xml", "text/xml")


# --- negotiation ---------------------------------------------------------------------------------


def response_format(accept: str | None) -> Format | None:
    """The format to answer in, or None when nothing in Accept can be served (406)."""
    if accept is None or not accept.strip():
        return "json"
    ranges: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept.split(",")):
        media, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((-q, index, media.strip().lower()))
    for _, _, media in sorted(ranges):
        if media in ("*/*", "application/*") or media in JSON_TYPES or media.endswith("+json"):
            return "json"
        if media in XML_TYPES or media.endswith("+xml"):
            return "xml"
    return None


def parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
    """The request body as a dict; 415 for a type the API does not take, 400 for a broken body."""
    if not raw.strip():
        return {}
    if content_type in JSON_TYPES or content_type.endswith("+json"):
        return _parse_json(raw)
    if content_type in XML_TYPES or content_type.endswith("+xml"):
        return parse_xml(raw)
    shown = content_type or "(none)"
    raise SmsglobalError(
        415, f"Content-Type {shown} is not supported: send the body as application/json or application/xml"
    )


def _parse_json(raw: bytes) -> dict[str, Any]:
    try:
        data = jsonbody.loads(raw)
    except json.JSONDecodeError as exc:
        raise SmsglobalError(400, fields={"request": [f"The request body is not valid JSON: {exc}"]}) from exc
    if not isinstance(data, dict):
        raise SmsglobalError(400, fields={"request": ["The request body must be a JSON object"]})
    return data


# --- XML -----------------------------------------------------------------------------------------


def parse_xml(raw: bytes) -> dict[str, Any]:
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise SmsglobalError(400, fields={"request": ["XML bodies must not contain a DOCTYPE or entities"]})
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise SmsglobalError(400, fields={"request": [f"The request body is not valid XML: {exc}"]}) from exc
    value = _element_value(root)
    if not isinstance(value, dict):
        if isinstance(value, list):
            return {root.tag: value}
        raise SmsglobalError(400, fields={"request": ["The XML root element must contain the request fields"]})
    return value


def _element_value(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    tags = [c.tag for c in children]
    if len(children) > 1 and len(set(tags)) == 1:
        return [_element_value(c) for c in children]
    out: dict[str, Any] = {}
    for child in children:
        value = _element_value(child)
        if child.tag in out:
            previous = out[child.tag]
            out[child.tag] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[child.tag] = value
    return out


def as_list(value: Any) -> list[Any]:
    """A list field that may arrive from XML as one element or wrapped in one tag, or from the PHP SDK
    as an object keyed "0", "1", ... (it encodes with ``JSON_FORCE_OBJECT``; the API decodes that
    object into the same PHP array as a JSON list)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and value and list(value) == [str(i) for i in range(len(value))]:
        return list(value.values())
    if isinstance(value, dict) and len(value) == 1:
        inner = next(iter(value.values()))
        return inner if isinstance(inner, list) else [inner]
    return [value]


def to_xml(data: Any) -> bytes:
    root = ET.Element("result")
    _fill(root, data)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, _tag(key)), item)
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, "entry"), item)
    elif value is None:
        return
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def _tag(key: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "_-." else "_" for c in str(key))
    return cleaned if cleaned and not cleaned[0].isdigit() else f"_{cleaned}"


# --- responses -----------------------------------------------------------------------------------


def render(data: Any, fmt: Format, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    if fmt == "xml":
        return web.Response(body=to_xml(data), status=status, content_type="application/xml", headers=headers)
    return web.json_response(data, status=status, headers=headers)


def render_error(error: SmsglobalError, fmt: Format) -> web.Response:
    return render(error.body(), fmt, status=error.status, headers=error.headers)
