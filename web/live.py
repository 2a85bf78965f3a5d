"""Live updates of the pages: where the stream is, the short-lived token it is opened with,
and what the Content-Security-Policy must allow for it (and for images stored elsewhere).

The page never holds a long-lived credential: it is given a native JWT access token that
lives WEB_STREAM_TOKEN_SECONDS (minted per page view, no query), and asks for a new one
(POST /live/token: session and CSRF) when it has to reconnect. The stream is the
Mastodon-compatible one of DESIGN.md section 10; web/static/web/live.js reads it.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port

from accounts.models import User
from accounts.tokens import AccessToken


def streaming_url(request: HttpRequest) -> str:
    """STREAMING_URL when set (the public URL behind a proxy), else ws(s)://<this host>:<STREAMING_PORT,
    or this port + 1> (what `make run` serves: DESIGN.md section 10)."""
    configured = str(getattr(settings, "STREAMING_URL", "") or "")
    if configured:
        return configured.rstrip("/")
    hostname, port = split_domain_port(request.get_host())
    if not hostname:
        hostname = "127.0.0.1"
    if ":" in hostname:  # IPv6 literal
        hostname = f"[{hostname}]"
    stream_port = getattr(settings, "STREAMING_PORT", None) or int(port or request.get_port()) + 1
    scheme = "wss" if request.is_secure() else "ws"
    return f"{scheme}://{hostname}:{stream_port}"


def stream_token(user: User) -> str:
    """A native access token for `user` that expires in WEB_STREAM_TOKEN_SECONDS."""
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=settings.WEB_STREAM_TOKEN_SECONDS))
    return str(token)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def csp_update(request: HttpRequest) -> dict[str, list[str]]:
    """What a page's CSP adds to CONTENT_SECURITY_POLICY: the stream (connect-src) and the
    media files' origin when they are not served from this one (img-src)."""
    update = {"connect-src": [streaming_url(request)]}
    media = _origin(str(getattr(settings, "MEDIA_PUBLIC_URL", "") or "")) or _origin(str(settings.MEDIA_URL or ""))
    if media:
        update["img-src"] = [media]
    return update
