"""MongoDB access shared by the services: the client factory and the outbox."""
