"""Crescendo Lab MAAC Open API, "SMS+" (PNP): WhatsApp template first, SMS fallback."""
