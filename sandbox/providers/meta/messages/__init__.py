"""Meta's /messages: request validation, sends, inbound messages, their ids and rate limits."""
