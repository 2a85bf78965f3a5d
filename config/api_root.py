"""Where everything lives: the API root (`/api/`). (`/` is the web interface, web/.)"""

from django.urls import NoReverseMatch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

ENDPOINTS = {
    "register": "auth-register",
    "token": "auth-token",
    "refresh": "auth-token-refresh",
    "logout": "auth-logout",
    "me": "users-me",
    "tweets": "tweets-create",
    "media": "media-upload",
    "feed": "feed",
    "search_tweets": "search-tweets",
    "search_users": "search-users",
    "schema": "schema",
    "docs": "docs",
    "health": "healthz",
    "admin": "admin:index",
}


def _links(request: Request) -> dict[str, str]:
    links = {}
    for key, name in ENDPOINTS.items():
        try:
            links[key] = reverse(name, request=request)
        except NoReverseMatch:  # an app that is not mounted
            continue
    return links


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request: Request) -> Response:
    return Response(_links(request))
