"""The web inbox: a Mailpit-like view of every conversation, served at /_sandbox/inbox."""
