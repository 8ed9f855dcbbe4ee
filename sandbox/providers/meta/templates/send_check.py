"""Sending a template: check the send against the registered template, then render what the user sees.

Checks and wording from ../shared/reference/meta-cloud-api.md §2.2-§2.4:
- unknown name or language, or a template that is not APPROVED: 132001 (HTTP 404);
  paused 132015, disabled 132016;
- parameter count: 132000 ``body: number of localizable_params (0) does not match the expected number
  of params (1)`` (recorded replies), the same wording for ``header`` and ``button``;
- header media missing or of another kind: 132012 ``header: Format mismatch, expected IMAGE, received
  UNKNOWN``; named params sent to a positional template (or the reverse): 132012 (community report;
  the details wording is UNCONFIRMED);
- text longer than the component limit once the parameters are filled in: 132005 (details UNCONFIRMED).
Shape errors (missing ``language.code``, bad parameter objects) are the send validator's job.
"""

from __future__ import annotations

from typing import Any

from sandbox.core.params import whole_number
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.templates.registry import (
    LIMITS,
    VARIABLE,
    Template,
    TemplateRegistry,
    body_text,
    variables,
)

MEDIA_FORMATS = ("IMAGE", "VIDEO", "DOCUMENT", "LOCATION", "GIF")
NEEDS_PARAMETER = ("URL", "COPY_CODE", "OTP")


def check_template(registry: TemplateRegistry, waba_id: str, template_obj: dict[str, Any]) -> str:
    """Raise Meta's error for a send that does not fit its template; answer the rendered text."""
    name = str(template_obj.get("name", ""))
    language = str((template_obj.get("language") or {}).get("code", ""))
    template = registry.get(waba_id, name, language)
    if template is None or template.status not in ("APPROVED", "PAUSED", "DISABLED"):
        details = f"template name ({name}) does not exist in {language}"
        if template is None and not registry.declared:  # the newcomer's scenario written from scratch
            details += ("; the active scenario declares no templates (meta.templates): declare them, create them"
                        " with POST /{waba_id}/message_templates, or start the scenario with `extends: default`")
        raise MetaError(132001, details)
    if template.status == "PAUSED":
        raise MetaError(132015, f"Template {name} is paused because of low quality; it cannot be sent until it is unpaused.")
    if template.status == "DISABLED":
        raise MetaError(132016, f"Template {name} has been disabled because of low quality and cannot be sent.")
    sent = _by_type(template_obj.get("components") or [])
    header = _check_header(template, sent.get("header", []))
    body = _fill("body", body_text(template), template, sent.get("body", []))
    _check_buttons(template, sent.get("button", []))
    footer = template.component("FOOTER") or {}
    parts = [header, body, _footer_text(footer)]
    parts += [f"[{b.get('text', '')}]" for b in template.buttons()]
    return "\n".join(p for p in parts if p)


def template_facts(registry: TemplateRegistry, waba_id: str, template_obj: dict[str, Any]) -> dict[str, Any]:
    """Facts a checked template send carries: its pricing category, and the send response's
    ``message_status`` for templates under pacing. Meta paces newly created or unpaused MARKETING
    templates (meta-cloud-api.md §1.1); the sandbox's choice: every MARKETING template answers
    "accepted", and one the scenario marks ``pacing: held`` answers "held_for_quality_assessment"."""
    name = str(template_obj.get("name", ""))
    template = registry.get(waba_id, name, str((template_obj.get("language") or {}).get("code", "")))
    if template is None:
        return {}
    facts: dict[str, Any] = {"category": template.category.lower()}
    if template.category.upper() == "MARKETING":
        held = str(template.pacing or "").lower() == "held"
        facts["message_status"] = "held_for_quality_assessment" if held else "accepted"
    return facts


def _by_type(components: list[Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for comp in components:
        if isinstance(comp, dict):
            out.setdefault(str(comp.get("type", "")).lower(), []).append(comp)
    return out


def _params(comps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for c in comps for p in (c.get("parameters") or []) if isinstance(p, dict)]


def _count_error(where: str, given: int, expected: int) -> MetaError:
    return MetaError(132000, f"{where}: number of localizable_params ({given}) does not match the expected number of params ({expected})")


def _check_header(template: Template, comps: list[dict[str, Any]]) -> str:
    header = template.component("HEADER")
    params = _params(comps)
    fmt = header.get("format", "TEXT") if header else None
    if fmt in MEDIA_FORMATS:
        received = str(params[0].get("type", "")).upper() if params else "UNKNOWN"
        if received != fmt:
            raise MetaError(132012, f"header: Format mismatch, expected {fmt}, received {received}")
        return _media_line(fmt, params[0])
    text = str(header.get("text", "")) if header else ""
    if params and any(str(p.get("type", "")).upper() in MEDIA_FORMATS for p in params):
        received = str(params[0].get("type", "")).upper()
        raise MetaError(132012, f"header: Format mismatch, expected TEXT, received {received}")
    return _fill("header", text, template, comps)


def _media_line(fmt: str, param: dict[str, Any]) -> str:
    if fmt == "LOCATION":
        loc = param.get("location") or {}
        return f"[location: {loc.get('name') or ''} {loc.get('address') or ''}]".replace("  ", " ").strip()
    return f"[{fmt.lower()}]"


def _fill(where: str, text: str, template: Template, comps: list[dict[str, Any]]) -> str:
    """Substitute parameters into ``text`` after checking their number, names and the final length."""
    expected = variables(text)
    params = _params(comps)
    if len(params) != len(dict.fromkeys(expected)):
        raise _count_error(where, len(params), len(dict.fromkeys(expected)))
    named = [p.get("parameter_name") for p in params]
    if template.parameter_format == "NAMED":
        if params and not all(named):
            raise MetaError(132012, f"{where}: parameter format mismatch, expected NAMED parameters (parameter_name), received POSITIONAL")
        missing = sorted(set(expected) - {str(n) for n in named})
        if missing:
            raise MetaError(132000, f"{where}: parameter name(s) {', '.join(missing)} missing; expected {', '.join(dict.fromkeys(expected))}")
        values = {str(p["parameter_name"]): _value(p) for p in params}
    else:
        if any(named):
            raise MetaError(132012, f"{where}: parameter format mismatch, expected POSITIONAL parameters, received NAMED")
        values = {str(i + 1): _value(p) for i, p in enumerate(params)}
    rendered = _substitute(text, values)
    limit = LIMITS.get(where.upper())
    if limit and len(rendered) > limit:
        raise MetaError(132005, f"{where}: text with parameters is {len(rendered)} characters long; at most {limit} are allowed")
    return rendered


def _substitute(text: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _value(param: dict[str, Any]) -> str:
    kind = param.get("type")
    value = param.get(kind) if isinstance(kind, str) else None
    if isinstance(value, dict):
        return str(value.get("fallback_value", ""))
    return "" if value is None else str(value)


def _check_buttons(template: Template, comps: list[dict[str, Any]]) -> None:
    buttons = template.buttons()
    given = {_index(c): c for c in comps}
    for index, button in enumerate(buttons):
        btype = str(button.get("type", "")).upper()
        wants = 1 if btype in NEEDS_PARAMETER and (btype != "URL" or variables(str(button.get("url", "")))) else 0
        if wants and index not in given:
            raise _count_error("button", 0, 1)
    for key, comp in given.items():
        if key is None or key >= len(buttons):
            raise MetaError(131009, f"button: the template has no button at index {comp.get('index')}")


def _index(comp: dict[str, Any]) -> int | None:
    raw = comp.get("index")
    return raw if isinstance(raw, int) else whole_number(raw) if isinstance(raw, str) else None


def _footer_text(footer: dict[str, Any]) -> str:
    if footer.get("text"):
        return str(footer["text"])
    minutes = footer.get("code_expiration_minutes")
    return f"This code expires in {minutes} minutes." if minutes else ""
