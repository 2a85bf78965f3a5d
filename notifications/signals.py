"""Events the notifications app announces after commit; the stream publisher reacts."""

from django.dispatch import Signal

# kwargs: notification_id, recipient_id. A notification row was written (not one that existed).
notification_created = Signal()
