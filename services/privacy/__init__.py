"""Privacy administration across every service (`clientele privacy ...`).

Like `services/cli.py` this is a composition root, not a service: it reads every
service's database, the service logs and the Kafka topics to answer "where does this
client's personal data still exist?" (docs/privacy.md).
"""
