"""Modica Group Mobile Gateway: REST v1, REST v2 and WhatsApp (WAB) v1."""
