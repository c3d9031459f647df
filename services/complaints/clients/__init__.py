"""What complaints knows of clients: a projection of registry and loyalty events, with
merges and erasure."""
