"""Complaints: cases, priorities from client value, SLA clocks, escalation, goodwill, trends.

Owns: complaints, claims and suggestions with their history, SLA clocks and breaches,
goodwill budgets, weekly topic counts, problem-client proposals.
Consumes: client.registered / client.updated / client.merged / client.erased (a client
projection: category, manager, tags), tier.changed (tier, lifetime spend),
survey.answered (a low score opens a case), purchase.returned (evidence of returns),
complaint.filed (its own: weekly trend counts).
Publishes (outbox): complaint.filed, complaint.escalated, complaint.resolved,
goodwill.granted, complaint.trend_detected.
"""
