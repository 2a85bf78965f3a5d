"""Chirp's users, tweets, reposts and notifications as Mastodon v4.2 entities (plain dicts).

Every list is rendered from rows fetched beforehand in a constant number of queries: the
Renderer only formats, it never queries.
"""

import calendar
import functools
import html
import re
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.templatetags.static import static

from media import storage
from media.selectors import rows_of
from tweets.parsing import HASHTAG_RE, MENTION_RE, is_valid_tag

VERSION = "4.2.0 (compatible; Chirp 1.0)"
NOTIFICATION_TYPES = {
    "follow": "follow",
    "like": "favourite",
    "repost": "reblog",
    "reply": "mention",
    "mention": "mention",
}
# Mention or hashtag, in one pass over the raw text.
_TOKEN_RE = re.compile(f"{MENTION_RE.pattern}|{HASHTAG_RE.pattern}")
_BLANK_LINES_RE = re.compile(r"\n{2,}")


def iso(moment: datetime | None) -> str | None:
    """Mastodon's timestamps: UTC, millisecond precision, `Z`."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"  # "+00:00" -> "Z"


def _dimensions(width: int, height: int) -> dict[str, Any]:
    """Mastodon's meta.original / meta.small."""
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}


def _paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs: escaped, blank lines split paragraphs, newlines become <br>."""
    if "\n" not in text:  # most tweets: one paragraph
        return f"<p>{text}</p>" if text.strip() else ""
    parts = [part for part in _BLANK_LINES_RE.split(text) if part.strip()]
    return "".join(f"<p>{part.replace(chr(10), '<br />')}</p>" for part in parts)


@functools.cache
def _static_url(path: str) -> str:
    """A static file's URL path: the same for the life of the process (hashed name included)."""
    return static(path)


class Renderer:
    """Formats entities for one request (its base URL) and one viewer."""

    def __init__(self, request: HttpRequest) -> None:
        self._set_base(f"{request.scheme}://{request.get_host()}", request.get_host())

    @classmethod
    def for_base(cls, base: str) -> "Renderer":
        """A renderer for a server URL (`https://example.com`): the stream process has no request."""
        renderer = cls.__new__(cls)
        renderer._set_base(base.rstrip("/"), base.split("://", 1)[-1].rstrip("/"))
        return renderer

    def _set_base(self, base: str, domain: str) -> None:
        self.base = base
        self.domain = domain
        self.avatar = self.base + _static_url("mastodon_api/avatar.png")
        self.header = self.base + _static_url("mastodon_api/header.png")
        # Where media files are, for this server URL (the stream process has no request).
        self.media_base = storage.public_base_for(self.base)
        # Accounts read with a page (feed.selectors.AccountRow: immutable, compared by value)
        # are formatted once per request however many of the page's statuses they wrote.
        self._accounts: dict[tuple, dict[str, Any]] = {}

    # --- accounts -----------------------------------------------------------------

    def account_url(self, username: str) -> str:
        return f"{self.base}/@{username}"

    def account(self, user: Any, *, source: bool = False) -> dict[str, Any]:
        if not source and isinstance(user, tuple):
            if (known := self._accounts.get(user)) is None:
                known = self._accounts[user] = self._account(user, source=False)
            return known
        return self._account(user, source=source)

    def _account(self, user: Any, *, source: bool) -> dict[str, Any]:
        bio = user.bio or ""
        data: dict[str, Any] = {
            "id": str(user.pk),
            "username": user.username,
            "acct": user.username,
            "url": self.account_url(user.username),
            "uri": f"{self.base}/users/{user.username}",
            "display_name": user.display_name,
            "note": _paragraphs(html.escape(bio, quote=False)) if bio else "",
            "avatar": self.avatar,
            "avatar_static": self.avatar,
            "header": self.header,
            "header_static": self.header,
            "locked": False,
            "fields": [],
            "emojis": [],
            "bot": False,
            "group": False,
            "discoverable": True,
            "noindex": False,
            "indexable": False,
            "hide_collections": False,
            "roles": [],
            "created_at": iso(user.created_at),
            "last_status_at": None,
            "statuses_count": user.num_tweets,
            "followers_count": user.num_followers,
            "following_count": user.num_following,
        }
        if source:
            data["source"] = {
                "privacy": "public",
                "sensitive": False,
                "language": "",
                "note": bio,
                "fields": [],
                "follow_requests_count": 0,
            }
            data["role"] = {"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": False}
        return data

    def relationship(self, user_id: int, rel: dict[str, bool]) -> dict[str, Any]:
        return {
            "id": str(user_id),
            "following": rel.get("following", False),
            "showing_reblogs": rel.get("following", False),
            "notifying": False,
            "languages": None,
            "followed_by": rel.get("followed_by", False),
            "blocking": rel.get("blocking", False),
            "blocked_by": rel.get("blocked_by", False),
            "muting": rel.get("muting", False),
            "muting_notifications": rel.get("muting", False),
            "requested": False,
            "requested_by": False,
            "domain_blocking": False,
            "endorsed": False,
            "note": "",
        }

    # --- media ------------------------------------------------------------------------

    def media_attachment(self, row: Any, base: str | None = None) -> dict[str, Any]:
        """A MediaAttachment from a media's compact row (media.selectors.ROW_FIELDS): the same id,
        URLs and description as the native media object; no description is null, as in Mastodon."""
        media_id, file, preview, width, height, preview_width, preview_height, blurhash, description = row
        if base is None:
            base = self.media_base
        return {
            "id": str(media_id),
            "type": "image",
            "url": base + file,
            "preview_url": base + preview,
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": {"original": _dimensions(width, height), "small": _dimensions(preview_width, preview_height)},
            "description": description or None,
            "blurhash": blurhash,
        }

    def media_attachments(self, rows: Any) -> list[dict[str, Any]]:
        if not rows:
            return []
        base = self.media_base
        return [self.media_attachment(row, base) for row in rows_of(rows)]

    # --- statuses -----------------------------------------------------------------

    def tag(self, name: str, history: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A Tag; `history` (tweets.selectors.hashtag_history) as Mastodon writes it: strings,
        the day as the Unix time of its midnight (UTC), newest day first."""
        return {
            "name": name,
            "url": f"{self.base}/tags/{name}",
            "history": [
                {
                    "day": str(calendar.timegm(entry["day"].timetuple())),
                    "uses": str(entry["uses"]),
                    "accounts": str(entry["accounts"]),
                }
                for entry in history or []
            ],
        }

    def content(self, text: str, mentions: list[dict]) -> str:
        """The tweet as Mastodon HTML: text escaped, known mentions and hashtags as links."""
        if "@" not in text and "#" not in text:
            return _paragraphs(html.escape(text, quote=False))
        known = {m["username"].lower(): m for m in mentions}
        out: list[str] = []
        last = 0
        for match in _TOKEN_RE.finditer(text):
            name, tag = match.group(1), match.group(2)
            if name is not None and name.lower() in known:
                username = known[name.lower()]["username"]
                link = (
                    f'<span class="h-card" translate="no"><a href="{html.escape(self.account_url(username))}" '
                    f'class="u-url mention">@<span>{html.escape(username)}</span></a></span>'
                )
            elif tag is not None and is_valid_tag(tag):
                link = (
                    f'<a href="{self.base}/tags/{html.escape(tag.lower())}" class="mention hashtag" rel="tag">'
                    f"#<span>{html.escape(tag)}</span></a>"
                )
            else:
                continue
            out.append(html.escape(text[last : match.start()], quote=False))
            out.append(link)
            last = match.end()
        out.append(html.escape(text[last:], quote=False))
        return _paragraphs("".join(out))

    def status(self, tweet: Any, author: Any, *, reply_to_account: int | None = None) -> dict[str, Any]:
        """A tweet (model instance or feed row carrying mention_list, tag_list, liked, reposted, bookmarked)."""
        url = f"{self.base}/@{author.username}/{tweet.pk}"
        mentions = list(getattr(tweet, "mention_list", None) or [])
        return {
            "id": str(tweet.pk),
            "uri": f"{self.base}/users/{author.username}/statuses/{tweet.pk}",
            "url": url,
            "created_at": iso(tweet.created_at),
            "account": self.account(author),
            "content": self.content(tweet.content, mentions),
            "visibility": "public",
            "sensitive": False,
            "spoiler_text": "",
            "media_attachments": self.media_attachments(getattr(tweet, "media_list", None)),
            "application": None,
            "mentions": [
                {
                    "id": str(m["id"]),
                    "username": m["username"],
                    "acct": m["username"],
                    "url": self.account_url(m["username"]),
                }
                for m in mentions
            ],
            "tags": [self.tag(name) for name in (getattr(tweet, "tag_list", None) or [])],
            "emojis": [],
            "reblogs_count": tweet.num_reposts,
            "favourites_count": tweet.num_likes,
            "replies_count": tweet.num_replies,
            "in_reply_to_id": str(tweet.in_reply_to_id) if tweet.in_reply_to_id else None,
            "in_reply_to_account_id": str(reply_to_account) if reply_to_account else None,
            "reblog": None,
            "poll": None,
            "card": None,
            "language": None,
            "text": None,
            "edited_at": None,
            "favourited": bool(getattr(tweet, "liked", False)),
            "reblogged": bool(getattr(tweet, "reposted", False)),
            "muted": False,
            "bookmarked": bool(getattr(tweet, "bookmarked", False)),
            "pinned": False,
            "filtered": [],
        }

    def reblog(self, repost_id: int, created_at: datetime, reposter: Any, original: dict[str, Any]) -> dict[str, Any]:
        """The wrapper status of a repost: its own id, the reposter's account, the original inside."""
        return {
            **original,
            "id": str(repost_id),
            "uri": f"{self.base}/users/{reposter.username}/statuses/{repost_id}/activity",
            "url": None,
            "created_at": iso(created_at),
            "account": self.account(reposter),
            "content": "",
            "mentions": [],
            "tags": [],
            "in_reply_to_id": None,
            "in_reply_to_account_id": None,
            "reblog": original,
        }

    def notification(self, row: Any, actor: Any, status: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "id": str(row["id"]),
            "type": NOTIFICATION_TYPES[row["type"]],
            "created_at": iso(row["created_at"]),
            "account": self.account(actor),
            "status": status,
        }
