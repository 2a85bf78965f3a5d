"""Reads of the media app, and the one compact form a media travels in with its tweet.

A tweet's media reach the API as rows of ROW_FIELDS, in this order: read as a JSON array
per media in the very query that reads the tweets (tweets.selectors), or from the tweet's
cached body (feed.objects). `media_object` and the Mastodon renderer format such a row; so
every API shows the same id, URLs and description, and a page costs no query per media.

A cached body keeps a tweet's rows as one JSON text (`rows_text`), decoded only where they
are rendered (`rows_of`): a feed read passes them through untouched, so a page of 80 images
costs it one string per tweet, not 80 lists of nine values (bench `media_feed`).
"""

from collections.abc import Sequence
from typing import Any

from django.http import Http404

from core import fastjson
from media import storage
from media.models import Media

# The compact row: what a media object is rendered from (and nothing that could go stale
# but the description, which media_changed announces).
ROW_FIELDS = ("id", "file", "preview", "width", "height", "preview_width", "preview_height", "blurhash", "description")

_MAX_ID = 2**63 - 1

# A tweet's media as it travels: rows (PostgreSQL), or their JSON text (a cached feed body),
# "" for none.
MediaRows = Sequence[Sequence[Any]] | str


def rows_text(rows: MediaRows) -> str:
    """The rows as the JSON text a cached body keeps ("" for none)."""
    if isinstance(rows, str):
        return rows
    return fastjson.dumps(rows).decode() if rows else ""


def rows_of(value: MediaRows | None) -> Sequence[Sequence[Any]]:
    """A tweet's media rows, from either form (none: [])."""
    if not value:
        return []
    if isinstance(value, str):
        return list(fastjson.loads(value))
    return value


def parse_media_id(raw: object) -> int | None:
    """An id in its canonical form (digits, as the API renders it), else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 < raw <= _MAX_ID else None
    if not isinstance(raw, str) or not (raw.isascii() and raw.isdigit()) or raw.startswith("0") or len(raw) > 19:
        return None
    value = int(raw)
    return value if value <= _MAX_ID else None


def media_get(*, media_id: str, owner_id: int) -> Media:
    """One of the owner's media; Http404 for anyone else's, an unknown or a malformed id."""
    pk = parse_media_id(media_id)
    media = None if pk is None else Media.objects.filter(pk=pk, owner_id=owner_id).first()
    if media is None:
        raise Http404("No such media.")
    return media


def media_row(media: Media) -> list[Any]:
    """A Media as its compact row (ROW_FIELDS order)."""
    return [getattr(media, field) for field in ROW_FIELDS]


def media_object(row: Sequence[Any], base: str | None = None) -> dict[str, Any]:
    """The API's media object from a compact row: `{id, type, url, preview_url, description,
    width, height, blurhash}`, URLs absolute (`base`: storage.public_base(), if the caller has it)."""
    media_id, file, preview, width, height, _, _, blurhash, description = row
    if base is None:
        base = storage.public_base()
    return {
        "id": str(media_id),
        "type": "image",
        "url": base + file,
        "preview_url": base + preview,
        "description": description,
        "width": width,
        "height": height,
        "blurhash": blurhash,
    }


def media_objects(rows: MediaRows | None) -> list[dict[str, Any]]:
    """A tweet's media objects (none: no work at all). media_object's dict, written out here:
    a feed page renders 80 of them (bench `media_feed`)."""
    if not rows:
        return []
    base = storage.public_base()
    return [
        {
            "id": str(row[0]),
            "type": "image",
            "url": base + row[1],
            "preview_url": base + row[2],
            "description": row[8],
            "width": row[3],
            "height": row[4],
            "blurhash": row[7],
        }
        for row in rows_of(rows)
    ]
