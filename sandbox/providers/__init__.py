"""One folder per emulated provider: only what differs per provider lives there (STYLE.md)."""
