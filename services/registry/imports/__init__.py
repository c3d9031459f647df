"""Bulk import of clients from a CSV file (`clientele registry import`)."""
