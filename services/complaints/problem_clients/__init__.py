"""Problem-client proposals: evidence (unfounded claims, returns, tags) and a manager's
decision, carried out by the registry."""
