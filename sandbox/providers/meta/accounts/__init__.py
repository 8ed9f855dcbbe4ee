"""Meta's phone numbers and WABAs: the Graph nodes, their settings and the Graph edges that change them."""
