"""Topic trends: weekly counts per segment and topics rising against their own baseline."""
