"""Loyalty: reports."""
