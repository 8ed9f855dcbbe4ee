"""Meta WhatsApp Cloud API (Graph) emulation."""
