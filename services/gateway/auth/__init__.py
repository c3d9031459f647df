"""Who may call: staff logins and roles, the access policy, POS keys, the guard."""
