"""The gateway consumes no events: it calls the services' HTTP APIs."""
