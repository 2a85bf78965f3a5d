"""Input and output shapes of the tweets API.

TweetOutput declares its fields for the OpenAPI schema but renders with a plain
function: it is on the feed's hot path, where DRF's per-field machinery costs more
than the query.
"""

from datetime import UTC, datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import StrictCharField
from tweets.models import TWEET_MAX_LENGTH, Tweet


def iso_utc(value: datetime) -> str:
    """What DRF's DateTimeField renders with USE_TZ and UTC (`...123456Z`), without its
    per-call settings and timezone look-ups (20 per feed page)."""
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def tweet_to_dict(tweet: Any) -> dict[str, Any]:
    """The API's tweet object; `liked`/`reposted`, `mention_list` ([{id, username}]) and
    `tag_list` come from the selector's annotations (tweets.selectors.tweet_queryset).

    Takes a Tweet or anything with the same attributes (the feed hydrates plain rows): hence Any.
    """
    data = {
        "id": str(tweet.pk),
        "author": {"id": str(tweet.author_id), "username": tweet.author.username},
        "content": tweet.content,
        "created_at": iso_utc(tweet.created_at),
        "in_reply_to": None if tweet.in_reply_to_id is None else str(tweet.in_reply_to_id),
        "num_likes": tweet.num_likes,
        "num_replies": tweet.num_replies,
        "num_reposts": tweet.num_reposts,
        "liked": bool(getattr(tweet, "liked", False)),
        "reposted": bool(getattr(tweet, "reposted", False)),
        "mentions": [{"id": str(m["id"]), "username": m["username"]} for m in tweet.mention_list],
        "hashtags": list(tweet.tag_list),
    }
    hidden = getattr(tweet, "staff_hidden", None)
    if hidden is not None:  # staff only: whether a moderator hid it
        data["hidden"] = hidden
    return data


class TweetAuthorOutput(serializers.Serializer):
    id = serializers.CharField()
    username = serializers.CharField()


class TweetMentionOutput(serializers.Serializer):
    id = serializers.CharField()
    username = serializers.CharField()


class TweetOutput(serializers.Serializer):
    id = serializers.CharField()
    author = TweetAuthorOutput()
    content = serializers.CharField()
    created_at = serializers.DateTimeField()
    in_reply_to = serializers.CharField(allow_null=True)
    num_likes = serializers.IntegerField()
    num_replies = serializers.IntegerField()
    num_reposts = serializers.IntegerField()
    liked = serializers.BooleanField()
    reposted = serializers.BooleanField()
    mentions = TweetMentionOutput(many=True, help_text="Active users named as @username, in order.")
    hidden = serializers.BooleanField(required=False, help_text="Staff only: hidden by a moderator.")
    hashtags = serializers.ListField(child=serializers.CharField(), help_text="Lower-cased tags, in order.")

    def to_representation(self, instance: Tweet) -> dict[str, Any]:
        return tweet_to_dict(instance)


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": TWEET_MAX_LENGTH})
class TweetContentField(StrictCharField):
    """Tweet text: 1..280 characters once trimmed (checked by the service, which trims).

    The field itself only bounds huge bodies early; the schema states the real rule.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=TWEET_MAX_LENGTH * 4, trim_whitespace=False, **kwargs)


class TweetCreateInput(serializers.Serializer):
    content = TweetContentField()


class TweetPostInput(TweetCreateInput):
    """A new tweet, or a reply when `in_reply_to` names the parent (as POST .../replies/ does)."""

    in_reply_to = StrictCharField(
        required=False, allow_null=True, max_length=20, help_text="Id of the tweet this replies to."
    )


class HashtagTrendOutput(serializers.Serializer):
    tag = serializers.CharField(help_text="Lower-cased, without #.")
    tweets = serializers.IntegerField(help_text="Distinct visible tweets carrying it in the last 24 hours.")
