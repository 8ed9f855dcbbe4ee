"""The /_sandbox/ control API for tests (one route table)."""
