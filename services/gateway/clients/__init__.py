"""Clients: registration and changes passed to the registry, and the whole client card."""
