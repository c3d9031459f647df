"""Catalog: categories and behaviour tags (built in and custom), managers' client lists."""
