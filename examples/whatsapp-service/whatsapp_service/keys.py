"""Typed application keys."""

from __future__ import annotations

from aiohttp import web

from whatsapp_service.config import Config
from whatsapp_service.service import WhatsAppService

CONFIG = web.AppKey("config", Config)
SERVICE = web.AppKey("service", WhatsAppService)
