"""Gateway: the one door for staff (JSON API; the console and auth come next).

Owns: (later) staff users and roles, POS API keys, the audit log.
Consumes: nothing. Publishes: nothing: it calls the services' HTTP APIs.
Until the gateway issue lands, the API is UNPROTECTED (see README).
"""
