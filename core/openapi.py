"""drf-spectacular post-processing: what every operation shares, documented once.

- Error bodies: every 4xx/5xx answer references a shared component (`ValidationError`
  for 400: field -> messages, or `detail` for an error about the whole request; `Error`
  otherwise: `detail` and an optional `code`), so generated clients type their errors.
- JSON request bodies only: the API is JSON; the browsable API's HTML forms still post
  form data (the parsers accept it), but a generated client must not send multipart. The
  one exception is the image upload (POST /api/media/), documented as multipart only.
- Answers that come from the framework rather than a view (DRF's parsers: 415; the
  exception handler's database-outage path: 503).
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse

# Error answers the views document, each written once. The body's shape comes from
# add_common_responses below; these say when the answer is given.
ERRORS_400 = OpenApiResponse(description="Invalid input; the body names each bad field or parameter.")
ERRORS_400_PAGE = OpenApiResponse(description="Bad limit or offset; the body names the parameter.")
ERROR_401 = OpenApiResponse(description="Missing, invalid or expired credentials.")
ERROR_403_CSRF = OpenApiResponse(description="Not allowed (a session request without its CSRF token).")
ERROR_429 = OpenApiResponse(description="Too many requests from this address; see Retry-After.")

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error about the whole request (DRF's shape).",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "code": {"type": "string", "description": "A machine-readable reason, when there is one."},
    },
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Invalid input: each bad field or parameter maps to its messages; an error about the "
        "whole request is a `detail` string instead."
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

COMMON_RESPONSES = {
    "503": "A dependency (the database) is unavailable; retry after the Retry-After seconds.",
}
BODY_RESPONSES = {
    "415": "The request body is not JSON (the browsable API may also post its HTML forms).",
}


# Mastodon's paths (/api/v1/, /api/v2/: the few in this schema) answer their 4xx in Mastodon's shape.
MASTODON_ERROR_SCHEMA = {
    "type": "object",
    "description": "An error on a Mastodon API path (Mastodon's shape).",
    "properties": {"error": {"type": "string", "description": "What went wrong, for a person."}},
    "required": ["error"],
}


def error_component(path: str, code: str) -> str:
    """The shared component an error answer of this path and status references."""
    if code[0] == "4" and path.startswith(("/api/v1/", "/api/v2/")):
        return "MastodonError"
    return "ValidationError" if code == "400" else "Error"


def _error_content(path: str, code: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{error_component(path, code)}"}}}


def add_common_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Shared error components on every error answer, JSON-only request bodies, 415 and 503."""
    _unprefix_lookahead_paths(result)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["ValidationError"] = VALIDATION_ERROR_SCHEMA
    schemas["MastodonError"] = MASTODON_ERROR_SCHEMA
    for path, methods in result.get("paths", {}).items():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            body = operation.get("requestBody")
            if body and "application/json" in body.get("content", {}):
                body["content"] = {"application/json": body["content"]["application/json"]}
            responses = operation["responses"]
            extra = dict(COMMON_RESPONSES)
            if body:
                extra.update(BODY_RESPONSES)
                if set(body.get("content", {})) == {"multipart/form-data"}:  # an upload (POST /api/media/)
                    extra["415"] = "The request body is not multipart/form-data."
            for code, description in extra.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code[0] in "45" and "content" not in response:
                    response["content"] = _error_content(path, code)
    return result


def _unprefix_lookahead_paths(result: dict[str, Any]) -> None:
    """Mastodon paths are mounted under a zero-width lookahead (config/urls.py), which the
    generator renders as a `{var}` path parameter: give them their real path."""
    paths = result.get("paths", {})
    for path in [path for path in paths if path.startswith("/{var}")]:
        methods = paths.pop(path)
        for operation in methods.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [p for p in operation["parameters"] if p.get("name") != "var"]
        paths["/" + path.removeprefix("/{var}")] = methods
