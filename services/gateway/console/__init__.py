"""The staff console: server-rendered pages (Jinja2 templates, HTMX), filters, views."""
