"""Kafka plumbing: broker factory, topic names, dead letters, idempotent consumption."""
