"""Retention: old messages and answers are deleted; counts stay."""
