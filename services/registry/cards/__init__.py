"""Club cards: numbers with a check digit, issued or bound, blocked and replaced."""
