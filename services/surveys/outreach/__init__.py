"""Outreach: which message to plan and when (a survey after a visit, greetings, win-back,
a re-survey after a complaint), under the contact rules."""
