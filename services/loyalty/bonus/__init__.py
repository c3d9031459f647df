"""Loyalty: bonus."""
