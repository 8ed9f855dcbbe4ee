"""What the service does, without HTTP: conversations, template batches, template sync, webhook updates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from whatsapp_service.graph import CloudAPI, GraphError
from whatsapp_service.store import Store

PHONE = re.compile(r"^\+?[1-9]\d{7,14}$")  # E.164: at most 15 digits, no leading zero


class InvalidRequest(ValueError):
    """The caller's request is wrong (HTTP 400); the message says how."""


class NotFound(LookupError):
    pass


def normalise_phone(raw: Any) -> str:
    """'+502 1234-5678' -> '50212345678' (WhatsApp's wa_id form), or InvalidRequest."""
    text = re.sub(r"[\s\-().]", "", str(raw or ""))
    if not PHONE.match(text):
        raise InvalidRequest(f"phoneNumber {raw!r} is not a phone number in international format, e.g. +50212345678")
    return text.lstrip("+")


@dataclass
class WhatsAppService:
    api: CloudAPI
    store: Store

    # --- sending -----------------------------------------------------------------------------------

    async def send_text(self, phone_number: Any, content: Any, request_id: int | None = None) -> dict[str, Any]:
        """Send a text, creating the conversation with this number if there is none."""
        to = normalise_phone(phone_number)
        conversation = self.store.conversation_for(to, request_id)
        message = await self._send_text_in(conversation, content)
        return {"message": message, "conversation": _conversation_json(conversation)}

    async def send_in_conversation(self, conversation_id: int, content: Any) -> dict[str, Any]:
        conversation = self.store.conversation(conversation_id)
        if conversation is None:
            raise NotFound(f"no conversation {conversation_id}")
        return await self._send_text_in(conversation, content)

    async def _send_text_in(self, conversation: dict[str, Any], content: Any) -> dict[str, Any]:
        if not isinstance(content, str) or not content.strip():
            raise InvalidRequest("content must be a non-empty string")
        wamid = await self.api.send_text(conversation["phone_number"], content)
        message = self.store.add_message(
            conversation["conversation_id"], wamid=wamid, content=content, message_type="text",
            direction="outbound", status="accepted",
        )
        assert message is not None  # a fresh wamid is never a duplicate
        return message

    async def send_template(self, name: str, language: str, components: list[dict[str, Any]],
                            recipients: list[dict[str, Any]]) -> dict[str, Any]:
        """One send per recipient; a refused recipient does not stop the others."""
        batch_id = self.store.add_batch(name, language)
        results = [await self._send_template_to(batch_id, r, name, language, components) for r in recipients]
        sent = sum(1 for r in results if r["success"])
        return {
            "batchId": batch_id,
            "summary": {"total": len(results), "sent": sent, "failed": len(results) - sent},
            "results": results,
        }

    async def _send_template_to(self, batch_id: int, recipient: dict[str, Any], name: str, language: str,
                                components: list[dict[str, Any]]) -> dict[str, Any]:
        raw_phone, request_id = recipient.get("phoneNumber"), recipient.get("requestId")
        try:
            to = normalise_phone(raw_phone)
            wamid = await self.api.send_template(to, name, language, components)
        except (InvalidRequest, GraphError) as exc:
            error = exc.to_json() if isinstance(exc, GraphError) else {"code": "invalid_phone_number", "message": str(exc)}
            self.store.add_batch_recipient(batch_id, str(raw_phone), request_id, None, error)
            return {"phoneNumber": raw_phone, "success": False, "error": error}
        conversation = self.store.conversation_for(to, request_id)
        message = self.store.add_message(
            conversation["conversation_id"], wamid=wamid, content=f"[template {name}/{language}]",
            message_type="template", direction="outbound", status="accepted",
        )
        self.store.add_batch_recipient(batch_id, to, request_id, message["message_id"] if message else None, None)
        return {"phoneNumber": raw_phone, "success": True, "data": {"messages": [{"id": wamid}]}}

    def batch(self, batch_id: int) -> dict[str, Any]:
        """The batch with each recipient's current status; the summary follows the status webhooks."""
        batch = self.store.batch(batch_id)
        if batch is None:
            raise NotFound(f"no batch {batch_id}")
        summary = {"total": len(batch["recipients"])} | {s: 0 for s in ("accepted", "sent", "delivered", "read", "failed")}
        for recipient in batch["recipients"]:
            summary[recipient["status"]] = summary.get(recipient["status"], 0) + 1
        return {**batch, "summary": summary}

    # --- templates ---------------------------------------------------------------------------------

    async def sync_templates(self) -> list[dict[str, Any]]:
        """Fetch every APPROVED template from the Cloud API (all pages) and replace the local copy."""
        fields = "name,status,category,language,components"
        templates = [t async for t in self.api.message_templates(status="APPROVED", fields=fields)]
        self.store.replace_templates(templates)
        return self.store.templates()

    # --- webhooks ----------------------------------------------------------------------------------

    def apply_webhook(self, payload: dict[str, Any]) -> None:
        """Statuses update our messages; messages from users join their conversation (Meta's envelope:
        entry[].changes[].value with metadata, statuses, contacts, messages)."""
        for entry in payload.get("entry") or []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                if change.get("field") != "messages":
                    continue
                if (value.get("metadata") or {}).get("phone_number_id") != self.api.config.phone_number_id:
                    continue  # another number of the same app
                for status in value.get("statuses") or []:
                    error = (status.get("errors") or [None])[0]
                    self.store.update_status(str(status.get("id")), str(status.get("status")), error)
                names = {c.get("wa_id"): (c.get("profile") or {}).get("name") for c in value.get("contacts") or []}
                for message in value.get("messages") or []:
                    self._receive(message, names.get(message.get("from")))

    def _receive(self, message: dict[str, Any], contact_name: str | None) -> None:
        conversation = self.store.conversation_for(normalise_phone(message.get("from")))
        if contact_name:
            self.store.set_contact_name(conversation["conversation_id"], contact_name)
        self.store.add_message(
            conversation["conversation_id"], wamid=message.get("id"), content=inbound_content(message),
            message_type=str(message.get("type")), direction="inbound", status="received",
        )


def inbound_content(message: dict[str, Any]) -> str:
    """A readable line for any inbound type (text, reply buttons, lists, reactions, media...)."""
    kind = message.get("type")
    body = message.get(str(kind)) or {}
    if kind == "text":
        return str(body.get("body", ""))
    if kind == "button":
        return str(body.get("text", ""))
    if kind == "interactive":
        reply = body.get("button_reply") or body.get("list_reply") or {}
        return str(reply.get("title", "[interactive]"))
    if kind == "reaction":
        return str(body.get("emoji", ""))
    return f"[{kind}]" + (f" {body['caption']}" if isinstance(body, dict) and body.get("caption") else "")


def _conversation_json(conversation: dict[str, Any]) -> dict[str, Any]:
    keys = ("conversation_id", "phone_number", "request_id")
    return {k: conversation[k] for k in keys}
