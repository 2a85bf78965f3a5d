"""drf-spectacular post-processing: answers every operation can give, documented once.

These come from the framework rather than from a view (DRF's parsers, the exception
handler's database-outage path), so they are added here instead of in every view.
"""

from typing import Any

ERROR_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        }
    }
}

COMMON_RESPONSES = {
    "503": "A dependency (the database) is unavailable; retry after the Retry-After seconds.",
}
BODY_RESPONSES = {
    "415": "The request body's Content-Type is not JSON, form or multipart.",
}


def add_common_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add 415 to operations that take a body and 503 to every operation, unless already there."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            extra = dict(COMMON_RESPONSES)
            if "requestBody" in operation:
                extra.update(BODY_RESPONSES)
            for code, description in extra.items():
                responses.setdefault(code, {"description": description, "content": ERROR_BODY})
    return result
