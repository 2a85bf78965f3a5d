"""The framework ceiling for the HTTP benchmark: GET /api/bench/ceiling/?bytes=N.

Same authentication, permission, renderer and middleware as GET /api/feed/ (the project's
DRF defaults), and a constant feed-shaped page padded to N bytes of JSON, but no Redis and no
feed query: what the stack costs before the feed does any work. Mounted only when
BENCH_ENDPOINTS=1 (config/urls.py).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

_TWEET = {
    "id": "987654",
    "author": {"id": "4321", "username": "u04321"},
    "content": "",
    "created_at": "2026-11-28T12:34:56.789012Z",
    "in_reply_to": None,
    "num_likes": 0,
    "num_replies": 0,
    "num_reposts": 0,
    "liked": False,
    "reposted": False,
    "reposted_by": None,
}


@lru_cache(maxsize=8)
def ceiling_page(size: int) -> dict[str, Any]:
    """A 20-tweet page envelope whose JSON is `size` bytes (or the smallest such page)."""
    page: dict[str, Any] = {
        "count": 800,
        "next": "http://127.0.0.1/api/feed/?limit=20&offset=20",
        "previous": None,
        "results": [dict(_TWEET) for _ in range(20)],
    }
    base = len(json.dumps(page, separators=(",", ":")))
    spare = max(0, size - base)
    for i, tweet in enumerate(page["results"]):
        tweet["content"] = "x" * (spare // 20 + (1 if i < spare % 20 else 0))
    return page


class CeilingView(APIView):
    """No feed work: authenticate, parse one parameter, render a constant page."""

    def get(self, request: Request) -> Response:
        raw = request.query_params.get("bytes", "8000")
        size = int(raw) if raw.isdigit() and len(raw) < 7 else 8000
        return Response(ceiling_page(size))
