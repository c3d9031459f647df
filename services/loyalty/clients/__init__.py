"""Loyalty: clients."""
