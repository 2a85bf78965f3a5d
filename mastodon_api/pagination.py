"""Mastodon's paging: max_id, since_id, min_id and limit, with a Link header (next before prev)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import QuerySet
from rest_framework.request import Request

from mastodon_api.errors import Unprocessable

DEFAULT_LIMIT = 20
MAX_LIMIT = 40
_MAX_ID = 2**63 - 1


def parse_id(raw: str | None, name: str) -> int | None:
    """An id parameter: absent or empty is None; anything but digits is a 422."""
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise Unprocessable(f"{name} must be a status, account or notification id")
    return min(int(raw), _MAX_ID)


@dataclass(frozen=True)
class Cursor:
    max_id: int | None
    since_id: int | None
    min_id: int | None
    limit: int

    @property
    def oldest_first(self) -> bool:
        """min_id asks for the page just above it (read oldest first, shown newest first)."""
        return self.min_id is not None


def parse_cursor(request: Request, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> Cursor:
    raw_limit = request.query_params.get("limit", "")
    try:
        limit = int(raw_limit) if raw_limit else default
    except ValueError:
        raise Unprocessable("limit must be a number") from None
    return Cursor(
        max_id=parse_id(request.query_params.get("max_id"), "max_id"),
        since_id=parse_id(request.query_params.get("since_id"), "since_id"),
        min_id=parse_id(request.query_params.get("min_id"), "min_id"),
        limit=max(1, min(limit, maximum)),
    )


def window(qs: QuerySet, cursor: Cursor, field: str = "pk") -> list:
    """One page of a queryset whose `field` grows with time, newest first, Mastodon's way."""
    if cursor.max_id is not None:
        qs = qs.filter(**{f"{field}__lt": cursor.max_id})
    if cursor.since_id is not None:
        qs = qs.filter(**{f"{field}__gt": cursor.since_id})
    if cursor.min_id is not None:
        rows = list(qs.filter(**{f"{field}__gt": cursor.min_id}).order_by(field)[: cursor.limit])
        rows.reverse()
        return rows
    return list(qs.order_by(f"-{field}")[: cursor.limit])


def link_header(request: Request, first_id: str | int | None, last_id: str | int | None) -> str | None:
    """`<...max_id=last>; rel="next", <...min_id=first>; rel="prev"`, other parameters kept."""
    if first_id is None or last_id is None:
        return None
    params = [
        (key, value)
        for key, values in request.query_params.lists()
        if key not in ("max_id", "since_id", "min_id")
        for value in values
    ]
    base = request.build_absolute_uri(request.path)
    next_url = f"{base}?{urlencode([*params, ('max_id', str(last_id))])}"
    prev_url = f"{base}?{urlencode([*params, ('min_id', str(first_id))])}"
    return f'<{next_url}>; rel="next", <{prev_url}>; rel="prev"'
