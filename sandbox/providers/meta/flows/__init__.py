"""WhatsApp Flows: the model and lifecycle, Flow JSON checks, the Graph edges and their views."""
