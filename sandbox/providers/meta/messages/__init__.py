"""Meta's /messages: the send handler and request validation, inbound messages, their ids, rate limits and
the batching of their webhooks."""
