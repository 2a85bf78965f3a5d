"""orjson where it is installed (requirements.txt pins it), the standard library otherwise.

The API's JSON renderer and the tweet-object cache encode on every feed read; orjson is
several times faster than `json`. The fallback only keeps a virtualenv that was not
reinstalled since orjson was pinned working (same output, slower).
"""

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - exercised only in a stale virtualenv
    orjson = None  # type: ignore[assignment]

AVAILABLE = orjson is not None


def dumps(value: Any) -> bytes:
    """Compact JSON as bytes (UTF-8, no spaces); only str, int, float, bool, None, list, dict."""
    if orjson is not None:
        return orjson.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes | str) -> Any:
    if orjson is not None:
        return orjson.loads(data)
    return json.loads(data)
