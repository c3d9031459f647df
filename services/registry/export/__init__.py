"""The registry's part of a client's data export."""
