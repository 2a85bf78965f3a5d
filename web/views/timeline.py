"""`/`: the home timeline (the feed's Redis timeline, through feed.timeline as GET /api/feed/
reads it) with the compose form; new posts for the live button; posting."""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect

from feed.timeline import feed_page
from tweets import services as tweet_services
from tweets.models import Tweet
from tweets.selectors import parse_tweet_id, tweet_get
from web import media
from web.cards import feed_cards, tweet_cards
from web.views.auth import sign_in_page
from web.views.base import (
    PAGE_SIZE,
    action,
    field_errors,
    fragment,
    more_url,
    next_url,
    offset_param,
    page,
    refusals,
    signed_in,
    viewer,
)

# The live button shows at most this many new posts at once (the rest stay below).
NEW_POSTS_MAX = 100


def post_from_form(request: HttpRequest, *, in_reply_to: Tweet | None = None) -> Tweet:
    """Post the form's tweet (or reply) with its images: media.upload, then tweets.services.tweet_create."""
    user = viewer(request)
    ids = media.upload(
        request=request,
        owner=user,
        files=request.FILES.getlist("images"),
        descriptions=request.POST.getlist("description"),
    )
    extra: dict[str, Any] = {"media_ids": ids} if ids else {}
    return tweet_services.tweet_create(
        author=user, content=request.POST.get("content", ""), in_reply_to=in_reply_to, **extra
    )


def _home(request: HttpRequest, *, compose: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    user = viewer(request)
    offset = offset_param(request)
    count, items = feed_page(viewer=user, limit=PAGE_SIZE, offset=offset, names=True)
    cards = feed_cards(items, viewer=user)
    more = more_url("/", offset, offset + PAGE_SIZE < count)
    if getattr(request, "htmx", False) and offset:
        return fragment(request, "web/_cards_more.html", {"cards": cards, "more": more})
    posted = request.GET.get("posted", "")
    if offset == 0 and posted.isdigit() and all(str(card.id) != posted for card in cards):
        # Just posted without JavaScript: the fan-out to one's own feed may still be on its way.
        try:
            tweet = tweet_get(tweet_id=parse_tweet_id(posted), viewer=user)
        except Http404:
            pass  # deleted meanwhile: nothing to show
        else:
            if tweet.author_id == user.pk:
                cards = tweet_cards([tweet], viewer=user) + cards
    context = {"title": "Home", "nav": "home", "cards": cards, "more": more, "compose": compose or {}}
    return page(request, "web/home.html", context, status=status)


@refusals
def home(request: HttpRequest) -> HttpResponse:
    """The home timeline when signed in, the sign-in page otherwise."""
    if not request.user.is_authenticated:
        return sign_in_page(request)
    return _home(request)


@signed_in
def new_posts(request: HttpRequest) -> HttpResponse:
    """The posts above `?top=` (the newest on the page) in the viewer's timeline: what the
    live button puts on top."""
    user = viewer(request)
    top = request.GET.get("top", "")
    _count, items = feed_page(viewer=user, limit=NEW_POSTS_MAX, offset=0, names=True)
    fresh = []
    for item in items:
        if str(item.tweet.pk) == top:
            break
        fresh.append(item)
    return fragment(request, "web/_cards.html", {"cards": feed_cards(fresh, viewer=user)})


@action
def compose(request: HttpRequest) -> HttpResponse:
    try:
        tweet = post_from_form(request)
    except ValidationError as exc:
        if getattr(request, "htmx", False):
            raise
        draft = {"content": request.POST.get("content", ""), "errors": field_errors(exc)}
        return _home(request, compose=draft, status=400)
    user = viewer(request)
    if getattr(request, "htmx", False):
        card = tweet_cards([tweet_get(tweet_id=tweet.pk, viewer=user)], viewer=user)
        response = fragment(request, "web/_cards.html", {"cards": card})
        response["HX-Trigger-After-Swap"] = json.dumps({"chirp:posted": {"id": str(tweet.pk)}})
        return response
    target = next_url(request, "/")
    if target == "/":
        target = f"/?posted={tweet.pk}"
    return HttpResponseRedirect(target)
