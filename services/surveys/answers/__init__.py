"""Inbound SMS: the signed provider webhook, replies matched to the open survey."""
