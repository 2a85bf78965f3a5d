"""Output shape of the feed: the tweet object plus `reposted_by`."""

from typing import Any

from rest_framework import serializers

from feed.selectors import TweetRow
from tweets.api.serializers import TweetOutput, tweet_to_dict


def feed_item_to_dict(tweet: TweetRow, reposted_by: str | None) -> dict[str, Any]:
    item = tweet_to_dict(tweet)
    item["reposted_by"] = reposted_by
    return item


class FeedItemOutput(TweetOutput):
    """A tweet in the home feed; `reposted_by` names who brought it in, if a repost did."""

    reposted_by = serializers.CharField(allow_null=True, help_text="Username of the reposter, or null.")

    def to_representation(self, instance: tuple[TweetRow, str | None]) -> dict[str, Any]:  # type: ignore[override]
        return feed_item_to_dict(*instance)
