"""Events the Mastodon API announces; the stream publisher reacts."""

from django.dispatch import Signal

# kwargs: user_id. An OAuth token of the user was revoked (/oauth/revoke): its streams close.
token_revoked = Signal()
