"""Output shape of the feed: the tweet object plus `reposted_by`."""

from typing import Any

from rest_framework import serializers

from feed.selectors import FeedItem
from tweets.api.serializers import TweetOutput, iso_utc, tweet_to_dict


def feed_item_to_dict(entry: FeedItem) -> dict[str, Any]:
    item = tweet_to_dict(entry.tweet)
    item["reposted_by"] = entry.reposted_by
    item["reposted_at"] = None if entry.reposted_at is None else iso_utc(entry.reposted_at)
    return item


class FeedItemOutput(TweetOutput):
    """A tweet in the home feed; `reposted_by` names who brought it in, if a repost did."""

    reposted_by = serializers.CharField(allow_null=True, help_text="Username of the reposter, or null.")
    reposted_at = serializers.DateTimeField(allow_null=True, help_text="When that repost was made, or null.")

    def to_representation(self, instance: FeedItem) -> dict[str, Any]:  # type: ignore[override]
        return feed_item_to_dict(instance)
