"""Root URLconf: each app mounts its own api/urls.py under /api/."""

import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.api_root import api_root
from config.health import healthz
from media.views import NAME_RE, serve_file

# The moderation console is Chirp's, not "Django administration".
admin.site.site_header = "Chirp moderation"
admin.site.site_title = "Chirp moderation"
admin.site.index_title = "Moderation"
# The list pages need the width (1280 px screens): the app list is one click away on the index.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Mastodon-compatible client API and OAuth 2 (DESIGN.md section 7). Its ~45 patterns are
    # tried only for its own prefixes (the lookahead consumes nothing): every other path,
    # /api/feed/ first of all, skips them in one regex match instead of ~45.
    re_path(r"^(?=oauth/|api/v1/|api/v2/)", include("mastodon_api.urls")),
    path("api/", api_root, name="api-root"),
    path("api/session/", include("rest_framework.urls")),  # session login for the browsable API
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/", include("accounts.api.urls")),
    path("api/", include("media.api.urls")),
    path("api/", include("tweets.api.urls")),
    path("api/", include("feed.api.urls")),
    path("api/", include("search.api.urls")),
    path("api/", include("moderation.api.urls")),
    path("api/", include("notifications.api.urls")),
    # The web interface for people (DESIGN.md section 11): `/` and the pages beside it.
    path("", include("web.urls")),
]

if not settings.MEDIA_S3_BUCKET and "://" not in settings.MEDIA_URL:
    # Files on this machine's file system: the web process serves them (media/views.py).
    _prefix = re.escape(settings.MEDIA_URL.strip("/"))
    urlpatterns.insert(1, re_path(rf"^{_prefix}/(?P<name>{NAME_RE})$", serve_file, name="media-file"))

# Pages that are not found, or refused, outside the API look like the rest of the site.
handler404 = "web.views.errors.not_found"

if settings.BENCH_ENDPOINTS:  # `make bench` only: the framework-ceiling endpoint (bench/ceiling.py)
    urlpatterns.insert(0, path("api/bench/", include("bench.urls")))
