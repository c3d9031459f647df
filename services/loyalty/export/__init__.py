"""Loyalty: export."""
