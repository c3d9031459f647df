"""Loyalty: returns."""
