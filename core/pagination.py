"""Strict limit/offset pagination: bad parameters are a 400 naming the parameter."""

from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_OFFSET = 999_999_999_999  # twelve digits: PostgreSQL's OFFSET takes it, an int never overflows


def parse_page_params(request: Request) -> tuple[int, int]:
    """Read ?limit= (1..100, default 20) and ?offset= (>= 0, default 0) or raise a 400."""
    errors: dict[str, list[str]] = {}
    limit = _parse_int(request.query_params.get("limit"), DEFAULT_LIMIT)
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = [f"Must be an integer from 1 to {MAX_LIMIT}."]
    offset = _parse_int(request.query_params.get("offset"), 0)
    if offset is None or not 0 <= offset <= MAX_OFFSET:
        errors["offset"] = [f"Must be an integer from 0 to {MAX_OFFSET}."]
    if errors:
        raise ValidationError(errors)
    return limit, offset  # type: ignore[return-value]


def _parse_int(raw: str | None, default: int) -> int | None:
    if raw is None:
        return default
    raw = raw.strip()
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
        return None
    return int(raw)


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """DRF's limit/offset envelope with the contract's validation rules."""

    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def paginate_queryset(self, queryset, request, view=None):  # type: ignore[no-untyped-def]
        self.limit, self.offset = parse_page_params(request)
        self.request = request
        self.count = self.get_count(queryset)
        if self.count == 0 or self.offset > self.count:
            return []
        return list(queryset[self.offset : self.offset + self.limit])

    def get_schema_operation_parameters(self, view):  # type: ignore[no-untyped-def]
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == "limit":
                param["schema"].update({"minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT})
            if param["name"] == "offset":
                param["schema"].update({"minimum": 0, "maximum": MAX_OFFSET, "default": 0})
        return params

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """DRF's envelope, with every key required and `next`/`previous` nullable, as sent."""
        envelope = super().get_paginated_response_schema(schema)
        envelope["required"] = ["count", "next", "previous", "results"]
        for key in ("next", "previous"):
            envelope["properties"][key]["nullable"] = True
        return envelope


def paginated_response(request: Request, *, limit: int, offset: int, count: int, results: list[Any]) -> Response:
    """The limit/offset envelope for a page a selector already cut (count, next, previous, results)."""
    paginator = LimitOffsetPagination()
    paginator.request, paginator.limit, paginator.offset, paginator.count = request, limit, offset, count
    return paginator.get_paginated_response(results)
