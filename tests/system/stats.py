"""Counters the reliability tests fill and the terminal summary prints."""

from collections import defaultdict

# "METHOD /path" -> status code -> number of generated requests.
FUZZ: defaultdict[str, defaultdict[int, int]] = defaultdict(lambda: defaultdict(int))
