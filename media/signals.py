"""Events the media app announces after commit.

Sent from `transaction.on_commit` (core.events.send_on_commit): receivers see committed rows.
"""

from django.dispatch import Signal

# kwargs: media_id. The description of a media attached to a tweet changed: caches of that
# tweet's body (feed.objects) must not serve the old one.
media_changed = Signal()
