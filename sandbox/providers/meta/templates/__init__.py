"""Meta's message templates: the registry and its review, and the checks a template send passes."""
