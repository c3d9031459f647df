"""Sending: the planned messages, the contact budget, the periodic dispatcher and the
SMS providers."""
