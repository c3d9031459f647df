"""A client's data export from every service, and `clientele privacy ...`."""
