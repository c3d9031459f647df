"""Gateway: the one door for staff: the JSON API, the web console, auth and audit.

Owns: staff users and roles, POS API keys, the audit log of staff writes (its own
MongoDB database). Consumes: nothing. Publishes: nothing: it calls the services'
HTTP APIs and reads `<topic>.dlq` topics for the admins' DLQ view.
"""
