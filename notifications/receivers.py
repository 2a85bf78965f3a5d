"""Signal receivers: turn account and tweet events into notification tasks (filled in below)."""


def connect() -> None:
    """Connect every receiver once."""
