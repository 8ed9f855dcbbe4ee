"""Message templates: the registry per WABA, seeded from the scenario, and the create/edit rules.

Shapes from ../shared/reference/meta-cloud-api.md §5 (META-TPL-MGMT, META-TPL-COMPONENTS). A template is
stored as Meta lists it: upper-case component types, ``parameter_format``, ``status``. Ids of seeded
templates derive from (WABA, name, language), so they never consume the seeded id generator.

Other modules use ``TemplateRegistry.get(waba_id, name, language) -> Template | None``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.providers.meta.errors import MetaError

VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
NAME = re.compile(r"^[a-z0-9_]{1,512}$")
NAMED_VARIABLE = re.compile(r"^[a-z][a-z0-9_]*$")
CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")
HEADER_FORMATS = ("TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION", "GIF")
STATUSES = (
    "APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "PENDING_DELETION", "DELETED",
    "LIMIT_EXCEEDED", "ARCHIVED", "UNARCHIVED", "LOCKED", "FLAGGED", "REINSTATED",
)  # fmt: skip
TEMPLATE_LIMIT = 250  # per WABA while the business portfolio is unverified (META-TPL-OVERVIEW)
# Authentication templates: Meta supplies the text (META-COPYCODE); the code is parameter {{1}}.
AUTH_BODY = "*{{1}}* is your verification code."
AUTH_SECURITY = "For your security, do not share this code."
# Component limits (META-TPL-COMPONENTS). Subcodes from the error tables (meta-cloud-api.md §5.2).
LIMITS = {"HEADER": 60, "BODY": 1024, "FOOTER": 60}
SUBCODE_CHAR_LIMIT = 2388040
SUBCODE_FORMAT = {"HEADER": 2388047, "BODY": 2388072, "FOOTER": 2388073}
SUBCODE_TEMPLATE_LIMIT = 2388019
SUBCODE_EXISTS = 2388023


@dataclass
class Template:
    id: str
    waba_id: str
    name: str
    language: str
    category: str
    parameter_format: str  # POSITIONAL | NAMED
    components: list[dict[str, Any]]
    status: str = "APPROVED"
    rejected_reason: str | None = None
    message_send_ttl_seconds: int | None = None
    edits: int = 0
    pacing: str | None = None  # scenario `pacing: held`: marketing sends answer held_for_quality_assessment

    def component(self, kind: str) -> dict[str, Any] | None:
        """The first component of ``kind`` (HEADER, BODY...). Every template send asks ~5 times, so the
        index is kept beside the fields (not one: persistence saves the fields) and rebuilt when an
        edit replaces ``components``."""
        index = self.__dict__.get("_by_kind")
        if index is None or index[0] is not self.components:
            by_kind = {str(c.get("type", "")).upper(): c for c in reversed(self.components)}  # the first wins
            index = self.__dict__["_by_kind"] = (self.components, by_kind)
        found: dict[str, Any] | None = index[1].get(kind)
        return found

    def buttons(self) -> list[dict[str, Any]]:
        comp = self.component("BUTTONS")
        return list(comp.get("buttons") or []) if comp else []

    def to_json(self, fields: set[str] | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "parameter_format": self.parameter_format,
            "components": self.components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
        }
        if self.rejected_reason:
            data["rejected_reason"] = self.rejected_reason
        if self.message_send_ttl_seconds is not None:
            data["message_send_ttl_seconds"] = self.message_send_ttl_seconds
        if fields:
            data = {k: v for k, v in data.items() if k in fields or k == "id"}
        return data


def variables(text: str) -> list[str]:
    return VARIABLE.findall(text or "")


def body_text(template: Template) -> str:
    body = template.component("BODY") or {}
    if "add_security_recommendation" in body and not body.get("text"):
        return AUTH_BODY + (f" {AUTH_SECURITY}" if body.get("add_security_recommendation") else "")
    return str(body.get("text", ""))


def seeded_id(waba_id: str, name: str, language: str) -> str:
    digest = hashlib.sha256(f"template:{waba_id}:{name}:{language}".encode()).digest()
    return str(10**15 + int.from_bytes(digest[:8], "big") % (9 * 10**15))


@dataclass
class TemplateRegistry:
    """Templates per WABA, in creation order."""

    _by_waba: dict[str, list[Template]] = field(default_factory=dict)  # maps WABA id -> its templates
    declared: bool = False  # the active scenario declares templates (meta.templates); says why 132001 when not

    def get(self, waba_id: str, name: str, language: str) -> Template | None:
        return next((t for t in self._by_waba.get(waba_id, []) if t.name == name and t.language == language), None)

    def by_id(self, template_id: str) -> Template | None:
        return next((t for ts in self._by_waba.values() for t in ts if t.id == template_id), None)

    def of(self, waba_id: str) -> list[Template]:
        return list(self._by_waba.get(waba_id, []))

    def all(self) -> list[Template]:
        return [t for templates in self._by_waba.values() for t in templates]

    def replace_all(self, templates: list[Template]) -> None:
        """Take exactly these templates (persistence restores them after a restart)."""
        self._by_waba = {}
        for template in templates:
            self.add(template)

    def add(self, template: Template) -> Template:
        self._by_waba.setdefault(template.waba_id, []).append(template)
        return template

    def remove(self, template: Template) -> None:
        self._by_waba.get(template.waba_id, []).remove(template)

    def load(self, raw: list[dict[str, Any]], waba_ids: list[str]) -> None:
        """Seed from the scenario's ``meta.templates`` (each item goes to its ``waba_id`` or every WABA)."""
        self._by_waba = {}
        self.declared = bool(raw)
        for item in raw:
            for waba_id in [str(item["waba_id"])] if item.get("waba_id") else waba_ids:
                spec = {k: v for k, v in item.items() if k not in ("waba_id", "status", "rejected_reason", "pacing")}
                template = build(waba_id, spec, seeded_id(waba_id, item["name"], item["language"]))
                template.status = str(item.get("status", "APPROVED")).upper()
                template.rejected_reason = item.get("rejected_reason")
                template.pacing = item.get("pacing")
                self.add(template)


# --- create / edit --------------------------------------------------------------------------------


def build(waba_id: str, body: dict[str, Any], template_id: str) -> Template:
    """A template from a create request, checked like Meta checks it (synchronous errors only)."""
    name, language = body.get("name"), body.get("language")
    if not isinstance(name, str) or not name:
        raise MetaError(100, message="(#100) The parameter name is required.")
    if not NAME.match(name):
        raise MetaError(100, f"Template name '{name}' may only contain lower-case letters, digits and underscores (at most 512 characters).")
    if not isinstance(language, str) or not language:
        raise MetaError(100, message="(#100) The parameter language is required.")
    category = str(body.get("category") or "").upper()
    if category not in CATEGORIES:
        raise MetaError(100, message="(#100) Param category must be one of {" + ", ".join(CATEGORIES) + "} - got \"" + str(body.get("category")) + "\".")
    fmt = str(body.get("parameter_format") or "POSITIONAL").upper()
    if fmt not in ("POSITIONAL", "NAMED"):
        raise MetaError(100, message=f"(#100) Param parameter_format must be one of {{POSITIONAL, NAMED}} - got \"{body.get('parameter_format')}\".")
    components = check_components(body.get("components"), fmt, category)
    ttl = body.get("message_send_ttl_seconds")
    return Template(
        id=template_id, waba_id=waba_id, name=name, language=language, category=category,
        parameter_format=fmt, components=components, status="PENDING",
        message_send_ttl_seconds=int(ttl) if isinstance(ttl, (int, str)) and str(ttl).lstrip("-").isdigit() and str(ttl).isascii() else None,
    )


def check_components(raw: Any, fmt: str, category: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise MetaError(100, message="(#100) The parameter components is required.")
    components: list[dict[str, Any]] = []
    seen: set[str] = set()
    for comp in raw:
        if not isinstance(comp, dict) or not isinstance(comp.get("type"), str):
            raise MetaError(100, "Each component must be an object with a type (HEADER, BODY, FOOTER, BUTTONS).")
        kind = comp["type"].upper()
        if kind in seen:
            raise MetaError(100, f"A template has at most one {kind} component.")
        seen.add(kind)
        components.append({**comp, "type": kind, **_format_of(comp)})
    if "BODY" not in seen:
        raise MetaError(100, "A template needs a BODY component.", subcode=SUBCODE_FORMAT["BODY"])
    for comp in components:
        _check_component(comp, fmt, category)
    return components


def _format_of(comp: dict[str, Any]) -> dict[str, Any]:
    return {"format": str(comp["format"]).upper()} if "format" in comp else {}


def _check_component(comp: dict[str, Any], fmt: str, category: str) -> None:
    kind = comp["type"]
    if kind == "HEADER" and comp.get("format") not in HEADER_FORMATS:
        raise MetaError(100, f"Header format must be one of {', '.join(HEADER_FORMATS)}.", subcode=SUBCODE_FORMAT["HEADER"])
    if kind == "BUTTONS":
        check_buttons(comp.get("buttons"))
        return
    if kind not in LIMITS:
        return
    text = comp.get("text")
    if kind == "HEADER" and comp.get("format") != "TEXT":
        return
    if text is None and category == "AUTHENTICATION":
        return  # Meta writes authentication bodies and footers itself
    if not isinstance(text, str) or not text:
        raise MetaError(100, f"{kind} needs its text.", subcode=SUBCODE_FORMAT[kind])
    if len(text) > LIMITS[kind]:
        raise MetaError(100, f"{kind} text is {len(text)} characters long; at most {LIMITS[kind]} are allowed.", subcode=SUBCODE_CHAR_LIMIT)
    _check_variables(kind, text, fmt)


def _check_variables(kind: str, text: str, fmt: str) -> None:
    found = variables(text)
    if kind == "FOOTER" and found:
        raise MetaError(100, "FOOTER text cannot contain variables.", subcode=SUBCODE_FORMAT[kind])
    if kind == "HEADER" and len(found) > 1:
        raise MetaError(100, "HEADER text can contain at most one variable.", subcode=SUBCODE_FORMAT[kind])
    if fmt == "POSITIONAL":
        if any(not v.isdigit() for v in found) or [int(v) for v in dict.fromkeys(found)] != list(range(1, len(set(found)) + 1)):
            raise MetaError(100, f"{kind} variables must be {{{{1}}}}, {{{{2}}}}, ... in order for parameter_format POSITIONAL.", subcode=SUBCODE_FORMAT[kind])
    elif any(not NAMED_VARIABLE.match(v) for v in found):
        raise MetaError(100, f"{kind} variables must be lower-case names with underscores, e.g. {{{{first_name}}}}, for parameter_format NAMED.", subcode=SUBCODE_FORMAT[kind])


BUTTON_LIMITS = {"QUICK_REPLY": (10, 25), "URL": (2, 25), "PHONE_NUMBER": (1, 25), "COPY_CODE": (1, 25), "OTP": (1, 25)}


def check_buttons(buttons: Any) -> None:
    if not isinstance(buttons, list) or not buttons:
        raise MetaError(100, "BUTTONS needs a list of buttons.")
    if len(buttons) > 10:
        raise MetaError(100, f"A template has at most 10 buttons; got {len(buttons)}.")
    counts: dict[str, int] = {}
    for button in buttons:
        btype = str(button.get("type", "")).upper() if isinstance(button, dict) else ""
        button_max, label_max = BUTTON_LIMITS.get(btype, (10, 25))
        counts[btype] = counts.get(btype, 0) + 1
        if counts[btype] > button_max:
            raise MetaError(100, f"A template has at most {button_max} {btype} button(s).")
        if len(str(button.get("text", ""))) > label_max:
            raise MetaError(100, f"{btype} button text may be at most {label_max} characters.", subcode=SUBCODE_CHAR_LIMIT)
        if btype == "URL" and len(str(button.get("url", ""))) > 2000:
            raise MetaError(100, "URL button url may be at most 2000 characters.", subcode=SUBCODE_CHAR_LIMIT)
        if btype == "PHONE_NUMBER" and len(str(button.get("phone_number", ""))) > 20:
            raise MetaError(100, "PHONE_NUMBER button phone_number may be at most 20 characters.", subcode=SUBCODE_CHAR_LIMIT)


def review_problem(template: Template) -> str | None:
    """Review-time rejection Meta gives for variable placement: INVALID_FORMAT (meta-cloud-api.md §5.4)."""
    text = body_text(template).strip()
    if template.category == "AUTHENTICATION" or not text:
        return None
    if VARIABLE.match(text) or re.search(r"\{\{\s*[A-Za-z0-9_]+\s*\}\}$", text):
        return "INVALID_FORMAT"
    if re.search(r"\}\}\s*\{\{", text):
        return "INVALID_FORMAT"
    return None


def check_new(registry: TemplateRegistry, template: Template) -> None:
    """Duplicate and count rules for a new template in its WABA."""
    if registry.get(template.waba_id, template.name, template.language):
        raise MetaError(
            100,
            f"Message template already exists: there is already {template.language} content for '{template.name}'.",
            subcode=SUBCODE_EXISTS,
        )
    if len(registry.of(template.waba_id)) >= TEMPLATE_LIMIT:
        raise MetaError(100, f"This WhatsApp Business Account already has {TEMPLATE_LIMIT} message templates.", subcode=SUBCODE_TEMPLATE_LIMIT)
