"""What surveys knows of clients: a projection of registry events (phone, language,
consent, name day), card and phone lookups, open complaints and opt-outs."""
