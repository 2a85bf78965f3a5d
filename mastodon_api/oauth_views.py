"""OAuth 2 endpoints as Mastodon clients call them: apps, authorize (pages for people), token, revoke."""

import json
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.oauth2_backends import get_oauthlib_core
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_for_sign_in
from accounts.throttles import AuthRateThrottle
from mastodon_api import signals
from mastodon_api.base import MastodonView
from mastodon_api.errors import Unprocessable
from mastodon_api.models import ClientApp
from mastodon_api.oauth import normalize_scopes, token_owner

OOB = "urn:ietf:wg:oauth:2.0:oob"
# Schemes a browser must never be sent to after an approval, whatever an app registered.
_FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "blob"})


class _PasswordGuesses(APIView):
    """The throttle bucket of password sign-ins (password grant and the sign-in page), per
    client address at AUTH_THROTTLE_RATE, as the native auth endpoints."""

    throttle_scope = "mastodon_password"


def _throttled(request: HttpRequest) -> int | None:
    """Seconds to wait when this address made too many password attempts, else None."""
    throttle = AuthRateThrottle()
    if throttle.allow_request(Request(request), _PasswordGuesses()):
        return None
    return max(int(throttle.wait() or 1), 1)


def _app_entity(application: Application, client_app: ClientApp, secret: str | None = None) -> dict:
    data = {
        "id": str(application.pk),
        "name": application.name,
        "website": client_app.website or None,
        "scopes": client_app.scopes.split(),
        "redirect_uri": application.redirect_uris.replace(" ", "\n"),
        "redirect_uris": application.redirect_uris.split(),
        "vapid_key": "",
    }
    if secret is not None:
        data.update(client_id=application.client_id, client_secret=secret, client_secret_expires_at=0)
    return data


def _valid_redirect(uri: str) -> bool:
    """Absolute (any scheme, for native apps), no fragment; or the out-of-band URN."""
    if uri == OOB:
        return True
    parts = urlsplit(uri)
    if parts.scheme.lower() in _FORBIDDEN_SCHEMES:
        return False
    return bool(parts.scheme) and "#" not in uri and (bool(parts.netloc) or parts.scheme not in ("http", "https"))


class AppsView(MastodonView):
    """POST /api/v1/apps: register a client app (form or JSON)."""

    public_methods = ("POST",)

    def post(self, request: Request) -> Response:
        name = self.param("client_name").strip()
        if not name:
            raise Unprocessable("Validation failed: Application name can't be blank")
        if len(name) > 60:
            raise Unprocessable("Validation failed: Application name is too long (maximum is 60 characters)")
        raw = request.data.get("redirect_uris") if hasattr(request.data, "get") else None
        if isinstance(raw, list):
            uris = [str(uri) for uri in raw]
        elif hasattr(request.data, "getlist") and request.data.getlist("redirect_uris[]"):
            uris = request.data.getlist("redirect_uris[]")
        else:
            uris = self.param("redirect_uris").split()
        if not uris or not all(_valid_redirect(uri) for uri in uris):
            raise Unprocessable("Validation failed: Redirect URI must be an absolute URI.")
        scopes = normalize_scopes(self.param("scopes", "read"))
        if scopes is None:
            raise Unprocessable("Validation failed: Scopes are invalid")
        website = self.param("website").strip()[:2000]
        secret = generate_client_secret()
        with transaction.atomic():
            application = Application.objects.create(
                name=name,
                client_type=Application.CLIENT_CONFIDENTIAL,
                authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                redirect_uris=" ".join(uris),
                client_secret=secret,
                skip_authorization=False,
            )
            client_app = ClientApp.objects.create(application=application, website=website, scopes=" ".join(scopes))
        return Response(_app_entity(application, client_app, secret))


class AppVerifyView(MastodonView):
    """GET /api/v1/apps/verify_credentials: the app behind the token."""

    user_required = False

    def get(self, request: Request) -> Response:
        application = getattr(request.auth, "application", None)
        client_app = ClientApp.objects.filter(application=application).first() or ClientApp(scopes="read")
        data = _app_entity(application, client_app)
        data.pop("redirect_uris", None)
        return Response(data)


# --- the authorization endpoint: pages for people ------------------------------------


def _credentials(request: HttpRequest, validated: dict) -> dict:
    keys = ("client_id", "redirect_uri", "response_type", "state", "code_challenge", "code_challenge_method")
    return {key: validated.get(key) for key in keys if validated.get(key)}


def _sign_in(request: HttpRequest) -> str | None:
    """Log the person in from the sign-in form (username or email); returns an error message or None."""
    user = user_for_sign_in(
        identifier=request.POST.get("username", "").strip(), password=request.POST.get("password", "")
    )
    if user is None:
        return "Invalid username, email or password."
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return None


class _AnySchemeRedirect(HttpResponseRedirect):
    """A redirect to a registered URI, whatever its scheme (native apps register their own)."""

    def __init__(self, uri: str) -> None:
        self.allowed_schemes = [urlsplit(uri).scheme or "http"]
        super().__init__(uri)


def authorize(request: HttpRequest) -> HttpResponse:
    """GET: sign-in page, then approval page. POST: sign in, or approve/deny.

    Approval redirects to the app with ?code=...; with the out-of-band redirect URI the
    code is shown on a page for the person to paste into the app.
    """
    core = get_oauthlib_core()
    try:
        scopes, validated = core.validate_authorization_request(request)
    except (FatalClientError, OAuthToolkitError) as exc:
        error = exc.oauthlib_error
        return render(
            request,
            "mastodon_api/error.html",
            {"error": error.error, "description": error.description or ""},
            status=400,
        )
    application = Application.objects.get(client_id=validated["client_id"])
    error = None
    if request.method == "POST" and "password" in request.POST:
        wait = _throttled(request)
        if wait is not None:
            context = {"application": application, "error": f"Too many attempts; try again in {wait} seconds."}
            response = render(request, "mastodon_api/sign_in.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        error = _sign_in(request)
        if error is None:
            return HttpResponseRedirect(request.get_full_path())
    if not request.user.is_authenticated:
        return render(request, "mastodon_api/sign_in.html", {"application": application, "error": error})
    if request.method == "POST" and ("approve" in request.POST or "deny" in request.POST):
        credentials = _credentials(request, validated)
        try:
            uri, _headers, _body, _status = core.create_authorization_response(
                request, scopes=scopes, credentials=credentials, allow="approve" in request.POST
            )
        except OAuthToolkitError as exc:
            if credentials.get("redirect_uri") == OOB:
                return render(
                    request,
                    "mastodon_api/error.html",
                    {"error": exc.oauthlib_error.error, "description": "You denied the request."},
                    status=403,
                )
            return _AnySchemeRedirect(exc.oauthlib_error.in_uri(exc.oauthlib_error.redirect_uri))
        if credentials.get("redirect_uri") == OOB:
            answer = parse_qs(urlsplit(uri).query)
            if "code" not in answer:
                error = answer.get("error", ["server_error"])[0]
                return render(request, "mastodon_api/error.html", {"error": error, "description": ""}, status=400)
            code = answer["code"][0]
            return render(request, "mastodon_api/code.html", {"application": application, "code": code})
        return _AnySchemeRedirect(uri)
    return render(
        request,
        "mastodon_api/approve.html",
        {"application": application, "scopes": scopes, "user": request.user},
    )


def _oauth_json(body: str, status: int, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    for name, value in (headers or {}).items():
        if name.lower() not in ("content-type",):
            response[name] = value
    return response


def _body_field(request: HttpRequest, name: str) -> str:
    """A field of a form or JSON body ("" when absent or unreadable)."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return ""
        return str(data.get(name, "")) if isinstance(data, dict) else ""
    return request.POST.get(name, "")


def _grant_type(request: HttpRequest) -> str:
    return _body_field(request, "grant_type")


@csrf_exempt
def token(request: HttpRequest) -> HttpResponse:
    """POST /oauth/token: password (username or email), authorization_code (PKCE optional),
    client_credentials and refresh_token grants; a form or JSON body."""
    if request.method != "POST":
        return JsonResponse({"error": "method_not_allowed"}, status=405)
    if _grant_type(request) == "password":
        wait = _throttled(request)
        if wait is not None:
            response = JsonResponse({"error": "Too many requests"}, status=429)
            response["Retry-After"] = str(wait)
            return response
    core = get_oauthlib_core()
    _url, headers, body, status = core.create_token_response(request)
    if status == 200:
        data = json.loads(body)
        data["created_at"] = int(timezone.now().timestamp())
        body = json.dumps(data)
    return _oauth_json(body, status, headers)


@csrf_exempt
def revoke(request: HttpRequest) -> HttpResponse:
    """POST /oauth/revoke: revoke an access or refresh token (200 `{}` even if unknown, as Mastodon)."""
    if request.method != "POST":
        return JsonResponse({"error": "method_not_allowed"}, status=405)
    owner = token_owner(_body_field(request, "token"))
    core = get_oauthlib_core()
    _url, headers, body, status = core.create_revocation_response(request)
    if status == 200:
        body = "{}"
        if owner is not None:
            signals.token_revoked.send(sender=AccessToken, user_id=owner)
    return _oauth_json(body or "{}", status, headers)
