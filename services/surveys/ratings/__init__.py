"""Ratings: NPS and CSAT per employee, store and category by period, a client's latest
scores, employee of the month, and complaints counted against employees."""
