"""Complaints: cases, SLA clocks, escalation and trends.

Owns: complaints, claims and suggestions, their history, SLA clocks.
Consumes: client.registered (a client projection); tier.changed, survey.answered come next.
Publishes: (later) complaint.filed, complaint.escalated, complaint.resolved, goodwill.granted.
"""
