"""SLA clocks: deadlines per priority (optionally in business hours) and the checker
that escalates missed ones."""
