"""The audit of staff writes and reads of clients: batched writes, retention, the log."""
