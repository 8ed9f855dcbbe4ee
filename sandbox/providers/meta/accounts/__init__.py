"""Meta's phone numbers and WABAs: their settings and the Graph edges that change them."""
