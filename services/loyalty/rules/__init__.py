"""Loyalty: rules."""
