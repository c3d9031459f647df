"""Changes of a registered client: its fields (category, manager, tags, consents...),
a merge of two clients into one, an erasure."""
