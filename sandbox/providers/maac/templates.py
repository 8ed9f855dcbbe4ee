"""The WhatsApp leg's template check: does the named template exist in that language, and do the
header and body parameters fit it?

MAAC relays the WhatsApp leg to Meta, so a template problem is Meta's asynchronous failure (132001
"Template name does not exist in the translation", 132000 "Number of parameters does not match",
132012 "Parameter format does not match"), and the message falls back to SMS.

The Cloud API's shared template registry (issue 4, ``sandbox/providers/meta/templates.py``) did not
exist when this was written, so the templates come from ``maac.whatsapp_templates`` in the scenario.
``find_whatsapp_template`` is the one adapter to switch to the shared registry when it lands.
"""

from __future__ import annotations

from typing import Any

from sandbox.core.scenario import ErrorSpec
from sandbox.providers.maac.config import WhatsAppTemplate


def find_whatsapp_template(templates: list[WhatsAppTemplate], name: str, language: str) -> WhatsAppTemplate | None:
    """ADAPTER: switch to the shared Cloud API template registry here once it exists."""
    return next((t for t in templates if t.name == name and t.language == language), None)


def check_template(templates: list[WhatsAppTemplate], whatsapp: dict[str, Any]) -> ErrorSpec | None:
    """None when the WhatsApp leg can go out; else the Meta error that fails it."""
    name, language = whatsapp["template_name"], whatsapp["language"]
    template = find_whatsapp_template(templates, name, language)
    if template is None:
        return ErrorSpec(code=132001, details=f"template name ({name}) does not exist in {language}")
    data = whatsapp.get("template_data") or {}
    header = (data.get("header") or {}).get("parameters") or []
    body = (data.get("body") or {}).get("parameters") or []
    if len(body) != template.body_parameters:
        return ErrorSpec(
            code=132000,
            details=f"body: number of localizable_params ({len(body)}) does not match the expected number of params ({template.body_parameters})",
        )
    return _check_header(template, header)


def _check_header(template: WhatsAppTemplate, header: list[Any]) -> ErrorSpec | None:
    if template.header is None:
        if header:
            return ErrorSpec(code=132000, details=f"header: template {template.name} has no header parameters")
        return None
    if len(header) != 1:  # a media or location header takes one parameter; a text header one variable
        return ErrorSpec(
            code=132000,
            details=f"header: number of parameters ({len(header)}) does not match the expected number of params (1)",
        )
    given = header[0].get("type", "text") if isinstance(header[0], dict) else "text"
    if given != template.header:
        return ErrorSpec(
            code=132012,
            details=f"header: parameter of type {given} does not match the template's {template.header.upper()} header",
        )
    return None
