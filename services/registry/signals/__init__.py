"""Signals on the client card kept from other services' events (complaints, surveys,
tiers)."""
