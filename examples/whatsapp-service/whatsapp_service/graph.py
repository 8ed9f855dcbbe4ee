"""A small client for the WhatsApp Cloud API (Graph API): send messages, list message templates.

Nothing here knows about a sandbox: the base URL comes from configuration
(https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from whatsapp_service.config import Config


class GraphError(Exception):
    """A Graph API error answer: ``{"error": {"message", "type", "code", "error_data": {"details"}, "fbtrace_id"}}``."""

    def __init__(self, http_status: int, error: dict[str, Any]) -> None:
        self.http_status = http_status
        self.code = error.get("code")
        self.message = str(error.get("message") or "Graph API error")
        self.details = (error.get("error_data") or {}).get("details")
        super().__init__(f"({self.code}) {self.message}")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            data["details"] = self.details
        return data


class GraphUnavailable(Exception):
    """The Graph API could not be reached, or answered something that is not Graph JSON."""


class CloudAPI:
    def __init__(self, config: Config, session: aiohttp.ClientSession) -> None:
        self.config = config
        self.session = session
        self.headers = {"Authorization": f"Bearer {config.whatsapp_token}"}

    async def send(self, to: str, message: dict[str, Any]) -> str:
        """POST /{phone_number_id}/messages; returns the wamid. ``message`` is e.g. {"type": "text", ...}."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        answer = await self._request("POST", f"{self.config.graph_api_base}/{self.config.phone_number_id}/messages", json=body)
        return str(answer["messages"][0]["id"])

    async def send_text(self, to: str, text: str) -> str:
        return await self.send(to, {"type": "text", "text": {"preview_url": False, "body": text}})

    async def send_template(self, to: str, name: str, language: str, components: list[dict[str, Any]]) -> str:
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if components:
            template["components"] = components
        return await self.send(to, {"type": "template", "template": template})

    async def message_templates(self, **filters: str) -> AsyncIterator[dict[str, Any]]:
        """Every template of the WABA, following ``paging.next`` until the last page."""
        params = {"limit": str(self.config.template_page_size), **filters}
        url: str | None = f"{self.config.graph_api_base}/{self.config.waba_id}/message_templates"
        while url:
            page = await self._request("GET", url, params=params)
            for template in page.get("data", []):
                yield template
            url = (page.get("paging") or {}).get("next")
            params = {}  # the next URL carries the query, cursor included

    async def _request(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with self.session.request(method, url, headers=self.headers, **kwargs) as resp:
                answer = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise GraphUnavailable(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
        if not isinstance(answer, dict):
            raise GraphUnavailable(f"{method} {url}: unexpected answer {answer!r:.200}")
        if resp.status >= 400 or "error" in answer:
            raise GraphError(resp.status, answer.get("error") or {})
        return answer
