"""Events the feed announces as entries enter or leave home feeds; the stream publisher reacts.

Sent right after the Redis write that caused them (fan-out tasks run outside transactions,
after the commit of what they fan out), once per batch of feeds. Receivers must not raise.
"""

from django.dispatch import Signal

# kwargs: tweet_id, reposter_id (None: the tweet itself), user_ids (the feeds it newly entered)
entries_added = Signal()
# kwargs: tweet_id, user_ids (the feeds that held it; deleted or hidden)
entries_removed = Signal()
# A merged author's entry (hybrid fan-out: written to their source list, not to followers'
# feeds). kwargs: source_id (the merged author or reposter), tweet_id, author_id (the
# tweet's), reposter_id (None: the tweet itself)
source_entry_added = Signal()
# kwargs: source_id, tweet_id (deleted, hidden or the repost undone)
source_entry_removed = Signal()
# kwargs: user_id, merged (True: crossed FANOUT_FOLLOWER_LIMIT upward; False: downward)
merged_changed = Signal()
