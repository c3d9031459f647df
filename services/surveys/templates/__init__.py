"""Message templates per kind and language, with their placeholders."""
