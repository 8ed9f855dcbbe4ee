"""python -m whatsapp_service: serve on $HOST:$PORT with configuration from the environment."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from whatsapp_service.app import create_app
from whatsapp_service.config import Config, ConfigError


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    try:
        config = Config.from_env()
    except ConfigError as exc:
        sys.exit(f"whatsapp-service: {exc}")
    web.run_app(create_app(config), host=config.host, port=config.port)


if __name__ == "__main__":
    main()
