"""The gateway keeps no data yet; staff users, API keys and the audit log come here."""
