"""Loyalty: accounts."""
