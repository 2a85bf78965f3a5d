"""The tweet object's keys, as DESIGN.md section 4 names them (shared by the API tests)."""

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
    }
)
# In the home feed a tweet also says who reposted it into the feed (username or null).
FEED_ITEM_KEYS = TWEET_KEYS | {"reposted_by"}
