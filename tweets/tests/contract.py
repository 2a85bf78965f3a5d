"""The tweet object's keys, as DESIGN.md sections 4, 6 and 9 name them (shared by the API tests)."""

TWEET_KEYS = frozenset(
    {
        "id",
        "author",
        "content",
        "created_at",
        "in_reply_to",
        "num_likes",
        "num_replies",
        "num_reposts",
        "liked",
        "reposted",
        "mentions",
        "hashtags",
        "media",
    }
)
# A media object (section 9), in tweets and on its own.
MEDIA_KEYS = frozenset({"id", "type", "url", "preview_url", "description", "width", "height", "blurhash"})
# In the home feed a tweet also says who reposted it into the feed (username or null) and when.
FEED_ITEM_KEYS = TWEET_KEYS | {"reposted_by", "reposted_at"}
