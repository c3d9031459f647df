"""The admins' view of dead letters: every `<topic>.dlq`, newest first."""
