"""Surveys and outreach: every outbound SMS, the contact budget, answers, ratings, NPS.

Owns: survey requests and answers, ratings per employee / store / category, contact budget.
Consumes: client.registered (a contact projection); purchase.recorded and more come next.
Publishes: (later) survey.requested, survey.answered.
"""
