"""An example WhatsApp service on the Cloud API: conversations, template campaigns, status webhooks."""
