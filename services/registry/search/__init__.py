"""Search: a query read as a card, phone, email or name prefix; the name index."""
