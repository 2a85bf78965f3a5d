"""Mastodon endpoints, one module per family; each view validates, calls one function, renders."""
