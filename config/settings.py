"""Chirp settings: everything comes from environment variables (or a .env file).

This is the only module that reads the environment; apps read `django.conf.settings`.
"""

import json
import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from redis.connection import parse_url as _redis_parse_url

from core.secrets import validate_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"), overwrite=False)

# Where the server URLs come from: the environment (or .env); else, when none of DATABASE_URL,
# REDIS_URL, CELERY_BROKER_URL is set, the `make run` that is up in this folder (it records its
# URLs in var/run.json, devtools/dev.py); else the defaults below. So a plain `python manage.py`
# beside `make run` reaches the same embedded servers. Never a mix of the two.
_URL_NAMES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")


def _running_urls() -> dict[str, str]:
    """The URLs in var/run.json while the `make run` that wrote it is alive (read here, not
    through devtools: production never imports the dev runner)."""
    var = Path(os.environ.get("CHIRP_VAR_DIR") or BASE_DIR / "var")
    try:
        record = json.loads((var / "run.json").read_text())
        pid = int(record["pid"])
        if pid <= 0:
            return {}
        os.kill(pid, 0)
    except PermissionError:
        pass  # alive, owned by another user
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        return {}  # none, unreadable, or left behind by a runner that was killed
    urls = record.get("urls")
    return {k: v for k, v in urls.items() if k in _URL_NAMES and isinstance(v, str)} if isinstance(urls, dict) else {}


_URLS_SET = any(env.str(name, default="") for name in _URL_NAMES)
_RUNNING = {} if _URLS_SET else _running_urls()
DATABASE_URL_SOURCE = (
    "environment" if env.str("DATABASE_URL", default="") else ("make run" if "DATABASE_URL" in _RUNNING else "default")
)

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)
# Read as it is: django-environ takes a value starting with "$" for the name of another
# variable, and 1 in 50 of Django's get_random_secret_key() keys starts with "$".
SECRET_KEY = validate_secret_key(env.ENVIRON.get("SECRET_KEY", ""), debug=DEBUG)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "core",
    "django_elasticsearch_dsl",  # search: Documents and `manage.py search_index` (idle without ELASTICSEARCH_URL)
    "accounts",
    "media",
    "tweets",
    "feed",
    "search",
    "notifications",
    "moderation",
    # Mastodon-compatible client API (DESIGN.md section 7): OAuth 2 provider and the translation app.
    "oauth2_provider",
    "mastodon_api",
    # The web interface for people (DESIGN.md section 11): server-rendered pages with htmx.
    "django_htmx",
    "csp",
    "web",
    # Real-time streams (DESIGN.md section 10): the stream process, and the publisher web and workers use.
    "streaming",
]
# Benchmarks (issue 5), development only: BENCH_ENDPOINTS=1 (set by `make bench`) installs the
# bench app (seed_bench, bench_search) and mounts its framework-ceiling endpoint
# /api/bench/ceiling/ (bench/ceiling.py, config/urls.py).
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)
if BENCH_ENDPOINTS:
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    # The request being served, for the host of media URLs when MEDIA_URL is relative.
    "media.storage.MediaBaseMiddleware",
    # Above anything that can answer on its own (the JSON 404 below, CommonMiddleware).
    "corsheaders.middleware.CorsMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    # Read replicas: GETs of clients that did not just write read from one (off without replicas).
    "core.middleware.ReplicaReadMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on the web pages (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # /api/ paths with or without the trailing slash, unknown ones a JSON 404 (never a redirect).
    "core.middleware.ApiPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # request.user from the session, the user's facts cached (accounts.auth_cache.session_user).
    "accounts.middleware.CachedSessionAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # request.htmx: the web pages answer htmx requests with the fragment they swap (web/).
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# User.username is unique ignoring case through a functional UniqueConstraint on
# Lower("username") (stronger than unique=True), which this check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.E003"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The web interface's sign-in page; the browsable API keeps its own (/api/session/login/),
# which sends people to the API root after signing in.
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/api/"
# Sessions (the web interface, the browsable API, the admin) read from Redis and are kept in
# PostgreSQL too: a page costs no session query, and a flushed Redis signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

TEMPLATES = [
    # The web interface's pages (web/jinja2/, templates/jinja2/): Jinja2, for speed (web/jinja.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "web.jinja.environment"},
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# STORAGES["default"] (the media files) is set in the Media section below.
STORAGES: dict[str, dict[str, Any]] = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}


def _static_collected() -> bool:
    """Whether collectstatic ran (var/static/.collected, written after it by `make run` and the
    image) since the project's own static files last changed."""
    stamp = STATIC_ROOT / ".collected"
    if not stamp.exists():
        return False
    own = (
        path
        for folder in BASE_DIR.iterdir()
        if folder.is_dir() and folder.name not in {"var", "node_modules"} and not folder.name.startswith(".")
        for path in (folder / "static").rglob("*")
        if path.is_file()
    )
    return stamp.stat().st_mtime >= max((path.stat().st_mtime for path in own), default=0)


# Static files straight from the apps when collectstatic has not run since they changed (tests,
# a checkout being edited); else the collected ones, which come with their gzip variants.
WHITENOISE_USE_FINDERS = not _static_collected()

# Request bodies: the API takes small JSON documents only.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=64 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# --- Database ---------------------------------------------------------------

DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="")
        or _RUNNING.get("DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/chirp"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A connection broken by a database restart is dropped and reopened, not reused. The
# backend is Django's PostgreSQL one with a health check that needs no round trip unless
# the server hung up (core/pgbackend/base.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "core.pgbackend"
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=3)
# A unix-socket URL (postgres://user@/name?host=/dir, as the embedded server uses) puts the
# socket directory in OPTIONS; keep it in HOST, where Django and child processes look for it.
if not DATABASES["default"].get("HOST") and "host" in DATABASES["default"]["OPTIONS"]:
    DATABASES["default"]["HOST"] = DATABASES["default"]["OPTIONS"].pop("host")

# Read replicas (PostgreSQL streaming standbys of the primary), e.g.
# "postgres://u@replica1/chirp,postgres://u@replica2/chirp": aliases replica_0, replica_1...
# with the primary's options. core/replicas.py says which reads go there (web GETs of
# clients that did not just write) and core/db_router.py routes them. Empty: one database.
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
REPLICA_DATABASES: list[str] = []
for _index, _url in enumerate(url for url in DATABASE_REPLICA_URLS if url.strip()):
    _replica = env.db_url_config(_url.strip())
    _replica["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    _replica["CONN_HEALTH_CHECKS"] = True
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        _replica["ENGINE"] = "core.pgbackend"
    _replica.setdefault("OPTIONS", {})["connect_timeout"] = DATABASES["default"]["OPTIONS"]["connect_timeout"]
    if not _replica.get("HOST") and "host" in _replica["OPTIONS"]:
        _replica["HOST"] = _replica["OPTIONS"].pop("host")
    # Tests: a replica alias is the test database itself, never a database of its own.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_index}"] = _replica
    REPLICA_DATABASES.append(f"replica_{_index}")
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"] if REPLICA_DATABASES else []
# A user (or token) that wrote reads from the primary for this long: they see their own writes.
REPLICA_PIN_SECONDS = env.float("REPLICA_PIN_SECONDS", default=5.0)
# A replica that could not be reached is skipped for this long before it is tried again.
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=5.0)

# --- Passwords --------------------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Redis (feeds, cache, throttling) ---------------------------------------

REDIS_URL = env.str("REDIS_URL", default="") or _RUNNING.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            # Fail fast when Redis is down: feeds fall back to PostgreSQL.
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 2,
            # Cache reads/writes (throttle counters) degrade to misses instead of 500s.
            "IGNORE_EXCEPTIONS": True,
        },
        "KEY_PREFIX": "chirp",
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

FEED_MAX_LENGTH = env.int("FEED_MAX_LENGTH", default=800)
# Hybrid fan-out (feed/merged/): authors with more followers than this are not fanned out;
# their tweets are merged into followers' feeds at read time. 0: every author is merged.
FANOUT_FOLLOWER_LIMIT = env.int("FANOUT_FOLLOWER_LIMIT", default=10000)
# Seconds JWT and session authentication trust a user's cached "active, password changed at" (accounts/
# auth_cache.py) instead of reading the row; suspension and password change drop it at once.
AUTH_USER_CACHE_SECONDS = env.int("AUTH_USER_CACHE_SECONDS", default=30)
# Seconds a tweet's cached body (feed.objects) lives in Redis after it was written.
TWEET_CACHE_TTL = env.int("TWEET_CACHE_TTL", default=3600)
# Home feeds on a Redis Cluster: one node's URL (redis-py discovers the others). Empty:
# feeds live on REDIS_URL with the cache, as on a single machine.
FEED_REDIS_CLUSTER_URL = env.str("FEED_REDIS_CLUSTER_URL", default="")
# A fan-out to more followers than this is split into chunks of this many followers that
# run in parallel on the `feed_bulk` queue (0: never split).
FANOUT_CHUNK_SIZE = env.int("FANOUT_CHUNK_SIZE", default=5000)
# How long a dispatched chunked fan-out is left to its chunks before the sweeper dispatches it again.
FANOUT_CHUNK_LEASE_SECONDS = env.int("FANOUT_CHUNK_LEASE_SECONDS", default=600)

# --- Media (image attachments, media/) ---------------------------------------

# Uploads are judged by their bytes and re-encoded in the request (media/processing.py).
MEDIA_MAX_BYTES = env.int("MEDIA_MAX_BYTES", default=10 * 1024 * 1024)  # larger bodies: 413
MEDIA_MAX_PIXELS = env.int("MEDIA_MAX_PIXELS", default=40_000_000)  # width x height, read from the header
MEDIA_MAX_SIDE = env.int("MEDIA_MAX_SIDE", default=2048)  # the stored image's long side at most
MEDIA_PREVIEW_SIDE = env.int("MEDIA_PREVIEW_SIDE", default=640)  # the preview's long side at most
MEDIA_JPEG_QUALITY = env.int("MEDIA_JPEG_QUALITY", default=85)
MEDIA_THROTTLE_RATE = env.str("MEDIA_THROTTLE_RATE", default="60/hour")  # uploads per user, both APIs
MEDIA_UNATTACHED_HOURS = env.int("MEDIA_UNATTACHED_HOURS", default=24)  # then an unattached upload is deleted
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
# Absolute base URL of the files as clients fetch them (a CDN, the bucket's public URL). Empty:
# the file system's files are at MEDIA_URL on the host the request came to, S3's at the
# endpoint's (or AWS's) path-style bucket URL.
MEDIA_PUBLIC_URL = env.str("MEDIA_PUBLIC_URL", default="")
# S3-compatible object storage (django-storages) when a bucket is named; else the file system.
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
MEDIA_S3_ENDPOINT_URL = env.str("MEDIA_S3_ENDPOINT_URL", default="")
MEDIA_S3_REGION = env.str("MEDIA_S3_REGION", default="")
AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="")
AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="")
# Names are random and files never change: caches may keep them for a year.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"
if MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": MEDIA_S3_ENDPOINT_URL or None,
            "region_name": MEDIA_S3_REGION or None,
            "access_key": AWS_ACCESS_KEY_ID or None,
            "secret_key": AWS_SECRET_ACCESS_KEY or None,
            # Public, unsigned URLs (media/storage.py builds them); names are random, so no
            # existence check before a write; the bucket's own policy decides public reads.
            "querystring_auth": False,
            "file_overwrite": True,
            "default_acl": None,
            "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
        },
    }
else:
    STORAGES["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL, "file_permissions_mode": 0o644},
    }

# --- Streaming (DESIGN.md section 10, streaming/) ---------------------------

PORT = env.int("PORT", default=8000)
# The stream process (`manage.py stream`, uvicorn); `make run` starts it beside the web server.
STREAMING_PORT = env.int("STREAMING_PORT", default=PORT + 1)
# What instance v1 `urls.streaming_api` and v2 `configuration.urls.streaming` advertise.
# Empty: ws://<the request's host>:<STREAMING_PORT> (wss:// on https). Behind a proxy: the public URL.
STREAMING_URL = env.str("STREAMING_URL", default="")
# Open streams (SSE responses and WebSockets) one account may hold in one stream process.
STREAMING_MAX_CONNECTIONS_PER_USER = env.int("STREAMING_MAX_CONNECTIONS_PER_USER", default=20)
# Bytes queued for one connection before it is cut (a client that stopped reading).
STREAMING_MAX_BUFFER_BYTES = env.int("STREAMING_MAX_BUFFER_BYTES", default=256 * 1024)
STREAMING_HEARTBEAT_SECONDS = env.float("STREAMING_HEARTBEAT_SECONDS", default=10.0)  # SSE comment lines
STREAMING_MARKER_TTL = env.int("STREAMING_MARKER_TTL", default=60)  # "someone listens" keys, refreshed every third
STREAMING_DB_THREADS = env.int("STREAMING_DB_THREADS", default=4)  # token checks and rendering
STREAMING_SHUTDOWN_SECONDS = env.int("STREAMING_SHUTDOWN_SECONDS", default=5)
STREAMING_FORWARDED_ALLOW_IPS = env.str("STREAMING_FORWARDED_ALLOW_IPS", default="127.0.0.1")
# Pub/sub channels ignore Redis databases: deployments (and test runs) sharing a Redis server are
# kept apart by this prefix, by default the database number of REDIS_URL.
STREAMING_CHANNEL_PREFIX = env.str(
    "STREAMING_CHANNEL_PREFIX", default=f"chirp:stream:{_redis_parse_url(REDIS_URL).get('db', 0)}:"
)

# --- Celery -----------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or _RUNNING.get("CELERY_BROKER_URL") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only when it finished: a killed worker's task is redelivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    # The chunks of a large audience's fan-out have their own queue: a normal tweet's
    # fan-out (queue "feed") never waits behind them. Exact names win over patterns.
    "feed.tasks.fan_out_chunk": {"queue": "feed_bulk"},
    "feed.tasks.*": {"queue": "feed"},
    "search.tasks.*": {"queue": "search"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fix-up closes the database connection around every task unless this is
# set; config/celery.py recycles it with close_old_connections (CONN_MAX_AGE, errors) instead.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1_000_000)
# Publishing must not hang a request when the broker is down: fail fast, sweep later.
# visibility_timeout (Redis broker only): an unacknowledged task of a killed worker is
# redelivered after 5 minutes (every task is idempotent and takes seconds at most).
# socket_*timeout (Redis broker only): a Redis that accepts connections but does not answer
# (stopped, overloaded) must not hold a POST forever; 3 s stays above the worker's 1 s BRPOP.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": 300,
    "socket_timeout": 3,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# One quick retry on publish (a pooled connection may be stale after a broker restart),
# then give up: a refused broker costs a POST ~50 ms (measured), not seconds.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_BEAT_SCHEDULE: dict = {
    # Fan out tweets whose fan-out never ran (broker down at commit); also run at worker start.
    "feed-sweep-unfanned": {"task": "feed.tasks.sweep_unfanned", "schedule": 30.0, "options": {"expires": 25}},
    # Delete uploads never attached after MEDIA_UNATTACHED_HOURS, and files whose rows are gone.
    "media-sweep": {"task": "media.tasks.sweep", "schedule": 600.0, "options": {"expires": 590}},
}
# Workers log through LOGGING (JSON with task_id), not Celery's own text format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Search -----------------------------------------------------------------

# Elasticsearch (django-elasticsearch-dsl) when ELASTICSEARCH_URL is set, else PostgreSQL
# full-text search on a generated column. The views never know which (search/backends/).
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
SEARCH_BACKEND = (
    "search.backends.elasticsearch.ElasticsearchBackend"
    if ELASTICSEARCH_URL
    else "search.backends.postgres.PostgresBackend"
)
# Index names are "<prefix>-tweets" and "<prefix>-users": lets several deployments share a cluster.
SEARCH_INDEX_PREFIX = env.str("SEARCH_INDEX_PREFIX", default="chirp")
ELASTICSEARCH_DSL = {
    "default": {"hosts": ELASTICSEARCH_URL or "http://127.0.0.1:9200", "request_timeout": 5, "max_retries": 1}
}
ELASTICSEARCH_DSL_AUTOSYNC = bool(ELASTICSEARCH_URL)
ELASTICSEARCH_DSL_AUTO_REFRESH = False
# Single-node cluster in docker compose: a replica could never be allocated (yellow forever).
ELASTICSEARCH_DSL_INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0}
# Model saves and deletes are indexed by a Celery task after commit, never in the request
# (search/signal_processor.py); without Elasticsearch, nothing listens to model signals.
ELASTICSEARCH_DSL_SIGNAL_PROCESSOR = (
    "search.signal_processor.CelerySignalProcessor"
    if ELASTICSEARCH_URL
    else "django_elasticsearch_dsl.signals.BaseSignalProcessor"
)

# --- Health checks ----------------------------------------------------------

# name -> dotted path of a callable that raises on failure (see config/health.py).
HEALTH_CHECKS = {
    "database": "config.health.check_database",
    "redis": "config.health.check_redis",
    "broker": "config.health.check_broker",
    "feed_cluster": "config.health.check_feed_cluster",  # only when FEED_REDIS_CLUSTER_URL is set
    "search": "search.health.check_search",
}

# --- REST framework ---------------------------------------------------------

AUTH_THROTTLE_RATE = env.str("AUTH_THROTTLE_RATE", default="20/minute")
# Reports filed per user (moderation.api): a spammer cannot flood the moderators' queue.
REPORT_THROTTLE_RATE = env.str("REPORT_THROTTLE_RATE", default="20/hour")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # JWT first so that unauthenticated requests get 401 with WWW-Authenticate: Bearer.
        "accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": [
        "core.renderers.ORJSONRenderer",  # DRF's JSONRenderer's output, encoded by orjson
        "core.renderers.BrowsableAPIRenderer",  # DRF's, with a form for every write (PATCH too)
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "core.parsers.LimitedMultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": AUTH_THROTTLE_RATE},
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# --- JWT (SimpleJWT) --------------------------------------------------------

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(hours=env.int("REFRESH_TOKEN_HOURS", default=24)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "LEEWAY": 0,
    # Tokens with a microsecond `iat`, so a password change refuses exactly the older ones.
    "AUTH_TOKEN_CLASSES": ("accounts.tokens.AccessToken",),
    "TOKEN_OBTAIN_SERIALIZER": "accounts.api.serializers.TokenObtainInput",
}

# --- OpenAPI (drf-spectacular) ----------------------------------------------

SPECTACULAR_SETTINGS = {
    "TITLE": "Chirp API",
    "DESCRIPTION": "A Twitter-style social backend: accounts, tweets, home feed, search.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    # 415 and 503 come from the framework, not the views: documented once (core/openapi.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_common_responses",
    ],
    # Enums named after their model, not after a field name that other apps may share ("status").
    "ENUM_NAME_OVERRIDES": {"ReportStatusEnum": "moderation.models.Report.Status"},
}

# --- Mastodon-compatible API: OAuth 2 (django-oauth-toolkit) ----------------

# Mastodon's tokens live until revoked; ours live MASTODON_TOKEN_DAYS (default 365) and are
# refused earlier when the user changes their password or is suspended (mastodon_api.auth).
MASTODON_TOKEN_DAYS = env.int("MASTODON_TOKEN_DAYS", default=365)
# Requests per token (or client address) per 5 minutes on the Mastodon API (X-RateLimit-* headers).
MASTODON_RATE_LIMIT = env.int("MASTODON_RATE_LIMIT", default=300)
# Named so that migrations can resolve the (swappable) foreign key of mastodon_api.ClientApp.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
_MASTODON_SCOPES = (
    "read write follow push profile "
    "read:accounts read:blocks read:bookmarks read:favourites read:filters read:follows read:lists "
    "read:mutes read:notifications read:search read:statuses "
    "write:accounts write:blocks write:bookmarks write:conversations write:favourites write:filters "
    "write:follows write:lists write:media write:mutes write:notifications write:reports write:statuses"
)
OAUTH2_PROVIDER = {
    "SCOPES": {scope: scope for scope in _MASTODON_SCOPES.split()},
    "DEFAULT_SCOPES": ["read"],
    "SCOPES_BACKEND_CLASS": "mastodon_api.oauth.AppScopes",
    "OAUTH2_VALIDATOR_CLASS": "mastodon_api.oauth.MastodonValidator",
    "OAUTH2_BACKEND_CLASS": "mastodon_api.oauth.FormOrJsonOAuthLibCore",
    "ACCESS_TOKEN_EXPIRE_SECONDS": MASTODON_TOKEN_DAYS * 86400,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    # Mastodon takes PKCE (S256) when the client sends it and does not require it.
    "PKCE_REQUIRED": False,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https", "urn"],
    # RFC 9700 (OAuth 2.0 Security BCP) wherever Mastodon's clients allow it: no implicit grant,
    # PKCE S256 only, tokens only in the Authorization header, tokens hashed at rest, a replayed
    # refresh token revokes its whole family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
# Where Mastodon's clients need what RFC 9700 discourages (check --deploy would warn):
# W002 the password grant (Mastodon.py log_in, toot login_cli); W005 no `iss` in the
# authorization response (Mastodon sends none, its clients ignore it, there is one server);
# W008 http redirect URIs (apps' loopback callbacks); W010 PKCE optional (Mastodon.py and
# toot do not send it).
SILENCED_SYSTEM_CHECKS += [
    "oauth2_provider.W002",
    "oauth2_provider.W005",
    "oauth2_provider.W008",
    "oauth2_provider.W010",
]

# --- CORS (django-cors-headers) ----------------------------------------------

# Browser front ends on other origins, e.g. "https://app.example.com,http://localhost:5173".
# None by default. The API authenticates with Bearer tokens, so no cookies cross origins.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
# Link and X-RateLimit-*: Mastodon's paging and rate-limit headers, read by browser apps.
CORS_EXPOSE_HEADERS = [
    "X-Request-ID",
    "Retry-After",
    "Link",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
]
CORS_PREFLIGHT_MAX_AGE = 3600

# --- Security (production values come from the environment) -----------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- The web interface (web/, DESIGN.md section 11) -----------------------------

# The pages' live updates connect to the streaming process (DESIGN.md section 10) at
# STREAMING_URL, or by default ws://<the page's host>:<the page's port + 1> (web.live). The
# page is given a native JWT access token for it that lives this long: a token copied out
# of a page is soon worth nothing, and the page asks for a new one (POST /live/token, with
# the session and CSRF) when it reconnects.
WEB_STREAM_TOKEN_SECONDS = env.int("WEB_STREAM_TOKEN_SECONDS", default=300)
# django-csp: no inline script, no eval, nothing from other origins. The API, the admin and
# the OAuth pages (DRF's, Django's and Swagger UI's own templates) are left as they were.
# connect-src gains the streaming URL per response (web.live.csp_for).
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/", "/admin/", "/oauth/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],  # + the media origin when files are elsewhere (web.live)
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Logging ----------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
# `make run` sets these two: every line at LOG_LEVEL goes to a file under var/log/, and the
# console shows only LOG_CONSOLE_LEVEL and up (WARNING there; routine INFO stays in the file).
LOG_FILE = env.str("LOG_FILE", default="")
LOG_CONSOLE_LEVEL = env.str("LOG_CONSOLE_LEVEL", default=LOG_LEVEL).upper()
_LOG_HANDLERS = {
    "console": {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "filters": ["request_id"],
        "level": LOG_CONSOLE_LEVEL,
    },
}
if LOG_FILE:
    _LOG_HANDLERS["file"] = {
        "class": "logging.handlers.WatchedFileHandler",  # several processes append; rotation-safe
        "filename": LOG_FILE,
        "formatter": "json",
        "filters": ["request_id"],
        "level": LOG_LEVEL,
    }
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    "handlers": _LOG_HANDLERS,
    "root": {
        "handlers": list(_LOG_HANDLERS),
        # The lowest handler level, so no handler misses what it asked for.
        "level": min(
            (LOG_LEVEL, LOG_CONSOLE_LEVEL) if LOG_FILE else (LOG_CONSOLE_LEVEL,),
            key=lambda name: logging.getLevelName(name),
        ),
    },
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
