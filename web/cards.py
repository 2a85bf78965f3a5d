"""What a page shows of a tweet (a card), built from what the apps' selectors return.

The feed hydrates plain rows (feed.selectors.TweetRow), the other lists model instances with
their author; both become the same Card. What a card needs beyond them costs a constant
number of queries whatever the page's length: whom the replies answer
(tweets.selectors.reply_authors); the feed's rows carry it already, with the authors'
display names (feed_page(names=True): its one state query reads them).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString

from accounts.models import User
from feed.selectors import FeedItem
from media.selectors import rows_of
from tweets.selectors import reply_authors
from web import media
from web.content import linkify


@dataclass(slots=True, frozen=True)
class Image:
    """An attached image as the media object describes it (DESIGN.md section 9)."""

    url: str
    preview_url: str
    description: str
    width: int | None
    height: int | None


@dataclass(slots=True)
class Card:
    id: int
    username: str
    name: str
    html: SafeString
    created_at: datetime
    in_reply_to_id: int | None
    num_likes: int
    num_replies: int
    num_reposts: int
    liked: bool
    reposted: bool
    mine: bool
    reposted_by: str | None
    reply_to: str | None
    images: list[Image]

    @property
    def url(self) -> str:
        return f"/@{self.username}/{self.id}"

    @property
    def initial(self) -> str:
        return initial(self.name, self.username)

    @property
    def tone(self) -> int:
        return tone(self.username)

    @property
    def when(self) -> str:
        """Short time for the list: `now`, `5m`, `3h`, `Dec 3`, `Dec 3, 2025`."""
        return short_time(self.created_at)

    @property
    def iso(self) -> str:
        return self.created_at.astimezone(UTC).isoformat()

    @property
    def full_time(self) -> str:
        """`10:04 · Dec 3, 2026` (UTC): the tweet's own page and the time link's title."""
        at = self.created_at.astimezone(UTC)
        return f"{at.hour:02d}:{at.minute:02d} UTC \u00b7 {_MONTHS[at.month - 1]} {at.day}, {at.year}"


# strftime's %b in the C locale, without strftime (a page formats forty times).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def initial(name: str, username: str) -> str:
    """The letter of the round picture in place of an avatar."""
    return (name.strip() or username)[:1].upper()


def tone(username: str) -> int:
    """Which of the eight colours of the round picture: the same for a user everywhere."""
    return sum(map(ord, username.lower())) % 8


def short_time(moment: datetime, now: datetime | None = None) -> str:
    now = now or timezone.now()
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    at = moment.astimezone(UTC)
    if at.year == now.year:
        return f"{_MONTHS[at.month - 1]} {at.day}"
    return f"{_MONTHS[at.month - 1]} {at.day}, {at.year}"


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def images_of(tweet: Any) -> list[Image]:
    """The tweet's images, when the tweet object carries them as a list (media app: section 9).

    Only a list that the selector already loaded counts: a related manager would cost a
    query per tweet, so it is ignored rather than read.
    """
    items = getattr(tweet, "media_list", None)
    if items is None:
        items = getattr(tweet, "media", None)
    if isinstance(items, str):  # a cached feed body's rows, as their JSON text
        items = rows_of(items)
    if not isinstance(items, list | tuple):
        return []
    images = []
    for row in items:
        # The media app's compact row (a list), or a media object already (a dict).
        item = media.media_object(row) if isinstance(row, list | tuple) else row
        url = _field(item, "url")
        if not url:
            continue
        images.append(
            Image(
                url=str(url),
                preview_url=str(_field(item, "preview_url") or url),
                description=str(_field(item, "description") or ""),
                width=_field(item, "width"),
                height=_field(item, "height"),
            )
        )
    return images


def _card(
    tweet: Any, *, username: str, name: str, viewer_id: int | None, reposted_by: str | None, reply_to: str | None
) -> Card:
    return Card(
        id=tweet.pk,
        username=username,
        name=name or username,
        html=linkify(tweet.content, (m["username"] for m in tweet.mention_list)),
        created_at=tweet.created_at,
        in_reply_to_id=tweet.in_reply_to_id,
        num_likes=tweet.num_likes,
        num_replies=tweet.num_replies,
        num_reposts=tweet.num_reposts,
        liked=bool(getattr(tweet, "liked", False)),
        reposted=bool(getattr(tweet, "reposted", False)),
        mine=viewer_id is not None and tweet.author_id == viewer_id,
        reposted_by=reposted_by,
        reply_to=reply_to,
        images=images_of(tweet),
    )


def _parents(tweets: Sequence[Any]) -> dict[int, str]:
    """Whom the replies among `tweets` answer: one query, none without replies."""
    return reply_authors(tweet_ids=sorted({t.in_reply_to_id for t in tweets if t.in_reply_to_id}))


def tweet_cards(tweets: Iterable[Any], *, viewer: User | None) -> list[Card]:
    """Cards of tweets that carry their author (tweets.selectors.tweet_queryset and the lists
    built on it); whom the replies answer in one query."""
    tweets = list(tweets)
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    parents = _parents(tweets)
    return [
        _card(
            t,
            username=t.author.username,
            name=t.author.display_name,
            viewer_id=viewer_id,
            reposted_by=None,
            reply_to=parents.get(t.in_reply_to_id) if t.in_reply_to_id else None,
        )
        for t in tweets
    ]


def feed_cards(items: Sequence[FeedItem], *, viewer: User) -> list[Card]:
    """Cards of a feed page read with `names=True` (feed.timeline.feed_page): the rows carry
    the authors' display names and whom the replies answer, so no query."""
    cards = []
    viewer_id = viewer.pk  # once: request.user is a lazy object, each attribute a few calls
    for item in items:
        tweet = item.tweet
        cards.append(
            _card(
                tweet,
                username=tweet.author.username,
                name=tweet.author.display_name,
                viewer_id=viewer_id,
                reposted_by=item.reposted_by,
                reply_to=tweet.reply_to_username if tweet.in_reply_to_id else None,
            )
        )
    return cards
