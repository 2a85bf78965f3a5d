"""Request parsers: the API takes small JSON or form bodies, never file uploads."""

from django.conf import settings
from rest_framework.parsers import DataAndFiles, MultiPartParser

from core.exceptions import RequestTooLarge


class LimitedMultiPartParser(MultiPartParser):
    """MultiPartParser held to DATA_UPLOAD_MAX_MEMORY_SIZE for the whole body.

    Django applies that limit to form fields only, not to files, so a multipart upload
    would otherwise stream any amount to disk. JSON and urlencoded bodies are checked
    by Django itself (HttpRequest.body).
    """

    def parse(self, stream, media_type=None, parser_context=None) -> DataAndFiles:  # type: ignore[no-untyped-def]
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        if limit is not None and request is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise RequestTooLarge()
        return super().parse(stream, media_type, parser_context)
