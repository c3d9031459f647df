"""Loyalty: purchases."""
