"""The Redis pub/sub layout of the streams (on REDIS_URL, never the feed cluster). Only this
module builds channel and marker names.

- ``chirp:stream:user:<id>``: what reaches one user's streams: `update` (an entry entered the
  home feed), `delete`, `notification`, and the controls `auth` (check this user's tokens
  again: revoked, password changed, logged out, suspended) and `follows` (recompute the
  merged authors listened to).
- ``chirp:stream:source:<id>``: the entries of a merged author (hybrid fan-out), for the
  listeners who follow them.
- ``chirp:stream:public``: every new tweet and every deletion (public and hashtag streams).
- ``chirp:stream:control``: process-wide news (an author merged or no longer merged).
- ``chirp:stream:on:<channel>``: the "someone is subscribed" marker of a channel (a key with
  a TTL, refreshed by the stream processes that hold a listener), as Mastodon's
  ``subscribed:timeline:<id>``. Publishers look it up first: publishing to nobody costs one
  key lookup.

Messages are compact JSON with ids only (``{"e": "update", "t": <tweet id>, "r": <reposter
id or null>}``): the stream process renders each event once, with the Mastodon API's
serializers, for all its listeners.
"""

PREFIX = "chirp:stream:"
MARKER_PREFIX = f"{PREFIX}on:"
PUBLIC = f"{PREFIX}public"
CONTROL = f"{PREFIX}control"
_USER = f"{PREFIX}user:"
_SOURCE = f"{PREFIX}source:"


def user(user_id: int) -> str:
    return f"{_USER}{user_id}"


def source(author_id: int) -> str:
    return f"{_SOURCE}{author_id}"


def marker(channel: str) -> str:
    """The "someone listens" key of a channel."""
    return MARKER_PREFIX + channel.removeprefix(PREFIX)


def parse(channel: str) -> tuple[str, int | None]:
    """("user", id), ("source", id), ("public", None) or ("control", None); ("", None) otherwise."""
    if channel.startswith(_USER):
        return "user", _int(channel[len(_USER) :])
    if channel.startswith(_SOURCE):
        return "source", _int(channel[len(_SOURCE) :])
    if channel == PUBLIC:
        return "public", None
    if channel == CONTROL:
        return "control", None
    return "", None


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None
