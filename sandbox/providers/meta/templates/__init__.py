"""Meta's message templates: the registry and its review, the Graph edges and node that manage them, and
the checks a template send passes."""
