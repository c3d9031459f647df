"""Goodwill bonuses: granted once per case and reason, within a per-client cap per period."""
