"""Events the accounts app announces after commit; higher apps (feed, search) react.

Each is sent from `transaction.on_commit` (core.events.send_on_commit), so receivers see
committed rows and may enqueue tasks. An app reacts with one line of its event table
(`<app>/events.py`, core.events), which never raises into the sender.
"""

from django.dispatch import Signal

# kwargs: follower_id, followee_id
follow_created = Signal()
follow_removed = Signal()
# kwargs: user_id
user_suspended = Signal()
user_unsuspended = Signal()
# kwargs: user_id (profile text changed: search reindexes)
user_updated = Signal()
# kwargs: user_id, target_id (user_id blocked or muted target_id, or undid it)
user_blocked = Signal()
user_unblocked = Signal()
user_muted = Signal()
user_unmuted = Signal()
# kwargs: user_id. The password changed: access tokens issued before are refused.
password_changed = Signal()
# kwargs: user_id, jti. A native logout: the access token that sent it is done with
# (accounts.auth_cache.logged_out; the streams it opened close).
access_token_logged_out = Signal()
