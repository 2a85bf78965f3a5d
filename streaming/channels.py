"""The Redis pub/sub layout of the streams (on REDIS_URL, never the feed cluster). Only this
module builds channel and marker names.

Channels (``chirp:stream:<redis db>:`` + name, see STREAMING_CHANNEL_PREFIX):

- ``user:<id>``: what reaches one user's streams: `update` (an entry entered the
  home feed), `delete`, `notification`, and the controls `auth` (check this user's tokens
  again: revoked, password changed, logged out, suspended) and `follows` (recompute the
  merged authors listened to).
- ``source:<id>``: the entries of a merged author (hybrid fan-out), for the
  listeners who follow them.
- ``public``: every new tweet and every deletion (public and hashtag streams).
- ``control``: process-wide news (an author merged or no longer merged).
Keys: ``chirp:stream:on:<name>``, the "someone is subscribed" marker of a channel (a key with
  a TTL, refreshed by the stream processes that hold a listener), as Mastodon's
  ``subscribed:timeline:<id>``. Publishers look it up first: publishing to nobody costs one
  key lookup.

Messages are compact JSON with ids only (``{"e": "update", "t": <tweet id>, "r": <reposter
id or null>}``): the stream process renders each event once, with the Mastodon API's
serializers, for all its listeners.
"""

from django.conf import settings

MARKER_PREFIX = "chirp:stream:on:"
# Names without the prefix: a user's channel is prefix() + USER + id, a merged author's
# prefix() + SOURCE + id (streaming.publish hands these to Lua, which builds the names).
USER, SOURCE, PUBLIC = "user:", "source:", "public"


def prefix() -> str:
    """Channel names carry STREAMING_CHANNEL_PREFIX (by default the Redis database number):
    pub/sub ignores databases, so two deployments (or test runs) on one Redis server must
    not hear each other."""
    return str(settings.STREAMING_CHANNEL_PREFIX)


def user(user_id: int) -> str:
    return f"{prefix()}{USER}{user_id}"


def source(author_id: int) -> str:
    return f"{prefix()}{SOURCE}{author_id}"


def public() -> str:
    return f"{prefix()}{PUBLIC}"


def control() -> str:
    return f"{prefix()}control"


def marker(channel: str) -> str:
    """The "someone listens" key of a channel (a key: in the database of REDIS_URL)."""
    return MARKER_PREFIX + channel.removeprefix(prefix())


def parse(channel: str) -> tuple[str, int | None]:
    """("user", id), ("source", id), ("public", None) or ("control", None); ("", None) otherwise."""
    rest = channel.removeprefix(prefix())
    kind, _, ident = rest.partition(":")
    if kind in ("user", "source") and ident.isdigit():
        return kind, int(ident)
    if rest in ("public", "control") and not ident:
        return rest, None
    return "", None
