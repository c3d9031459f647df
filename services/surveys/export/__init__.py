"""Surveys' part of a client's data export."""
