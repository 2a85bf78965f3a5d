"""Events the tweets app announces after commit; feed and search react.

Sent from `transaction.on_commit` (see `tweets.services`), so receivers see committed
rows. An app reacts with one line of its event table (`<app>/events.py`, core.events),
which never raises into the sender.
"""

from django.dispatch import Signal

# kwargs: tweet_id, author_id, and the immutable body for caches (feed.objects): content,
# created_at, mention_ids (active users named, in order), tags (in order)
tweet_created = Signal()
# kwargs: tweet_id, author_id, reposter_ids (list: who had reposted it). Deleted or hidden.
tweet_removed = Signal()
# kwargs: tweet_id, author_id. Unhidden by a moderator.
tweet_restored = Signal()
# kwargs: tweet_id, user_id (the reposter), author_id (the tweet's author)
repost_created = Signal()
repost_removed = Signal()
# kwargs: tweet_id, user_id (who liked), author_id (the tweet's author)
like_created = Signal()
like_removed = Signal()
