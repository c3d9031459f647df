"""The library every Clientele service imports.

contracts/  event models shared between services (the only thing they share)
messaging/  Kafka broker factory, topics, dead letters, idempotent consumption
store/      MongoDB client factory and the transactional outbox with its relay
settings, logging, metrics, service (the common process shape)
"""
