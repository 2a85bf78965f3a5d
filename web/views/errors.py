"""Pages for what is not found outside the API (config/urls.py's handler404)."""

from django.http import HttpRequest, HttpResponse

from web.views.base import problem


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem(request, 404, ["There is no page at this address."])
