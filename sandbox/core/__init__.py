"""Provider-neutral behaviour: no HTTP in here (see STYLE.md)."""
