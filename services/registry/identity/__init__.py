"""Identity: the client as the registry knows it, its registration (with possible
duplicates), its lookup keys (phone, email, card: unique by insert) and its card."""
