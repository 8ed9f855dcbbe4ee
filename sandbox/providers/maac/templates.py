"""The WhatsApp leg's template check: does the named template exist in that language, and do the
header and body parameters fit it?

MAAC relays the WhatsApp leg to Meta, so a template problem is Meta's asynchronous failure (132001
"Template name does not exist in the translation", 132000 "Number of parameters does not match",
132012 "Parameter format does not match"), and the message falls back to SMS.

Two sources, in order:
1. the Cloud API's shared template registry (``sandbox/providers/meta/templates/registry.py``), under the WABA
   of the MAAC account's WhatsApp channel (``maac.waba_id``, default the first Meta business's): the
   send is translated to a Cloud API template object and checked by the Cloud API's own rules, so a
   template created through ``POST /{waba_id}/message_templates`` works over SMS+ too;
2. ``maac.whatsapp_templates`` in the scenario (the seed's example templates live there, so the default
   scenario's Meta section stays Meta's).
"""

from __future__ import annotations

from typing import Any

from sandbox.core.scenario import ErrorSpec
from sandbox.providers.maac.config import WhatsAppTemplate
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.templates.registry import TemplateRegistry
from sandbox.providers.meta.templates.send_check import check_template as check_cloud_api_template


def find_whatsapp_template(templates: list[WhatsAppTemplate], name: str, language: str) -> WhatsAppTemplate | None:
    return next((t for t in templates if t.name == name and t.language == language), None)


def check_with_registry(registry: TemplateRegistry, waba_id: str, whatsapp: dict[str, Any]) -> ErrorSpec | None:
    """The Cloud API's own template rules, for a template the shared registry holds."""
    try:
        check_cloud_api_template(registry, waba_id, cloud_api_template(whatsapp))
    except MetaError as exc:
        return ErrorSpec(code=exc.code, details=exc.details)
    return None


def cloud_api_template(whatsapp: dict[str, Any]) -> dict[str, Any]:
    """MAAC's ``whatsapp`` object as the Cloud API ``template`` object MAAC would send to Meta."""
    data = whatsapp.get("template_data") or {}
    header = [_header_parameter(p) for p in (data.get("header") or {}).get("parameters") or []]
    body = [{"type": "text", "text": str(p)} for p in (data.get("body") or {}).get("parameters") or []]
    components = []
    if header:
        components.append({"type": "header", "parameters": header})
    if body:
        components.append({"type": "body", "parameters": body})
    return {"name": whatsapp["template_name"], "language": {"code": whatsapp["language"]}, "components": components}


def _header_parameter(param: Any) -> dict[str, Any]:
    if isinstance(param, str):
        return {"type": "text", "text": param}
    kind = param.get("type", "text")
    if kind == "text":
        return {"type": "text", "text": param.get("text", "")}
    if kind == "location":
        return {"type": "location", "location": {k: param.get(k) for k in ("latitude", "longitude", "name", "address")}}
    media: dict[str, Any] = {"id": param["media_id"]} if param.get("media_id") else {"link": param.get("media_url")}
    if kind == "document" and param.get("filename"):
        media["filename"] = param["filename"]
    return {"type": kind, kind: media}


def check_template(
    templates: list[WhatsAppTemplate], whatsapp: dict[str, Any], registry: TemplateRegistry | None, waba_id: str | None
) -> ErrorSpec | None:
    """None when the WhatsApp leg can go out; else the Meta error that fails it."""
    name, language = whatsapp["template_name"], whatsapp["language"]
    if registry is not None and waba_id and registry.get(waba_id, name, language) is not None:
        return check_with_registry(registry, waba_id, whatsapp)
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
